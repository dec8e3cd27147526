/**
 * CategoryEncoding by hand and against tfjs-layers 4.22's categoryEncoding (every output mode, exact: the outputs are
 * small integers), its output shapes, id checks, errors and Keras config. Leaks and the config round trip: the layer
 * conformance kit (`conformance.test.ts`).
 */
import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { model } from '../models/functional.js';
import { sequential } from '../models/sequential.js';
import { loadKerasModel } from '../saving/keras/load.js';
import { saveKerasModel } from '../saving/keras/save.js';
import { newBackend, tf, tfl, useTfjsCpu } from '../test-helpers.js';
import { type CategoryOutputMode, categoryEncoding } from './category-encoding.js';
import { dense } from './dense.js';
import { identity } from './identity.js';

beforeAll(useTfjsCpu);

const ids = [
  [1, 3, 1, 0],
  [4, 4, 4, 2],
];

describe('CategoryEncoding', () => {
  it('encodes ids as multi-hot, count and one-hot vectors, by hand', () => {
    const ref = newBackend();
    const run = (outputMode: CategoryOutputMode, x: number[][] | number[]) =>
      ref.toArray(
        categoryEncoding({ numTokens: 5, outputMode })
          .build(ref, [Array.isArray(x[0]) ? [null, (x[0] as number[]).length] : [null]].flat() as never)
          .apply(ref.tensor(x, undefined, 'int32')) as RefTensor,
      );
    expect(run('multiHot', ids)).toEqual([
      [1, 1, 0, 1, 0],
      [0, 0, 1, 0, 1],
    ]);
    expect(run('count', ids)).toEqual([
      [1, 2, 0, 1, 0],
      [0, 0, 1, 0, 3],
    ]);
    expect(run('oneHot', [3, 0])).toEqual([
      [0, 0, 0, 1, 0],
      [1, 0, 0, 0, 0],
    ]);
    expect(run('oneHot', [[3], [0]])).toEqual([
      [0, 0, 0, 1, 0],
      [1, 0, 0, 0, 0],
    ]);
    expect(() => run('oneHot', ids)).toThrow(
      "category_encoding (CategoryEncoding) inputs: expected one id per row for outputMode 'oneHot' ([batch] or [batch, 1]), received shape [2, 4]; use 'multiHot' or 'count' for several",
    );
  });

  for (const outputMode of ['multiHot', 'count', 'oneHot'] as const) {
    it(`${outputMode}: as tfjs-layers`, () => {
      const ref = newBackend();
      const x = outputMode === 'oneHot' ? ids.flat().map((id) => [id]) : ids;
      const ours = categoryEncoding({ numTokens: 6, outputMode }).build(ref, [null, x[0]!.length]);
      const theirs = tfl.layers.categoryEncoding({ numTokens: 6, outputMode });
      const got = theirs.apply(tf.tensor(x, undefined, 'int32')) as tf.Tensor;
      const out = ours.apply(ref.tensor(x, undefined, 'int32')) as RefTensor;
      expect(ref.shape(out)).toEqual(got.shape);
      expect(ours.computeOutputShape([[null, x[0]!.length]])[0]).toEqual([null, ...got.shape.slice(1)]);
      expect(ref.toArray(out)).toEqual(got.arraySync());
      tf.dispose(got);
    });
  }

  it('checks ids from host data, and names the argument, what it received and what it expects', () => {
    const ref = newBackend();
    const m = sequential<RefTensor>([categoryEncoding({ numTokens: 4 })], { backend: ref, inputShape: [3] });
    expect(() => m.predict([[1, 2, 4]])).toThrow(
      'expected token ids for category_encoding (CategoryEncoding), integers in [0, 4) (its numTokens), received 4 at index [0, 2]',
    );
    expect(() => categoryEncoding({ numTokens: 0 })).toThrow('categoryEncoding numTokens');
    expect(() => categoryEncoding({ numTokens: 3, outputMode: 'tfIdf' as never })).toThrow(
      'categoryEncoding outputMode',
    );
    expect(() =>
      sequential<RefTensor>([categoryEncoding({ numTokens: 3 })], { backend: ref, inputShape: [2, 2] }),
    ).toThrow(
      'category_encoding (CategoryEncoding) inputs: expected rank 1 or 2 ([batch] or [batch, ids]), received shape [null, 2, 2] (rank 3); apply it per step with timeDistributed',
    );
  });

  it('loads Keras configs; saving for tfjs-layers is refused (its CategoryEncoding breaks the model it loads)', async () => {
    const ref = newBackend();
    const x = input({ shape: [4], name: 'ids', dtype: 'int32' });
    const counts = categoryEncoding({ numTokens: 5, outputMode: 'count' }).apply(x) as SymbolicTensor;
    const ours = model<RefTensor>({
      inputs: x,
      outputs: dense({ units: 2 }).apply(counts) as SymbolicTensor,
      backend: ref,
      seed: 1,
    });
    await expect(saveKerasModel(ours)).rejects.toThrow(
      "saveKerasModel: layer category_encoding (CategoryEncoding): tfjs-layers 4.22's CategoryEncoding overwrites its input's shape when the model loads (it then refuses the ids); save with saveModel",
    );
    // A Keras file with one: written from a twin with an Identity (saved as Activation) in its place, then renamed.
    const twinInput = input({ shape: [5], name: 'ids' });
    const same = identity({ name: 'encode' }).apply(twinInput) as SymbolicTensor;
    const twin = model<RefTensor>({
      inputs: twinInput,
      outputs: dense({ units: 2, name: 'out' }).apply(same) as SymbolicTensor,
      backend: ref,
      seed: 2,
    });
    const artifacts = await saveKerasModel(twin);
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    const encode = topology.config.layers.find((l: { name: string }) => l.name === 'encode');
    encode.class_name = 'CategoryEncoding';
    encode.config = {
      name: 'encode',
      trainable: true,
      dtype: 'float32',
      num_tokens: 5,
      output_mode: 'tf_idf',
    };
    const edited = { ...artifacts, modelTopology: topology };
    await expect(loadKerasModel(edited, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer encode (CategoryEncoding) option output_mode: expected "multi_hot", "count" or "one_hot", received "tf_idf"',
    );
    Object.assign(encode.config, { output_mode: 'count', sparse: false });
    const loaded = await loadKerasModel<RefTensor>(edited, { backend: ref });
    expect(loaded.layers.find((l) => l.name === 'encode')!.getConfig()).toMatchObject({
      numTokens: 5,
      outputMode: 'count',
    });
    // [batch, 5] ids: the counts of each, times the Dense's kernel, plus its bias.
    const ids5 = [
      [1, 1, 4, 0, 1],
      [2, 3, 3, 3, 3],
    ];
    const [kernel, bias] = twin.getWeightData().map((w) => Array.from(w.values));
    const expected = ids5.map((row) =>
      [0, 1].map(
        (o) =>
          bias![o]! +
          [0, 1, 2, 3, 4].reduce(
            (sum, t) => sum + row.filter((id) => id === t).length * kernel![t * 2 + o]!,
            0,
          ),
      ),
    );
    const got = ref.toArray(loaded.predict(ids5) as RefTensor) as number[][];
    for (const [i, v] of got.flat().entries()) expect(v).toBeCloseTo(expected.flat()[i]!, 12);
  });
});
