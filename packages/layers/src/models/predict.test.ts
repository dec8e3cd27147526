/**
 * One input contract for `predict`, `evaluate` and `fit`: tensors, `{ data, shape }` host arrays (what
 * `@seqmodel/datasets` makes), nested arrays, masks and lengths in any of those forms (lengths also as `Int32Array`),
 * and datasets. Every form gives the same predictions as tensors do, nothing leaks, and errors name the entry point
 * and the argument. Values that are not backends are explained.
 */
import { createReferenceBackend, type RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { input } from '../engine/symbolic.js';
import { dense } from '../layers/dense.js';
import { embedding } from '../layers/embedding.js';
import { lstm } from '../layers/rnn.js';
import { seeded } from '../training/test-helpers.js';
import { model } from './functional.js';
import { sequential } from './sequential.js';

const ref = createReferenceBackend();

function tagger() {
  return sequential<RefTensor>([lstm({ units: 3, returnSequences: true }), dense({ units: 2 })], {
    backend: ref,
    seed: 4,
    inputShape: [null, 2],
  });
}

const values = Float32Array.from(seeded(3 * 4 * 2, 'x'));
const xHost = { data: values, shape: [3, 4, 2] };
const nested = Array.from({ length: 3 }, (_, b) =>
  Array.from({ length: 4 }, (_, t) => [values[(b * 4 + t) * 2]!, values[(b * 4 + t) * 2 + 1]!]),
);
const lengths = [4, 2, 3];
const maskRows = lengths.map((l) => Array.from({ length: 4 }, (_, t) => (t < l ? 1 : 0)));

function read(y: RefTensor | RefTensor[]): number[] {
  const out = Array.from(ref.toFloat64(y as RefTensor));
  ref.dispose(y);
  return out;
}

describe('predict takes what fit takes', () => {
  it('tensors, host arrays and nested arrays give the same outputs; masks and lengths in every form', () => {
    const m = tagger();
    const x = ref.tensor(values, [3, 4, 2]);
    const mask = ref.tensor(maskRows);
    const lengthsTensor = ref.tensor(Int32Array.from(lengths), [3], 'int32');
    const expected = read(m.predict(x, { mask }));
    const before = ref.memory().numTensors;
    const forms = [
      m.predict(xHost, { lengths }),
      m.predict(nested, { lengths: Int32Array.from(lengths) }),
      m.predict(x, { lengths: lengthsTensor }),
      m.predict(xHost, { mask: { data: Float32Array.from(maskRows.flat()), shape: [3, 4] } }),
      m.predict(nested, { mask: maskRows }),
      m.predict(xHost, { mask: maskRows, batchSize: 2 }),
    ];
    for (const y of forms) expect(read(y)).toEqual(expected);
    expect(ref.memory().numTensors).toBe(before);
    ref.dispose([x, mask, lengthsTensor]);
  });

  it('names predict and the argument in its errors, leaking nothing', () => {
    const m = tagger();
    const before = ref.memory().numTensors;
    expect(() => m.predict('x' as never)).toThrow(
      'sequential (Sequential) predict x: expected a tensor of backend reference, { data, shape } host values, or nested arrays of numbers, received "x"',
    );
    expect(() => m.predict(xHost, { lengths: [4, 2] })).toThrow(
      'sequential (Sequential) predict lengths: expected 3 rows (as x), received 2',
    );
    expect(() => m.predict(xHost, { lengths: [4, 2, 5] })).toThrow(
      'sequential (Sequential) predict lengths[2]: expected an integer in [0, 4] (the time steps of x [3, 4, 2]), received 5',
    );
    expect(() => m.predict(xHost, { mask: maskRows.map((r) => r.map((v) => v * 0.5)) })).toThrow(
      'sequential (Sequential) predict mask: expected 0 (masked) or 1 (valid) in a mask, received 0.5 at index [0, 0]',
    );
    expect(() => m.predict(xHost, { batch_size: 2 } as never)).toThrow(
      'sequential (Sequential) predict options: unknown option "batch_size" (did you mean "batchSize"?); known options: batchSize, mask, lengths',
    );
    expect(() => m.predict({ data: new Float32Array(0), shape: [0, 4, 2] })).toThrow(
      'sequential (Sequential) predict x: expected at least one sample, received none (shape [0, 4, 2])',
    );
    expect(ref.memory().numTensors).toBe(before);
  });

  it('checks token ids on the host before they become tensors, naming the layer, the id and its place', () => {
    const m = sequential<RefTensor>([embedding({ inputDim: 5, outputDim: 2 }), lstm({ units: 2 })], {
      backend: ref,
      seed: 1,
      inputShape: [null],
    });
    const before = ref.memory().numTensors;
    expect(() => m.predict([[1, 2, 5]])).toThrow(
      'sequential (Sequential) predict x: expected token ids for embedding (Embedding), integers in [0, 5) (its inputDim), received 5 at index [0, 2] (1 of 3 ids, shape [1, 3])',
    );
    expect(() => m.predict({ data: Float32Array.of(1, 2.5), shape: [1, 2] })).toThrow(
      'received 2.5 at index [0, 1]',
    );
    expect(() => m.predict([[-1, 0]])).toThrow('received -1 at index [0, 0]');
    expect(ref.memory().numTensors).toBe(before);
    // A functional model checks the inputs its embeddings read, by input.
    const ids = input({ shape: [null], name: 'ids' });
    const feats = input({ shape: [null, 2], name: 'feats' });
    const two = model<RefTensor>({
      inputs: [feats, ids],
      outputs: [
        lstm({ units: 2 }).apply(feats),
        lstm({ units: 2 }).apply(embedding({ inputDim: 3, outputDim: 2 }).apply(ids)),
      ] as never,
      backend: ref,
      seed: 1,
    });
    expect(() => two.predict([[[[0.5, 1]]], [[3]]])).toThrow(
      'model (Functional) predict x[1]: expected token ids',
    );
  });
});

describe('predict on datasets', () => {
  const batches = [
    {
      inputs: { data: values.slice(0, 16), shape: [2, 4, 2] },
      targets: [[0], [1]],
      lengths: Int32Array.of(4, 2),
    },
    { inputs: { data: values.slice(16), shape: [1, 4, 2] }, lengths: Int32Array.of(3) },
  ];

  it('joins the outputs of every batch (targets ignored), from arrays, generators, async iterables and functions', async () => {
    const m = tagger();
    const expected = read(m.predict(xHost, { lengths }));
    const before = ref.memory().numTensors;
    expect(read(await m.predict(batches))).toEqual(expected);
    function* generate() {
      yield* batches;
    }
    expect(read(await m.predict(generate()))).toEqual(expected);
    async function* stream() {
      yield* batches;
    }
    expect(read(await m.predict(stream()))).toEqual(expected);
    expect(read(await m.predict(() => batches))).toEqual(expected);
    // `steps` reads that many batches.
    expect(read(await m.predict(batches, { steps: 1 }))).toEqual(expected.slice(0, 2 * 4 * 2));
    expect(ref.memory().numTensors).toBe(before);
  });

  it('rejects with errors naming the batch, leaking nothing', async () => {
    const m = tagger();
    const before = ref.memory().numTensors;
    function* nothing(): Generator<never> {}
    await expect(m.predict(nothing())).rejects.toThrow(
      'sequential (Sequential) predict dataset: expected at least one batch, received none',
    );
    await expect(m.predict([batches[0]!, { inputs: 'bad' }] as never)).rejects.toThrow(
      'sequential (Sequential) predict dataset batch 1 inputs: expected a tensor of backend reference',
    );
    await expect(m.predict(batches, { step: 1 } as never)).rejects.toThrow(
      'predict options: unknown option "step" (did you mean "steps"?)',
    );
    expect(ref.memory().numTensors).toBe(before);
  });
});

describe('backends', () => {
  it.each([
    ['a name', 'cpu'],
    ['an empty object', {}],
  ])('refuses %s where a backend belongs, saying how to make one', (_what, value) => {
    const how =
      /expected a seqmodel Backend .* Make one with createCpuBackend\(\) from @seqmodel\/backend-cpu/;
    expect(() => sequential([dense({ units: 1 })], { backend: value as never })).toThrow(how);
    expect(() => sequential([dense({ units: 1, inputShape: [2] })]).build(value as never)).toThrow(how);
    expect(() => dense({ units: 1 }).build(value as never, [null, 2])).toThrow(how);
    expect(() =>
      model({ inputs: input({ shape: [2] }), outputs: input({ shape: [2] }), backend: value as never }),
    ).toThrow(how);
  });

  it('refuses a forgotten backend in build', () => {
    expect(() => sequential([dense({ units: 1, inputShape: [2] })]).build(undefined as never)).toThrow(
      'sequential (Sequential) build(backend): expected a seqmodel Backend',
    );
  });
});
