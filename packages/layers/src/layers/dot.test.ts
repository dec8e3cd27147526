/**
 * Dot against tfjs-layers 4.22's (inputs of rank 2 and 3, which is all it takes; atol 1e-5, float32 against the
 * float64 reference), against products written out as loops for rank 4 (exact to rounding), its output shapes, masks,
 * errors, the gradient of a normalized zero vector, and its Keras config. Gradients, leaks and the config round trip:
 * the layer conformance kit (`conformance.test.ts`).
 */
import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { model } from '../models/functional.js';
import { sequential } from '../models/sequential.js';
import { expectTfjsReloadAgrees } from '../saving/keras/keras-test-helpers.js';
import { loadKerasModel } from '../saving/keras/load.js';
import { saveKerasModel } from '../saving/keras/save.js';
import { expectClose, newBackend, randomValues, tf, tfl, useTfjsCpu, values } from '../test-helpers.js';
import { cpuBackend } from '../training/test-helpers.js';
import { dense } from './dense.js';
import { dot } from './dot.js';
import { simpleRNN } from './rnn.js';

beforeAll(useTfjsCpu);

type Axes = number | [number, number];

/** Ours (float64 reference) and tfjs-layers' on the same inputs: output shapes and values. */
function both(shapes: [number[], number[]], axes: Axes, normalize: boolean) {
  const ref = newBackend();
  const xs = shapes.map((s, i) =>
    randomValues(
      s.reduce((n, d) => n * d, 1),
      `dot ${i} ${s}`,
    ),
  );
  const layer = dot({ axes, normalize }).build(
    ref,
    shapes.map((s) => [null, ...s.slice(1)]),
  );
  const ours = layer.apply(xs.map((x, i) => ref.tensor(x, shapes[i]!))) as RefTensor;
  const tfInputs = xs.map((x, i) => tf.tensor(x, shapes[i]!));
  const theirs = tfl.layers.dot({ axes, normalize }).apply(tfInputs) as tf.Tensor;
  const result = {
    shapes: [ref.shape(ours), theirs.shape],
    ours: values(ref, ours),
    theirs: theirs.dataSync() as Float32Array,
    declared: layer.computeOutputShape(shapes.map((s) => [null, ...s.slice(1)]))[0],
  };
  tf.dispose([...tfInputs, theirs]);
  return result;
}

describe('Dot', () => {
  const cases: [string, [number[], number[]], Axes][] = [
    [
      'scores between steps, along the features (axes 2)',
      [
        [2, 3, 4],
        [2, 5, 4],
      ],
      2,
    ],
    [
      'the same with axes -1',
      [
        [2, 3, 4],
        [2, 5, 4],
      ],
      -1,
    ],
    [
      'along the steps (axes 1)',
      [
        [2, 3, 4],
        [2, 3, 6],
      ],
      1,
    ],
    [
      'a matrix product (axes [2, 1])',
      [
        [2, 3, 4],
        [2, 4, 5],
      ],
      [2, 1],
    ],
    [
      'two vectors (axes 1): [batch, 1]',
      [
        [2, 4],
        [2, 4],
      ],
      1,
    ],
    [
      'a vector and a sequence (axes [1, 2])',
      [
        [2, 4],
        [2, 5, 4],
      ],
      [1, 2],
    ],
    [
      'a sequence and a vector (axes [-1, -1])',
      [
        [2, 5, 4],
        [2, 4],
      ],
      [-1, -1],
    ],
  ];
  for (const [label, shapes, axes] of cases) {
    for (const normalize of [false, true]) {
      it(`${label}${normalize ? ', normalized' : ''}: as tfjs-layers`, () => {
        const r = both(shapes, axes, normalize);
        expect(r.shapes[0]).toEqual(r.shapes[1]);
        expect(r.declared).toEqual([null, ...r.shapes[0]!.slice(1)]);
        expectClose(label, r.ours, r.theirs);
        // Normalized, every entry is a cosine.
        if (normalize) for (const v of r.ours) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-12);
      });
    }
  }

  it('takes the product over inputs of rank 4 as the loops written out (which tfjs-layers cannot)', () => {
    const ref = newBackend();
    // x [2, 3, 2, 4] along axis 1, y [2, 5, 3] along axis 2: out[n, i, j, k] = Σ_c x[n, c, i, j] · y[n, k, c].
    const x = randomValues(2 * 3 * 2 * 4, 'x4');
    const y = randomValues(2 * 5 * 3, 'y3');
    const layer = dot({ axes: [1, 2] }).build(ref, [
      [null, 3, 2, 4],
      [null, 5, 3],
    ]);
    const out = layer.apply([ref.tensor(x, [2, 3, 2, 4]), ref.tensor(y, [2, 5, 3])]) as RefTensor;
    expect(ref.shape(out)).toEqual([2, 2, 4, 5]);
    const expected: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 4; j++)
          for (let k = 0; k < 5; k++) {
            let s = 0;
            for (let c = 0; c < 3; c++) s += x[n * 24 + c * 8 + i * 4 + j]! * y[n * 15 + k * 3 + c]!;
            expected.push(s);
          }
    expectClose('rank 4', values(ref, out), expected, { atol: 1e-12, rtol: 1e-12 });
  });

  it('takes the product with a rank-4 second input moved and folded as Keras does (loops)', () => {
    const ref = newBackend();
    // x [2, 3, 5] along axis 1, y [2, 2, 3, 4] along axis 2: out[n, i, j, k] = Σ_c x[n, c, i] · y[n, j, c, k].
    const x = randomValues(2 * 3 * 5, 'x3');
    const y = randomValues(2 * 2 * 3 * 4, 'y4');
    const layer = dot({ axes: [1, -2] }).build(ref, [
      [null, 3, 5],
      [null, 2, 3, 4],
    ]);
    const out = layer.apply([ref.tensor(x, [2, 3, 5]), ref.tensor(y, [2, 2, 3, 4])]) as RefTensor;
    expect(ref.shape(out)).toEqual([2, 5, 2, 4]);
    const expected: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 2; j++)
          for (let k = 0; k < 4; k++) {
            let s = 0;
            for (let c = 0; c < 3; c++) s += x[n * 15 + c * 5 + i]! * y[n * 24 + j * 12 + c * 4 + k]!;
            expected.push(s);
          }
    expectClose('second input rank 4', values(ref, out), expected, { atol: 1e-12, rtol: 1e-12 });
  });

  it('drops masks, mixes steps only over inputs with a time axis, and gives a normalized zero vector a finite gradient', () => {
    const ref = newBackend();
    const a = input({ shape: [null, 2], name: 'a' });
    const b = input({ shape: [null, 2], name: 'b' });
    const scores = dot({ axes: 2, name: 'scores' });
    const m = model<RefTensor>({
      inputs: [a, b],
      outputs: scores.apply([a, b]) as SymbolicTensor,
      backend: ref,
    });
    const x = ref.tensor(randomValues(2 * 3 * 2, 'masked'), [2, 3, 2]);
    const { masks } = m.applyWithMasks([x, x], {
      lengths: [
        [3, 1],
        [3, 1],
      ],
    });
    expect(masks).toEqual([undefined]);
    expect(scores.mixesSteps).toBe(true);
    expect(() => m.stream()).toThrow(
      'scores (Dot) takes products across the time steps of its inputs; it needs the whole sequence and cannot run one step at a time',
    );
    const vectors = dot({ axes: 1 }).build(ref, [
      [null, 2],
      [null, 2],
    ]);
    expect(vectors.mixesSteps).toBe(false);

    const backend = cpuBackend();
    const cosine = dot({ axes: 1, normalize: true }).build(backend, [
      [null, 2],
      [null, 2],
    ]);
    const u = backend.tensor([0, 0, 3, 4], [2, 2]);
    const v = backend.tensor([1, 2, 4, 3], [2, 2]);
    const { value, grads } = backend.valueAndGrads((p) => backend.sum(cosine.apply([p, v]) as never), [u]);
    // Row 0 is zero: its cosine is 0, and its gradient v̂ / ε (ε = 1e-7, the bound on the norm), finite.
    expect(backend.dataSync(value)[0]).toBeCloseTo(24 / 25, 6);
    const g = Array.from(backend.dataSync(grads[0]!));
    expect(g.every(Number.isFinite)).toBe(true);
    expectClose('gradient at a zero vector', g.slice(0, 2), [1e7 / Math.sqrt(5), 2e7 / Math.sqrt(5)], {
      atol: 0,
      rtol: 1e-5,
    });
    backend.dispose([u, v, value, ...grads]);
  });

  it('names the argument, what it received and what it expects', () => {
    const ref = newBackend();
    expect(() => dot({ axes: 1.5 })).toThrow(
      'dot axes: expected an integer axis or [first, second] of them, received 1.5',
    );
    expect(() => dot({ axes: [1, 2, 3] as never })).toThrow(
      'dot axes: expected an integer axis or [first, second]',
    );
    expect(() => dot({} as never)).toThrow(
      'dot axes: expected an integer axis or [first, second] of them, received undefined',
    );
    expect(() => dot({ axes: 1, normalize: 'yes' as never })).toThrow('dot normalize');
    expect(() =>
      dot({ axes: 0 }).build(ref, [
        [null, 2],
        [null, 2],
      ]),
    ).toThrow(
      'dot (Dot) axes: expected an axis of inputs[0] [null, 2] other than the batch axis (1 to 1, or -1 to -1), received 0',
    );
    // −rank would be the batch axis: refused as Keras refuses it.
    expect(() =>
      dot({ axes: -2 }).build(ref, [
        [null, 2],
        [null, 2],
      ]),
    ).toThrow(
      'dot (Dot) axes: expected an axis of inputs[0] [null, 2] other than the batch axis (1 to 1, or -1 to -1), received -2',
    );
    expect(() => dot({ axes: [1, Number.NaN] })).toThrow(
      'dot axes: expected an integer axis or [first, second] of them, received [1, NaN]',
    );
    expect(() =>
      dot({ axes: [1, 3] }).build(ref, [
        [null, 2],
        [null, 4, 2],
      ]),
    ).toThrow(
      'dot (Dot) axes: expected an axis of inputs[1] [null, 4, 2] other than the batch axis (1 to 2, or -2 to -1), received 3',
    );
    expect(() =>
      dot({ axes: 2 }).build(ref, [
        [null, 3, 4],
        [null, 3, 5],
      ]),
    ).toThrow(
      'dot (Dot) inputs: expected the same size along axis 2 of inputs[0] and axis 2 of inputs[1], received shapes [null, 3, 4] and [null, 3, 5] (4 and 5)',
    );
    const layer = dot({ axes: 1 }).build(ref, [
      [null, 2],
      [null, 2],
    ]);
    expect(() => layer.apply([ref.tensor([1, 2], [1, 2]), ref.tensor([1, 2, 3, 4], [2, 2])])).toThrow(
      'dot (Dot) inputs: expected the same batch size, received shapes [1, 2] and [2, 2]',
    );
    expect(() => sequential<RefTensor>([dot({ axes: 1 })], { backend: ref, inputShape: [2] })).toThrow(
      'dot (Dot) inputs: expected 2 input tensors, received 1',
    );
  });

  it('saves for tfjs-layers, which predicts the same, and loads Keras 3 configs; rank 4 refused when saving', async () => {
    const ref = newBackend();
    const q = input({ shape: [4, 3], name: 'q' });
    const k = input({ shape: [4, 3], name: 'k' });
    const encoded = simpleRNN({ units: 3, returnSequences: true, name: 'encoder' }).apply(
      k,
    ) as SymbolicTensor;
    const scores = dot({ axes: [2, 2], normalize: true, name: 'scores' }).apply([
      q,
      encoded,
    ]) as SymbolicTensor;
    const out = dense({ units: 2, name: 'out' }).apply(scores) as SymbolicTensor;
    const ours = model<RefTensor>({ inputs: [q, k], outputs: out, backend: ref, seed: 4 });
    const { artifacts, layers } = await expectTfjsReloadAgrees('dot through tfjs-layers', ours, [
      { values: randomValues(2 * 4 * 3, 'q'), shape: [2, 4, 3] },
      { values: randomValues(2 * 4 * 3, 'k'), shape: [2, 4, 3] },
    ]);
    expect(layers.find((l) => l.class_name === 'Dot')!.config).toMatchObject({
      axes: [2, 2],
      normalize: true,
    });
    // Keras writes axes as an integer or a list; normalize may be absent.
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    const config = topology.config.layers.find((l: { class_name: string }) => l.class_name === 'Dot').config;
    config.axes = -1;
    delete config.normalize;
    const loaded = await loadKerasModel<RefTensor>(
      { ...artifacts, modelTopology: topology },
      { backend: ref },
    );
    expect(loaded.layers.find((l) => l.className === 'Dot')!.getConfig()).toMatchObject({
      axes: -1,
      normalize: false,
    });
    config.axes = [2];
    await expect(loadKerasModel({ ...artifacts, modelTopology: topology }, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer scores (Dot) option axes: expected an integer axis or [first, second] of them, received [2]',
    );
    const a = input({ shape: [2, 3, 4], name: 'a' });
    const b = input({ shape: [4], name: 'b' });
    const rank4 = model<RefTensor>({
      inputs: [a, b],
      outputs: dot({ axes: [3, 1], name: 'deep' }).apply([a, b]) as SymbolicTensor,
      backend: ref,
    });
    await expect(saveKerasModel(rank4)).rejects.toThrow(
      'saveKerasModel: layer deep (Dot): tfjs-layers 4.22 takes the dot product of inputs of rank 2 and 3 only; save with saveModel',
    );
  });
});
