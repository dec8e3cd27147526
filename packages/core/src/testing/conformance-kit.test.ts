/**
 * The conformance kits must be able to fail: each test here breaks one thing on purpose (a backend op, gradients,
 * determinism, a leak, a fused kernel) and checks that exactly the matching check catches it.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, ValueAndGrads } from '../backend.js';
import type { CellPlugin } from '../cell.js';
import { simpleRNN } from '../cells/simple-rnn.js';
import { scanCell } from '../recurrence.js';
import { ReferenceBackend, type RefTensor } from '../reference/reference-backend.js';
import type { FusedSequenceKernel } from '../sequence.js';
import { backendConformanceChecks } from './backend-conformance.js';
import { type ConformanceCheck, cellConformanceChecks } from './cell-conformance.js';

/** Names of the checks that throw. */
async function failing(checks: ConformanceCheck[]): Promise<string[]> {
  const out: string[] = [];
  for (const c of checks) {
    if (c.skip !== undefined) continue;
    try {
      await c.run();
    } catch {
      out.push(c.name.replace(/^.*: /, ''));
    }
  }
  return out;
}

/**
 * Numerical differentiation as a stand-in autodiff, so the gradient checks can run on the reference backend.
 * `scale` distorts the gradients to prove the check notices.
 */
class DifferentiatingBackend extends ReferenceBackend {
  constructor(private readonly scale = 1) {
    super();
  }
  valueAndGrads(
    f: (...args: RefTensor[]) => RefTensor,
    args: readonly RefTensor[],
  ): ValueAndGrads<RefTensor> {
    const value = this.tidy(() => f(...args));
    const evalAt = (i: number, j: number, delta: number) =>
      this.tidy(() => {
        const data = this.toFloat64(args[i]!);
        data[j]! += delta;
        const moved = args.map((a, k) => (k === i ? this.tensor(data, this.shape(a)) : a));
        return this.toFloat64(f(...moved))[0]!;
      });
    const grads = args.map((a, i) => {
      const n = this.toFloat64(a).length;
      const g = Float64Array.from({ length: n }, (_, j) => (evalAt(i, j, 1e-6) - evalAt(i, j, -1e-6)) / 2e-6);
      return this.tensor(
        g.map((v) => v * this.scale),
        this.shape(a),
      );
    });
    return { value, grads };
  }
}

const small = { configs: [{ inputSize: 2, units: 3 }], batch: 2, time: 3 };

describe('cell conformance kit', () => {
  it('passes a correct cell on a correct backend, gradient checks included', async () => {
    expect(await failing(cellConformanceChecks(simpleRNN, new DifferentiatingBackend(), small))).toEqual([]);
  });

  it('catches a backend op that is slightly wrong', async () => {
    const backend = new ReferenceBackend();
    const tanh = backend.tanh.bind(backend);
    backend.tanh = (x) => backend.mul(tanh(x), 1.001);
    expect(await failing(cellConformanceChecks(simpleRNN, backend, small))).toEqual([
      'agrees with the float64 reference',
    ]);
  });

  it('catches wrong gradients', async () => {
    expect(await failing(cellConformanceChecks(simpleRNN, new DifferentiatingBackend(1.01), small))).toEqual([
      'gradients match finite differences',
    ]);
  });

  it('catches a nondeterministic cell', async () => {
    let calls = 0;
    const noisy: CellPlugin = {
      ...(simpleRNN as unknown as CellPlugin),
      name: 'noisy',
      step: (ops, args) => {
        const r = simpleRNN.step(ops, args as never);
        calls++;
        return { output: ops.add(r.output, calls * 1e-9), state: r.state };
      },
    };
    expect(await failing(cellConformanceChecks(noisy, new ReferenceBackend(), small))).toEqual([
      'deterministic under a seed',
    ]);
  });

  it('catches a leaking cell', async () => {
    const backend = new ReferenceBackend();
    const leaky: CellPlugin = {
      ...(simpleRNN as unknown as CellPlugin),
      name: 'leaky',
      step: (ops, args) => {
        (ops as Backend<unknown>).keep(ops.fill([1], 0));
        return simpleRNN.step(ops, args as never);
      },
    };
    expect(await failing(cellConformanceChecks(leaky, backend, small))).toEqual(['no tensors leaked']);
  });

  it('catches parameters whose initializer gives non-finite values', async () => {
    const broken: CellPlugin = {
      ...(simpleRNN as unknown as CellPlugin),
      name: 'broken',
      params: (dims) =>
        simpleRNN
          .params(dims as never)
          .map((p) =>
            p.name === 'bias' ? { ...p, initializer: { name: 'constant', value: Number.NaN } } : p,
          ),
    };
    expect(await failing(cellConformanceChecks(broken, new ReferenceBackend(), small))).toContain(
      'parameter shapes and count',
    );
  });

  it('checks a fused kernel against the generic loop and catches a wrong one', async () => {
    const make = (factor: number) => {
      const backend = new DifferentiatingBackend();
      const kernel: FusedSequenceKernel<RefTensor> = {
        supports: (args) => (args.mask ? 'no masks' : undefined),
        run: (args) =>
          backend.tidy(() => {
            const r = scanCell(backend, args);
            return { output: backend.mul(r.output, factor), state: r.state };
          }),
      };
      return Object.assign(backend, { fusedKernels: new Map([['simpleRNN', kernel]]) });
    };
    expect(await failing(cellConformanceChecks(simpleRNN, make(1), small))).toEqual([]);
    // The wrong kernel's gradients (for the variants it takes: no masks) are compared with finite differences too.
    expect(await failing(cellConformanceChecks(simpleRNN, make(1.01), small))).toEqual([
      'agrees with the float64 reference',
      'gradients match finite differences',
      'fused kernel matches the generic loop',
    ]);
  });

  it('marks checks that do not apply as skipped, with the reason', () => {
    const checks = cellConformanceChecks(simpleRNN, new ReferenceBackend(), small);
    expect(checks.filter((c) => c.skip).map((c) => c.skip)).toEqual([
      'backend reference has no autodiff',
      'backend reference has no fused kernel for simpleRNN',
    ]);
  });
});

describe('backend conformance kit', () => {
  it('catches a wrong primitive and a leaking tidy', async () => {
    const backend = new ReferenceBackend();
    const sub = backend.sub.bind(backend);
    backend.sub = (a, b) => sub(b, a);
    const tidy = backend.tidy.bind(backend);
    backend.tidy = <R>(fn: () => R): R => {
      const r = tidy(fn);
      backend.keep(backend.fill([1], 0));
      return r;
    };
    const failed = await failing(backendConformanceChecks(backend));
    expect(failed).toContain('sub (broadcast [2,1,4] - [3,1])');
    expect(failed).toContain('tidy, keep and dispose');
  });

  it('catches a tidy that swallows the error its function threw', async () => {
    const backend = new ReferenceBackend();
    const tidy = backend.tidy.bind(backend);
    backend.tidy = <R>(fn: () => R): R => {
      try {
        return tidy(fn);
      } catch {
        return undefined as R;
      }
    };
    expect(await failing(backendConformanceChecks(backend))).toEqual(['tidy, keep and dispose']);
  });

  it('checks gradients when the backend has autodiff', async () => {
    expect(await failing(backendConformanceChecks(new DifferentiatingBackend()))).toEqual([]);
    expect(await failing(backendConformanceChecks(new DifferentiatingBackend(0.99)))).toEqual([
      'gradients match finite differences',
    ]);
  });
});
