/**
 * Simple RNN arithmetic for the fused kernels (core's `simpleRNN`): h' = act(x·W + b + h̃·U). Kept for the backward
 * pass: h' (in place of the projection).
 */
import { activate, type FusedActivationName, multiplyByDerivative } from '../activations.js';
import type { SequenceRun } from '../sequence-run.js';
import { FusedCellBase } from './cell-base.js';

export class SimpleRnnCell extends FusedCellBase {
  readonly gates = 1;
  readonly states = 1;
  private readonly act: FusedActivationName;
  private readonly product: Float32Array;

  constructor(run: SequenceRun, activation: FusedActivationName) {
    super(run);
    this.act = activation;
    this.product = new Float32Array(run.batch * run.units);
  }

  forwardStep(tau: number): void {
    const run = this.run;
    const { batch, time, units } = run;
    const r = this.product;
    this.stepProduct(run.recurrentInput, 0, r);
    const x = run.projection;
    const bias = run.inputs.bias;
    const hNext = run.next[0]!;
    for (let b = 0; b < batch; b++) {
      const p = (b * time + tau) * units;
      const row = b * units;
      if (bias) for (let j = 0; j < units; j++) x[p + j] = x[p + j]! + r[row + j]! + bias[j]!;
      else for (let j = 0; j < units; j++) x[p + j] = x[p + j]! + r[row + j]!;
      activate(this.act, x, p, p + units);
      hNext.set(x.subarray(p, p + units), row);
    }
  }

  backwardStep(tau: number): void {
    const run = this.run;
    const { batch, time, units } = run;
    const x = run.projection;
    const dx = run.dP;
    for (let b = 0; b < batch; b++) {
      if (!run.valid[b]) continue;
      const p = (b * time + tau) * units;
      dx.set(run.dNew.subarray(b * units, (b + 1) * units), p);
      multiplyByDerivative(this.act, dx, p, x, p, units);
    }
    this.backpropagateRecurrent(dx, tau);
  }
}
