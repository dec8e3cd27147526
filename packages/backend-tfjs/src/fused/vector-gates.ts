/**
 * An optional vectorized implementation of a whole step's gate arithmetic, for a backend that has one (the wasm
 * backend's WebAssembly SIMD kernel). The JavaScript loops in `cells/` remain the definition and the fallback.
 */

/** What a step's gates start from, for `rows` rows: the input projection, the recurrent product and the bias. */
export interface GateStepArgs {
  readonly rows: number;
  readonly units: number;
  /** x·W, row `b` at `zOffset + b * zStride`, `gates * units` wide. */
  readonly z: Float32Array;
  readonly zOffset: number;
  readonly zStride: number;
  /** h̃·U (or the part of it the step uses) `[rows, n * units]`. */
  readonly recurrent: Float32Array;
  /** The cell's bias; its first `gates * units` values are the input bias. */
  readonly bias: Float32Array | undefined;
}

/**
 * One LSTM step with σ gates and tanh candidate and cell output: `z` rows are `4 * units` wide (overwritten with
 * the activated gates when `ac` is given), `recurrent` is h̃·U `[rows, 4 * units]`.
 */
export interface LstmStepArgs extends GateStepArgs {
  /** c before the step, c' and h' after it, each `[rows, units]`. */
  readonly c: Float32Array;
  readonly cNext: Float32Array;
  readonly hNext: Float32Array;
  /** When training: act(c') written to row `b` at `acOffset + b * acStride` (and the gates over `z`). */
  readonly ac: Float32Array | undefined;
  readonly acOffset: number;
  readonly acStride: number;
}

/**
 * The first half of a GRU step without `resetAfter` (σ gates): z and r from x·W + h̃·U_zr + b, and r · h̃. `z`
 * rows are `3 * units` wide, `recurrent` is h̃·U_zr `[rows, 2 * units]`. The vectorized implementation keeps the
 * step's rows for {@link GruCandidateArgs}, which must follow.
 */
export interface GruResetArgs extends GateStepArgs {
  /** h̃ `[rows, units]`. */
  readonly ht: Float32Array;
  /** Written: r · h̃ `[rows, units]`. */
  readonly resetH: Float32Array;
}

/** The second half (tanh candidate): ĥ = tanh(x_h + (r · h̃)·U_h + b_h), h' = z · h̃ + (1 − z) · ĥ. */
export interface GruCandidateArgs {
  /** (r · h̃)·U_h `[rows, units]`. */
  readonly recurrent: Float32Array;
  /** Written: h' `[rows, units]`. */
  readonly hNext: Float32Array;
  /**
   * When given (training), the activated gates z, r, ĥ are written over its rows, laid out as the `z` of
   * {@link GruResetArgs}: pass the projection again, read after the product in between (it may have moved).
   */
  readonly gates: Float32Array | undefined;
}

export interface VectorGates {
  /** Computes the step; false when it cannot (then the JavaScript loop runs), e.g. units not a multiple of 4. */
  lstmStep(args: LstmStepArgs): boolean;
  /** The first half of a GRU step; false when it cannot (then the JavaScript loop runs both halves). */
  gruReset(args: GruResetArgs): boolean;
  /** The second half, after a `gruReset` that returned true (and no other call in between). */
  gruCandidate(args: GruCandidateArgs): void;
}
