/**
 * Scaled dot-product attention over `[batch, heads, time, depth]` tensors, the computation every attention layer of
 * this package ends in: `softmax(scale · Q·Kᵀ + masks)·V`, with grouped-query heads, padding / explicit / causal masks,
 * dropout on the weights, and the weights themselves on request. It hands the call to the backend's fused
 * `attention` / `scaledDotProduct` kernel when one supports the arguments (see `kernel.ts` for the contract), and
 * otherwise runs the generic path on core's `Ops`, which is also the reference such kernels are tested against.
 */
import {
  type Backend,
  batchMatMul,
  checkNumberInRange,
  type FusedPolicy,
  formatShape,
  invalidArgument,
  type Rng,
  SeqmodelError,
  selectKernel,
  softmax,
} from '@seqmodel/core';
import {
  MASKED_SCORE,
  SCALED_DOT_PRODUCT_KERNEL,
  type ScaledDotProductKernelArgs,
  type ScaledDotProductKernelResult,
} from './kernel.js';
import { causalMask } from './masks.js';

export interface ScaledDotProductAttentionArgs<T> {
  /** `[batch, heads, queryLength, depth]`. */
  readonly query: T;
  /** `[batch, keyHeads, keyLength, depth]`, `heads` a multiple of `keyHeads` (grouped-query attention). */
  readonly key: T;
  /** `[batch, keyHeads, keyLength, valueDepth]`. */
  readonly value: T;
  /**
   * Where attention is allowed: 1 (or any nonzero value) to attend, 0 to mask. Any shape that broadcasts to
   * `[batch, heads, queryLength, keyLength]`: `[queryLength, keyLength]`, `[batch, queryLength, keyLength]` (from
   * `combineAttentionMasks`), `[batch, 1, 1, keyLength]`, ...
   */
  readonly mask?: T | undefined;
  /** Mask the keys after each query (default false); see `queryOffset`. */
  readonly causal?: boolean;
  /**
   * Position of query 0 among the keys for `causal` (default 0, top-left aligned as Keras and PyTorch). A decoder
   * step with `past` cached keys passes `past` (lower-right aligned).
   */
  readonly queryOffset?: number;
  /** Factor on `Q·Kᵀ` (default `1 / sqrt(depth)`). */
  readonly scale?: number;
  /**
   * Dropout on the attention weights (inverted: kept weights are scaled by `1 / (1 - rate)`), drawn host-side from
   * `rng`. Pass it only in training.
   */
  readonly dropout?: { readonly rate: number; readonly rng: Rng } | undefined;
  /** Also return the attention weights `[batch, heads, queryLength, keyLength]` (before dropout). */
  readonly returnWeights?: boolean;
  /** Fused kernel policy: `auto` (default), `never` (generic path), `require` (throw when no kernel applies). */
  readonly fused?: FusedPolicy;
}

export interface ScaledDotProductAttentionResult<T> {
  /** `[batch, heads, queryLength, valueDepth]`. */
  readonly output: T;
  /** The attention weights, when `returnWeights` was true. */
  readonly weights?: T;
}

function rank4<T>(backend: Backend<T>, argument: string, x: T, meaning: string): number[] {
  if (!backend.isTensor(x)) invalidArgument(argument, x, `a tensor ${meaning}`);
  const shape = backend.shape(x);
  if (shape.length !== 4) {
    throw new SeqmodelError(
      `${argument}: expected a rank-4 tensor ${meaning}, received shape ${formatShape(shape)}`,
    );
  }
  return shape;
}

/** The arguments checked and resolved into what a kernel (or the generic path) receives. */
function resolveArgs<T>(
  backend: Backend<T>,
  args: ScaledDotProductAttentionArgs<T>,
  where: string,
): ScaledDotProductKernelArgs<T> {
  if (typeof args !== 'object' || args === null) {
    invalidArgument(`${where}(args)`, args, 'an object with query, key and value');
  }
  const [batch, heads, tq, depth] = rank4(
    backend,
    'query',
    args.query,
    '[batch, heads, queryLength, depth]',
  ) as [number, number, number, number];
  const ks = rank4(backend, 'key', args.key, '[batch, keyHeads, keyLength, depth]');
  const vs = rank4(backend, 'value', args.value, '[batch, keyHeads, keyLength, valueDepth]');
  const [kb, keyHeads, tk, kd] = ks as [number, number, number, number];
  if (kb !== batch || kd !== depth || heads % keyHeads !== 0) {
    throw new SeqmodelError(
      `key: expected shape [${batch}, h, keyLength, ${depth}] with h dividing the query's ${heads} heads ` +
        `(the query is ${formatShape(backend.shape(args.query))}), received shape ${formatShape(ks)}`,
    );
  }
  if (vs[0] !== batch || vs[1] !== keyHeads || vs[2] !== tk) {
    throw new SeqmodelError(
      `value: expected shape [${batch}, ${keyHeads}, ${tk}, valueDepth] (batch, heads and length of the key ` +
        `${formatShape(ks)}), received shape ${formatShape(vs)}`,
    );
  }
  const full = [batch, heads, tq, tk];
  let mask: T | undefined;
  if (args.mask !== undefined) {
    if (!backend.isTensor(args.mask)) invalidArgument('mask', args.mask, 'a tensor');
    const ms = backend.shape(args.mask);
    const padded = [...new Array<number>(Math.max(0, 4 - ms.length)).fill(1), ...ms];
    if (ms.length > 4 || padded.some((d, i) => d !== 1 && d !== full[i])) {
      throw new SeqmodelError(
        `mask: expected a shape that broadcasts to [batch, heads, queryLength, keyLength] = ${formatShape(full)} ` +
          `(such as [${tq}, ${tk}], [${batch}, ${tq}, ${tk}] or [${batch}, 1, 1, ${tk}]), received shape ${formatShape(ms)}`,
      );
    }
    mask = backend.greater(ms.length === 4 ? args.mask : backend.reshape(args.mask, padded), 0);
  }
  const causal = args.causal ?? false;
  if (typeof causal !== 'boolean') invalidArgument('causal', causal, 'a boolean');
  const queryOffset = args.queryOffset ?? 0;
  if (!Number.isInteger(queryOffset) || queryOffset < 0) {
    invalidArgument('queryOffset', queryOffset, 'a non-negative integer');
  }
  const scale = args.scale ?? 1 / Math.sqrt(depth);
  if (typeof scale !== 'number' || !Number.isFinite(scale))
    invalidArgument('scale', scale, 'a finite number');
  let dropoutKeep: T | undefined;
  if (args.dropout !== undefined) {
    const rate = checkNumberInRange('dropout.rate', args.dropout.rate, 0, 1);
    if (rate === 1) invalidArgument('dropout.rate', rate, 'a rate in [0, 1)');
    if (rate > 0) {
      const size = batch * heads * tq * tk;
      const values = new Float32Array(size);
      const keep = 1 / (1 - rate);
      for (let i = 0; i < size; i++) values[i] = args.dropout.rng.next() < rate ? 0 : keep;
      dropoutKeep = backend.tensor(values, full);
    }
  }
  return {
    query: args.query,
    key: args.key,
    value: args.value,
    mask,
    causal,
    queryOffset,
    scale,
    dropoutKeep,
    returnWeights: args.returnWeights ?? false,
  };
}

/**
 * Softmax over the last axis (keys) of `scores`, where `mask` (1 attend, 0 masked; broadcast to the scores) allows
 * it: a masked key gets exactly zero weight, and a row whose keys are all masked gets zeros (never NaN, never a
 * uniform row). Every attention mechanism of this package normalizes its scores with it.
 */
export function maskedSoftmax<T>(backend: Backend<T>, scores: T, mask: T | undefined): T {
  if (mask === undefined) return softmax(backend, scores, -1);
  // Masked scores get a finite fill, so that a fully masked row is a plain uniform softmax (not NaN) that the second
  // `where` then zeroes, and a masked key's weight is exactly 0 whatever its score was.
  return backend.where(mask, softmax(backend, backend.where(mask, scores, MASKED_SCORE), -1), 0);
}

/** `x` `[batch, keyHeads, ...]` with each head repeated `times` times in place (`g g g h h h ...`), as Keras' GQA. */
function repeatHeads<T>(backend: Backend<T>, x: T, times: number): T {
  if (times === 1) return x;
  const heads = backend.shape(x)[1]!;
  const index = Int32Array.from({ length: heads * times }, (_, i) => Math.floor(i / times));
  return backend.gather(x, backend.tensor(index, [heads * times], 'int32'), 1);
}

/**
 * The generic path: scaled dot-product attention on core's `Ops` for resolved kernel arguments (see `kernel.ts` for
 * the formulas). Every `scaledDotProduct` kernel must agree with it; it is exported so that kernel tests can call it.
 */
export function scaledDotProductGeneric<T>(
  backend: Backend<T>,
  args: ScaledDotProductKernelArgs<T>,
): ScaledDotProductKernelResult<T> {
  const heads = backend.shape(args.query)[1]!;
  const group = heads / backend.shape(args.key)[1]!;
  const key = repeatHeads(backend, args.key, group);
  const value = repeatHeads(backend, args.value, group);
  const scores = backend.mul(batchMatMul(backend, args.query, key, false, true), args.scale);
  let mask = args.mask;
  if (args.causal) {
    const [, , tq, tk] = backend.shape(scores) as [number, number, number, number];
    const causal = causalMask(backend, tq, tk, args.queryOffset);
    mask = mask === undefined ? causal : backend.mul(mask, causal);
  }
  const weights = maskedSoftmax(backend, scores, mask);
  const dropped = args.dropoutKeep === undefined ? weights : backend.mul(weights, args.dropoutKeep);
  const output = batchMatMul(backend, dropped, value);
  return args.returnWeights ? { output, weights } : { output };
}

/**
 * Scaled dot-product attention: `softmax(scale · Q·Kᵀ, masked)·V` per batch entry and head, on the backend's fused
 * kernel when it has one for these arguments (core's `selectKernel`, kind `attention`, name `scaledDotProduct`), else
 * on the generic path. A masked key gets exactly zero weight; a query whose keys are all masked gets zero weights and
 * a zero output. Everything it makes besides the result is freed.
 *
 * @example
 * const { output, weights } = scaledDotProductAttention(backend, {
 *   query, key, value,                                  // [batch 1, heads, 3, depth]
 *   mask: backend.tensor([1, 1, 0], [1, 1, 1, 3]),      // key 2 is padding, for every head and query
 *   causal: true,
 *   returnWeights: true,
 * });
 */
export function scaledDotProductAttention<T>(
  backend: Backend<T>,
  args: ScaledDotProductAttentionArgs<T>,
): ScaledDotProductAttentionResult<T> {
  return backend.tidy(() => {
    const resolved = resolveArgs(backend, args, 'scaledDotProductAttention');
    const kernel = selectKernel<T, ScaledDotProductKernelArgs<T>, ScaledDotProductKernelResult<T>>(
      backend,
      SCALED_DOT_PRODUCT_KERNEL.kind,
      SCALED_DOT_PRODUCT_KERNEL.name,
      resolved,
      args.fused ?? 'auto',
    );
    const result = kernel ? kernel.run(resolved) : scaledDotProductGeneric(backend, resolved);
    if (resolved.returnWeights && result.weights === undefined) {
      throw new SeqmodelError(
        'scaledDotProductAttention: the fused attention/scaledDotProduct kernel returned no weights although returnWeights was asked for',
      );
    }
    return resolved.returnWeights
      ? { output: result.output, weights: result.weights! }
      : { output: result.output };
  });
}
