/**
 * The kernel table, the registry and the choice of a kernel, on the float64 reference backend: a backend's own
 * kernels of two kinds, kernels registered for its name after it was made, the order they are tried in, and the
 * fallback to the generic path with the reasons.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { setDebugLogger } from './debug.js';
import { softmax } from './derived-ops.js';
import type { FusedKernel } from './fused-kernel.js';
import { KernelRegistry, listKernels, registerKernel, unregisterKernel } from './kernel-registry.js';
import { createKernelTable, findKernel, kernelsOf, selectKernel, sequenceKernelMap } from './kernel-table.js';
import { initParamTensors } from './params.js';
import { runSequence, scanCell } from './recurrence.js';
import { createReferenceBackend, type RefTensor } from './reference/reference-backend.js';
import { getCell } from './registry.js';
import type { FusedSequenceKernel, SequenceArgs } from './sequence.js';

type Ref = Backend<RefTensor>;

/** Attention arguments of the test kind: one query block `[tq, d]` against keys `[tk, d]` and values `[tk, dv]`. */
interface AttentionArgs {
  readonly query: RefTensor;
  readonly key: RefTensor;
  readonly value: RefTensor;
  /** The test kernel declines a mask, to exercise the fallback. */
  readonly mask?: RefTensor;
}

/** The generic path: softmax(q·kᵀ / √d)·v on the backend's ops (a mask adds −1e9 where it is 0). */
function genericAttention(b: Ref, args: AttentionArgs): RefTensor {
  return b.tidy(() => {
    const d = b.shape(args.query)[1]!;
    let scores = b.mul(b.matMul(args.query, args.key, false, true), 1 / Math.sqrt(d));
    if (args.mask) scores = b.add(scores, b.mul(b.sub(args.mask, 1), 1e9));
    return b.matMul(softmax(b, scores), args.value);
  });
}

/** A "fused" attention kernel: the same on host arrays, counting its runs. */
function hostAttention(b: Ref, runs: string[], label = 'host'): FusedKernel<AttentionArgs, RefTensor> {
  return {
    supports: (args) => (args.mask ? `${label} attention takes no mask` : undefined),
    run: (args) => {
      runs.push(label);
      const q = b.toArray(args.query) as number[][];
      const k = b.toArray(args.key) as number[][];
      const v = b.toArray(args.value) as number[][];
      const scale = 1 / Math.sqrt(q[0]!.length);
      const out = q.map((qi) => {
        const s = k.map((kj) => qi.reduce((acc, x, c) => acc + x * kj[c]!, 0) * scale);
        const top = Math.max(...s);
        const e = s.map((x) => Math.exp(x - top));
        const total = e.reduce((a, x) => a + x, 0);
        return v[0]!.map((_, c) => e.reduce((acc, w, j) => acc + (w / total) * v[j]![c]!, 0));
      });
      return b.tensor(out);
    },
  };
}

function attentionArgs(b: Ref, masked = false): AttentionArgs {
  const values = (rows: number, cols: number, seed: number) =>
    Array.from({ length: rows }, (_, i) =>
      Array.from({ length: cols }, (_, j) => Math.sin(seed + 3 * i + j)),
    );
  return {
    query: b.tensor(values(2, 3, 1)),
    key: b.tensor(values(4, 3, 2)),
    value: b.tensor(values(4, 2, 3)),
    ...(masked ? { mask: b.tensor([[1, 1, 0, 1]]) } : {}),
  };
}

/** What an attention layer does: the backend's kernel when one supports the arguments, else the generic path. */
function attention(b: Ref, args: AttentionArgs, policy?: 'auto' | 'never' | 'require'): RefTensor {
  const kernel = selectKernel<RefTensor, AttentionArgs, RefTensor>(
    b,
    'attention',
    'dotProduct',
    args,
    policy,
  );
  return kernel ? kernel.run(args) : genericAttention(b, args);
}

/** A sequence kernel for simpleRNN that counts its runs and delegates to the generic loop. */
function countingSequenceKernel(
  b: Ref,
  runs: string[],
  label: string,
  supports: (args: SequenceArgs<RefTensor>) => string | undefined = () => undefined,
): FusedSequenceKernel<RefTensor> {
  return {
    supports,
    run: (args) => {
      runs.push(label);
      return scanCell(b, args);
    },
  };
}

const rnn = getCell('simpleRNN');

function sequenceArgs(b: Ref): SequenceArgs<RefTensor> {
  return {
    cell: rnn,
    units: 2,
    inputs: b.fill([1, 3, 2], 0.5),
    params: initParamTensors(b, rnn, { inputSize: 2, units: 2 }, 7),
  };
}

/** A reference backend with a kernel table (what a backend package does in its constructor). */
function tableBackend(
  options: { registered?: boolean; registry?: KernelRegistry; name?: string } = {},
  own: (b: Ref, runs: string[]) => Parameters<typeof createKernelTable<Ref>>[0]['kernels'] = () => [],
) {
  const runs: string[] = [];
  const base = createReferenceBackend();
  const b: Ref & { kernels?: unknown } = Object.assign(base, { name: options.name ?? 'reference' });
  const kernels = createKernelTable<Ref>({ backend: b, kernels: own(b, runs), ...options });
  return { backend: Object.assign(b, { kernels }) as Ref, runs };
}

afterEach(() => {
  setDebugLogger(undefined);
  for (const key of listKernels()) unregisterKernel(key);
});

describe('a kernel table', () => {
  it("holds a backend's own kernels of several kinds, by kind and name", () => {
    const { backend, runs } = tableBackend({}, (b, r) => [
      { kind: 'sequence', name: 'simpleRNN', kernel: countingSequenceKernel(b, r, 'own sequence') },
      { kind: 'attention', name: 'dotProduct', kernel: (bb) => hostAttention(bb, r) },
    ]);
    expect(backend.kernels!.kinds()).toEqual(['sequence', 'attention']);
    expect(backend.kernels!.names('attention')).toEqual(['dotProduct']);
    expect(backend.kernels!.lookup('sequence', 'lstm')).toEqual([]);

    runSequence(backend, sequenceArgs(backend));
    const args = attentionArgs(backend);
    const fused = backend.toArray(attention(backend, args)) as number[][];
    expect(runs).toEqual(['own sequence', 'host']);
    const generic = backend.toArray(genericAttention(backend, args)) as number[][];
    fused.flat().forEach((x, i) => {
      expect(x).toBeCloseTo(generic.flat()[i]!, 12);
    });
  });

  it('falls back to the generic path, logging why, and throws when the kernel is required', () => {
    const { backend, runs } = tableBackend({}, (b, r) => [
      { kind: 'attention', name: 'dotProduct', kernel: hostAttention(b, r) },
    ]);
    const logged: string[] = [];
    setDebugLogger((topic, message) => logged.push(`${topic}: ${message}`));
    const masked = attentionArgs(backend, true);
    const out = backend.toArray(attention(backend, masked)) as number[][];
    expect(runs).toEqual([]);
    expect(out.flat()).toEqual((backend.toArray(genericAttention(backend, masked)) as number[][]).flat());
    expect(logged).toEqual([
      'fused: reference/attention/dotProduct: generic path (host attention takes no mask)',
    ]);
    expect(() => attention(backend, masked, 'require')).toThrow(
      'fused kernel required but unavailable: host attention takes no mask',
    );
    attention(backend, attentionArgs(backend), 'never');
    expect(runs).toEqual([]);
    expect(() => selectKernel(backend, 'attention', 'additive', {}, 'require')).toThrow(
      'fused kernel required but unavailable: backend reference has no fused kernel for attention additive',
    );
  });

  it('says a fallback once, not at every call, and again to a new logger', () => {
    const { backend } = tableBackend({}, (b, r) => [
      { kind: 'attention', name: 'dotProduct', kernel: hostAttention(b, r) },
    ]);
    const logged: string[] = [];
    setDebugLogger((_topic, message) => logged.push(message));
    const masked = attentionArgs(backend, true);
    for (let step = 0; step < 3; step++) attention(backend, masked);
    selectKernel(backend, 'attention', 'additive', {});
    selectKernel(backend, 'attention', 'additive', {});
    expect(logged).toEqual([
      'reference/attention/dotProduct: generic path (host attention takes no mask)',
      'reference/attention/additive: generic path (backend reference has no fused kernel for attention additive)',
    ]);
    const next: string[] = [];
    setDebugLogger((_topic, message) => next.push(message));
    attention(backend, masked);
    expect(next).toEqual(['reference/attention/dotProduct: generic path (host attention takes no mask)']);
  });

  it('says once which kernel runs', () => {
    const { backend } = tableBackend({}, (b, r) => [
      { kind: 'attention', name: 'dotProduct', kernel: hostAttention(b, r) },
    ]);
    const logged: string[] = [];
    setDebugLogger((topic, message) => logged.push(`${topic}: ${message}`));
    for (let step = 0; step < 3; step++) attention(backend, attentionArgs(backend));
    expect(logged).toEqual(['fused: reference/attention/dotProduct: fused kernel']);
  });

  it('names a bad kernel of the backend when the table is made', () => {
    const b = createReferenceBackend();
    expect(() =>
      createKernelTable<Ref>({
        backend: b,
        kernels: [{ kind: 'sequence', name: 'lstm', kernel: { run: () => undefined } as never }],
      }),
    ).toThrow('kernels[0].kernel: expected an object with supports(args) and run(args), received object');
    expect(() =>
      createKernelTable<Ref>({
        backend: b,
        kernels: [{ kind: '', name: 'lstm', kernel: () => undefined as never }],
      }),
    ).toThrow('kernels[0].kind: expected a kind name such as "sequence" or "attention", received ""');
    expect(() =>
      createKernelTable({ backend: { ...b, name: 'x', specificationVersion: 'v7' } as never }),
    ).toThrow('createKernelTable(options.backend).specificationVersion: expected "v1"');
  });

  it('passes every kernel it builds through the backend’s wrap', () => {
    const wrapped: string[] = [];
    const b = createReferenceBackend();
    const runs: string[] = [];
    registerKernel({
      backend: 'reference',
      kind: 'sequence',
      name: 'simpleRNN',
      kernel: (bb: Ref) => countingSequenceKernel(bb, runs, 'r'),
    });
    const kernels = createKernelTable<Ref>({
      backend: b,
      kernels: [{ kind: 'attention', name: 'dotProduct', kernel: hostAttention(b, runs) }],
      wrap: (kernel, kind, name) => {
        wrapped.push(`${kind}/${name}`);
        return kernel;
      },
    });
    expect(wrapped).toEqual(['attention/dotProduct']);
    kernels.lookup('sequence', 'simpleRNN');
    kernels.lookup('sequence', 'simpleRNN');
    expect(wrapped).toEqual(['attention/dotProduct', 'sequence/simpleRNN']);
  });
});

describe('registered kernels', () => {
  it('reach a backend made before they were registered, built once per backend instance', () => {
    const { backend, runs } = tableBackend();
    const other = tableBackend();
    const built: Ref[] = [];
    registerKernel({
      backend: 'reference',
      kind: 'attention',
      name: 'dotProduct',
      kernel: (b: Ref) => {
        built.push(b);
        return hostAttention(b, runs, 'registered');
      },
    });
    expect(listKernels()).toEqual([{ backend: 'reference', kind: 'attention', name: 'dotProduct' }]);
    expect(backend.kernels!.kinds()).toEqual(['attention']);
    attention(backend, attentionArgs(backend), 'require');
    attention(backend, attentionArgs(backend), 'require');
    attention(other.backend, attentionArgs(other.backend), 'require');
    expect(runs).toEqual(['registered', 'registered', 'registered']);
    expect(built).toHaveLength(2);
    expect(built[0]).toBe(backend);
    expect(built[1]).toBe(other.backend);

    expect(unregisterKernel({ backend: 'reference', kind: 'attention', name: 'dotProduct' })).toBe(true);
    expect(() => attention(backend, attentionArgs(backend), 'require')).toThrow(
      'backend reference has no fused kernel for attention dotProduct',
    );
  });

  it('serve only backends of their name, and none that turned registered kernels off', () => {
    const runs: string[] = [];
    registerKernel({
      backend: 'cpu',
      kind: 'sequence',
      name: 'simpleRNN',
      kernel: (b: Ref) => countingSequenceKernel(b, runs, 'cpu'),
    });
    const reference = tableBackend();
    const cpu = tableBackend({ name: 'cpu' });
    const off = tableBackend({ name: 'cpu', registered: false });
    runSequence(reference.backend, sequenceArgs(reference.backend));
    runSequence(off.backend, sequenceArgs(off.backend));
    expect(runs).toEqual([]);
    runSequence(cpu.backend, sequenceArgs(cpu.backend), 'require');
    expect(runs).toEqual(['cpu']);
    expect(findKernel(off.backend, 'sequence', 'simpleRNN')).toBeUndefined();
  });

  it("come after the backend's own kernels, which they back up when those decline", () => {
    const { backend, runs } = tableBackend({}, (b, r) => [
      {
        kind: 'sequence',
        name: 'simpleRNN',
        kernel: countingSequenceKernel(b, r, 'own', (a) => (a.mask ? 'own takes no mask' : undefined)),
      },
    ]);
    registerKernel({
      backend: 'reference',
      kind: 'sequence',
      name: 'simpleRNN',
      kernel: (b: Ref) =>
        countingSequenceKernel(b, runs, 'registered', (a) =>
          a.goBackwards ? 'registered goes forwards only' : undefined,
        ),
    });
    const args = sequenceArgs(backend);
    const mask = backend.fill([1, 3], 1);
    runSequence(backend, args, 'require');
    runSequence(backend, { ...args, mask }, 'require');
    expect(runs).toEqual(['own', 'registered']);
    expect(() => runSequence(backend, { ...args, mask, goBackwards: true }, 'require')).toThrow(
      'fused kernel required but unavailable: own takes no mask; registered goes forwards only',
    );
    // One object for both, as kits see it: it supports what either supports.
    const both = findKernel(backend, 'sequence', 'simpleRNN')!;
    expect(both.supports({ ...args, mask })).toBeUndefined();
    expect(both.supports({ ...args, mask, goBackwards: true })).toBe(
      'own takes no mask; registered goes forwards only',
    );
    both.run({ ...args, mask });
    expect(runs).toEqual(['own', 'registered', 'registered']);
    expect(() => both.run({ ...args, mask, goBackwards: true })).toThrow(
      'no fused kernel supports these arguments: own takes no mask; registered goes forwards only',
    );
  });

  it('refuse a second registration unless replacing, and name bad ones', () => {
    const registration = {
      backend: 'cpu',
      kind: 'attention',
      name: 'dotProduct',
      kernel: { supports: () => undefined, run: () => undefined },
    };
    registerKernel(registration);
    expect(() => registerKernel(registration)).toThrow(
      'registerKernel: a attention kernel "dotProduct" is already registered for backend "cpu"; pass { replace: true } to replace it',
    );
    registerKernel(registration, { replace: true });
    expect(() => registerKernel({ ...registration, backend: '' })).toThrow(
      'registerKernel(registration).backend: expected a non-empty string, received ""',
    );
    expect(() => registerKernel({ ...registration, kind: 'two words' })).toThrow(
      'registerKernel(registration).kind: expected a kind name such as "sequence" or "attention", received "two words"',
    );
    expect(() => registerKernel({ ...registration, kernel: { run: () => undefined } as never })).toThrow(
      'registerKernel(cpu/attention/dotProduct).kernel: expected an object with supports(args) and run(args)',
    );
    expect(() =>
      registerKernel({ ...registration, name: 'additive', specificationVersion: 'v2' as never }),
    ).toThrow('registerKernel(cpu/attention/additive).specificationVersion: expected "v1"');
    // A factory is only called for a backend, so what it returns is checked then.
    registerKernel({ backend: 'reference', kind: 'attention', name: 'broken', kernel: () => 42 as never });
    const { backend } = tableBackend();
    expect(() => backend.kernels!.lookup('attention', 'broken')).toThrow(
      'registerKernel(reference/attention/broken).kernel(backend): expected an object with supports(args) and run(args), received 42',
    );
  });

  it('keep to their own registry', () => {
    const registry = new KernelRegistry();
    const runs: string[] = [];
    registry.register({
      backend: 'reference',
      kind: 'sequence',
      name: 'simpleRNN',
      kernel: (b: Ref) => countingSequenceKernel(b, runs, 'private'),
    });
    expect(listKernels()).toEqual([]);
    const { backend } = tableBackend({ registry });
    runSequence(backend, sequenceArgs(backend), 'require');
    expect(runs).toEqual(['private']);
    expect(registry.list({ kind: 'sequence' })).toEqual([
      { backend: 'reference', kind: 'sequence', name: 'simpleRNN' },
    ]);
    expect(registry.list({ kind: 'attention' })).toEqual([]);
  });
});

describe('sequenceKernelMap', () => {
  it("answers the deprecated fusedKernels map from a backend's table, kernels registered later included", () => {
    const { backend, runs } = tableBackend({}, (b, r) => [
      { kind: 'sequence', name: 'simpleRNN', kernel: countingSequenceKernel(b, r, 'own') },
      { kind: 'attention', name: 'dotProduct', kernel: hostAttention(b, r) },
    ]);
    const map = sequenceKernelMap(backend);
    expect([...map.keys()]).toEqual(['simpleRNN']);
    registerKernel({
      backend: 'reference',
      kind: 'sequence',
      name: 'lstm',
      kernel: (b: Ref) => countingSequenceKernel(b, runs, 'lstm'),
    });
    expect(map.size).toBe(2);
    expect(map.has('lstm')).toBe(true);
    expect(map.has('dotProduct')).toBe(false);
    expect(map.get('gru')).toBeUndefined();
    expect([...map].map(([name]) => name)).toEqual(['simpleRNN', 'lstm']);
    const seen: string[] = [];
    map.forEach((kernel, name) => {
      seen.push(name);
      expect(kernel).toBe(map.get(name));
    });
    expect(seen).toEqual(['simpleRNN', 'lstm']);
    map.get('simpleRNN')!.run(sequenceArgs(backend));
    expect(runs).toEqual(['own']);
  });
});

describe('a backend without a kernel table', () => {
  it('is read through its fusedKernels map for the sequence kind', () => {
    const runs: string[] = [];
    const b = createReferenceBackend();
    const kernel = countingSequenceKernel(b, runs, 'legacy');
    const backend = Object.assign(b, { fusedKernels: new Map([['simpleRNN', kernel]]) });
    expect(kernelsOf(backend, 'sequence', 'simpleRNN')).toEqual([kernel]);
    expect(kernelsOf(backend, 'attention', 'simpleRNN')).toEqual([]);
    expect(findKernel(backend, 'sequence', 'simpleRNN')).toBe(kernel);
    runSequence(backend, sequenceArgs(backend), 'require');
    expect(runs).toEqual(['legacy']);
  });
});
