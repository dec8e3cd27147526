/**
 * An optional vectorized implementation of a whole step's gate arithmetic, for a backend that has one (the wasm
 * backend's WebAssembly SIMD kernel). The JavaScript loops in `cells/` remain the definition and the fallback.
 */

/** One LSTM step with σ gates and tanh candidate and cell output, for `rows` rows. */
export interface LstmStepArgs {
  readonly rows: number;
  readonly units: number;
  /** x·W, row `b` at `zOffset + b * zStride`, `4 * units` wide; overwritten with the activated gates when `ac` is given. */
  readonly z: Float32Array;
  readonly zOffset: number;
  readonly zStride: number;
  /** h̃·U `[rows, 4 * units]`. */
  readonly recurrent: Float32Array;
  readonly bias: Float32Array | undefined;
  /** c before the step, c' and h' after it, each `[rows, units]`. */
  readonly c: Float32Array;
  readonly cNext: Float32Array;
  readonly hNext: Float32Array;
  /** When training: act(c') written to row `b` at `acOffset + b * acStride` (and the gates over `z`). */
  readonly ac: Float32Array | undefined;
  readonly acOffset: number;
  readonly acStride: number;
}

export interface VectorGates {
  /** Computes the step; false when it cannot (then the JavaScript loop runs), e.g. units not a multiple of 4. */
  lstmStep(args: LstmStepArgs): boolean;
}
