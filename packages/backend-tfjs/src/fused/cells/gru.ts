/**
 * GRU gate arithmetic for the fused kernels (core's `gru`: gates z, r, h), both variants:
 *
 * `resetAfter: true`, bias `[2, 3 * units]` = [input bias; recurrent bias]:
 *   [xz, xr, xh] = x·W + b_in,  [rz, rr, rh] = h̃·U + b_rec
 *   z = σ(xz + rz), r = σ(xr + rr), ĥ = act(xh + r * rh)
 * `resetAfter: false`, bias `[3 * units]`:
 *   z = σ(xz + h̃·U_z), r = σ(xr + h̃·U_r), ĥ = act(xh + (r * h̃)·U_h)   (two products per step)
 * and in both h' = z * h̃ + (1 − z) * ĥ, where h̃ is h times the recurrent mask (h without one), as in core's cell.
 *
 * Kept for the backward pass: the activated gates (in place of the projection) and, with `resetAfter`, rh.
 */
import { activate, gateSigmoid, gateTanh, multiplyByDerivative } from '../activations.js';
import { columns, type HostMatrix, hostMatrix } from '../gemm.js';
import type { SequenceRun, WeightGradientBlock } from '../sequence-run.js';
import { addRow } from '../sequence-run.js';
import { type GatedCellActivations, GatedCellBase } from './cell-base.js';

export interface GruCellOptions extends GatedCellActivations {
  readonly resetAfter: boolean;
}

/**
 * σ in place over `[start, end)`, in a function of its own so that V8 inlines the activation (see lstm.ts's
 * `lstmRowSigmoidTanh`).
 */
function sigmoidInPlace(x: Float32Array, start: number, end: number): void {
  for (let j = start; j < end; j++) x[j] = gateSigmoid(x[j]!);
}

export class GruCell extends GatedCellBase {
  readonly gates = 3;
  readonly states = 1;
  private readonly resetAfter: boolean;
  /** The step's recurrent product: `[batch, 3 * units]` (resetAfter), else `[batch, 2 * units]` then `[batch, units]`. */
  private readonly product: Float32Array;
  private readonly productH: Float32Array;
  /** resetAfter: rh (recurrent bias included), `[batch * time, units]` when training, else `[batch, units]`. */
  private readonly recurrentH: Float32Array;
  /** !resetAfter: r * h̃ of the step `[batch, units]`. */
  private readonly resetH: Float32Array;
  /** resetAfter: d loss / d (h̃·U + b_rec) `[batch * time, 3 * units]` (differs from dP in the h block). */
  private dR: Float32Array | undefined;
  /** resetAfter: column sums of dR (d loss / d recurrent bias). */
  private dRSums: Float64Array | undefined;
  private readonly dDirect: Float32Array;
  private readonly dReset: Float32Array;

  constructor(run: SequenceRun, options: GruCellOptions) {
    super(run, options);
    this.resetAfter = options.resetAfter;
    const { batch, time, units } = run;
    const training = run.config.training;
    this.product = new Float32Array(batch * (this.resetAfter ? 3 : 2) * units);
    this.productH = new Float32Array(this.resetAfter ? 0 : batch * units);
    this.recurrentH = new Float32Array(this.resetAfter ? (training ? batch * time : batch) * units : 0);
    this.resetH = new Float32Array(this.resetAfter ? 0 : batch * units);
    this.dDirect = new Float32Array(batch * units);
    this.dReset = new Float32Array(this.resetAfter ? 0 : batch * units);
  }

  /** Without `resetAfter`, two products per step: the z and r blocks of U, then its h block. */
  protected override kernelParts(u: HostMatrix): HostMatrix[] {
    const units = this.run.units;
    return this.resetAfter ? [u] : [columns(u, 0, 2 * units), columns(u, 2 * units, units)];
  }

  forwardStep(tau: number): void {
    const run = this.run;
    const { batch, time, units } = run;
    const width = 3 * units;
    const ht = run.recurrentInput;
    const hNext = run.next[0]!;
    const bias = run.inputs.bias;
    const r = this.product;
    const training = run.config.training;
    if (this.resetAfter) {
      this.stepProduct(ht, 0, r);
      // Read after the product: wasm memory may have moved (see SequenceRun.projection).
      const x = run.projection;
      const rh = this.recurrentH;
      for (let b = 0; b < batch; b++) {
        const n = b * time + tau;
        const p = n * width;
        const q = b * width;
        if (bias) {
          for (let j = 0; j < 2 * units; j++) x[p + j] = x[p + j]! + r[q + j]! + bias[j]! + bias[width + j]!;
        } else {
          for (let j = 0; j < 2 * units; j++) x[p + j] = x[p + j]! + r[q + j]!;
        }
        if (this.fast) sigmoidInPlace(x, p, p + 2 * units);
        else activate(this.rec, x, p, p + 2 * units);
        const a = training ? n * units : b * units;
        for (let j = 0; j < units; j++) {
          const k = 2 * units + j;
          const recurrent = bias ? r[q + k]! + bias[width + k]! : r[q + k]!;
          rh[a + j] = recurrent;
          x[p + k] = (bias ? x[p + k]! + bias[k]! : x[p + k]!) + x[p + units + j]! * recurrent;
        }
        this.candidate(x, p, ht, hNext, b);
      }
      return;
    }
    this.stepProduct(ht, 0, r);
    let x = run.projection;
    const rHt = this.resetH;
    const rh = this.productH;
    const vector = this.fast ? run.vectorGates : undefined;
    if (
      vector?.gruReset({
        rows: batch,
        units,
        z: x,
        zOffset: tau * width,
        zStride: time * width,
        recurrent: r,
        bias,
        ht,
        resetH: rHt,
      })
    ) {
      this.stepProduct(rHt, 1, rh);
      vector.gruCandidate({ recurrent: rh, hNext, gates: training ? run.projection : undefined });
      return;
    }
    for (let b = 0; b < batch; b++) {
      const p = (b * time + tau) * width;
      const q = b * 2 * units;
      if (this.fast) {
        for (let j = 0; j < 2 * units; j++)
          x[p + j] = gateSigmoid(x[p + j]! + r[q + j]! + (bias ? bias[j]! : 0));
      } else {
        if (bias) for (let j = 0; j < 2 * units; j++) x[p + j] = x[p + j]! + r[q + j]! + bias[j]!;
        else for (let j = 0; j < 2 * units; j++) x[p + j] = x[p + j]! + r[q + j]!;
        activate(this.rec, x, p, p + 2 * units);
      }
      const row = b * units;
      for (let j = 0; j < units; j++) rHt[row + j] = x[p + units + j]! * ht[row + j]!;
    }
    this.stepProduct(rHt, 1, rh);
    x = run.projection;
    for (let b = 0; b < batch; b++) {
      const p = (b * time + tau) * width;
      const row = b * units;
      for (let j = 0; j < units; j++) {
        const k = 2 * units + j;
        x[p + k] = x[p + k]! + rh[row + j]! + (bias ? bias[k]! : 0);
      }
      this.candidate(x, p, ht, hNext, b);
    }
  }

  /** ĥ = act(a) in place of a, then h' = z * h̃ + (1 − z) * ĥ, for row `b`. */
  private candidate(x: Float32Array, p: number, ht: Float32Array, hNext: Float32Array, b: number): void {
    const units = this.run.units;
    const row = b * units;
    const c = p + 2 * units;
    if (this.fast) {
      for (let j = 0; j < units; j++) {
        const z = x[p + j]!;
        const candidate = gateTanh(x[c + j]!);
        x[c + j] = candidate;
        hNext[row + j] = z * ht[row + j]! + (1 - z) * candidate;
      }
      return;
    }
    activate(this.act, x, c, c + units);
    for (let j = 0; j < units; j++) {
      const z = x[p + j]!;
      hNext[row + j] = z * ht[row + j]! + (1 - z) * x[c + j]!;
    }
  }

  backwardStep(tau: number): void {
    const run = this.run;
    const { batch, time, units } = run;
    const width = 3 * units;
    const x = run.projection;
    const dx = run.dP;
    const ht = run.recurrentInput;
    const dNew = run.dNew;
    const dDirect = this.dDirect;
    // The parts of the gradient every variant shares: d z (before σ'), d ĥ then d a (after act'), and d h̃ direct.
    for (let b = 0; b < batch; b++) {
      if (!run.valid[b]) continue;
      const p = (b * time + tau) * width;
      const row = b * units;
      for (let j = 0; j < units; j++) {
        const z = x[p + j]!;
        const candidate = x[p + 2 * units + j]!;
        const d = dNew[row + j]!;
        dx[p + j] = d * (ht[row + j]! - candidate);
        // tanh' = 1 − ĥ² inline on the fast path.
        dx[p + 2 * units + j] = this.fast ? d * (1 - z) * (1 - candidate * candidate) : d * (1 - z);
        dDirect[row + j] = d * z;
      }
      if (!this.fast) multiplyByDerivative(this.act, dx, p + 2 * units, x, p + 2 * units, units);
    }
    if (this.resetAfter) {
      this.dR ??= new Float32Array(dx.length);
      this.dRSums ??= new Float64Array(width);
      const dR = this.dR;
      const dRSums = this.dRSums;
      const rh = this.recurrentH;
      for (let b = 0; b < batch; b++) {
        if (!run.valid[b]) continue;
        const n = b * time + tau;
        const p = n * width;
        const a = n * units;
        for (let j = 0; j < units; j++) {
          const da = dx[p + 2 * units + j]!;
          dx[p + units + j] = da * rh[a + j]!;
          dR[p + 2 * units + j] = da * x[p + units + j]!;
        }
        multiplyByDerivative(this.rec, dx, p, x, p, 2 * units);
        dR.set(dx.subarray(p, p + 2 * units), p);
        addRow(dR, n, width, dRSums);
      }
      this.backpropagateRecurrent(dR, tau, dDirect);
      return;
    }
    // d (r * h̃) = d a · U_hᵀ, then d r = that * h̃ and d h̃ += that * r.
    const dReset = this.dReset;
    this.stepGradientProduct(dx, tau, 2 * units, 1, dReset);
    for (let b = 0; b < batch; b++) {
      if (!run.valid[b]) continue;
      const p = (b * time + tau) * width;
      const row = b * units;
      if (this.fast) {
        // σ' = y (1 − y) inline.
        for (let j = 0; j < units; j++) {
          const d = dReset[row + j]!;
          const z = x[p + j]!;
          const r = x[p + units + j]!;
          dx[p + j] = dx[p + j]! * z * (1 - z);
          dx[p + units + j] = d * ht[row + j]! * r * (1 - r);
          dDirect[row + j]! += d * r;
        }
        continue;
      }
      for (let j = 0; j < units; j++) {
        const d = dReset[row + j]!;
        dx[p + units + j] = d * ht[row + j]!;
        dDirect[row + j]! += d * x[p + units + j]!;
      }
      multiplyByDerivative(this.rec, dx, p, x, p, 2 * units);
    }
    this.backpropagateRecurrent(dx, tau, dDirect);
  }

  override weightGradientBlocks(): WeightGradientBlock[] {
    const run = this.run;
    const { units } = run;
    const rows = run.batch * run.time;
    const width = 3 * units;
    const dP = hostMatrix(run.dP, rows, width);
    const ht = run.recurrentInputs();
    if (this.resetAfter) {
      // d recurrentKernel comes from dR, which differs from dP in the h block.
      return [
        { dZ: dP, kernelColumn: 0 },
        { dZ: hostMatrix(this.dR!, rows, width), recurrentLeft: ht, recurrentColumn: 0 },
      ];
    }
    // The z and r blocks multiply h̃, the h block multiplies r * h̃.
    const x = run.projection;
    const resetH = new Float32Array(rows * units);
    for (let n = 0; n < rows; n++) {
      for (let j = 0; j < units; j++) resetH[n * units + j] = x[n * width + units + j]! * ht[n * units + j]!;
    }
    return [
      { dZ: columns(dP, 0, 2 * units), kernelColumn: 0, recurrentLeft: ht, recurrentColumn: 0 },
      {
        dZ: columns(dP, 2 * units, units),
        kernelColumn: 2 * units,
        recurrentLeft: resetH,
        recurrentColumn: 2 * units,
      },
    ];
  }

  override biasGradient(): Float32Array {
    const sums = this.run.dPSums;
    if (!this.resetAfter) return Float32Array.from(sums);
    const out = new Float32Array(2 * sums.length);
    out.set(sums);
    out.set(this.dRSums!, sums.length);
    return out;
  }
}
