import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { createReferenceBackend, type RefTensor } from '../reference/reference-backend.js';
import { launchAndRead, readAll } from './read-all.js';

/** The reference backend, counting its synchronous reads. */
function counting() {
  const backend = createReferenceBackend();
  let reads = 0;
  const dataSync = backend.dataSync.bind(backend);
  backend.dataSync = (x: RefTensor) => {
    reads++;
    return dataSync(x);
  };
  return { backend, reads: () => reads };
}

describe('readAll', () => {
  it('reads float32 tensors of any shape in one read, each value where one read per tensor puts it', () => {
    const { backend, reads } = counting();
    const tensors = [
      backend.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      backend.tensor(7.5),
      backend.tensor(new Float32Array(0), [0, 4]),
      backend.tensor([-1, -2]),
    ];
    const expected = tensors.map((t) => Array.from(backend.dataSync(t)));
    const before = reads();
    const numTensors = backend.memory().numTensors;
    const got = readAll(backend, tensors);
    expect(reads() - before).toBe(1);
    expect(got.map((v) => Array.from(v))).toEqual(expected);
    expect(got.every((v) => v instanceof Float32Array)).toBe(true);
    expect(backend.memory().numTensors).toBe(numTensors);
  });

  it('returns copies: changing one leaves the tensors and the other results as they were', () => {
    const { backend } = counting();
    const a = backend.tensor([1, 2]);
    const b = backend.tensor([3]);
    const [ra, rb] = readAll(backend, [a, b]);
    ra!.fill(0);
    expect(Array.from(rb!)).toEqual([3]);
    expect(Array.from(backend.dataSync(a))).toEqual([1, 2]);
  });

  it("leaves the caller's tensors alone on a backend whose reshape hands back the tensor itself", () => {
    const { backend } = counting();
    const reshape = backend.reshape.bind(backend);
    backend.reshape = (x, shape) => (backend.shape(x).join() === shape.join() ? x : reshape(x, shape));
    const a = backend.tensor([1, 2]);
    const b = backend.tensor([[3], [4]]);
    const numTensors = backend.memory().numTensors;
    expect(readAll(backend, [a, b]).map((v) => Array.from(v))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(backend.memory().numTensors).toBe(numTensors);
    expect(Array.from(backend.dataSync(a))).toEqual([1, 2]);
  });

  it('reads one by one where a tensor is not float32, and reads a lone tensor directly', () => {
    const { backend, reads } = counting();
    const f = backend.tensor([1.5, 2.5]);
    const i = backend.tensor([1, 2, 3], [3], 'int32');
    let before = reads();
    const got = readAll(backend, [f, i]);
    expect(reads() - before).toBe(2);
    expect(got[1]).toBeInstanceOf(Int32Array);
    expect(Array.from(got[1]!)).toEqual([1, 2, 3]);
    before = reads();
    expect(Array.from(readAll(backend, [f])[0]!)).toEqual([1.5, 2.5]);
    expect(reads() - before).toBe(1);
    expect(readAll(backend, [])).toEqual([]);
  });
});

describe('launchAndRead', () => {
  const read = (b: Backend<RefTensor>, ts: readonly RefTensor[]) => readAll(b, ts).map((v) => Array.from(v));

  it("hands each launch back with its own tensors' values, read in one read, and disposes every tensor", () => {
    const { backend, reads } = counting();
    const numTensors = backend.memory().numTensors;
    const before = reads();
    const got = launchAndRead(
      backend,
      [
        () => ({ label: 'a', tensors: [backend.tensor([1, 2]), backend.tensor(3)] }),
        () => ({ label: 'b', tensors: [] }),
        () => ({ label: 'c', tensors: [backend.tensor([[4], [5]])] }),
      ],
      read,
    );
    expect(reads() - before).toBe(1);
    expect(got.map((l) => [l.label, l.values])).toEqual([
      ['a', [[1, 2], [3]]],
      ['b', []],
      ['c', [[4, 5]]],
    ]);
    expect(backend.memory().numTensors).toBe(numTensors);
  });

  it('disposes what the earlier launches made when a launch throws, and what all made when the read throws', () => {
    const { backend } = counting();
    const numTensors = backend.memory().numTensors;
    expect(() =>
      launchAndRead(
        backend,
        [
          () => ({ tensors: [backend.tensor([1, 2])] }),
          () => {
            throw new Error('launch failed');
          },
        ],
        read,
      ),
    ).toThrow('launch failed');
    expect(backend.memory().numTensors).toBe(numTensors);
    expect(() =>
      launchAndRead(backend, [() => ({ tensors: [backend.tensor([1, 2])] })], () => {
        throw new Error('read failed');
      }),
    ).toThrow('read failed');
    expect(backend.memory().numTensors).toBe(numTensors);
  });
});
