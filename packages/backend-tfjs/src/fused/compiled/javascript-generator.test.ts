import type { ElementwiseLoop, PlanBuffer } from '@seqmodel/core';
import { expect, it } from 'vitest';
import { planOf } from '../../testing/generator-checks.js';
import { javascriptGenerator } from './javascript-generator.js';

// Buffer 0 is read by the pass, 1 is written by it, 2 is neither (a buffer only products use).
const buffers: PlanBuffer[] = [
  { id: 0, name: 'x', width: 3, rows: 'batch' },
  { id: 1, name: 'y', width: 3, rows: 'batch' },
  { id: 2, name: 'weights', width: 3, rows: 'single' },
];
const double: ElementwiseLoop = {
  width: 3,
  nodes: [
    { op: 'read', buffer: 0, column: 0, broadcast: false },
    { op: 'add', a: 0, b: 0 },
  ],
  stores: [{ node: 1, buffer: 1, column: 0, accumulate: false }],
};
const instantiate = () =>
  javascriptGenerator
    .generate(planOf(buffers, [{ name: 'double', loops: [double] }]))
    .program.instantiate(3, 1);

it('copies a provided buffer the passes read into its own storage, and uses one they do not read as given', () => {
  const instance = instantiate();
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const weights = Float32Array.from([1, 2, 3]);
  instance.provide(0, x);
  instance.provide(2, weights);
  expect(instance.buffer(0)).not.toBe(x);
  expect(instance.buffer(2)).toBe(weights);
  x.fill(0); // the copy is the instance's: the pass reads what was provided
  instance.run(0, 0);
  expect(Array.from(instance.buffer(1))).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18]);
  instance.release();
});

it('refuses to swap a buffer that holds a provided array (the passes could not find it)', () => {
  const instance = instantiate();
  instance.provide(2, new Float32Array(3));
  expect(() => instance.swap(2, 1)).toThrow(/buffers 2 and 1 are swapped, but one was provided/);
  instance.swap(0, 1); // two of its own: fine
  instance.release();
});

it('says which sizes are too large for one instance before allocating anything', () => {
  const program = javascriptGenerator.generate(
    planOf([{ id: 0, name: 'x', width: 4, rows: 'sequence' }], []),
  ).program;
  // 2^16 rows x 2^14 steps x 4 columns = 2^32 floats (16 GiB): refused without trying.
  expect(() => program.instantiate(2 ** 16, 2 ** 14)).toThrow(
    'compiled kernel: 65536 rows x 16384 steps need 4294967296 floats of buffers, more than the 2^31 - 1 that one JavaScript instance addresses; use smaller batches or shorter sequences',
  );
});

it('copies a provided buffer that only a backward pass reads', () => {
  const plan = {
    ...planOf(buffers, []),
    backward: {
      stages: [{ kind: 'pass' as const, pass: { name: 'double', loops: [double] } }],
      outputSeed: 1,
      inputProductGradients: [],
      productGradients: [],
      staticGradients: [],
    },
  };
  const instance = javascriptGenerator.generate(plan).program.instantiate(3, 1);
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  instance.provide(0, x);
  expect(instance.buffer(0)).not.toBe(x);
  instance.run(0, 0);
  expect(Array.from(instance.buffer(1))).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18]);
  instance.release();
});

it('puts swapped buffers back in place for the next run of a recycled instance', () => {
  const program = javascriptGenerator.generate(
    planOf(buffers, [{ name: 'double', loops: [double] }]),
  ).program;
  const first = program.instantiate(3, 1);
  first.swap(0, 1);
  first.release();
  const second = program.instantiate(3, 1);
  expect(second).toBe(first); // the pool hands the same instance out again
  second.buffer(0).fill(1);
  second.buffer(1).fill(0);
  second.run(0, 0);
  // The pass reads buffer 0's own storage again: 1 + 1 everywhere in buffer 1.
  expect(Array.from(second.buffer(1))).toEqual(new Array(9).fill(2));
  second.release();
});

it('refuses a plan whose pass reads or stores past a buffer (internal error)', () => {
  const past: ElementwiseLoop = { ...double, stores: [{ node: 1, buffer: 1, column: 1, accumulate: false }] };
  expect(() => javascriptGenerator.generate(planOf(buffers, [{ name: 'past', loops: [past] }]))).toThrow(
    'compiled kernel: pass "past" stores columns [1, 4) of buffer 1, which has 3 (internal error)',
  );
});
