/** Shape checks shared by the attention layers: the extra inputs (value, key) and their sizes, named in errors. */
import { SeqmodelError } from '@seqmodel/core';
import { formatShapeSpec, type ShapeSpec } from '@seqmodel/layers';

const NAMES = ['query', 'value', 'key'] as const;

/**
 * Checks `[query, value, key?]` shapes: each rank 3 `[batch, time, features]` (the query may be rank 2 when
 * `queryRank2` allows a single step), the key as long as the value, features known. Returns the feature sizes.
 */
export function checkAttentionShapes(
  where: string,
  shapes: readonly ShapeSpec[],
  options: { readonly queryRank2?: boolean } = {},
): { query: number; value: number; key: number } {
  shapes.forEach((shape, i) => {
    const name = NAMES[i]!;
    const ranks = i === 0 && options.queryRank2 ? [2, 3] : [3];
    if (!ranks.includes(shape.length)) {
      throw new SeqmodelError(
        `${where} ${name}: expected rank ${ranks.join(' or ')} ${i === 0 && options.queryRank2 ? '([batch, features] for one step or [batch, time, features])' : '[batch, time, features]'}, received shape ${formatShapeSpec(shape)}`,
      );
    }
    if (shape[shape.length - 1] === null) {
      throw new SeqmodelError(
        `${where} ${name}: the feature axis must be known, received shape ${formatShapeSpec(shape)}`,
      );
    }
  });
  const [query, value, key = value] = shapes as [ShapeSpec, ShapeSpec, ShapeSpec?];
  if (key !== undefined && key[1] !== null && value![1] !== null && key[1] !== value![1]) {
    throw new SeqmodelError(
      `${where} key: expected the value's length ${value![1]} (keys and values pair up), received shape ${formatShapeSpec(key)}`,
    );
  }
  return {
    query: query.at(-1) as number,
    value: value!.at(-1) as number,
    key: key!.at(-1) as number,
  };
}

/** Output masks of a layer whose first output follows the query (input 0) and whose others (weights) have none. */
export function queryMaskThenNone<T>(
  masks: readonly (T | undefined)[],
  outputCount: number,
): (T | undefined)[] {
  return [masks[0], ...new Array<undefined>(outputCount - 1).fill(undefined)];
}
