/**
 * Simple RNN arithmetic for the fused kernels (core's `simpleRNN`): h' = act(x·W + b + h̃·U). Kept for the backward
 * pass: h' (in place of the projection).
 */
import { activate, type FusedActivationName, multiplyByDerivative } from '../activations.js';
import { hostMatrix, type PreparedMatrix } from '../gemm.js';
import type { FusedCell, SequenceRun, WeightGradientBlock } from '../sequence-run.js';

export class SimpleRnnCell implements FusedCell {
  readonly gates = 1;
  readonly states = 1;
  private readonly run: SequenceRun;
  private readonly act: FusedActivationName;
  private readonly product: Float32Array;
  private readonly dRecurrent: Float32Array;
  private forwardKernel: PreparedMatrix | undefined;
  private backwardKernel: PreparedMatrix | undefined;

  constructor(run: SequenceRun, activation: FusedActivationName) {
    this.run = run;
    this.act = activation;
    this.product = new Float32Array(run.batch * run.units);
    this.dRecurrent = new Float32Array(run.batch * run.units);
  }

  forwardStep(tau: number): void {
    const run = this.run;
    const { batch, time, units } = run;
    this.forwardKernel ??= run.gemm.prepare(hostMatrix(run.inputs.recurrentKernel, units, units), false);
    const r = this.product;
    run.gemm.multiplyPrepared(
      hostMatrix(run.recurrentInput, batch, units),
      this.forwardKernel,
      hostMatrix(r, batch, units),
      false,
    );
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
    this.backwardKernel ??= run.gemm.prepare(hostMatrix(run.inputs.recurrentKernel, units, units), true);
    const x = run.projection;
    const dx = run.dP;
    for (let b = 0; b < batch; b++) {
      if (!run.valid[b]) continue;
      const p = (b * time + tau) * units;
      dx.set(run.dNew.subarray(b * units, (b + 1) * units), p);
      multiplyByDerivative(this.act, dx, p, x, p, units);
    }
    run.gemm.multiplyPrepared(
      hostMatrix(dx, batch, units, tau * units, time * units),
      this.backwardKernel,
      hostMatrix(this.dRecurrent, batch, units),
      false,
    );
    run.recurrentGradient(this.dRecurrent, tau);
  }

  weightGradientBlocks(): WeightGradientBlock[] {
    const run = this.run;
    const dP = hostMatrix(run.dP, run.batch * run.time, run.units);
    return [{ dZ: dP, kernelColumn: 0, recurrentLeft: run.recurrentInputs(), recurrentColumn: 0 }];
  }

  biasGradient(): Float32Array {
    return Float32Array.from(this.run.dPSums);
  }

  release(): void {
    if (this.forwardKernel) this.run.gemm.release(this.forwardKernel);
    if (this.backwardKernel) this.run.gemm.release(this.backwardKernel);
    this.forwardKernel = undefined;
    this.backwardKernel = undefined;
  }
}
