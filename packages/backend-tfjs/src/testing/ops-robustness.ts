/**
 * Generated bad calls of every `Ops` method and of tensor creation and readback, for the robustness suite (core's
 * `classifyCase`: clear error / silent / unclear error / crash / leak / changed). Each tensor argument gets things that are not a live tensor
 * of the backend (numbers, null, plain arrays and objects, a disposed tensor); each axis, shape, size or depth gets
 * values out of range, fractional, NaN or of the wrong type. Every call must throw a `SeqmodelError` naming the
 * argument and leave no tensor behind. The cases are plain objects, for any test runner.
 */
import type { Backend } from '@seqmodel/core';
import type { RobustnessCase } from '@seqmodel/core/testing';

/** The backend's tensors an `Ops` case starts from; created once, freed by the caller (`dispose`). */
export interface OpsFixtures<T> {
  /** `[2, 3]` float32. */
  readonly matrix: T;
  /** `[2, 3, 4]` float32. */
  readonly cube: T;
  /** `[3]` int32 ids `[0, 1, 2]`. */
  readonly ids: T;
  /** A tensor disposed before the cases run. */
  readonly disposed: T;
  /** Frees the live fixtures. */
  dispose(): void;
}

export function opsFixtures<T>(b: Backend<T>): OpsFixtures<T> {
  const matrix = b.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const cube = b.fill([2, 3, 4], 0.5);
  const ids = b.tensor([0, 1, 2], [3], 'int32');
  const disposed = b.fill([2, 3], 1);
  b.dispose(disposed);
  return { matrix, cube, ids, disposed, dispose: () => b.dispose([matrix, cube, ids]) };
}

/** Values that are not a live tensor of the backend, with labels. */
function notTensors<T>(f: OpsFixtures<T>): [string, unknown][] {
  return [
    ['a number', 3],
    ['null', null],
    ['undefined', undefined],
    ['a nested array', [[1, 2]]],
    ['a plain object', { shape: [2], data: [1, 2] }],
    ['a disposed tensor', f.disposed],
  ];
}

const badAxes: [string, unknown][] = [
  ['an axis past the rank', 5],
  ['an axis below -rank', -4],
  ['a fractional axis', 1.5],
  ['NaN', Number.NaN],
  ['a string axis', '1'],
];

const badShapes: [string, unknown][] = [
  ['a negative dimension', [-2, 3]],
  ['a fractional dimension', [1.5, 2]],
  ['NaN in the shape', [Number.NaN]],
  ['a string', '2,3'],
  ['null', null],
];

type Call<T> = (b: Backend<T>, f: OpsFixtures<T>, bad: unknown) => unknown;

interface ArgumentSpec<T> {
  readonly entry: string;
  /** What the message must name. */
  readonly argument: string;
  readonly values: (f: OpsFixtures<T>) => [string, unknown][];
  readonly call: Call<T>;
}

function specs<T>(): ArgumentSpec<T>[] {
  const tensorArg = (entry: string, argument: string, call: Call<T>): ArgumentSpec<T> => ({
    entry,
    argument,
    values: notTensors,
    call,
  });
  const unary = ['neg', 'exp', 'log', 'sqrt', 'abs', 'sigmoid', 'tanh', 'relu', 'erf'] as const;
  const binary = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'greater', 'equal'] as const;
  return [
    // Readback and memory.
    tensorArg('shape', 'shape(x)', (b, _, x) => b.shape(x as T)),
    tensorArg('toArray', 'toArray(x)', (b, _, x) => b.toArray(x as T)),
    tensorArg('dataSync', 'dataSync(x)', (b, _, x) => b.dataSync(x as T)),
    tensorArg('data', 'data(x)', (b, _, x) => b.data(x as T)),
    tensorArg('dtype', 'dtype(x)', (b, _, x) => b.dtype(x as T)),
    tensorArg('cast', 'cast(x)', (b, _, x) => b.cast(x as T, 'float32')),
    // Elementwise.
    ...unary.map((op) => tensorArg(op, `${op}(x)`, (b, _, x) => (b[op] as (t: T) => T)(x as T))),
    ...binary.flatMap((op) => [
      // A number is a valid operand (a scalar), so only the other non-tensors.
      {
        entry: op,
        argument: `${op}(a)`,
        values: (f: OpsFixtures<T>) => notTensors(f).filter(([, v]) => typeof v !== 'number'),
        call: (b: Backend<T>, f: OpsFixtures<T>, x: unknown) =>
          (b[op] as (p: unknown, q: T) => T)(x, f.matrix),
      },
      {
        entry: op,
        argument: `${op}(a, b)`,
        values: (f: OpsFixtures<T>): [string, unknown][] => [['a shape that does not broadcast', f.cube]],
        call: (b: Backend<T>, f: OpsFixtures<T>, y: unknown) =>
          (b[op] as (p: T, q: unknown) => T)(f.matrix, y),
      },
    ]),
    tensorArg('where', 'where(condition)', (b, f, x) => b.where(x as T, f.matrix, f.matrix)),
    tensorArg('clip', 'clip(x)', (b, _, x) => b.clip(x as T, 0, 1)),
    {
      entry: 'clip',
      argument: 'clip(min, max)',
      values: () => [
        ['min above max', [2, 1]],
        ['NaN bounds', [Number.NaN, 1]],
        ['string bounds', ['0', 1]],
      ],
      call: (b, f, bounds) => b.clip(f.matrix, ...(bounds as [number, number])),
    },
    // Products and layout.
    tensorArg('matMul', 'matMul(a)', (b, f, x) => b.matMul(x as T, f.matrix)),
    tensorArg('matMul', 'matMul(b)', (b, f, x) => b.matMul(f.matrix, x as T, false, true)),
    {
      entry: 'matMul',
      argument: 'matMul(a, b)',
      values: (f) => [
        ['unequal inner sizes', f.matrix],
        ['a rank-3 operand', f.cube],
      ],
      call: (b, f, y) => b.matMul(f.matrix, y as T),
    },
    tensorArg('reshape', 'reshape(x)', (b, _, x) => b.reshape(x as T, [6])),
    {
      entry: 'reshape',
      argument: 'reshape(shape)',
      values: () => [...badShapes, ['another size', [4]], ['two -1s', [-1, -1]]],
      call: (b, f, shape) => b.reshape(f.matrix, shape as number[]),
    },
    tensorArg('transpose', 'transpose(x)', (b, _, x) => b.transpose(x as T)),
    {
      entry: 'transpose',
      argument: 'transpose(perm)',
      values: () => [
        ['a repeated axis', [0, 0]],
        ['too few axes', [1]],
        ['an axis past the rank', [0, 2]],
        ['a string', '1,0'],
      ],
      call: (b, f, perm) => b.transpose(f.matrix, perm as number[]),
    },
    tensorArg('slice', 'slice(x)', (b, _, x) => b.slice(x as T, [0, 0], [1, 1])),
    {
      entry: 'slice',
      argument: 'begin',
      values: () => [
        ['a begin past the end', [3, 0]],
        ['a negative begin', [-1, 0]],
        ['too few dimensions', [0]],
        ['a string', '0,0'],
      ],
      call: (b, f, begin) => b.slice(f.matrix, begin as number[], [1, 1]),
    },
    {
      entry: 'slice',
      argument: 'size',
      values: () => [
        ['a size past the end', [2, 3]],
        ['a fractional size', [1.5, 1]],
        ['a size of -2', [-2, 1]],
        ['too many dimensions', [1, 1, 1]],
      ],
      call: (b, f, size) => b.slice(f.matrix, [1, 0], size as number[]),
    },
    {
      entry: 'concat',
      argument: 'concat(xs',
      values: (f) => [
        ['not an array', f.matrix],
        ['a number among the tensors', [f.matrix, 3]],
        ['a disposed tensor among them', [f.matrix, f.disposed]],
        ['tensors of different ranks', [f.matrix, f.cube]],
      ],
      call: (b, _, xs) => b.concat(xs as T[], 0),
    },
    {
      entry: 'concat',
      argument: 'axis',
      values: () => badAxes,
      call: (b, f, axis) => b.concat([f.matrix, f.matrix], axis as number),
    },
    {
      entry: 'stack',
      argument: 'stack(xs',
      values: (f) => [
        ['not an array', f.matrix],
        ['a number among the tensors', [f.matrix, 3]],
        ['tensors of different shapes', [f.matrix, f.cube]],
        ['no tensors', []],
      ],
      call: (b, _, xs) => b.stack(xs as T[], 0),
    },
    {
      entry: 'stack',
      argument: 'axis',
      values: () => badAxes,
      call: (b, f, axis) => b.stack([f.matrix, f.matrix], axis as number),
    },
    tensorArg('unstack', 'unstack(x)', (b, _, x) => b.unstack(x as T, 0)),
    {
      entry: 'unstack',
      argument: 'unstack(axis)',
      values: () => badAxes,
      call: (b, f, axis) => b.unstack(f.matrix, axis as number),
    },
    tensorArg('gather', 'gather(x)', (b, f, x) => b.gather(x as T, f.ids)),
    tensorArg('gather', 'gather(indices)', (b, f, i) => b.gather(f.matrix, i as T)),
    {
      entry: 'gather',
      argument: 'gather(indices)',
      values: (f) => [
        ['float32 indices', f.matrix],
        ['an index past the rows', 'past'],
        ['a negative index', 'negative'],
      ],
      call: (b, f, which) => {
        if (which !== 'past' && which !== 'negative') return b.gather(f.matrix, which as T);
        const i = b.tensor([which === 'past' ? 7 : -1], [1], 'int32');
        try {
          return b.gather(f.matrix, i);
        } finally {
          b.dispose(i);
        }
      },
    },
    {
      entry: 'gather',
      argument: 'gather(axis)',
      values: () => badAxes,
      call: (b, f, axis) => b.gather(f.matrix, f.ids, axis as number),
    },
    tensorArg('oneHot', 'oneHot(indices)', (b, _, i) => b.oneHot(i as T, 3)),
    {
      entry: 'oneHot',
      argument: 'oneHot(depth)',
      values: () => [
        ['0', 0],
        ['-1', -1],
        ['1.5', 1.5],
        ['NaN', Number.NaN],
        ['a string', '3'],
      ],
      call: (b, f, depth) => b.oneHot(f.ids, depth as number),
    },
    {
      entry: 'oneHot',
      argument: 'oneHot(indices)',
      values: (f) => [['float32 indices', f.matrix]],
      call: (b, _, i) => b.oneHot(i as T, 3),
    },
    // Reductions and softmax.
    ...(['sum', 'max'] as const).flatMap((op) => [
      tensorArg(op, `${op}(x)`, (b, _, x) => b[op](x as T)),
      {
        entry: op,
        argument: `${op}(axes)`,
        values: (): [string, unknown][] => [...badAxes, ['an array with an axis past the rank', [0, 2]]],
        call: (b: Backend<T>, f: OpsFixtures<T>, axes: unknown) => b[op](f.matrix, axes as number),
      },
    ]),
    tensorArg('argMax', 'argMax(x)', (b, _, x) => b.argMax(x as T, 0)),
    {
      entry: 'argMax',
      argument: 'argMax(axis)',
      values: () => badAxes,
      call: (b, f, axis) => b.argMax(f.matrix, axis as number),
    },
    ...(['softmax', 'logSoftmax'] as const).flatMap((op) => [
      tensorArg(op, `${op}(x)`, (b, _, x) => b[op]!(x as T)),
      {
        entry: op,
        argument: `${op}(axis)`,
        values: (): [string, unknown][] => badAxes,
        call: (b: Backend<T>, f: OpsFixtures<T>, axis: unknown) => b[op]!(f.matrix, axis as number),
      },
    ]),
    // Creation.
    {
      entry: 'tensor',
      argument: 'tensor(',
      values: () => [
        [
          'values of another size than the shape',
          [
            [1, 2, 3],
            [2, 2],
          ],
        ],
        ['ragged nested arrays', [[[1, 2], [3]]]],
        ['a string among the values', [[1, 'x']]],
        ['NaN in the shape', [[1], [Number.NaN]]],
        ['a dtype of bool', [[1], [1], 'bool']],
        ['a string', ['abc']],
      ],
      call: (b, _, args) => b.tensor(...(args as Parameters<Backend<T>['tensor']>)),
    },
    {
      entry: 'fill',
      argument: 'fill(',
      values: (): [string, unknown][] => [
        ...badShapes.map(([label, shape]): [string, unknown] => [label, [shape, 1]]),
        ['a string value', [[2], 'x']],
        ['a dtype of string', [[2], 1, 'string']],
      ],
      call: (b, _, args) => b.fill(...(args as Parameters<Backend<T>['fill']>)),
    },
    {
      entry: 'cast',
      argument: 'cast(dtype)',
      values: () => [
        ['bool', 'bool'],
        ['a number', 3],
      ],
      call: (b, f, dtype) => b.cast(f.matrix, dtype as 'float32'),
    },
    // Memory and autodiff.
    {
      entry: 'tidy',
      argument: 'tidy(fn)',
      values: () => [
        ['a number', 3],
        ['null', null],
      ],
      call: (b, _, fn) => b.tidy(fn as () => T),
    },
    {
      entry: 'valueAndGrads',
      argument: 'valueAndGrads(',
      values: (f) => [
        ['f not a function', ['f', [f.matrix]]],
        ['no arguments', [(x: T) => x, []]],
        ['a number argument', [(x: T) => x, [3]]],
        ['f returning a matrix', [(x: T) => x, [f.matrix]]],
        ['f returning a number', [() => 1, [f.matrix]]],
      ],
      call: (b, _, args) => b.valueAndGrads!(...(args as [(x: T) => T, T[]])),
    },
  ];
}

/**
 * Every generated bad call of `backend`'s ops, tensor creation, readback, memory and autodiff. Create the
 * fixtures with {@link opsFixtures} first and dispose them after the cases ran.
 */
export function opsRobustnessCases<T>(backend: Backend<T>, fixtures: OpsFixtures<T>): RobustnessCase[] {
  return specs<T>().flatMap((spec) =>
    spec
      .values(fixtures)
      .filter(() => spec.entry !== 'valueAndGrads' || backend.valueAndGrads !== undefined)
      .map(([label, value]) => ({
        entry: spec.entry,
        argument: spec.argument,
        received: label,
        call: () => spec.call(backend, fixtures, value),
      })),
  );
}
