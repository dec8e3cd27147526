/**
 * Checks that a backend's compiled kernel gives the generic loop's results where float32 arithmetic decides
 * something float64 arithmetic would decide otherwise, or where a NaN or a signed zero reaches an operation: small
 * cells run on chosen inputs by the compiled kernel (`runSequence(..., 'require')`) and by the generic loop
 * (`'never'`) on the same backend, outputs and gradients compared within 1e-6 (float32 rounding apart; each fault
 * these checks were written for was off by 0.1 or more, or in sign), NaN where the generic loop gives NaN. Each
 * case once failed on a generator (see `javascript-generator.ts`' `decidedNodes` and the compiler's gradients of
 * `maximum`, `minimum`, `clip`, `relu` and `abs`).
 */
import {
  type AnyCellPlugin,
  type Backend,
  type CellPlugin,
  type Ops,
  runSequence,
  SeqmodelError,
} from '@seqmodel/core';
import type { ConformanceCheck } from '@seqmodel/core/testing';

/**
 * The outputs of every step, then the gradients of Σ output·w (w from 0.3 by tenths) for the inputs and each
 * parameter, of `cell` at 2 units on `x` of `shape` (every parameter a `[1]` tensor holding 1), by the compiled
 * kernel (`require`) or the generic loop (`never`).
 */
function run<T>(
  b: Backend<T>,
  cell: AnyCellPlugin,
  x: readonly number[],
  shape: readonly [number, number, number],
  policy: 'never' | 'require',
): number[][] {
  const units = 2;
  const [batch, time, inputSize] = shape;
  const inputs = b.tensor(Float32Array.from(x), [...shape]);
  const names = cell.params({ inputSize, units, options: {} }).map((p) => p.name);
  const params = names.map(() => b.tensor([1], [1]));
  const w = b.tensor(
    Float32Array.from({ length: batch * time * units }, (_, i) => 0.3 + 0.1 * i),
    [batch, time, units],
  );
  const sequence = (input: T, ps: readonly T[]) =>
    runSequence(
      b,
      {
        cell,
        units,
        options: {},
        inputs: input,
        params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
        returnSequences: true,
      },
      policy,
    );
  if (!b.valueAndGrads) throw new SeqmodelError(`edge value checks: backend ${b.name} has no autodiff`);
  const { value, grads } = b.valueAndGrads(
    (input, ...ps) => {
      const { output, state } = sequence(input!, ps);
      b.dispose(state);
      return b.sum(b.mul(output, w));
    },
    [inputs, ...params],
  );
  const { output, state } = sequence(inputs, params);
  const result = [output, ...grads].map((t) => Array.from(b.dataSync(t)));
  b.dispose([value, ...grads, output, ...state, inputs, w, ...params]);
  return result;
}

/** Throws unless `actual` is `expected` within 1e-6, NaN where it is NaN. */
function assertClose(name: string, actual: number[][], expected: number[][]): void {
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (a.length !== e.length)
      throw new SeqmodelError(`${name}: array ${i} has ${a.length} values, expected ${e.length}`);
    e.forEach((want, k) => {
      const got = a[k]!;
      const ok = Number.isNaN(want) ? Number.isNaN(got) : Math.abs(got - want) <= 1e-6;
      if (!ok) {
        throw new SeqmodelError(
          `${name}: ${i === 0 ? 'output' : `gradient ${i - 1}`} element ${k} is ${got}, the generic loop gives ${want}`,
        );
      }
    });
  });
}

/** A one-state cell of `step`'s next state (also the output), with parameters `params` (each `[1]`). */
function cellOf(name: string, params: readonly string[], step: CellPlugin['step']): AnyCellPlugin {
  const cell: CellPlugin = {
    specificationVersion: 'v1',
    name,
    defaultOptions: {},
    params: () => params.map((p) => ({ name: p, shape: [1], initializer: 'ones' })),
    state: ({ units }) => [{ name: 'h', size: units }],
    step,
  };
  return cell as AnyCellPlugin;
}

interface EdgeCase {
  readonly name: string;
  readonly cell: AnyCellPlugin;
  readonly x: readonly number[];
  /** Compare the outputs only (where the gradient is NaN at a pole on both paths, by 0 · ∞). */
  readonly outputsOnly?: boolean;
  /** What the generic loop must give, so that the case is what it says (where it is checkable). */
  readonly generic?: (result: number[][]) => boolean;
}

const f32 = Math.fround;
// z = (x + 0.1)/(3k) at x = 0.200002 and k = 1, in float32: the maximum below ties there.
const keptTie = f32(f32(f32(0.200002) + f32(0.1)) / 3);
// (x + 0.1)·3 at x = 0.200002, in float32 (0.90000606; 0.90000599 computed in float64 and rounded once).
const chainTie = f32(f32(f32(0.200002) + f32(0.1)) * 3);
const expTie = f32(Math.exp(chainTie));

const cases: readonly EdgeCase[] = [
  {
    // h' = 0.5 h + [z == 0.3] + max(z, 0.3), z = (x + 0.1)·k: at x = 0.2, z is 0.3 in float32.
    name: 'a comparison and maximum at a float32 tie (x + 0.1 = 0.3 at x = 0.2)',
    cell: cellOf('testFloat32Tie', ['k'], (ops, { input, state, params }) => {
      const z = ops.mul(ops.add(input, 0.1), params.k!);
      const next = ops.add(ops.add(ops.mul(state[0]!, 0.5), ops.equal(z, 0.3)), ops.maximum(z, 0.3));
      return { output: next, state: [next] };
    }),
    x: [0.2, 0.5, 0.2, 0.1],
    generic: (r) => Math.abs(r[0]![0]! - 1.3) < 1e-6,
  },
  {
    // h' = 0.5 h + max(z, C) + where(x + 0.1 − 0.3, 2x, 3x), z = (x + 0.1)/(3k) kept for the backward pass (a
    // division), C the float32 z at x = 0.200002 (a tie there), the where's condition +0 at x = 0.2.
    name: 'a value kept by the forward pass and compared in the backward pass, and a where on a difference',
    cell: cellOf('testKeptTie', ['k'], (ops, { input, state, params }) => {
      const z = ops.div(ops.add(input, 0.1), ops.mul(params.k!, 3));
      const chosen = ops.where(ops.sub(ops.add(input, 0.1), 0.3), ops.mul(input, 2), ops.mul(input, 3));
      const next = ops.add(ops.add(ops.mul(state[0]!, 0.5), ops.maximum(z, keptTie)), chosen);
      return { output: next, state: [next] };
    }),
    x: [0.200002, 0.5, 0.2, 0.1],
    generic: (r) => Math.abs(r[0]![2]! - (0.5 * r[0]![0]! + keptTie + 0.6)) < 1e-6,
  },
  {
    // h' = 0.5 h + max(e^z, E), z = (x·k + 0.1)·3, e^z kept by the forward pass for the backward one's comparison, E
    // its float32 value at x = 0.200002: rounded only at its store, e^z missed the tie.
    name: 'a value kept by the forward pass after a chain of operations, compared in the backward pass',
    cell: cellOf('testKeptChainTie', ['k'], (ops, { input, state, params }) => {
      const z = ops.mul(ops.add(ops.mul(input, params.k!), 0.1), 3);
      const next = ops.add(ops.mul(state[0]!, 0.5), ops.maximum(ops.exp(z), expTie));
      return { output: next, state: [next] };
    }),
    x: [0.200002, 0.5, 0.2, 0.1],
    // The tie sends the gradient to e^z: the input's is nonzero at the first element.
    generic: (r) => r[1]![0] !== 0,
  },
  {
    // h' = (x + 0.1)·3 + 0.5 [h == C]: the comparison reads the state the last step stored, C its float32 value.
    name: 'a state compared at the next step, at a float32 tie',
    cell: cellOf('testStateTie', [], (ops, { input, state }) => {
      const next = ops.add(ops.mul(ops.add(input, 0.1), 3), ops.mul(ops.equal(state[0]!, chainTie), 0.5));
      return { output: next, state: [next] };
    }),
    x: [0.200002, 0.2, 0.200002, 0.1],
    // At step 1 the first column compares its last value, C, with C: 0.9 + 0.5.
    generic: (r) => r[0]![2]! > 1.3,
  },
  {
    name: 'a division by a difference that is 0 in float32 (1 / (x + 0.1 − 0.3) at x = 0.2 is +∞)',
    cell: cellOf('testFloat32Pole', [], (ops, { input, state }) => {
      const next = ops.add(ops.tanh(ops.div(1, ops.sub(ops.add(input, 0.1), 0.3))), ops.mul(state[0]!, 0.5));
      return { output: next, state: [next] };
    }),
    x: [0.2, 0.5, 0.2, 0.1],
    outputsOnly: true,
    generic: (r) => r[0]![0] === 1,
  },
  // h' = op(x) + 0.5 h with a NaN in each step's input: tfjs sends no gradient through maximum, minimum or clip at
  // a NaN (it tests a ≥ b, a ≤ b, min ≤ x ≤ max), and NaN through relu and abs (step(x)).
  ...(
    [
      ['maximum', (ops, x, h) => ops.maximum(x, h)],
      ['maximum (NaN second)', (ops, x, h) => ops.maximum(h, x)],
      ['minimum', (ops, x, h) => ops.minimum(h, x)],
      ['minimum (NaN first)', (ops, x, h) => ops.minimum(x, h)],
      ['clip', (ops, x) => ops.clip(x, -1, 1)],
      ['relu', (ops, x) => ops.relu(x)],
      // neg flips the NaN's sign bit on both paths: tfjs-wasm's relu (a sign test) gives 0 there.
      ['relu of a negated NaN', (ops, x) => ops.relu(ops.neg(x))],
      ['abs', (ops, x) => ops.abs(x)],
    ] as const satisfies readonly (readonly [string, <T>(ops: Ops<T>, x: T, h: T) => T])[]
  ).map(
    ([op, f]): EdgeCase => ({
      name: `the gradient of ${op} at a NaN`,
      cell: cellOf(`testNaN${op.replace(/\W/g, '')}`, [], (ops, { input, state }) => {
        const next = ops.add(f(ops, input, state[0]!), ops.mul(state[0]!, 0.5));
        return { output: next, state: [next] };
      }),
      x: [Number.NaN, -0.5, 0.3, Number.NaN],
    }),
  ),
  {
    // clip(−0, −1, 0) is −0 in tfjs-cpu and +0 in tfjs-wasm (XNNPACK's clamp takes the bound first).
    name: 'clip at −0, seen through 1 / clip(x, −1, 0)',
    cell: cellOf('testClipZero', [], (ops, { input, state }) => {
      const next = ops.add(ops.tanh(ops.div(1, ops.clip(input, -1, 0))), ops.mul(state[0]!, 0.5));
      return { output: next, state: [next] };
    }),
    x: [-0, 0.5, -0.5, -0],
    outputsOnly: true,
  },
  {
    name: '0 − relu(x) is +0 at x ≤ 0, so 1 / (0 − relu(x)) is +∞',
    cell: cellOf('testSignedZero', [], (ops, { input, state }) => {
      const d = ops.sub(0, ops.relu(input));
      const next = ops.add(ops.tanh(ops.div(1, d)), ops.mul(state[0]!, 0.5));
      return { output: next, state: [next] };
    }),
    x: [-0.5, 0.5, 0, 2],
    outputsOnly: true,
    generic: (r) => r[0]![0] === 1,
  },
];

/** The checks on `backend`, whose compiled kernel must take each case (see the module comment). */
export function compiledEdgeValueChecks<T>(backend: Backend<T>): ConformanceCheck[] {
  return cases.map((c) => ({
    name: `${backend.name}: ${c.name}`,
    run() {
      const shape = [1, 2, 2] as const;
      const generic = run(backend, c.cell, c.x, shape, 'never');
      if (c.generic && !c.generic(generic)) {
        throw new SeqmodelError(
          `${c.name}: the generic loop gave ${JSON.stringify(generic)}, not the case intended`,
        );
      }
      const compiled = run(backend, c.cell, c.x, shape, 'require');
      const [want, got] = c.outputsOnly ? [[generic[0]!], [compiled[0]!]] : [generic, compiled];
      assertClose(`${backend.name}, ${c.name}`, got, want);
    },
  }));
}
