/**
 * The interface every code generator implements: it turns a plan's elementwise passes into code for one kind of
 * backend (JavaScript for `backend-cpu`, WebAssembly SIMD for `backend-wasm`; the GPU backends render the plan's
 * passes as step programs instead, in GLSL, WGSL or CUDA C++: `@seqmodel/backend-tfjs`'s `gpu/compiled`). The
 * compiler decides everything else (what the passes compute, which products run between them, what the forward
 * pass keeps for the backward pass); the backend's runtime runs the plan's stages, calling the generated code for
 * each pass and its own matrix product for each product stage.
 *
 * What a generator must honour (see `program.ts` for the IR):
 * - a loop visits every row b below the batch size whose valid flag is nonzero (masked rows are skipped) and every
 *   column j below its width; the runtime passes the batch size, the time index `tau` of the step and the sequence
 *   length `time`, which place each buffer's rows (`rowOffset`);
 * - its nodes are evaluated in order for each (b, j), in float32 or better, with the functions of `Ops` (sigmoid,
 *   tanh, exp, ...; `greater`/`equal` give 1 or 0; `where` picks `a` where the condition is nonzero);
 * - then its stores are done in order: `=` writes, `accumulate` adds (into a `single`-row buffer, over every row);
 * - no loop reads a buffer it writes, and no loop of a pass reads what another loop of that pass writes, so the
 *   columns, the rows and the loops of a pass may run in any order or in parallel, except for accumulating stores
 *   into `single`-row buffers, which sum over rows.
 *
 * @example
 * // A generator that evaluates the IR directly (slow, but a complete one): `program` is a function per pass.
 * const interpreter: PassGenerator<((buffers: Float32Array[], valid: Uint8Array, rows: number, tau: number, time: number) => void)[]> = {
 *   name: 'interpreter',
 *   unavailable: () => undefined,
 *   generate(plan) {
 *     const passes = planPasses(plan);
 *     const program = passes.map((pass) => (buffers, valid, rows, tau, time) => {
 *       for (const loop of pass.loops) {
 *         for (let b = 0; b < rows; b++) {
 *           if (!valid[b]) continue;
 *           for (let j = 0; j < loop.width; j++) {
 *             const v = loop.nodes.map(() => 0);
 *             loop.nodes.forEach((n, i) => { v[i] = evaluate(n, v, buffers, plan.buffers, b, j, tau, time); });
 *             for (const s of loop.stores) {
 *               const at = rowOffset(plan.buffers[s.buffer]!, b, tau, time) + s.column + j;
 *               buffers[s.buffer]![at] = s.accumulate ? buffers[s.buffer]![at]! + v[s.node]! : v[s.node]!;
 *             }
 *           }
 *         }
 *       }
 *     });
 *     return { source: passes.map((p) => formatPass(p, plan.buffers)).join('\n'), program };
 *   },
 * };
 */

import type { SequencePlan } from './plan.js';
import type { ElementwisePass } from './program.js';

/** What a generator made of a plan. */
export interface GeneratedCode<P> {
  /** The code, readable (or a listing of it): what `explainCompiledCell` shows. */
  readonly source: string;
  /** What the backend's runtime runs; one entry per pass of {@link planPasses}, in that order, by convention. */
  readonly program: P;
}

export interface PassGenerator<P = unknown> {
  /** `javascript`, `wasm-simd`, `interpreter`, ...: shown in dumps and in the debug log. */
  readonly name: string;
  /**
   * Why generated code cannot run here (a content security policy that forbids `new Function` or
   * `WebAssembly.compile`, no SIMD), or undefined when it can. Kernels decline with this reason.
   */
  unavailable(): string | undefined;
  /** Code for every pass of `plan` (see {@link planPasses}). */
  generate(plan: SequencePlan): GeneratedCode<P>;
  /**
   * What its `maximum`, `minimum` and `clip` give where an operand is NaN, as its backend's own ops (the generic
   * loop) do: `'nan'`, the default (tfjs's cpu and GPU backends, IEEE 754-2019, PyTorch), or `'first'`, the first
   * operand (tfjs-wasm, whose kernels use C++'s `std::max` and `std::min`; its clip, `min(max, max(min, x))` with
   * the bounds first, gives the lower bound).
   */
  readonly nanMinMax?: 'nan' | 'first';
}

/** The plan's passes in a fixed order: the forward stages' passes, then the backward stages'. */
export function planPasses(plan: SequencePlan): ElementwisePass[] {
  const stages = [...plan.forward, ...(plan.backward?.stages ?? [])];
  return stages.flatMap((s) => (s.kind === 'pass' ? [s.pass] : []));
}
