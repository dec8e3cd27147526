/**
 * LSTM gate arithmetic for the fused kernels (core's `lstm`: gates i, f, c, o):
 *   z = x·W + b + h̃·U,  i = σ(z_i), f = σ(z_f), g = act(z_g), o = σ(z_o)
 *   c' = f * c + i * g,  h' = o * act(c')
 * Kept for the backward pass: the activated gates (in place of the projection), the previous c and act(c').
 */
import { activate, gateSigmoid, gateTanh, multiplyByDerivative } from '../activations.js';
import type { SequenceRun } from '../sequence-run.js';
import { type GatedCellActivations, GatedCellBase } from './cell-base.js';

/**
 * One row of the step with Keras' defaults (σ gates, tanh candidate and cell output), in one pass per unit. Kept
 * apart and small so that V8 inlines the activations into it: inside a large function the inlining budget runs out,
 * and every activation becomes a call returning a boxed double. The gates and act(c) are kept only when `ac` is
 * given (training).
 */
function lstmRowSigmoidTanh(
  units: number,
  z: Float32Array,
  p: number,
  r: Float32Array,
  q: number,
  bias: Float32Array | undefined,
  c: Float32Array,
  cNext: Float32Array,
  hNext: Float32Array,
  row: number,
  ac: Float32Array | undefined,
  a: number,
): void {
  for (let j = 0; j < units; j++) {
    const i = gateSigmoid(z[p + j]! + r[q + j]! + (bias ? bias[j]! : 0));
    const f = gateSigmoid(z[p + units + j]! + r[q + units + j]! + (bias ? bias[units + j]! : 0));
    const g = gateTanh(z[p + 2 * units + j]! + r[q + 2 * units + j]! + (bias ? bias[2 * units + j]! : 0));
    const o = gateSigmoid(z[p + 3 * units + j]! + r[q + 3 * units + j]! + (bias ? bias[3 * units + j]! : 0));
    const value = f * c[row + j]! + i * g;
    cNext[row + j] = value;
    const activated = gateTanh(value);
    hNext[row + j] = o * activated;
    if (ac) {
      z[p + j] = i;
      z[p + units + j] = f;
      z[p + 2 * units + j] = g;
      z[p + 3 * units + j] = o;
      ac[a + j] = activated;
    }
  }
}

export class LstmCell extends GatedCellBase {
  readonly gates = 4;
  readonly states = 2;
  /** The step's recurrent product `[batch, 4 * units]`. */
  private readonly product: Float32Array;
  /** act(c') `[batch * time, units]` when training, else `[batch, units]` for one step. */
  private readonly activatedCell: Float32Array;
  /** c before each step `[batch * time, units]` (training). */
  private readonly previousC: Float32Array | undefined;
  private readonly dActivated: Float32Array;

  constructor(run: SequenceRun, activations: GatedCellActivations) {
    super(run, activations);
    const { batch, time, units } = run;
    const training = run.config.training;
    this.product = new Float32Array(batch * 4 * units);
    this.activatedCell = new Float32Array((training ? batch * time : batch) * units);
    this.previousC = training ? new Float32Array(batch * time * units) : undefined;
    this.dActivated = new Float32Array(units);
  }

  forwardStep(tau: number): void {
    const run = this.run;
    const { batch, time, units } = run;
    const width = 4 * units;
    const r = this.product;
    this.stepProduct(run.recurrentInput, 0, r);
    const z = run.projection;
    const bias = run.inputs.bias;
    const c = run.state[1]!;
    const cNext = run.next[1]!;
    const hNext = run.next[0]!;
    const training = run.config.training;
    const ac = this.activatedCell;
    const previousC = this.previousC;
    const fast = this.fast;
    if (previousC) {
      for (let b = 0; b < batch; b++) {
        previousC.set(c.subarray(b * units, (b + 1) * units), (b * time + tau) * units);
      }
    }
    if (
      fast &&
      run.vectorGates?.lstmStep({
        rows: batch,
        units,
        z,
        zOffset: tau * width,
        zStride: time * width,
        recurrent: r,
        bias,
        c,
        cNext,
        hNext,
        ac: training ? ac : undefined,
        acOffset: tau * units,
        acStride: time * units,
      })
    ) {
      return;
    }
    for (let b = 0; b < batch; b++) {
      const n = b * time + tau;
      const p = n * width;
      const q = b * width;
      const row = b * units;
      const a = training ? n * units : row;
      if (fast) {
        lstmRowSigmoidTanh(units, z, p, r, q, bias, c, cNext, hNext, row, training ? ac : undefined, a);
        continue;
      }
      if (bias) for (let j = 0; j < width; j++) z[p + j] = z[p + j]! + r[q + j]! + bias[j]!;
      else for (let j = 0; j < width; j++) z[p + j] = z[p + j]! + r[q + j]!;
      activate(this.rec, z, p, p + 2 * units);
      activate(this.act, z, p + 2 * units, p + 3 * units);
      activate(this.rec, z, p + 3 * units, p + width);
      for (let j = 0; j < units; j++) {
        const value = z[p + units + j]! * c[row + j]! + z[p + j]! * z[p + 2 * units + j]!;
        cNext[row + j] = value;
        ac[a + j] = value;
      }
      activate(this.act, ac, a, a + units);
      for (let j = 0; j < units; j++) hNext[row + j] = z[p + 3 * units + j]! * ac[a + j]!;
    }
  }

  backwardStep(tau: number): void {
    const run = this.run;
    const { batch, time, units } = run;
    const width = 4 * units;
    const z = run.projection;
    const dz = run.dP;
    const ac = this.activatedCell;
    const cPrev = this.previousC!;
    const dNew = run.dNew;
    const dc = run.dState[1]!;
    const dcPrev = run.dPrevious[1]!;
    const dAct = this.dActivated;
    for (let b = 0; b < batch; b++) {
      if (!run.valid[b]) continue;
      const n = b * time + tau;
      const p = n * width;
      const a = n * units;
      const row = b * units;
      for (let j = 0; j < units; j++) {
        const dh = dNew[row + j]!;
        dz[p + 3 * units + j] = dh * ac[a + j]!;
        dAct[j] = dh * z[p + 3 * units + j]!;
      }
      multiplyByDerivative(this.act, dAct, 0, ac, a, units);
      for (let j = 0; j < units; j++) {
        const dct = dc[row + j]! + dAct[j]!;
        dz[p + j] = dct * z[p + 2 * units + j]!;
        dz[p + units + j] = dct * cPrev[a + j]!;
        dz[p + 2 * units + j] = dct * z[p + j]!;
        dcPrev[row + j]! += dct * z[p + units + j]!;
      }
      multiplyByDerivative(this.rec, dz, p, z, p, 2 * units);
      multiplyByDerivative(this.act, dz, p + 2 * units, z, p + 2 * units, units);
      multiplyByDerivative(this.rec, dz, p + 3 * units, z, p + 3 * units, units);
    }
    this.backpropagateRecurrent(dz, tau);
  }
}
