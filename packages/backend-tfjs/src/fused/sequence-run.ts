/**
 * Backpropagation through time for a fused recurrent kernel, on `Float32Array`s: the time loop, masks,
 * `goBackwards`, outputs and states, and the whole-sequence products, shared by every cell and every tfjs backend.
 * A cell (`FusedCell`) supplies only its gate arithmetic and its per-step recurrent products; a `GemmProvider`
 * supplies the products.
 *
 * Forward: the input projection of every step in one product (`P = X·W`, rows `b * time + t`), then per step the
 * recurrent product and the gates. Backward: per step (last to first) the gate derivatives, written into `dP` (the
 * gradient of the projection, same layout as `P`), and `dh·Uᵀ`; then the weight gradients as whole-sequence products
 * (`[X | H̃]ᵀ·dP` gives `dW` and `dU` at once), `dX = dP·Wᵀ` and the bias's column sums, computed only for the
 * arguments that need a gradient.
 *
 * It computes what core's `scanCell` computes: at a masked step every state keeps its previous value and the output
 * repeats the previous step's output (zeros before the first valid step), or is zero with `zeroMaskedOutputs`;
 * gradients flow accordingly. With `goBackwards`, step `s` reads time `time - 1 - s` and writes output `s`.
 */

import {
  type GemmProvider,
  type HostMatrix,
  hostMatrix,
  type ResidentMatrix,
  residentArray,
} from './gemm.js';
import type { VectorGates } from './vector-gates.js';

export interface SequenceRunConfig {
  readonly batch: number;
  readonly time: number;
  readonly inputSize: number;
  readonly units: number;
  readonly goBackwards: boolean;
  readonly returnSequences: boolean;
  readonly zeroMaskedOutputs: boolean;
  /** Keep what the backward pass needs (only when a gradient is being recorded). */
  readonly training: boolean;
}

/** Host copies (or views) of the kernel's tensor arguments. Never written to. */
export interface SequenceRunInputs {
  /** `[batch, time, inputSize]`. */
  readonly x: Float32Array;
  /** `[inputSize, gates * units]`. */
  readonly kernel: Float32Array;
  /** `[units, gates * units]`. */
  readonly recurrentKernel: Float32Array;
  /** The cell's bias, flat; absent without bias. */
  readonly bias?: Float32Array;
  /** One `[batch, units]` array per state; zeros when absent. */
  readonly initialState?: readonly Float32Array[];
  /** `[batch, time]`; nonzero marks a valid step. */
  readonly mask?: ArrayLike<number>;
  /** `[batch, units]`, multiplied into `h` where it enters the step (recurrent dropout). */
  readonly recurrentMask?: Float32Array;
}

/** A cell's arithmetic inside {@link SequenceRun}; one instance per run (it holds that run's buffers). */
export interface FusedCell {
  /** Gate blocks in the projection and the recurrent kernel (4 for an LSTM). */
  readonly gates: number;
  /** Number of states (2 for an LSTM: h and c). */
  readonly states: number;
  /**
   * One step at time `tau`: read `run.projection` rows `b * time + tau` (overwriting them with the activated gates,
   * kept for the backward pass when training; read `run.projection` again after each product, as it may live in
   * wasm memory that a product can move), the states `run.state` and `run.recurrentInput` (h̃, the state h times the
   * recurrent mask); write every row of `run.next`. The run restores masked rows afterwards.
   */
  forwardStep(tau: number): void;
  /**
   * One backward step at time `tau`, for the rows `run.valid` marks: from `run.dNew` (d loss / d h_new) and
   * `run.dState` (d loss / d state after the step, for states other than h), write `run.dP` rows `b * time + tau`
   * and add to `run.dPrevious` (zeroed for those rows); pass `d loss / d h̃` to `run.recurrentGradient`.
   * `run.recurrentInput` holds this step's h̃ and `run.projection` the activated gates.
   */
  backwardStep(tau: number): void;
  /** How the weight gradients come from the backward pass's results (see {@link WeightGradientBlock}). */
  weightGradientBlocks(): WeightGradientBlock[];
  /** `d loss / d bias` (the bias's own layout), after the backward loop. */
  biasGradient(): Float32Array;
  /** Frees prepared operands (also when a step threw). */
  release(): void;
}

/**
 * One product of the weight gradients: `[X | L]ᵀ·dZ`, for a block of columns `dZ` `[batch * time, w]` of the
 * projection's gradient (or of the recurrent product's, for a GRU with `resetAfter`). Its first `inputSize` rows
 * (when `kernelColumn` is set) are columns `kernelColumn ...` of d kernel, the next `units` rows (when `recurrentLeft`
 * is set: H̃, or r * H̃ for a GRU without `resetAfter`) columns `recurrentColumn ...` of d recurrentKernel. One
 * product for both keeps the (large) dZ operand in one pass.
 */
export interface WeightGradientBlock {
  readonly dZ: HostMatrix;
  readonly kernelColumn?: number;
  readonly recurrentLeft?: Float32Array;
  readonly recurrentColumn?: number;
}

/** Adds row `row` of the `[*, width]` matrix at `data` to `sums`. */
export function addRow(data: Float32Array, row: number, width: number, sums: Float64Array): void {
  const base = row * width;
  for (let j = 0; j < width; j++) sums[j] = sums[j]! + data[base + j]!;
}

export class SequenceRun {
  readonly batch: number;
  readonly time: number;
  readonly inputSize: number;
  readonly units: number;
  readonly config: SequenceRunConfig;
  readonly inputs: SequenceRunInputs;
  readonly gemm: GemmProvider;
  readonly cell: FusedCell;
  /** A vectorized step for the cells that can use one (see `vector-gates.ts`). */
  readonly vectorGates: VectorGates | undefined;

  /** `X·W` where the provider computed it; in JavaScript memory once the forward pass is over. */
  private projected: ResidentMatrix;
  private projectedView: Float32Array;
  /** The states before the current step, each `[batch, units]`. */
  state: Float32Array[];
  /** The states after the current step. */
  next: Float32Array[];
  /** h̃ = h times the recurrent mask (`state[0]` itself without one): what the recurrent kernel multiplies. */
  recurrentInput: Float32Array;
  /** Rows updated by the current step (all of them without a mask). */
  readonly valid: Uint8Array;
  /** `[batch * time, units]`: the state h before each step (rows `b * time + t`), when training. */
  readonly previousH: Float32Array | undefined;

  /** Outputs in processing order `[batch, time, units]` with `returnSequences`. */
  readonly outputs: Float32Array | undefined;
  /** The output of the latest step `[batch, units]`. */
  readonly lastOutput: Float32Array;

  // Backward pass (allocated by `backward`).
  /** `[batch * time, gates * units]`: d loss / d projection (input bias included). */
  dP!: Float32Array;
  /** d loss / d state after the current step, per state. */
  dState!: Float32Array[];
  /** d loss / d state before the current step, per state. */
  dPrevious!: Float32Array[];
  /** d loss / d h after the current step, the output's gradient included (valid rows). */
  dNew!: Float32Array;
  /** Column sums of `dP` (d loss / d input bias), accumulated step by step while the rows are in cache. */
  dPSums!: Float64Array;
  /** d loss / d recurrent mask, when there is one. */
  dRecurrentMask: Float32Array | undefined;

  constructor(
    config: SequenceRunConfig,
    inputs: SequenceRunInputs,
    gemm: GemmProvider,
    createCell: (run: SequenceRun) => FusedCell,
    gates: number,
    vectorGates?: VectorGates,
  ) {
    this.config = config;
    this.inputs = inputs;
    this.gemm = gemm;
    this.vectorGates = vectorGates;
    const { batch, time, inputSize, units } = config;
    this.batch = batch;
    this.time = time;
    this.inputSize = inputSize;
    this.units = units;
    const rows = batch * time;
    this.projected = gemm.multiplyResident(
      hostMatrix(inputs.x, rows, inputSize),
      false,
      hostMatrix(inputs.kernel, inputSize, gates * units),
      false,
    );
    this.projectedView = this.projected.view();
    this.valid = new Uint8Array(batch).fill(1);
    this.previousH = config.training ? new Float32Array(rows * units) : undefined;
    this.outputs = config.returnSequences ? new Float32Array(rows * units) : undefined;
    this.lastOutput = new Float32Array(batch * units);
    this.cell = createCell(this);
    const states = this.cell.states;
    this.state = Array.from({ length: states }, (_, k) =>
      inputs.initialState?.[k] ? inputs.initialState[k]!.slice() : new Float32Array(batch * units),
    );
    this.next = Array.from({ length: states }, () => new Float32Array(batch * units));
    this.recurrentInput = inputs.recurrentMask ? new Float32Array(batch * units) : this.state[0]!;
  }

  /**
   * `[batch * time, gates * units]`: `X·W` (no bias), with the activated gates of the steps run so far (rows
   * `b * time + t`). During the forward pass it may live in wasm memory: read it again after every product.
   */
  get projection(): Float32Array {
    // A view of wasm memory that grew since is detached: it has length 0.
    if (this.projectedView.length === 0) this.projectedView = this.projected.view();
    return this.projectedView;
  }

  /** Time index of processing step `s`. */
  timeOf(s: number): number {
    return this.config.goBackwards ? this.time - 1 - s : s;
  }

  private markValid(tau: number): void {
    const mask = this.inputs.mask;
    if (mask === undefined) return;
    for (let b = 0; b < this.batch; b++) this.valid[b] = mask[b * this.time + tau] !== 0 ? 1 : 0;
  }

  /** Runs every step; afterwards `state` holds the final states and `outputs` / `lastOutput` the outputs. */
  forward(): void {
    const { batch, time, units } = this;
    const rm = this.inputs.recurrentMask;
    try {
      for (let s = 0; s < time; s++) {
        const tau = this.timeOf(s);
        this.markValid(tau);
        const h = this.state[0]!;
        if (rm) {
          const ht = this.recurrentInput;
          for (let i = 0; i < batch * units; i++) ht[i] = h[i]! * rm[i]!;
        } else {
          this.recurrentInput = h;
        }
        if (this.previousH) {
          for (let b = 0; b < batch; b++) {
            this.previousH.set(h.subarray(b * units, (b + 1) * units), (b * time + tau) * units);
          }
        }
        this.cell.forwardStep(tau);
        this.finishStep(s);
        const previous = this.state;
        this.state = this.next;
        this.next = previous;
      }
    } finally {
      this.cell.release();
      if (!this.projected.inJavaScript) {
        // Wasm memory is not garbage-collected: free it now. The backward pass reads the gates from a copy.
        const gates = this.config.training ? this.projection.slice() : undefined;
        this.projected.release();
        this.projected = residentArray(
          gates ?? new Float32Array(0),
          this.projected.rows,
          this.projected.cols,
        );
        this.projectedView = this.projected.view();
      }
    }
  }

  /** Restores masked rows and records the step's output. */
  private finishStep(s: number): void {
    const { batch, units, time, outputs, lastOutput } = this;
    const zeroMasked = this.config.zeroMaskedOutputs;
    const h = this.next[0]!;
    for (let b = 0; b < batch; b++) {
      const row = b * units;
      if (this.valid[b]) {
        lastOutput.set(h.subarray(row, row + units), row);
      } else {
        for (let k = 0; k < this.next.length; k++) {
          this.next[k]!.set(this.state[k]!.subarray(row, row + units), row);
        }
        if (zeroMasked) lastOutput.fill(0, row, row + units);
      }
      if (outputs) outputs.set(lastOutput.subarray(row, row + units), (b * time + s) * units);
    }
  }

  /**
   * The backward loop, from the gradients of the outputs (`dOutput`: of `outputs` or of `lastOutput`) and of the
   * final states (undefined: zero). Afterwards `dState` holds the initial states' gradients and `dP` the
   * projection's.
   */
  backward(dOutput: Float32Array, dFinalState: readonly (Float32Array | undefined)[]): void {
    const { batch, time, units } = this;
    const size = batch * units;
    const states = this.cell.states;
    const width = this.projected.cols;
    this.dP = new Float32Array(batch * time * width);
    this.dPSums = new Float64Array(width);
    this.dState = Array.from({ length: states }, (_, k) =>
      dFinalState[k] ? dFinalState[k]!.slice() : new Float32Array(size),
    );
    this.dPrevious = Array.from({ length: states }, () => new Float32Array(size));
    this.dNew = new Float32Array(size);
    const rm = this.inputs.recurrentMask;
    this.dRecurrentMask = rm ? new Float32Array(size) : undefined;
    const sequences = this.config.returnSequences;
    const zeroMasked = this.config.zeroMaskedOutputs;
    // d loss / d output of the current step, carried backwards through masked steps that repeat it.
    const carried = sequences ? new Float32Array(size) : dOutput.slice();
    const previousH = this.previousH!;
    const ht = new Float32Array(size);
    this.recurrentInput = ht;
    try {
      for (let s = time - 1; s >= 0; s--) {
        const tau = this.timeOf(s);
        this.markValid(tau);
        // h̃ of this step, rows gathered from the saved states.
        for (let b = 0; b < batch; b++) {
          const from = (b * time + tau) * units;
          if (rm) {
            for (let j = 0; j < units; j++) ht[b * units + j] = previousH[from + j]! * rm[b * units + j]!;
          } else {
            ht.set(previousH.subarray(from, from + units), b * units);
          }
        }
        const dh = this.dState[0]!;
        for (let b = 0; b < batch; b++) {
          const row = b * units;
          const outRow = (b * time + s) * units;
          if (this.valid[b]) {
            for (let j = 0; j < units; j++) {
              const g = carried[row + j]! + (sequences ? dOutput[outRow + j]! : 0);
              this.dNew[row + j] = dh[row + j]! + g;
              carried[row + j] = 0;
            }
            // The cell adds its parts of the previous states' gradients.
            for (let k = 0; k < states; k++) this.dPrevious[k]!.fill(0, row, row + units);
          } else {
            for (let k = 0; k < states; k++) {
              this.dPrevious[k]!.set(this.dState[k]!.subarray(row, row + units), row);
            }
            for (let j = 0; j < units; j++) {
              const g = carried[row + j]! + (sequences ? dOutput[outRow + j]! : 0);
              carried[row + j] = zeroMasked ? 0 : g;
            }
          }
        }
        this.cell.backwardStep(tau);
        for (let b = 0; b < batch; b++)
          if (this.valid[b]) addRow(this.dP, b * time + tau, width, this.dPSums);
        const previous = this.dState;
        this.dState = this.dPrevious;
        this.dPrevious = previous;
      }
    } finally {
      this.cell.release();
    }
  }

  /**
   * Adds d loss / d h̃ of the current step (`dRecurrent`, plus `direct` when given; every row, only valid rows are
   * read) to the gradient of the previous h, through the recurrent mask, and accumulates the mask's own gradient.
   */
  recurrentGradient(dRecurrent: Float32Array, tau: number, direct?: Float32Array): void {
    const { batch, units, time } = this;
    const dh = this.dPrevious[0]!;
    const rm = this.inputs.recurrentMask;
    const drm = this.dRecurrentMask;
    const previousH = this.previousH!;
    for (let b = 0; b < batch; b++) {
      if (!this.valid[b]) continue;
      const row = b * units;
      const from = (b * time + tau) * units;
      for (let j = 0; j < units; j++) {
        const d = direct ? dRecurrent[row + j]! + direct[row + j]! : dRecurrent[row + j]!;
        if (rm) {
          dh[row + j]! += d * rm[row + j]!;
          drm![row + j]! += d * previousH[from + j]!;
        } else {
          dh[row + j]! += d;
        }
      }
    }
  }

  /** H̃ (the recurrent kernel's left operand at every step) `[batch * time, units]`. */
  recurrentInputs(): Float32Array {
    const rm = this.inputs.recurrentMask;
    const previousH = this.previousH!;
    if (!rm) return previousH;
    const { batch, time, units } = this;
    const out = new Float32Array(previousH.length);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < time; t++) {
        const from = (b * time + t) * units;
        for (let j = 0; j < units; j++) out[from + j] = previousH[from + j]! * rm[b * units + j]!;
      }
    }
    return out;
  }

  /** d loss / d inputs `[batch * time, inputSize]` = dP·Wᵀ. */
  inputGradient(): Float32Array {
    const { batch, time, inputSize } = this;
    const width = this.dP.length / (batch * time);
    const out = new Float32Array(batch * time * inputSize);
    this.gemm.multiply(
      hostMatrix(this.dP, batch * time, width),
      false,
      hostMatrix(this.inputs.kernel, inputSize, width),
      true,
      hostMatrix(out, batch * time, inputSize),
      false,
    );
    return out;
  }

  private weights: { kernel: Float32Array; recurrentKernel: Float32Array } | undefined;

  /**
   * d loss / d kernel `[inputSize, gates * units]` and d loss / d recurrentKernel `[units, gates * units]`, computed
   * together on first use (see {@link WeightGradientBlock}).
   */
  weightGradients(): { kernel: Float32Array; recurrentKernel: Float32Array } {
    if (this.weights) return this.weights;
    const { batch, time, inputSize, units } = this;
    const rows = batch * time;
    const width = this.dP.length / rows;
    const kernel = new Float32Array(inputSize * width);
    const recurrentKernel = new Float32Array(units * width);
    for (const block of this.cell.weightGradientBlocks()) {
      const withKernel = block.kernelColumn !== undefined;
      const left = block.recurrentLeft;
      const height = (withKernel ? inputSize : 0) + (left ? units : 0);
      // The left operand [X | L] `[rows, height]` (one of them used as is).
      let stacked: Float32Array;
      if (!left) stacked = this.inputs.x;
      else if (!withKernel) stacked = left;
      else {
        stacked = new Float32Array(rows * height);
        const x = this.inputs.x;
        for (let n = 0; n < rows; n++) {
          stacked.set(x.subarray(n * inputSize, (n + 1) * inputSize), n * height);
          stacked.set(left.subarray(n * units, (n + 1) * units), n * height + inputSize);
        }
      }
      const w = block.dZ.cols;
      const out = new Float32Array(height * w);
      this.gemm.multiply(
        hostMatrix(stacked, rows, height),
        true,
        block.dZ,
        false,
        hostMatrix(out, height, w),
        false,
      );
      let r = 0;
      if (withKernel) {
        for (; r < inputSize; r++)
          kernel.set(out.subarray(r * w, (r + 1) * w), r * width + block.kernelColumn!);
      }
      if (left) {
        const column = block.recurrentColumn ?? 0;
        for (let u = 0; u < units; u++, r++) {
          recurrentKernel.set(out.subarray(r * w, (r + 1) * w), u * width + column);
        }
      }
    }
    this.weights = { kernel, recurrentKernel };
    return this.weights;
  }
}
