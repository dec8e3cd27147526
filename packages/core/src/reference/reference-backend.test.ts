import { describe, expect, it } from 'vitest';
import { backendConformanceChecks } from '../testing/backend-conformance.js';
import { createReferenceBackend } from './reference-backend.js';

const ref = createReferenceBackend();
const t = (v: unknown) => ref.tensor(v as number[]);
const arr = (x: ReturnType<typeof t>) => ref.toArray(x);

describe('reference ops, hand-computed', () => {
  it('broadcasts binary ops like NumPy', () => {
    expect(
      arr(
        ref.add(
          t([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          t([10, 20, 30]),
        ),
      ),
    ).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(arr(ref.sub(t([[1], [2]]), t([1, 2, 3])))).toEqual([
      [0, -1, -2],
      [1, 0, -1],
    ]);
    expect(arr(ref.mul(2, t([1, -2])))).toEqual([2, -4]);
    expect(arr(ref.div(t([1, 3]), 2))).toEqual([0.5, 1.5]);
    expect(arr(ref.maximum(t([1, 5]), t([3, 2])))).toEqual([3, 5]);
    expect(arr(ref.minimum(t([1, 5]), 2))).toEqual([1, 2]);
    expect(arr(ref.greater(t([1, 5]), 2))).toEqual([0, 1]);
    expect(arr(ref.equal(t([1, 2]), t([1, 3])))).toEqual([1, 0]);
    expect(() => ref.add(t([1, 2]), t([1, 2, 3]))).toThrow('cannot broadcast shapes [2] and [3]');
  });

  it('selects with where, broadcasting the condition', () => {
    expect(
      arr(
        ref.where(
          t([[1], [0]]),
          t([
            [1, 2],
            [3, 4],
          ]),
          0,
        ),
      ),
    ).toEqual([
      [1, 2],
      [0, 0],
    ]);
  });

  it('computes unary functions', () => {
    expect(arr(ref.relu(t([-1, 0, 2])))).toEqual([0, 0, 2]);
    expect(arr(ref.clip(t([-2, 0.5, 3]), -1, 1))).toEqual([-1, 0.5, 1]);
    expect(arr(ref.sigmoid(t([0, 1000, -1000])))).toEqual([0.5, 1, 0]);
    expect(arr(ref.abs(t([-3, 2])))).toEqual([3, 2]);
    expect(arr(ref.sqrt(t([4, 9])))).toEqual([2, 3]);
    expect(arr(ref.neg(t([4])))).toEqual([-4]);
    expect(arr(ref.exp(t([0])))).toEqual([1]);
    expect(arr(ref.log(t([1])))).toEqual([0]);
  });

  it('multiplies matrices, transposed and batched', () => {
    const a = t([
      [1, 2],
      [3, 4],
      [5, 6],
    ]); // [3, 2]
    const b = t([
      [1, 0, -1],
      [2, 1, 0],
    ]); // [2, 3]
    expect(arr(ref.matMul(a, b))).toEqual([
      [5, 2, -1],
      [11, 4, -3],
      [17, 6, -5],
    ]);
    expect(arr(ref.matMul(a, a, true, false))).toEqual([
      [35, 44],
      [44, 56],
    ]);
    expect(arr(ref.matMul(b, b, false, true))).toEqual([
      [2, 2],
      [2, 5],
    ]);
    const batched = ref.matMul(
      t([[[1, 2]], [[3, 4]]]),
      t([
        [[1], [1]],
        [[2], [0]],
      ]),
    );
    expect(arr(batched)).toEqual([[[3]], [[6]]]);
    expect(() => ref.matMul(a, a)).toThrow(
      'matMul: inner sizes differ (2 vs 3), received shapes [3, 2] and [3, 2]',
    );
  });

  it('reshapes, transposes, slices and joins', () => {
    const x = t([
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [
        [7, 8],
        [9, 10],
        [11, 12],
      ],
    ]); // [2, 3, 2]
    expect(ref.shape(ref.reshape(x, [-1, 4]))).toEqual([3, 4]);
    expect(() => ref.reshape(x, [5, -1])).toThrow(
      'reshape(shape): cannot reshape [2, 3, 2] (12 elements) to [5, -1]: 12 is not a multiple of 5',
    );
    expect(arr(ref.transpose(x, [1, 0, 2]))).toEqual([
      [
        [1, 2],
        [7, 8],
      ],
      [
        [3, 4],
        [9, 10],
      ],
      [
        [5, 6],
        [11, 12],
      ],
    ]);
    expect(arr(ref.transpose(t([[1, 2, 3]])))).toEqual([[1], [2], [3]]);
    expect(arr(ref.slice(x, [1, 1, 0], [1, -1, 1]))).toEqual([[[9], [11]]]);
    expect(arr(ref.concat([t([[1, 2]]), t([[3, 4]])], 0))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(
      arr(
        ref.concat(
          [
            t([[1], [2]]),
            t([
              [3, 4],
              [5, 6],
            ]),
          ],
          -1,
        ),
      ),
    ).toEqual([
      [1, 3, 4],
      [2, 5, 6],
    ]);
    expect(arr(ref.stack([t([1, 2]), t([3, 4])], 1))).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(ref.unstack(x, 1).map(arr)).toEqual([
      [
        [1, 2],
        [7, 8],
      ],
      [
        [3, 4],
        [9, 10],
      ],
      [
        [5, 6],
        [11, 12],
      ],
    ]);
  });

  it('gathers, one-hot encodes and reduces', () => {
    const table = t([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const idx = ref.tensor([[2, 0]], undefined, 'int32');
    expect(arr(ref.gather(table, idx))).toEqual([
      [
        [5, 6],
        [1, 2],
      ],
    ]);
    expect(arr(ref.gather(table, ref.tensor([1], undefined, 'int32'), 1))).toEqual([[2], [4], [6]]);
    expect(() => ref.gather(table, ref.tensor([3], undefined, 'int32'))).toThrow(
      'gather(indices)[0]: expected an integer in [0, 2], received 3',
    );
    expect(arr(ref.oneHot(ref.tensor([2, 0], undefined, 'int32'), 3))).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const m = t([
      [1, 5, 2],
      [7, 0, 7],
    ]);
    expect(arr(ref.sum(m))).toBe(22);
    expect(arr(ref.sum(m, 0))).toEqual([8, 5, 9]);
    expect(arr(ref.sum(m, -1, true))).toEqual([[8], [14]]);
    expect(arr(ref.max(m, 1))).toEqual([5, 7]);
    expect(arr(ref.argMax(m, 1))).toEqual([1, 0]);
    expect(ref.dtype(ref.argMax(m, 1))).toBe('int32');
  });

  it('names bad arguments', () => {
    expect(() => ref.slice(t([1, 2]), [1], [5])).toThrow('slice: begin [1] size [5] is outside shape [2]');
    expect(() => ref.concat([t([[1]]), t([1])], 0)).toThrow('concat: shapes must agree except on axis 0');
    expect(() => ref.transpose(t([[1]]), [0, 0])).toThrow('transpose(perm): expected a permutation of 0..1');
    expect(() => ref.sum(t([1]), 3)).toThrow('sum(axes): expected an integer axis in [-1, 0], received 3');
    expect(() => ref.tensor([[1, 2], [3]])).toThrow('tensor(values): ragged nested array');
    expect(() => ref.tensor(Float32Array.of(1, 2, 3), [2, 2])).toThrow(
      'tensor: 3 values do not fill shape [2, 2]',
    );
  });

  it('refuses to use a disposed tensor', () => {
    const x = t([1]);
    ref.dispose(x);
    expect(() => ref.add(x, 1)).toThrow(
      'add(a): expected a live tensor, received tensor [1], which was already disposed',
    );
  });
});

describe('reference backend against the backend conformance kit', () => {
  for (const check of backendConformanceChecks(createReferenceBackend())) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});
