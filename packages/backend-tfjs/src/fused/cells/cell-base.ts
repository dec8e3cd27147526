/**
 * What the fused cells share around their gate arithmetic: the recurrent kernel prepared for the step products
 * (`U` forward, `Uᵀ` backward, whole or in column parts), the per-step products, freeing them, and the weight and
 * bias gradients of a cell whose one product covers the whole kernel (simpleRNN, LSTM; the GRU overrides them).
 * Only per-step work lives here; the loops over units stay in each cell's own small functions.
 */
import type { FusedActivationName } from '../activations.js';
import { type HostMatrix, hostMatrix, type PreparedMatrix } from '../gemm.js';
import type { FusedCell, SequenceRun, WeightGradientBlock } from '../sequence-run.js';

export interface GatedCellActivations {
  readonly activation: FusedActivationName;
  readonly recurrentActivation: FusedActivationName;
}

export abstract class FusedCellBase implements FusedCell {
  abstract readonly gates: number;
  abstract readonly states: number;
  protected readonly run: SequenceRun;
  /** d loss / d h̃ of the step `[batch, units]`, from the backward product. */
  protected readonly dRecurrent: Float32Array;
  private readonly prepared: PreparedMatrix[] = [];
  private forwardKernels: PreparedMatrix[] | undefined;
  private backwardKernels: PreparedMatrix[] | undefined;

  constructor(run: SequenceRun) {
    this.run = run;
    this.dRecurrent = new Float32Array(run.batch * run.units);
  }

  abstract forwardStep(tau: number): void;
  abstract backwardStep(tau: number): void;

  /** The column blocks of the recurrent kernel `u` `[units, gates * units]` the step products use: all of it. */
  protected kernelParts(u: HostMatrix): HostMatrix[] {
    return [u];
  }

  private prepare(transpose: boolean): PreparedMatrix[] {
    const { units, gemm, inputs } = this.run;
    const parts = this.kernelParts(hostMatrix(inputs.recurrentKernel, units, this.gates * units));
    const prepared = parts.map((part) => gemm.prepare(part, transpose));
    this.prepared.push(...prepared);
    return prepared;
  }

  /** `out` `[batch, n]` = `left` `[batch, units]` · kernel part `part` `[units, n]` (h̃·U, say). */
  protected stepProduct(left: Float32Array, part: number, out: Float32Array): void {
    this.forwardKernels ??= this.prepare(false);
    const kernel = this.forwardKernels[part]!;
    const { batch, units, gemm } = this.run;
    gemm.multiplyPrepared(hostMatrix(left, batch, units), kernel, hostMatrix(out, batch, kernel.cols), false);
  }

  /**
   * `out` `[batch, units]` = the step's rows (`b * time + tau`) of `d` `[batch * time, gates * units]`, columns
   * `column ...` as wide as kernel part `part`, times that part transposed.
   */
  protected stepGradientProduct(
    d: Float32Array,
    tau: number,
    column: number,
    part: number,
    out: Float32Array,
  ): void {
    this.backwardKernels ??= this.prepare(true);
    const kernel = this.backwardKernels[part]!;
    const { batch, time, units, gemm } = this.run;
    const width = this.gates * units;
    gemm.multiplyPrepared(
      hostMatrix(d, batch, kernel.rows, tau * width + column, time * width),
      kernel,
      hostMatrix(out, batch, units),
      false,
    );
  }

  /**
   * The step's d loss / d h̃ (rows of `d` times the whole kernel transposed, plus `direct` when given) passed on to
   * the previous state.
   */
  protected backpropagateRecurrent(d: Float32Array, tau: number, direct?: Float32Array): void {
    this.stepGradientProduct(d, tau, 0, 0, this.dRecurrent);
    this.run.recurrentGradient(this.dRecurrent, tau, direct);
  }

  weightGradientBlocks(): WeightGradientBlock[] {
    const run = this.run;
    const dP = hostMatrix(run.dP, run.batch * run.time, this.gates * run.units);
    return [{ dZ: dP, kernelColumn: 0, recurrentLeft: run.recurrentInputs(), recurrentColumn: 0 }];
  }

  biasGradient(): Float32Array {
    return Float32Array.from(this.run.dPSums);
  }

  release(): void {
    for (const p of this.prepared) this.run.gemm.release(p);
    this.prepared.length = 0;
    this.forwardKernels = undefined;
    this.backwardKernels = undefined;
  }
}

/** A cell with gates (LSTM, GRU): its two activations, and whether they are Keras' defaults. */
export abstract class GatedCellBase extends FusedCellBase {
  protected readonly act: FusedActivationName;
  protected readonly rec: FusedActivationName;
  /** Keras' defaults (σ gates, tanh candidate and cell output), which the cells compute inline. */
  protected readonly fast: boolean;

  constructor(run: SequenceRun, activations: GatedCellActivations) {
    super(run);
    this.act = activations.activation;
    this.rec = activations.recurrentActivation;
    this.fast = this.rec === 'sigmoid' && this.act === 'tanh';
  }
}
