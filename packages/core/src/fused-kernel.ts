/**
 * What every fused kernel is, whatever it computes: a fast path that says, for given arguments, whether it handles
 * them (and why not), and runs them. A kernel's kind says what it computes (`sequence`: a cell over a whole
 * sequence; `attention`: an attention mechanism; kinds are open, so a package can define its own); the kernel's
 * arguments and result are those of its kind.
 */

/** The kernel kinds seqmodel's own packages use: `sequence` (core), `attention` (`@seqmodel/attention`). */
export type KnownKernelKind = 'sequence' | 'attention';

/** A kernel kind: a known one, or the name of a kind another package defines (letters, digits, `_`, `-`, `.`). */
export type KernelKind = KnownKernelKind | (string & {});

/**
 * A backend's fast path for one operation. It must compute what the generic path computes (the kits compare the
 * two) and be differentiable under the backend's `valueAndGrads` where that path is.
 *
 * @typeParam A - the arguments of the operation (`SequenceArgs<T>` for the `sequence` kind).
 * @typeParam R - its result.
 */
export interface FusedKernel<A, R> {
  /** What the kernel is, for logs and benchmarks: `hand-written`, `compiled (wasm-simd)`, ... */
  readonly label?: string;
  /** `undefined` when this kernel handles `args`; otherwise the reason it does not (logged when falling back). */
  supports(args: A): string | undefined;
  run(args: A): R;
}

/** A fused kernel of any kind (what a table of mixed kinds holds). */
// biome-ignore lint/suspicious/noExplicitAny: each kind has its own arguments and result.
export type AnyFusedKernel = FusedKernel<any, any>;
