import { createReferenceBackend, type RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { model } from '../models/functional.js';
import { add } from './add.js';
import { average } from './average.js';
import { concatenate } from './concatenate.js';
import { maximum } from './maximum.js';
import { minimum } from './minimum.js';
import { multiply } from './multiply.js';
import { subtract } from './subtract.js';

const backend = createReferenceBackend();
const shape = (x: RefTensor) => backend.shape(x);
const values = (x: RefTensor) => Array.from(backend.toFloat64(x));

describe('Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate', () => {
  const a = backend.tensor([1, 2, 3, 4, 5, 6], [1, 2, 3]);
  const b = backend.tensor([10, 20, 30, 40, 50, 60], [1, 2, 3]);
  const c = backend.tensor([0.5, 0.5, 0.5, 2, 2, 2], [1, 2, 3]);
  const maskA = backend.tensor([1, 0], [1, 2]);
  const maskB = backend.tensor([1, 1], [1, 2]);
  const maskC = backend.tensor([0, 1], [1, 2]);

  it('sum, multiply and join their inputs, by hand', () => {
    const sum = add().build(backend, [
      [null, 2, 3],
      [null, 2, 3],
      [null, 2, 3],
    ]);
    expect(values(sum.apply([a, b, c]) as RefTensor)).toEqual([11.5, 22.5, 33.5, 46, 57, 68]);
    const product = multiply().build(backend, [
      [null, 2, 3],
      [null, 2, 3],
    ]);
    expect(values(product.apply([b, c]) as RefTensor)).toEqual([5, 10, 15, 80, 100, 120]);
    const features = concatenate().build(backend, [
      [null, 2, 3],
      [null, 2, 1],
    ]);
    const joined = features.apply([a, backend.tensor([7, 8], [1, 2, 1])]) as RefTensor;
    expect(shape(joined)).toEqual([1, 2, 4]);
    expect(values(joined)).toEqual([1, 2, 3, 7, 4, 5, 6, 8]);
    const steps = concatenate({ axis: 1 }).build(backend, [
      [null, null, 3],
      [null, null, 3],
    ]);
    const longer = steps.apply([a, backend.tensor([9, 9, 9], [1, 1, 3])]) as RefTensor;
    expect(values(longer)).toEqual([1, 2, 3, 4, 5, 6, 9, 9, 9]);
  });

  it('subtract, average, and take the maximum and the minimum, by hand', () => {
    const shapes = (n: number) => Array.from({ length: n }, () => [null, 2, 3] as (number | null)[]);
    const run = (layer: { apply(x: RefTensor[]): unknown }, xs: RefTensor[]) =>
      values(layer.apply(xs) as RefTensor);
    expect(run(subtract().build(backend, shapes(2)), [b, a])).toEqual([9, 18, 27, 36, 45, 54]);
    expect(run(average().build(backend, shapes(3)), [a, b, c])).toEqual(
      [11.5, 22.5, 33.5, 46, 57, 68].map((v) => v / 3),
    );
    expect(
      run(maximum().build(backend, shapes(3)), [a, c, backend.tensor([2, 1, 4, 3, 6, 5], [1, 2, 3])]),
    ).toEqual([2, 2, 4, 4, 6, 6]);
    expect(run(minimum().build(backend, shapes(2)), [a, c])).toEqual([0.5, 0.5, 0.5, 2, 2, 2]);
    expect(() => subtract().build(backend, shapes(3))).toThrow(
      'subtract (Subtract) inputs: expected 2 input tensors, received 3',
    );
  });

  it('combine masks as Keras: the AND of the masks given, joined along the time axis', () => {
    const x = input({ shape: [2, 3] });
    const y = input({ shape: [2, 3] });
    const z = input({ shape: [2, 3] });
    const outputs = [
      add().apply([x, y, z]),
      multiply().apply([x, y]),
      concatenate().apply([x, z]),
      concatenate({ axis: 1 }).apply([x, y]),
    ] as SymbolicTensor[];
    const m = model({ inputs: [x, y, z], outputs, backend });
    const run = (masks: (RefTensor | undefined)[]) =>
      m.applyWithMasks([a, b, c], { mask: masks }).masks.map((mask) => (mask ? values(mask) : undefined));
    expect(run([maskA, maskB, maskC])).toEqual([
      [0, 0],
      [1, 0],
      [0, 0],
      [1, 0, 1, 1],
    ]);
    expect(run([undefined, maskB, undefined])).toEqual([[1, 1], [1, 1], undefined, [1, 1, 1, 1]]);
    expect(run([maskA, undefined, undefined])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0, 1, 1],
    ]);
    expect(run([undefined, undefined, undefined])).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('name the input whose shape does not fit, and the axis that cannot be joined', () => {
    expect(() =>
      add().build(backend, [
        [null, 2, 3],
        [null, 2, 4],
      ]),
    ).toThrow(
      'add (Add) inputs[1]: expected shape [null, 2, 3] (that of inputs[0] [null, 2, 3]), received shape [null, 2, 4]',
    );
    const sum = add().build(backend, [
      [null, null, 3],
      [null, null, 3],
    ]);
    expect(() => sum.apply([a, backend.tensor([1, 2, 3], [1, 1, 3])])).toThrow(
      'add (Add) inputs[1]: expected shape [1, 2, 3] (that of inputs[0] [1, 2, 3]), received shape [1, 1, 3]',
    );
    expect(() => add().build(backend, [null, 3])).toThrow(
      'add (Add) inputs: expected 2 or more input tensors, received 1',
    );
    expect(() => multiply().apply([input({ shape: [3] }), input({ shape: [2, 3] })])).toThrow(
      'multiply (Multiply) inputs[1]: expected shape [null, 3] (that of inputs[0] [null, 3]), received shape [null, 2, 3]',
    );
    expect(() =>
      concatenate({ axis: 1 }).apply([input({ shape: [2, 3] }), input({ shape: [4, 2] })]),
    ).toThrow(
      'concatenate (Concatenate) inputs[1]: expected shape [null, any, 3] (that of inputs[0] [null, 2, 3]), received shape [null, 4, 2]',
    );
    expect(() =>
      concatenate({ axis: 3 }).apply([input({ shape: [2, 3] }), input({ shape: [2, 3] })]),
    ).toThrow(
      'concatenate (Concatenate) axis: expected an axis of the rank-3 inputs other than the batch (1 to 2, or -1 to -2), received 3',
    );
    expect(() => concatenate({ axis: 0 })).toThrow(
      'concatenate axis: expected a nonzero integer (axis 0 is the batch), received 0',
    );
  });

  it('leave no tensor behind', () => {
    const before = backend.memory().numTensors;
    const layer = concatenate({ axis: 1 }).build(backend, [
      [null, null, 3],
      [null, null, 3],
    ]);
    const y = layer.apply([a, b], { mask: [maskA, undefined] }) as RefTensor;
    backend.dispose(y);
    expect(backend.memory().numTensors).toBe(before);
  });
});
