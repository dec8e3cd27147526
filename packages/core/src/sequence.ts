/**
 * What it means to run a cell over a whole sequence: the arguments and result shared by the generic loop
 * (`scanCell`) and by backends' fused kernels, so that the two are interchangeable.
 */
import type { AnyCellPlugin, ParamTensors } from './cell.js';
import type { FusedKernel } from './fused-kernel.js';

export interface SequenceArgs<T> {
  readonly cell: AnyCellPlugin;
  /**
   * The cell's options: any subset, merged over the cell's defaults and validated by `checkSequenceArgs` (kernels
   * read the resolved ones from its result, `dims.options`).
   */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly units: number;
  /** `[batch, time, inputSize]`. */
  readonly inputs: T;
  readonly params: ParamTensors<T>;
  /** One tensor per declared state, each `[batch, size]`; zeros when omitted. */
  readonly initialState?: readonly T[];
  /** `[batch, time]`, 1 for a valid step and 0 for a masked one. A masked step keeps the previous state. */
  readonly mask?: T;
  /** Process the sequence from the last step to the first (outputs are then in reversed order, as in Keras). */
  readonly goBackwards?: boolean;
  /** Return the output of every step (`[batch, time, outputSize]`) instead of the last (`[batch, outputSize]`). */
  readonly returnSequences?: boolean;
  /**
   * At a masked step, output zeros instead of repeating the previous step's output. Keras and tfjs-layers repeat
   * (false, the default).
   */
  readonly zeroMaskedOutputs?: boolean;
  /** Recurrent dropout mask `[batch, stateSize]`, scaled; requires a cell with `supportsRecurrentDropout`. */
  readonly recurrentMask?: T;
}

export interface SequenceResult<T> {
  /** `[batch, time, outputSize]` with `returnSequences`, else `[batch, outputSize]`. */
  readonly output: T;
  /** The final state, one tensor per declared state. */
  readonly state: T[];
}

/**
 * A backend's fast path for one cell over a whole sequence (a kernel of kind `sequence`). It must compute what
 * `scanCell` computes (tests compare them) and be differentiable with respect to inputs, params and initial state
 * under the backend's `valueAndGrads`.
 */
export interface FusedSequenceKernel<T> extends FusedKernel<SequenceArgs<T>, SequenceResult<T>> {
  /** `undefined` when this kernel handles `args`; otherwise the reason it does not (logged when falling back). */
  supports(args: SequenceArgs<T>): string | undefined;
  run(args: SequenceArgs<T>): SequenceResult<T>;
}
