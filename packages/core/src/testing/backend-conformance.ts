/**
 * The backend conformance kit: every `Ops` primitive, the derived helpers, tensor creation and readback, and the
 * memory contract (tidy, keep, dispose, numTensors), each compared with the float64 reference backend on seeded
 * random inputs. Backends run it in their own test suites; the reference backend runs it against itself as a
 * sanity check of the kit.
 *
 * @example
 * for (const check of backendConformanceChecks(createCpuBackend())) {
 *   it.skipIf(check.skip !== undefined)(check.name, check.run);
 * }
 */
import { getActivation, listActivations } from '../activations.js';
import type { Backend } from '../backend.js';
import { batchMatMul, erf, gelu, logSoftmax, mean, rsqrt, softmax, variance } from '../derived-ops.js';
import { SeqmodelError } from '../errors.js';
import type { NestedArray } from '../ops.js';
import { createReferenceBackend } from '../reference/reference-backend.js';
import { createRng } from '../rng.js';
import { formatShape, type Shape, shapesEqual, sizeOfShape } from '../shape.js';
import { checkBackendSpecification } from '../specification.js';
import type { ConformanceCheck } from './cell-conformance.js';
import { assertClose, type Tolerance } from './compare.js';

export interface BackendConformanceOptions {
  /**
   * Against the float64 reference. Default atol 1e-5, rtol 1e-5: one float32 rounding of each input and result
   * (~6e-8 relative) plus accumulation over inner products of at most 24 terms.
   */
  readonly tolerance?: Tolerance;
  /** Gradients against central differences on the reference: default atol 1e-3, rtol 1e-3. */
  readonly gradientTolerance?: Tolerance;
  readonly seed?: number;
}

/** An input of an op case: a random float tensor of `shape`, optionally kept positive or made integral. */
type InputSpec = { shape: Shape; kind?: 'positive' | 'int' | 'mask' | 'large'; max?: number };

interface OpCase {
  readonly name: string;
  readonly inputs: readonly InputSpec[];
  // biome-ignore lint/suspicious/noExplicitAny: the case applies to any backend's tensors.
  readonly apply: (b: Backend<any>, xs: any[]) => any;
}

const S = (...shape: number[]) => ({ shape });
const P = (...shape: number[]): InputSpec => ({ shape, kind: 'positive' });

const opCases: readonly OpCase[] = [
  { name: 'add (same shape)', inputs: [S(2, 3), S(2, 3)], apply: (b, [x, y]) => b.add(x, y) },
  { name: 'add (broadcast [2,3,4] + [4])', inputs: [S(2, 3, 4), S(4)], apply: (b, [x, y]) => b.add(x, y) },
  {
    name: 'sub (broadcast [2,1,4] - [3,1])',
    inputs: [S(2, 1, 4), S(3, 1)],
    apply: (b, [x, y]) => b.sub(x, y),
  },
  { name: 'mul (scalar number on the left)', inputs: [S(3, 2)], apply: (b, [x]) => b.mul(0.5, x) },
  { name: 'div (number on the right)', inputs: [S(3, 2)], apply: (b, [x]) => b.div(x, 4) },
  { name: 'div (1 / tensor)', inputs: [P(3, 2)], apply: (b, [x]) => b.div(1, x) },
  { name: 'maximum', inputs: [S(4, 3), S(3)], apply: (b, [x, y]) => b.maximum(x, y) },
  { name: 'minimum', inputs: [S(4, 3), S(4, 1)], apply: (b, [x, y]) => b.minimum(x, y) },
  { name: 'greater', inputs: [S(4, 3), S(3)], apply: (b, [x, y]) => b.greater(x, y) },
  {
    name: 'equal',
    inputs: [
      { shape: [4, 3], kind: 'int' },
      { shape: [3], kind: 'int' },
    ],
    apply: (b, [x, y]) => b.equal(x, y),
  },
  {
    name: 'where (broadcast condition)',
    inputs: [{ shape: [4, 1], kind: 'mask' }, S(4, 3), S(4, 3)],
    apply: (b, [c, x, y]) => b.where(c, x, y),
  },
  {
    name: 'where (number branch)',
    inputs: [{ shape: [4, 3], kind: 'mask' }, S(4, 3)],
    apply: (b, [c, x]) => b.where(c, x, 0),
  },
  { name: 'neg', inputs: [S(5)], apply: (b, [x]) => b.neg(x) },
  { name: 'exp', inputs: [S(5, 2)], apply: (b, [x]) => b.exp(x) },
  { name: 'log', inputs: [P(5, 2)], apply: (b, [x]) => b.log(x) },
  { name: 'sqrt', inputs: [P(5, 2)], apply: (b, [x]) => b.sqrt(x) },
  { name: 'abs', inputs: [S(5, 2)], apply: (b, [x]) => b.abs(x) },
  {
    name: 'sigmoid (large inputs too)',
    inputs: [{ shape: [6, 4], kind: 'large' }],
    apply: (b, [x]) => b.sigmoid(x),
  },
  {
    name: 'tanh (large inputs too)',
    inputs: [{ shape: [6, 4], kind: 'large' }],
    apply: (b, [x]) => b.tanh(x),
  },
  // The backend's optional erf when it has one, else core's derived one: either way what `gelu` computes.
  { name: 'erf', inputs: [S(6, 4)], apply: (b, [x]) => erf(b, x) },
  {
    name: 'erf (large inputs too)',
    inputs: [{ shape: [6, 4], kind: 'large' }],
    apply: (b, [x]) => erf(b, x),
  },
  { name: 'relu', inputs: [S(6, 4)], apply: (b, [x]) => b.relu(x) },
  { name: 'clip', inputs: [S(6, 4)], apply: (b, [x]) => b.clip(x, -0.5, 0.7) },
  { name: 'matMul [3,5]·[5,4]', inputs: [S(3, 5), S(5, 4)], apply: (b, [x, y]) => b.matMul(x, y) },
  {
    name: 'matMul transposeA',
    inputs: [S(5, 3), S(5, 4)],
    apply: (b, [x, y]) => b.matMul(x, y, true, false),
  },
  {
    name: 'matMul transposeB',
    inputs: [S(3, 5), S(4, 5)],
    apply: (b, [x, y]) => b.matMul(x, y, false, true),
  },
  {
    name: 'matMul both transposed',
    inputs: [S(5, 3), S(4, 5)],
    apply: (b, [x, y]) => b.matMul(x, y, true, true),
  },
  {
    name: 'matMul batched [2,3,24]·[2,24,4]',
    inputs: [S(2, 3, 24), S(2, 24, 4)],
    apply: (b, [x, y]) => b.matMul(x, y),
  },
  {
    name: 'matMul batched transposeB',
    inputs: [S(2, 3, 5), S(2, 4, 5)],
    apply: (b, [x, y]) => b.matMul(x, y, false, true),
  },
  { name: 'reshape with -1', inputs: [S(2, 3, 4)], apply: (b, [x]) => b.reshape(x, [-1, 4]) },
  { name: 'transpose (reverse axes)', inputs: [S(2, 3, 4)], apply: (b, [x]) => b.transpose(x) },
  { name: 'transpose [1, 0, 2]', inputs: [S(2, 3, 4)], apply: (b, [x]) => b.transpose(x, [1, 0, 2]) },
  { name: 'slice', inputs: [S(3, 4, 5)], apply: (b, [x]) => b.slice(x, [1, 0, 2], [2, -1, 2]) },
  { name: 'concat axis 0', inputs: [S(2, 3), S(1, 3)], apply: (b, [x, y]) => b.concat([x, y], 0) },
  {
    name: 'concat axis -1',
    inputs: [S(2, 3), S(2, 2), S(2, 1)],
    apply: (b, [x, y, z]) => b.concat([x, y, z], -1),
  },
  { name: 'stack axis 1', inputs: [S(2, 3), S(2, 3)], apply: (b, [x, y]) => b.stack([x, y], 1) },
  { name: 'unstack axis 1', inputs: [S(2, 3, 2)], apply: (b, [x]) => b.unstack(x, 1) },
  {
    name: 'gather axis 0',
    inputs: [S(5, 3), { shape: [2, 2], kind: 'int', max: 5 }],
    apply: (b, [x, i]) => b.gather(x, b.cast(i, 'int32'), 0),
  },
  {
    name: 'gather axis 1',
    inputs: [S(2, 5, 3), { shape: [4], kind: 'int', max: 5 }],
    apply: (b, [x, i]) => b.gather(x, b.cast(i, 'int32'), 1),
  },
  {
    name: 'oneHot',
    inputs: [{ shape: [2, 3], kind: 'int', max: 4 }],
    apply: (b, [i]) => b.oneHot(b.cast(i, 'int32'), 4),
  },
  { name: 'sum (all)', inputs: [S(3, 4)], apply: (b, [x]) => b.sum(x) },
  { name: 'sum axis 1', inputs: [S(3, 4, 2)], apply: (b, [x]) => b.sum(x, 1) },
  { name: 'sum axes [0, 2] keepDims', inputs: [S(3, 4, 2)], apply: (b, [x]) => b.sum(x, [0, 2], true) },
  { name: 'max axis -1', inputs: [S(3, 4)], apply: (b, [x]) => b.max(x, -1) },
  { name: 'max (all)', inputs: [S(3, 4)], apply: (b, [x]) => b.max(x) },
  { name: 'argMax axis 1', inputs: [S(3, 4)], apply: (b, [x]) => b.argMax(x, 1) },
  { name: 'fill', inputs: [], apply: (b) => b.fill([2, 3], 1.5) },
  { name: 'cast to int32 truncates', inputs: [S(3, 3)], apply: (b, [x]) => b.cast(b.mul(x, 3), 'int32') },
  {
    name: 'softmax (derived or native)',
    inputs: [{ shape: [3, 5], kind: 'large' }],
    apply: (b, [x]) => softmax(b, x),
  },
  {
    name: 'logSoftmax (derived or native)',
    inputs: [{ shape: [3, 5], kind: 'large' }],
    apply: (b, [x]) => logSoftmax(b, x),
  },
  { name: 'mean axis 0', inputs: [S(3, 4)], apply: (b, [x]) => mean(b, x, 0) },
  { name: 'variance axis -1 keepDims', inputs: [S(3, 5)], apply: (b, [x]) => variance(b, x, -1, true) },
  { name: 'rsqrt', inputs: [P(4, 3)], apply: (b, [x]) => rsqrt(b, x) },
  {
    name: 'batchMatMul rank 4 [2,3,4,5]·[2,3,6,5]ᵀ',
    inputs: [S(2, 3, 4, 5), S(2, 3, 6, 5)],
    apply: (b, [x, y]) => batchMatMul(b, x, y, false, true),
  },
  {
    name: 'batchMatMul rank 4 [2,3,5,4]ᵀ·[2,3,5,6]',
    inputs: [S(2, 3, 5, 4), S(2, 3, 5, 6)],
    apply: (b, [x, y]) => batchMatMul(b, x, y, true, false),
  },
  {
    name: 'batchMatMul shared right operand [2,3,4]·[4,5]',
    inputs: [S(2, 3, 4), S(4, 5)],
    apply: (b, [x, y]) => batchMatMul(b, x, y),
  },
  ...listActivations().map((name) => ({
    name: `activation ${name}`,
    inputs: [{ shape: [4, 6], kind: 'large' } as InputSpec],
    apply: (b: Backend<unknown>, [x]: unknown[]) => getActivation(name)(b, x),
  })),
];

function hostValues(spec: InputSpec, seed: string): Float64Array {
  const rng = createRng(seed);
  const n = sizeOfShape(spec.shape);
  return Float64Array.from({ length: n }, () => {
    switch (spec.kind) {
      case 'positive':
        return Math.fround(0.1 + rng.next() * 3);
      case 'int':
        return rng.int(spec.max ?? 3);
      case 'mask':
        return rng.next() < 0.5 ? 1 : 0;
      case 'large':
        return Math.fround(rng.normal(0, 12));
      default:
        return Math.fround(rng.normal());
    }
  });
}

/** Reads a result (a tensor or an array of tensors) as shapes and flat values. */
function readResult<T>(backend: Backend<T>, result: T | T[]): { shape: number[]; values: number[] }[] {
  const list = Array.isArray(result) ? result : [result];
  return list.map((t) => ({ shape: backend.shape(t), values: Array.from(backend.dataSync(t)) }));
}

function fail(message: string): never {
  throw new SeqmodelError(message);
}

/** The conformance checks for a backend; see the module comment. */
export function backendConformanceChecks<T>(
  backend: Backend<T>,
  options: BackendConformanceOptions = {},
): ConformanceCheck[] {
  checkBackendSpecification(backend, 'backendConformanceChecks(backend)');
  const tolerance = options.tolerance ?? { atol: 1e-5, rtol: 1e-5 };
  const gradientTolerance = options.gradientTolerance ?? { atol: 1e-3, rtol: 1e-3 };
  const seed = options.seed ?? 99;
  const label = `backend ${backend.name}`;
  const checks: ConformanceCheck[] = opCases.map((c) => ({
    name: `${label}: ${c.name}`,
    run() {
      const ref = createReferenceBackend();
      const host = c.inputs.map((spec, i) => hostValues(spec, `${seed}/${c.name}/${i}`));
      const expected = ref.tidy(() =>
        readResult(
          ref,
          c.apply(
            ref,
            host.map((v, i) => ref.tensor(v, c.inputs[i]!.shape)),
          ),
        ),
      );
      const before = backend.memory().numTensors;
      const actual = backend.tidy(() =>
        readResult(
          backend,
          c.apply(
            backend,
            host.map((v, i) => backend.tensor(v, c.inputs[i]!.shape)),
          ),
        ),
      );
      const after = backend.memory().numTensors;
      if (after !== before) fail(`${c.name}: ${after - before} tensors leaked inside tidy`);
      if (actual.length !== expected.length)
        fail(`${c.name}: ${actual.length} results, expected ${expected.length}`);
      expected.forEach((e, i) => {
        const a = actual[i]!;
        if (!shapesEqual(a.shape, e.shape)) {
          fail(`${c.name}: result shape ${formatShape(a.shape)}, expected ${formatShape(e.shape)}`);
        }
        assertClose(`${c.name}`, a.values, e.values, tolerance);
      });
    },
  }));

  checks.push({
    name: `${label}: tensor creation and readback`,
    run() {
      const nested: NestedArray = [
        [1, 2, 3],
        [4, 5, 6],
      ];
      backend.tidy(() => {
        const a = backend.tensor(nested);
        const b = backend.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
        const c = backend.tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
        const d = backend.tensor(Int32Array.of(7, 8), [2], 'int32');
        for (const t of [a, b, c]) {
          if (JSON.stringify(backend.toArray(t)) !== JSON.stringify(nested))
            fail(`toArray: ${JSON.stringify(backend.toArray(t))}`);
          if (!shapesEqual(backend.shape(t), [2, 3])) fail(`shape: ${formatShape(backend.shape(t))}`);
          if (backend.dtype(t) !== 'float32') fail(`dtype: ${backend.dtype(t)}`);
        }
        if (backend.dtype(d) !== 'int32' || !(backend.dataSync(d) instanceof Int32Array))
          fail('int32 tensor readback');
        if (backend.toArray(backend.tensor(3.5)) !== 3.5) fail('scalar readback');
        if (!backend.isTensor(a) || backend.isTensor([1, 2])) fail('isTensor');
      });
    },
  });

  checks.push({
    name: `${label}: async readback`,
    async run() {
      const t = backend.tensor([1.5, -2], [2]);
      const values = await backend.data(t);
      backend.dispose(t);
      if (values[0] !== 1.5 || values[1] !== -2) fail(`data(): ${Array.from(values)}`);
    },
  });

  checks.push({
    name: `${label}: tidy, keep and dispose`,
    run() {
      const start = backend.memory().numTensors;
      let kept: T | undefined;
      const result = backend.tidy(() => {
        const a = backend.fill([2], 1);
        const inner = backend.tidy(() => {
          const b = backend.add(a, 1);
          backend.mul(b, 2);
          return { nested: [b] };
        });
        kept = backend.keep(backend.add(a, 5));
        return inner.nested[0]!;
      });
      if (backend.memory().numTensors !== start + 2) {
        fail(
          `tidy: ${backend.memory().numTensors - start} tensors alive after tidy, expected 2 (result and kept)`,
        );
      }
      if (JSON.stringify(backend.toArray(result)) !== '[2,2]') fail('tidy returned a wrong tensor');
      backend.dispose([result, kept!]);
      backend.dispose(result);
      if (backend.memory().numTensors !== start) fail('dispose did not free tensors');
      let rethrown = false;
      try {
        backend.tidy(() => {
          backend.fill([3], 0);
          throw new Error('boom');
        });
      } catch (error) {
        rethrown = (error as Error).message === 'boom';
      }
      if (!rethrown) fail('tidy did not rethrow the error its function threw');
      if (backend.memory().numTensors !== start) fail('tidy leaked tensors when its function threw');
    },
  });

  checks.push({
    name: `${label}: gradients match finite differences`,
    ...(backend.valueAndGrads ? {} : { skip: `backend ${backend.name} has no autodiff` }),
    run() {
      if (!backend.valueAndGrads) return;
      const ref = createReferenceBackend();
      const xHost = hostValues(S(3, 4), `${seed}/grad/x`);
      const wHost = hostValues(S(4, 2), `${seed}/grad/w`);
      const cHost = hostValues(S(3, 2), `${seed}/grad/c`);
      // f(x, w) = Σ c · tanh(x·w) + Σ sigmoid(x)² / 2 + Σ softmax(x·w)·c + Σ gelu(x)·x, touching most
      // differentiable primitives (and erf, optional, through gelu).
      const f = <U>(b: Backend<U>, x: U, w: U, c: U): U => {
        const xw = b.matMul(x, w);
        const t = b.sum(b.mul(c, b.tanh(xw)));
        const s = b.div(b.sum(b.mul(b.sigmoid(x), b.sigmoid(x))), 2);
        const sm = b.sum(b.mul(softmax(b, xw), c));
        const g = b.sum(b.mul(gelu(b, x), x));
        return b.add(b.add(b.add(t, s), sm), g);
      };
      const refValue = (x: Float64Array, w: Float64Array) =>
        ref.tidy(
          () =>
            ref.toFloat64(
              f(ref, ref.tensor(x, [3, 4]), ref.tensor(w, [4, 2]), ref.tensor(cHost, [3, 2])),
            )[0]!,
        );
      const fd = (which: 0 | 1) => {
        const base = which === 0 ? xHost : wHost;
        return Float64Array.from(base, (_, i) => {
          const plus = base.slice();
          const minus = base.slice();
          plus[i]! += 1e-6;
          minus[i]! -= 1e-6;
          const hi = which === 0 ? refValue(plus, wHost) : refValue(xHost, plus);
          const lo = which === 0 ? refValue(minus, wHost) : refValue(xHost, minus);
          return (hi - lo) / 2e-6;
        });
      };
      const before = backend.memory().numTensors;
      const x = backend.tensor(xHost, [3, 4]);
      const w = backend.tensor(wHost, [4, 2]);
      const c = backend.tensor(cHost, [3, 2]);
      const { value, grads } = backend.valueAndGrads((xa, wa) => f(backend, xa!, wa!, c), [x, w]);
      assertClose('value', backend.dataSync(value), [refValue(xHost, wHost)], tolerance);
      assertClose('d/dx', backend.dataSync(grads[0]!), fd(0), gradientTolerance);
      assertClose('d/dw', backend.dataSync(grads[1]!), fd(1), gradientTolerance);
      backend.dispose([x, w, c, value, ...grads]);
      if (backend.memory().numTensors !== before) {
        fail(`valueAndGrads leaked ${backend.memory().numTensors - before} tensors`);
      }
    },
  });

  return checks;
}
