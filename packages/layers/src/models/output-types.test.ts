/**
 * A model's type says how many outputs it has, so that `predict` and `apply` on a single-output model give a tensor
 * with no cast, and a multi-output model a list. The `expectTypeOf` lines are checked by the compiler (the package's
 * typecheck runs over its tests); the `expect` lines check that the run-time values are what the types say.
 */
import { createReferenceBackend, type RefTensor } from '@seqmodel/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { deserializeLayer } from '../engine/registry.js';
import type { SymbolicTensor } from '../engine/symbolic.js';
import { input } from '../engine/symbolic.js';
import '../layers/builtins.js';
import { dense } from '../layers/dense.js';
import { lstm } from '../layers/rnn.js';
import { type Functional, model } from './functional.js';
import type { Model } from './model.js';
import { Sequential, sequential } from './sequential.js';

const backend = createReferenceBackend();
const x = [[1, 2]];

function twoHeads(): { inputs: SymbolicTensor; a: SymbolicTensor; b: SymbolicTensor } {
  const inputs = input({ shape: [2] });
  return {
    inputs,
    a: dense({ units: 1 }).apply(inputs) as SymbolicTensor,
    b: dense({ units: 3 }).apply(inputs) as SymbolicTensor,
  };
}

describe('predict and apply are typed by the number of outputs', () => {
  it('a Sequential model gives a tensor', async () => {
    const m = sequential<RefTensor>([dense({ units: 2 })], { backend, inputShape: [2], seed: 1 });
    const y = m.predict(x);
    expectTypeOf(y).toEqualTypeOf<RefTensor>();
    expect(backend.shape(y)).toEqual([1, 2]);
    const applied = m.apply(backend.tensor(x));
    expectTypeOf(applied).toEqualTypeOf<RefTensor>();
    const fromDataset = m.predict([{ inputs: backend.tensor(x) }]);
    expectTypeOf(fromDataset).toEqualTypeOf<Promise<RefTensor>>();
    expect(backend.shape(await fromDataset)).toEqual([1, 2]);
    // Built again on another backend, it still has one output.
    expectTypeOf(m.build(backend)).toEqualTypeOf<typeof m>();
    m.dispose();
  });

  it("a Sequential model whose last layer returns states says outputs: 'several' and gives a list", () => {
    const stack = () => [lstm({ units: 3, returnState: true })];
    const m = sequential<RefTensor>(stack(), { backend, inputShape: [null, 2], seed: 1, outputs: 'several' });
    const ys = m.predict([[[1, 2]]]);
    expectTypeOf(ys).toEqualTypeOf<RefTensor[]>();
    expect(ys.map((y) => backend.shape(y))).toEqual([
      [1, 3],
      [1, 3],
      [1, 3],
    ]);
    // The declaration travels with the model's config.
    const again = Sequential.fromConfig<RefTensor>(m.getConfig(), deserializeLayer, { backend });
    expect(again.predict([[[1, 2]]])).toHaveLength(3);
    // Without it, the type would promise one tensor: the build refuses, and says what to pass.
    expect(() => sequential<RefTensor>(stack(), { backend, inputShape: [null, 2] })).toThrow(
      "sequential (Sequential) outputs: expected one output (the default), received 3 from lstm (LSTM) (returnState, or Bidirectional without mergeMode); pass { outputs: 'several' } to sequential() and predict gives a list",
    );
    expect(() =>
      sequential<RefTensor>([dense({ units: 1 })], { backend, inputShape: [2], outputs: 'several' }),
    ).toThrow("sequential (Sequential) outputs: expected several outputs (outputs: 'several'), received one");
    expect(() => sequential<RefTensor>([], { outputs: 'many' as never })).toThrow(
      'sequential outputs: expected one of "one", "several", received "many"',
    );
  });

  it('a functional model with one output tensor, alone or in a one-element list, gives a tensor', () => {
    const { inputs, a } = twoHeads();
    const alone = model<RefTensor>({ inputs, outputs: a, backend, seed: 1 });
    expectTypeOf(alone).toEqualTypeOf<Functional<RefTensor, 'one'>>();
    expectTypeOf(alone.predict(x)).toEqualTypeOf<RefTensor>();
    const listed = model<RefTensor>({ inputs, outputs: [a], backend, seed: 1 });
    const y = listed.predict(x);
    expectTypeOf(y).toEqualTypeOf<RefTensor>();
    expect(backend.isTensor(y)).toBe(true);
    expectTypeOf(listed.build(backend).predict(x)).toEqualTypeOf<RefTensor>();
  });

  it('a functional model with two or more outputs gives a list', () => {
    const { inputs, a, b } = twoHeads();
    const m = model<RefTensor>({ inputs, outputs: [a, b], backend, seed: 1 });
    const ys = m.predict(x);
    expectTypeOf(ys).toEqualTypeOf<RefTensor[]>();
    expect(ys.map((y) => backend.shape(y))).toEqual([
      [1, 1],
      [1, 3],
    ]);
  });

  it('outputs whose number the compiler does not know, or a model of unknown kind, give either', () => {
    const { inputs, a, b } = twoHeads();
    const outputs: SymbolicTensor[] = [a, b];
    const m = model<RefTensor>({ inputs, outputs, backend, seed: 1 });
    expectTypeOf(m.predict(x)).toEqualTypeOf<RefTensor | RefTensor[]>();
    const loaded: Model<RefTensor> = m;
    expectTypeOf(loaded.predict(x)).toEqualTypeOf<RefTensor | RefTensor[]>();
    // A model that promises one output is still a model of unknown kind, where one is expected.
    expectTypeOf(sequential<RefTensor>()).toMatchTypeOf<Model<RefTensor>>();
    expectTypeOf(model<RefTensor>({ inputs, outputs: a })).toMatchTypeOf<Functional<RefTensor>>();
    expectTypeOf(model<RefTensor>({ inputs, outputs: [a, b] })).toMatchTypeOf<Model<RefTensor>>();
  });
});
