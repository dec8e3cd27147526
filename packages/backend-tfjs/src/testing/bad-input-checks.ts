/**
 * Bad input through the public API: each case makes a call a user can get wrong and checks that it throws a
 * `SeqmodelError` whose message names the argument, what was received and what was expected, and that the failed
 * call left no tensor behind.
 */
import {
  type Backend,
  initParamTensors,
  lstm,
  resolveCellOptions,
  runSequence,
  SeqmodelError,
} from '@seqmodel/core';
import { type ConformanceCheck, checkNoLeak } from '@seqmodel/core/testing';

interface ErrorCase<T> {
  readonly name: string;
  /** Tensors the call uses; freed after the check. */
  readonly setup: (b: Backend<T>) => T[];
  readonly call: (b: Backend<T>, xs: T[]) => unknown;
  /** Fragments the message must contain. */
  readonly expected: readonly string[];
}

/** Throws unless `fn` throws a SeqmodelError containing every fragment. */
export function expectSeqmodelError(what: string, fn: () => unknown, expected: readonly string[]): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  checkSeqmodelError(what, error, expected);
}

/** {@link expectSeqmodelError} for an asynchronous `fn` (a backend factory that initializes). */
export async function expectSeqmodelErrorAsync(
  what: string,
  fn: () => Promise<unknown>,
  expected: readonly string[],
): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  checkSeqmodelError(what, error, expected);
}

function checkSeqmodelError(what: string, error: unknown, expected: readonly string[]): void {
  if (error === undefined) throw new SeqmodelError(`${what}: expected an error, none was thrown`);
  const message = (error as Error).message;
  if ((error as Error).name !== 'SeqmodelError') {
    throw new SeqmodelError(
      `${what}: expected a SeqmodelError, received ${(error as Error).name}: ${message}`,
    );
  }
  const missing = expected.filter((fragment) => !message.includes(fragment));
  if (missing.length > 0) {
    throw new SeqmodelError(
      `${what}: the message ${JSON.stringify(message)} lacks ${JSON.stringify(missing)}`,
    );
  }
}

function opCases<T>(): ErrorCase<T>[] {
  const fill = (b: Backend<T>, ...shapes: number[][]) => shapes.map((s) => b.fill(s, 1));
  return [
    {
      name: 'matMul with unequal inner sizes',
      setup: (b) => fill(b, [3, 5], [4, 4]),
      call: (b, [x, y]) => b.matMul(x!, y!),
      expected: ['matMul(a, b): expected equal inner sizes', 'k = 5', 'k = 4', '[3, 5]', '[4, 4]'],
    },
    {
      name: 'matMul with transposeB and unequal inner sizes',
      setup: (b) => fill(b, [3, 5], [4, 6]),
      call: (b, [x, y]) => b.matMul(x!, y!, false, true),
      expected: ['matMul(a, b): expected equal inner sizes', 'k = 5', 'k = 6'],
    },
    {
      name: 'matMul of a rank-2 and a rank-3 tensor',
      setup: (b) => fill(b, [2, 3], [1, 3, 2]),
      call: (b, [x, y]) => b.matMul(x!, y!),
      expected: ['matMul(a, b): expected two rank-2', '[2, 3] and [1, 3, 2]'],
    },
    {
      name: 'batched matMul with unequal batch sizes',
      setup: (b) => fill(b, [2, 3, 4], [3, 4, 2]),
      call: (b, [x, y]) => b.matMul(x!, y!),
      expected: ['matMul(a, b): expected equal batch sizes', '[2, 3, 4] and [3, 4, 2]'],
    },
    {
      name: 'reshape to a different number of elements',
      setup: (b) => fill(b, [2, 3]),
      call: (b, [x]) => b.reshape(x!, [4]),
      expected: ['reshape(shape): expected a shape of 6 elements', 'received [4] (4 elements)'],
    },
    {
      name: 'reshape with -1 that cannot divide',
      setup: (b) => fill(b, [2, 3]),
      call: (b, [x]) => b.reshape(x!, [-1, 4]),
      expected: ['reshape(shape): cannot reshape [2, 3] (6 elements) to [-1, 4]'],
    },
    {
      name: 'add of shapes that do not broadcast',
      setup: (b) => fill(b, [2, 3], [4]),
      call: (b, [x, y]) => b.add(x!, y!),
      expected: ['add(a, b): expected shapes that broadcast together', '[2, 3] and [4]'],
    },
    {
      name: 'where with a condition that does not broadcast',
      setup: (b) => fill(b, [3, 1], [2, 4]),
      call: (b, [c, x]) => b.where(c!, x!, 0),
      expected: ['where(condition, a, b): expected shapes that broadcast together', '[3, 1] and [2, 4]'],
    },
    {
      name: 'concat of shapes that differ off the axis',
      setup: (b) => fill(b, [2, 3], [3, 2]),
      call: (b, [x, y]) => b.concat([x!, y!], 1),
      expected: ['concat(xs): expected shapes equal except along axis 1', '[2, 3], [3, 2]'],
    },
    {
      name: 'stack of unequal shapes',
      setup: (b) => fill(b, [2, 3], [2, 2]),
      call: (b, [x, y]) => b.stack([x!, y!], 0),
      expected: ['stack(xs): expected equal shapes', '[2, 3], [2, 2]'],
    },
    {
      name: 'slice outside the tensor',
      setup: (b) => fill(b, [3, 4]),
      call: (b, [x]) => b.slice(x!, [1, 2], [2, 3]),
      expected: ['slice(begin, size): expected a block inside shape [3, 4]', 'begin [1, 2] and size [2, 3]'],
    },
    {
      name: 'transpose with a bad permutation',
      setup: (b) => fill(b, [2, 3, 4]),
      call: (b, [x]) => b.transpose(x!, [0, 0, 1]),
      expected: ['transpose(perm): expected a permutation of 0..2', 'received [0, 0, 1]'],
    },
    {
      name: 'sum over an axis the tensor lacks',
      setup: (b) => fill(b, [2, 3]),
      call: (b, [x]) => b.sum(x!, 2),
      expected: ['sum(axes): expected an integer axis in [-2, 1], received 2'],
    },
    {
      name: 'unstack along an axis the tensor lacks',
      setup: (b) => fill(b, [2, 3]),
      call: (b, [x]) => b.unstack(x!, -3),
      expected: ['unstack(axis): expected an integer axis in [-2, 1], received -3'],
    },
    {
      name: 'gather with an index out of range',
      setup: (b) => [
        b.fill([5, 2], 1),
        b.tensor(
          [
            [0, 4],
            [7, 1],
          ],
          undefined,
          'int32',
        ),
      ],
      call: (b, [x, i]) => b.gather(x!, i!, 0),
      expected: ['gather(indices)[1, 0]: expected an index in [0, 4], received 7'],
    },
    {
      name: 'gather with float indices',
      setup: (b) => [b.fill([5, 2], 1), b.tensor([0, 1])],
      call: (b, [x, i]) => b.gather(x!, i!, 0),
      expected: ['gather(indices): expected an int32 tensor, received "a float32 tensor"'],
    },
    {
      name: 'oneHot with depth 0',
      setup: (b) => [b.tensor([0, 1], undefined, 'int32')],
      call: (b, [i]) => b.oneHot(i!, 0),
      expected: ['oneHot(depth): expected a positive integer, received 0'],
    },
    {
      name: 'clip with min above max',
      setup: (b) => fill(b, [2]),
      call: (b, [x]) => b.clip(x!, 1, 0),
      expected: ['clip(min, max): expected numbers with min <= max, received [1, 0]'],
    },
    {
      name: 'tensor values that do not fill the shape',
      setup: () => [],
      call: (b) => b.tensor([1, 2, 3, 4, 5], [2, 3]),
      expected: ['tensor(values, shape): expected 6 values to fill shape [2, 3], received 5'],
    },
    {
      name: 'tensor from a ragged nested array',
      setup: () => [],
      call: (b) => b.tensor([[1, 2], [3]]),
      expected: ['tensor(values): expected a nested array of equal-length rows', 'received length 1 at [1]'],
    },
    {
      name: 'tensor from a typed array without a shape',
      setup: () => [],
      call: (b) => b.tensor(Float32Array.of(1, 2)),
      expected: ['tensor(shape): expected a shape when values is a typed array'],
    },
    {
      name: 'fill with a negative size',
      setup: () => [],
      call: (b) => b.fill([2, -1], 0),
      expected: ['fill(shape): expected an array of non-negative integers, received [2, -1]'],
    },
    {
      name: 'cast to an unknown dtype',
      setup: (b) => fill(b, [2]),
      call: (b, [x]) => b.cast(x!, 'bool' as 'int32'),
      expected: ['cast(dtype): expected "float32" or "int32", received "bool"'],
    },
    {
      name: 'a disposed tensor',
      setup: (b) => {
        const x = b.fill([2], 1);
        b.dispose(x);
        return [x];
      },
      call: (b, [x]) => b.add(x!, 1),
      expected: ['add(a): expected a live tensor, received tensor [2], which was already disposed'],
    },
    {
      name: 'something that is not a tensor',
      setup: (b) => fill(b, [2]),
      call: (b, [x]) => b.mul(x!, [1, 2] as unknown as T),
      expected: ['mul(b): expected a tensor of backend', 'received [1, 2]'],
    },
  ];
}

/** An LSTM call (inputSize 3, units 4, batch 2, time 5) with one argument replaced. */
function sequenceCases<T>(): ErrorCase<T>[] {
  const options = resolveCellOptions(lstm, {});
  const make = (b: Backend<T>) => {
    const params = initParamTensors(b, lstm, { inputSize: 3, units: 4 }, 7);
    return [b.fill([2, 5, 3], 0.5), params.kernel!, params.recurrentKernel!, params.bias!];
  };
  const run =
    (change: (b: Backend<T>, xs: T[]) => Record<string, unknown>) =>
    (b: Backend<T>, xs: T[]): unknown => {
      const [inputs, kernel, recurrentKernel, bias] = xs;
      return runSequence(b, {
        cell: lstm,
        options,
        units: 4,
        inputs: inputs!,
        params: { kernel: kernel!, recurrentKernel: recurrentKernel!, bias: bias! },
        ...change(b, xs),
      } as Parameters<typeof runSequence<T>>[1]);
    };
  return [
    {
      name: 'runSequence with inputs of rank 2',
      setup: (b) => [...make(b), b.fill([2, 3], 0)],
      call: run((_b, xs) => ({ inputs: xs[4] })),
      expected: ['lstm inputs: expected rank 3 [batch, time, features], received shape [2, 3] (rank 2)'],
    },
    {
      name: 'runSequence with initial state of another batch size',
      setup: (b) => [...make(b), b.fill([3, 4], 0), b.fill([3, 4], 0)],
      call: run((_b, xs) => ({ initialState: [xs[4], xs[5]] })),
      expected: ['lstm initialState[0] (h): expected shape [2, 4], received shape [3, 4]'],
    },
    {
      name: 'runSequence with too few initial states',
      setup: (b) => [...make(b), b.fill([2, 4], 0)],
      call: run((_b, xs) => ({ initialState: [xs[4]] })),
      expected: ['lstm initialState: expected 2 tensors (h, c), received 1'],
    },
    {
      name: 'runSequence with inputs whose features do not match the kernel',
      setup: (b) => [...make(b), b.fill([2, 5, 7], 0)],
      call: run((_b, xs) => ({ inputs: xs[4] })),
      expected: [
        'lstm params.kernel: expected shape [7, 16] (inputSize 7 from inputs [2, 5, 7], units 4)',
        '[3, 16]',
      ],
    },
    {
      name: 'runSequence with a mask of another length',
      setup: (b) => [...make(b), b.fill([2, 4], 1)],
      call: run((_b, xs) => ({ mask: xs[4] })),
      expected: ['lstm mask: expected shape [2, 5], received shape [2, 4]'],
    },
    // The next three are named alike whichever path runs (a fused kernel's or the generic loop).
    {
      name: 'runSequence with a mask given as nested arrays',
      setup: make,
      call: run(() => ({
        mask: [
          [1, 1, 1, 1, 1],
          [1, 1, 1, 1, 0],
        ],
      })),
      expected: ['lstm mask: expected a', 'received [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]'],
    },
    {
      name: 'runSequence with a disposed kernel',
      setup: (b) => {
        const xs = make(b);
        b.dispose(xs[1]!);
        return xs;
      },
      call: run(() => ({})),
      expected: [
        'lstm params.kernel: expected a live tensor, received tensor [3, 16], which was already disposed',
      ],
    },
    {
      name: 'runSequence with goBackwards given as a string',
      setup: make,
      call: run(() => ({ goBackwards: 'false' })),
      expected: ['lstm goBackwards: expected true or false, received "false"'],
    },
  ];
}

/** The bad-input checks; see the module comment. */
export function badInputChecks<T>(backend: Backend<T>): ConformanceCheck[] {
  return [...opCases<T>(), ...sequenceCases<T>()].map((c) => ({
    name: `backend ${backend.name}: ${c.name}`,
    run() {
      const xs = c.setup(backend);
      try {
        checkNoLeak(backend, `${c.name}: the failed call`, () => {
          expectSeqmodelError(c.name, () => c.call(backend, xs), c.expected);
        });
      } finally {
        backend.dispose(xs);
      }
    },
  }));
}
