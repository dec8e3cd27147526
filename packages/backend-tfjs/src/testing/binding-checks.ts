/**
 * Checks of what the binding adds on top of the `Ops` contract: autodiff corner cases, memory discipline when calls
 * throw, readback copies, the numerics check, and training end to end (a built-in cell and a plugin cell, SGD).
 */
import {
  type Backend,
  elu,
  initParamTensors,
  lstm,
  resolveCellOptions,
  runSequence,
  SeqmodelError,
  type SequenceArgs,
} from '@seqmodel/core';
import { assertClose, type ConformanceCheck, checkNoLeak } from '@seqmodel/core/testing';
import { expectSeqmodelError } from './bad-input-checks.js';
import { minimalGatedUnit } from './plugin-cell.js';

/** A backend whose numerics check can be switched (as `TfjsBackend`'s can). */
export type SwitchableNumerics<T> = Backend<T> & { checkNumerics: boolean };

function fail(message: string): never {
  throw new SeqmodelError(message);
}

function lstmArgs<T>(inputs: T, params: Record<string, T>): SequenceArgs<T> {
  return {
    cell: lstm,
    options: resolveCellOptions(lstm, {}),
    units: 4,
    inputs,
    params,
    returnSequences: true,
  };
}

/** Trains `cell` for `steps` SGD steps on a fixed regression target; returns the first and last losses. */
function train<T>(backend: Backend<T>, cell: typeof minimalGatedUnit | typeof lstm, steps: number) {
  const config = { inputSize: 3, units: 4 };
  const params = initParamTensors(backend, cell, config, 11);
  const names = Object.keys(params);
  const inputs = backend.tidy(() =>
    backend.mul(backend.sub(backend.tensor(sequence(2 * 6 * 3), [2, 6, 3]), 0.5), 2),
  );
  const target = backend.tensor(
    sequence(2 * 4).map((v) => v - 0.5),
    [2, 4],
  );
  const options = resolveCellOptions(cell, {});
  const losses: number[] = [];
  let counts: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { value, grads } = backend.valueAndGrads!(
      (...ps: T[]) => {
        const p: Record<string, T> = {};
        names.forEach((n, i) => {
          p[n] = ps[i]!;
        });
        const { output } = runSequence(backend, { cell, options, units: config.units, inputs, params: p });
        const diff = backend.sub(output, target);
        return backend.div(backend.sum(backend.mul(diff, diff)), 8);
      },
      names.map((n) => params[n]!),
    );
    losses.push(backend.dataSync(value)[0]!);
    names.forEach((n, i) => {
      const updated = backend.tidy(() => backend.sub(params[n]!, backend.mul(grads[i]!, 0.5)));
      backend.dispose(params[n]!);
      params[n] = updated;
    });
    backend.dispose([value, ...grads]);
    counts.push(backend.memory().numTensors);
  }
  backend.dispose([inputs, target, ...Object.values(params)]);
  counts = counts.slice(1);
  return {
    first: losses[0]!,
    last: losses[losses.length - 1]!,
    steady: counts.every((c) => c === counts[0]),
  };
}

/** Deterministic values in [0, 1). */
function sequence(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1).map((v) =>
    Math.abs(v),
  );
}

/** The binding checks; see the module comment. */
export function bindingChecks<T>(backend: SwitchableNumerics<T>): ConformanceCheck[] {
  const label = `backend ${backend.name}`;
  const vg = (f: (...xs: T[]) => T, xs: T[]) => {
    if (!backend.valueAndGrads) fail(`${label} has no valueAndGrads`);
    return backend.valueAndGrads(f, xs);
  };
  return [
    {
      name: `${label}: an op called outside tidy leaves exactly its results behind`,
      run() {
        const x = backend.tensor([
          [1, -2, 3],
          [-4, 5, -6],
        ]);
        const m = backend.tensor([[1], [0]]);
        const i = backend.tensor([0, 2], undefined, 'int32');
        const calls: [string, () => T | T[]][] = [
          ['add(x, 1)', () => backend.add(x, 1)],
          ['sub(2, x)', () => backend.sub(2, x)],
          ['maximum(x, 0)', () => backend.maximum(x, 0)],
          ['greater(x, 0)', () => backend.greater(x, 0)],
          ['equal(x, x)', () => backend.equal(x, x)],
          ['where(m, x, 0)', () => backend.where(m, x, 0)],
          ['where(m, 1, 2)', () => backend.where(m, 1, 2)],
          ['oneHot(i, 1)', () => backend.oneHot(i, 1)],
          ['oneHot(i, 3)', () => backend.oneHot(i, 3)],
          ['softmax(x, 0)', () => backend.softmax!(x, 0)],
          ['logSoftmax(x, 0)', () => backend.logSoftmax!(x, 0)],
          ['unstack(x, 1)', () => backend.unstack(x, 1)],
          ['gather(x, i, 1)', () => backend.gather(x, i, 1)],
          ['clip(x, 0, 1)', () => backend.clip(x, 0, 1)],
        ];
        for (const [what, call] of calls) {
          const before = backend.memory().numTensors;
          const result = call();
          const made = Array.isArray(result) ? result.length : 1;
          const after = backend.memory().numTensors;
          backend.dispose(result);
          if (after - before !== made)
            fail(`${what}: ${after - before} new tensors, expected ${made} (its results)`);
        }
        backend.dispose([x, m, i]);
      },
    },
    {
      name: `${label}: valueAndGrads gives a zero gradient for an argument the value does not use`,
      run() {
        const [x, y] = [backend.tensor([1, 2]), backend.tensor([[3, 4]])];
        const { value, grads } = vg((a) => backend.sum(backend.mul(a!, a!)), [x, y]);
        assertClose('d/dx', backend.dataSync(grads[0]!), [2, 4], { atol: 1e-6, rtol: 0 });
        assertClose('d/dy', backend.dataSync(grads[1]!), [0, 0], { atol: 0, rtol: 0 });
        if (backend.shape(grads[1]!).join() !== '1,2') fail(`d/dy has shape ${backend.shape(grads[1]!)}`);
        backend.dispose([x, y, value, ...grads]);
      },
    },
    {
      name: `${label}: gradients flow through where(greater(x, 0), ...) (ELU)`,
      run() {
        const host = [-2, -0.5, 0.5, 3];
        const x = backend.tensor(host);
        const { value, grads } = vg((a) => backend.sum(elu(backend, a!)), [x]);
        const expected = host.map((v) => (v > 0 ? 1 : Math.exp(v)));
        assertClose('d elu / dx', backend.dataSync(grads[0]!), expected, { atol: 1e-6, rtol: 1e-6 });
        backend.dispose([x, value, ...grads]);
      },
    },
    {
      name: `${label}: gradients stay with their step when unstack's result is reversed in place`,
      run() {
        const x = backend.tensor([[1, 2, 3]]);
        const weights = [1, 10, 100];
        const { value, grads } = vg(
          (a) => {
            const steps = backend.unstack(a!, 1).reverse();
            // After the reversal, steps[0] is the last column: weight 1 goes to column 2.
            return steps.reduce(
              (acc, s, i) => backend.add(acc, backend.sum(backend.mul(s, weights[i]!))),
              backend.fill([], 0),
            );
          },
          [x],
        );
        assertClose('d/dx', backend.dataSync(grads[0]!), [100, 10, 1], { atol: 0, rtol: 0 });
        backend.dispose([x, value, ...grads]);
      },
    },
    {
      name: `${label}: a one-step sequence can be differentiated`,
      run() {
        const params = initParamTensors(backend, lstm, { inputSize: 3, units: 4 }, 3);
        const inputs = backend.fill([2, 1, 3], 0.3);
        const { value, grads } = vg(
          (x) => backend.sum(runSequence(backend, lstmArgs(x!, params)).output),
          [inputs],
        );
        if (backend.shape(grads[0]!).join() !== '2,1,3')
          fail(`d/dinputs has shape ${backend.shape(grads[0]!)}`);
        if (!Array.from(backend.dataSync(grads[0]!)).every((g) => Number.isFinite(g) && g !== 0)) {
          fail(`d/dinputs is ${Array.from(backend.dataSync(grads[0]!))}`);
        }
        backend.dispose([value, ...grads, inputs, ...Object.values(params)]);
      },
    },
    {
      name: `${label}: valueAndGrads rejects a non-scalar value, leaking nothing`,
      run() {
        const x = backend.tensor([
          [1, 2],
          [3, 4],
        ]);
        checkNoLeak(backend, 'valueAndGrads with a non-scalar f', () => {
          expectSeqmodelError('non-scalar f', () => vg((a) => backend.tanh(backend.mul(a!, 2)), [x]), [
            'valueAndGrads(f): expected f to return a float32 scalar tensor, received a float32 tensor of shape [2, 2]',
          ]);
        });
        expectSeqmodelError('no arguments', () => vg(() => backend.fill([], 1), []), [
          'valueAndGrads(args): expected a non-empty array of tensors',
        ]);
        backend.dispose(x);
      },
    },
    {
      name: `${label}: a gradient computation that throws midway leaks nothing`,
      run() {
        const params = initParamTensors(backend, lstm, { inputSize: 3, units: 4 }, 3);
        const inputs = backend.fill([2, 5, 3], 0.3);
        const badMask = backend.fill([2, 4], 1);
        checkNoLeak(backend, 'throwing valueAndGrads', () => {
          expectSeqmodelError(
            'mask error inside f',
            () =>
              vg(
                (k) => {
                  // Ops recorded on the tape first, then the sequence call throws.
                  const scaled = backend.mul(k!, 2);
                  const args = lstmArgs(inputs, { ...params, kernel: scaled });
                  return backend.sum(runSequence(backend, { ...args, mask: badMask }).output);
                },
                [params.kernel!],
              ),
            ['lstm mask: expected shape [2, 5], received shape [2, 4]'],
          );
        });
        // The tape was released: a following gradient computation works.
        const { value, grads } = vg(
          (k) => backend.sum(runSequence(backend, lstmArgs(inputs, { ...params, kernel: k! })).output),
          [params.kernel!],
        );
        backend.dispose([value, ...grads, inputs, badMask, ...Object.values(params)]);
      },
    },
    {
      name: `${label}: a cell that throws at a later step leaks nothing`,
      run() {
        let steps = 0;
        const failing = {
          ...minimalGatedUnit,
          name: 'testFailingCell',
          step: ((ops, args) => {
            if (++steps === 3) throw new SeqmodelError('testFailingCell: failure at step 3');
            return minimalGatedUnit.step(ops, args);
          }) as typeof minimalGatedUnit.step,
        };
        const params = initParamTensors(backend, failing, { inputSize: 3, units: 4 }, 5);
        const inputs = backend.fill([2, 5, 3], 0.3);
        checkNoLeak(backend, 'throwing cell', () => {
          expectSeqmodelError(
            'throwing cell',
            // The generic loop, which calls the step at every time step (a compiled kernel calls it only to trace).
            () => runSequence(backend, { cell: failing, options: {}, units: 4, inputs, params }, 'never'),
            ['failure at step 3'],
          );
        });
        backend.dispose([inputs, ...Object.values(params)]);
      },
    },
    {
      name: `${label}: dataSync and data return copies`,
      async run() {
        const x = backend.tensor([1, 2, 3]);
        backend.dataSync(x).fill(9);
        (await backend.data(x)).fill(9);
        assertClose('after mutating readbacks', backend.dataSync(x), [1, 2, 3], { atol: 0, rtol: 0 });
        backend.dispose(x);
      },
    },
    {
      name: `${label}: checkNumerics names the first non-finite argument of runSequence; off, NaN flows through`,
      run() {
        const params = initParamTensors(backend, lstm, { inputSize: 3, units: 4 }, 3);
        const host = new Float32Array(2 * 5 * 3).fill(0.1);
        host[1 * 15 + 2 * 3 + 1] = Number.NaN;
        const inputs = backend.tensor(host, [2, 5, 3]);
        const previous = backend.checkNumerics;
        try {
          backend.checkNumerics = false;
          const result = runSequence(backend, lstmArgs(inputs, params));
          if (!Number.isNaN(backend.dataSync(result.output)[(1 * 5 + 2) * 4]))
            fail('NaN did not reach the output');
          backend.dispose([result.output, ...result.state]);
          backend.checkNumerics = true;
          checkNoLeak(backend, 'numerics check', () => {
            expectSeqmodelError('NaN input', () => runSequence(backend, lstmArgs(inputs, params)), [
              'lstm inputs: expected finite values, received NaN at index [1, 2, 1]',
              '(1 of 30 elements not finite, shape [2, 5, 3])',
            ]);
          });
        } finally {
          backend.checkNumerics = previous;
          backend.dispose([inputs, ...Object.values(params)]);
        }
      },
    },
    {
      name: `${label}: a plugin cell and lstm train under SGD without leaking`,
      run() {
        for (const cell of [minimalGatedUnit, lstm]) {
          const { first, last, steady } = train(backend, cell, 25);
          if (!(last < 0.5 * first)) fail(`${cell.name}: loss went from ${first} to ${last} in 25 SGD steps`);
          if (!steady) fail(`${cell.name}: numTensors changed from one training step to the next`);
        }
      },
    },
  ];
}
