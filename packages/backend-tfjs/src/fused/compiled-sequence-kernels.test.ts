import '@tensorflow/tfjs-backend-cpu';
import {
  type AnyCellPlugin,
  affine,
  type CellPlugin,
  findKernel,
  gru,
  initParamTensors,
  lstm,
  runSequence,
  type SequenceArgs,
  scanCell,
  setDebugLogger,
  simpleRNN,
} from '@seqmodel/core';
import type * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../backend-switching.js';
import { compiledCellChecks } from '../testing/compiled-kernel-checks.js';
import { compilerCornerCells } from '../testing/corner-cells.js';
import { compiledEdgeValueChecks } from '../testing/edge-value-checks.js';
import { assertFusedMatchesGeneric, fusedCellConfigs, hostSequence } from '../testing/fused-kernel-checks.js';
import { hostGeneratorChecks } from '../testing/generator-checks.js';
import { leakyRnn } from '../testing/leaky-rnn.js';
import { minimalGatedUnit } from '../testing/plugin-cell.js';
import { randomCellChecks, randomCellRun } from '../testing/random-cells.js';
import { strictKernel } from '../testing/strict-kernel.js';
import { createTfjsBackend, type TfjsBackend } from '../tfjs-backend.js';
import { type HostInstance, type HostPassGenerator, InstancePool } from './compiled/host-program.js';
import { javascriptGenerator } from './compiled/javascript-generator.js';
import { anyCell, compiledSequenceKernel, compilePlans } from './compiled-sequence-kernels.js';
import type { HostMatrix } from './gemm.js';
import { JsGemm } from './js-gemm.js';

await initTfjsBackend('cpu');

/**
 * A backend whose only fused kernel is the compiled one (for every cell), with `generator`'s code; with `strict`, a
 * case the kernel declines throws instead of running the generic loop.
 */
function compiledBackend(generator: HostPassGenerator = javascriptGenerator, strict = false): TfjsBackend {
  const kernel = (b: TfjsBackend) => compiledSequenceKernel(b, { gemm: new JsGemm(), generator });
  return createTfjsBackend({
    name: 'compiled-cpu',
    tfjsBackendName: 'cpu',
    hostKernels: true,
    registeredKernels: false,
    kernels: [{ kind: 'sequence', name: anyCell, kernel: strict ? strictKernel(kernel) : kernel }],
  });
}

const backend = compiledBackend();
// The kits run on a strict kernel: a case it declined would otherwise be compared with the generic loop by itself.
const strict = compiledBackend(javascriptGenerator, true);

describe('the JavaScript generator', () => {
  for (const check of hostGeneratorChecks(javascriptGenerator))
    it.skipIf(check.skip !== undefined)(check.name, check.run);
});

const cases = [
  { cell: simpleRNN, configs: fusedCellConfigs.simpleRNN! },
  { cell: lstm, configs: fusedCellConfigs.lstm! },
  { cell: gru, configs: fusedCellConfigs.gru! },
  { cell: minimalGatedUnit, configs: [{ inputSize: 3, units: 4 }] },
  {
    cell: leakyRnn,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 2, units: 5, options: { leak: 0.25, activation: 'relu' } },
    ],
  },
];
for (const { cell, configs } of cases) {
  describe(`compiled ${cell.name} on cpu`, () => {
    for (const check of compiledCellChecks(cell, strict, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}

type Tensor = tf.Tensor;

function args(
  b: TfjsBackend,
  cell: AnyCellPlugin,
  options: Record<string, unknown> = {},
): SequenceArgs<Tensor> {
  return {
    cell,
    options,
    units: 3,
    inputs: b.fill([2, 4, 2], 0.5),
    params: initParamTensors(b, cell, { inputSize: 2, units: 3, ...options }, 7),
  };
}

function release(b: TfjsBackend, a: SequenceArgs<Tensor>): void {
  b.dispose([a.inputs, ...Object.values(a.params)]);
}

/** Runs `cell` through runSequence (policy auto) and the generic loop; returns the debug log and both outputs. */
function fallback(b: TfjsBackend, cell: AnyCellPlugin, options: Record<string, unknown> = {}) {
  const logged: string[] = [];
  setDebugLogger((topic, message) => logged.push(`${topic}: ${message}`));
  const a = args(b, cell, options);
  try {
    const viaRunSequence = runSequence(b, a);
    const generic = scanCell(b, a);
    const result = {
      logged,
      actual: b.dataSync(viaRunSequence.output),
      expected: b.dataSync(generic.output),
    };
    b.dispose([viaRunSequence.output, ...viaRunSequence.state, generic.output, ...generic.state]);
    return result;
  } finally {
    release(b, a);
    setDebugLogger(undefined);
  }
}

/** A cell whose step does what the compiler does not lower, in one of several ways. */
function unlowerable(name: string, step: CellPlugin['step']): CellPlugin {
  return {
    name,
    defaultOptions: {},
    params: ({ inputSize, units }) => [
      { name: 'kernel', shape: [inputSize, units], initializer: 'glorotUniform' },
      { name: 'recurrentKernel', shape: [units, units], initializer: 'orthogonal' },
    ],
    state: ({ units }) => [{ name: 'h', size: units }],
    projectInput: (ops, x, params) => affine(ops, x, params.kernel!),
    step,
  };
}

describe('compiled kernels decline what they cannot compile, saying why, and the generic loop runs', () => {
  afterEach(() => setDebugLogger(undefined));

  it('a softmax activation (a reduction over the last axis)', () => {
    const { logged, actual, expected } = fallback(backend, simpleRNN, { activation: 'softmax' });
    expect(Array.from(actual)).toEqual(Array.from(expected));
    expect(logged.join('\n')).toMatch(
      /fused: compiled-cpu\/simpleRNN: generic loop \(simpleRNN not compiled: step: max\(\.\.\.\) \[2, 1\] \(%\d+\): ops\.max on a per-step value has no generator/,
    );
  });

  it('a product of two per-step values', () => {
    const cell = unlowerable('testOuterProduct', (ops, { input, state }) => {
      const next = ops.tanh(
        ops.add(input, ops.matMul(ops.matMul(state[0]!, state[0]!, false, true), state[0]!)),
      );
      return { output: next, state: [next] };
    });
    const { logged, actual, expected } = fallback(backend, cell);
    expect(Array.from(actual)).toEqual(Array.from(expected));
    expect(logged.join('\n')).toContain('a product of two per-step values');
  });

  it('a step that calls what Ops does not have (reading values back)', () => {
    const cell = unlowerable('testReadsValues', (ops, { input, state }) => {
      const host = (ops as unknown as { dataSync(x: unknown): Float32Array }).dataSync(state[0]);
      const next = host[0]! > 0 ? ops.tanh(input) : ops.relu(input);
      return { output: next, state: [next] };
    });
    const { logged } = fallback(backend, cell);
    expect(logged.join('\n')).toMatch(/testReadsValues not compiled: tracing the step failed: .*dataSync/);
  });

  it('a step that records another computation on each call', () => {
    let calls = 0;
    const cell = unlowerable('testRestless', (ops, { input, state, params }) => {
      calls++;
      const h = ops.add(input, ops.matMul(state[0]!, params.recurrentKernel!));
      const next = calls % 2 === 0 ? ops.tanh(h) : ops.sigmoid(h);
      return { output: next, state: [next] };
    });
    const a = args(backend, cell);
    const kernel = findKernel(backend, 'sequence', cell.name)!;
    expect(kernel.supports(a)).toBe(
      'testRestless not compiled: the step records a different computation each time it is called',
    );
    release(backend, a);
  });

  it('generated code that cannot run here (a content security policy), and policy require', () => {
    const forbidden: HostPassGenerator = {
      ...javascriptGenerator,
      unavailable: () => 'generated code cannot run here (new Function is forbidden)',
    };
    const strict = compiledBackend(forbidden);
    const { logged } = fallback(strict, minimalGatedUnit);
    expect(logged.join('\n')).toContain(
      'testMinimalGatedUnit: generic loop (compiled kernels (javascript): generated code cannot run here',
    );
    const a = args(strict, minimalGatedUnit);
    expect(() => runSequence(strict, a, 'require')).toThrow(
      'fused kernel required but unavailable: compiled kernels (javascript): generated code cannot run here',
    );
    release(strict, a);
  });

  it('compiledCellChecks names a step that compiles only without a recurrent dropout mask', () => {
    const maskSum: CellPlugin = {
      ...unlowerable('testMaskSum', (ops, { input, state, params, recurrentMask }) => {
        const h =
          recurrentMask === undefined ? state[0]! : ops.mul(state[0]!, ops.sum(recurrentMask, -1, true));
        const next = ops.tanh(ops.add(input, ops.matMul(h, params.recurrentKernel!)));
        return { output: next, state: [next] };
      }),
      supportsRecurrentDropout: true,
    };
    const compiles = compiledCellChecks(maskSum, backend)[0]!;
    expect(() => compiles.run()).toThrow(/testMaskSum \{\} with a recurrent mask: step: /);
  });

  it('labels itself', () => {
    expect(findKernel(backend, 'sequence', 'anything')?.label).toBe('compiled (javascript)');
  });
});

/** A JsGemm that records the shape of every whole-sequence product. */
class CountingGemm extends JsGemm {
  readonly products: string[] = [];
  override multiply(
    a: HostMatrix,
    tA: boolean,
    b: HostMatrix,
    tB: boolean,
    c: HostMatrix,
    acc: boolean,
  ): void {
    this.products.push(`[${c.rows}, ${c.cols}]`);
    super.multiply(a, tA, b, tB, c, acc);
  }
}

describe('compilePlans remembers the last plans of each cell', () => {
  it('for equal options, also given as new objects; not after a value changes, however deep', () => {
    const options: Record<string, unknown> = {
      activation: 'tanh',
      kernelInitializer: { name: 'glorotUniform', seed: 1 },
    };
    const a = args(backend, simpleRNN, options);
    try {
      const first = compilePlans(a);
      if (typeof first === 'string') throw new Error(first);
      // A copy of the same options, and the same object again: the plans found last time.
      expect(compilePlans({ ...a, options: structuredClone(options) })).toBe(first);
      expect(compilePlans(a)).toBe(first);
      // A value changed in place inside a nested option: the options are resolved again (core caches plans by the
      // resolved options, so the plans are new objects).
      (options.kernelInitializer as { seed: number }).seed = 2;
      const reseeded = compilePlans(a);
      expect(reseeded).not.toBe(first);
      expect(compilePlans(a)).toBe(reseeded);
      // A changed activation gives other plans: relu's pass is not tanh's.
      options.activation = 'relu';
      const relu = compilePlans(a);
      if (typeof relu === 'string') throw new Error(relu);
      expect(relu).not.toBe(reseeded);
      expect(JSON.stringify(relu.inference.forward)).not.toEqual(JSON.stringify(first.inference.forward));
      // Another batch size, or an option the cell does not have: not the remembered plans.
      const wider = { ...a, inputs: backend.fill([3, 4, 2], 0.5) };
      expect(compilePlans(wider)).not.toBe(relu);
      backend.dispose(wider.inputs);
      options.notAnOption = 1;
      expect(compilePlans(a)).toMatch(/simpleRNN: unknown option "notAnOption"/);
      delete options.notAnOption;
      expect(compilePlans(a)).not.toBeTypeOf('string');
    } finally {
      release(backend, a);
    }
  });

  it('not for options holding other objects (a class instance could change inside unseen)', () => {
    class Seeded {
      name = 'glorotUniform';
      seed = 1;
    }
    const a = args(backend, simpleRNN, { kernelInitializer: new Seeded() });
    try {
      const first = compilePlans(a);
      expect(first).not.toBeTypeOf('string');
      // Resolved again at every call: new plans objects (core's cache keys them by the options as JSON).
      expect(compilePlans(a)).not.toBe(first);
    } finally {
      release(backend, a);
    }
  });
});

describe('compiled kernels compute only the gradients asked for', () => {
  const gemm = new CountingGemm();
  const counting = createTfjsBackend({
    name: 'cpu-counting',
    tfjsBackendName: 'cpu',
    kernels: [
      {
        kind: 'sequence',
        name: anyCell,
        kernel: (b) => compiledSequenceKernel(b, { gemm, generator: javascriptGenerator }),
      },
    ],
  });
  const [batch, time, inputSize, units] = [2, 3, 4, 5];
  const params = initParamTensors(counting, lstm, { inputSize, units }, 3);
  const inputs = counting.tensor(
    Float32Array.from({ length: batch * time * inputSize }, (_, i) => Math.sin(i)),
    [batch, time, inputSize],
  );
  const lstmArgs = (p: Record<string, Tensor>, x: Tensor): SequenceArgs<Tensor> => ({
    cell: lstm,
    units,
    inputs: x,
    params: p,
  });

  it('training the parameters skips the input gradient; kernel and recurrent kernel share one product', () => {
    gemm.products.length = 0;
    const names = Object.keys(params);
    const { value, grads } = counting.valueAndGrads(
      (...ps) => {
        const p = Object.fromEntries(names.map((n, i) => [n, ps[i]!]));
        return counting.sum(runSequence(counting, lstmArgs(p, inputs), 'require').output);
      },
      names.map((n) => params[n]!),
    );
    // The projection X·W, then one product [X | H]ᵀ·dZ = [inputSize + units, 4 * units]; no dZ·Wᵀ.
    expect(gemm.products).toEqual(['[6, 20]', '[9, 20]']);
    counting.dispose([value, ...grads]);
  });

  it('the input gradient alone costs one product, dZ·Wᵀ', () => {
    gemm.products.length = 0;
    const { value, grads } = counting.valueAndGrads(
      (x) => counting.sum(runSequence(counting, lstmArgs(params, x!), 'require').output),
      [inputs],
    );
    expect(gemm.products).toEqual(['[6, 20]', '[6, 4]']);
    expect(counting.shape(grads[0]!)).toEqual([batch, time, inputSize]);
    counting.dispose([value, ...grads]);
  });

  it('a forward pass outside a gradient computation runs only the projection', () => {
    gemm.products.length = 0;
    const before = counting.memory().numTensors;
    const { output, state } = runSequence(counting, lstmArgs(params, inputs), 'require');
    expect(gemm.products).toEqual(['[6, 20]']);
    counting.dispose([output, ...state]);
    expect(counting.memory().numTensors).toBe(before);
  });

  it('refuses int32 tensors with a reason (the generic loop then runs)', () => {
    const kernel = findKernel(counting, 'sequence', 'lstm')!;
    const ints = counting.fill([batch, time, inputSize], 1, 'int32');
    expect(kernel.supports(lstmArgs(params, ints))).toBe('inputs is int32; the fused kernel takes float32');
    counting.dispose(ints);
  });
});

describe('compiled kernels at float32 ties, signed zeros and NaN give the generic loop’s results', () => {
  for (const check of compiledEdgeValueChecks(strict)) it(check.name, check.run);
});

describe('instance pools', () => {
  interface Fake extends HostInstance {
    readonly id: number;
  }
  const fake = (id: number): Fake => ({
    id,
    generation: 0,
    valid: new Uint8Array(1),
    buffer: () => new Float32Array(0),
    provide: () => undefined,
    swap: () => undefined,
    run: () => undefined,
    release: () => undefined,
  });

  it('hand back released instances of the size asked for, a few per size, within a byte budget', () => {
    const pool = new InstancePool<Fake>((i) => (i.id === 9 ? 1000 : 10), 100, 2, 2);
    const made: number[] = [];
    const create = (id: number) => () => {
      made.push(id);
      return fake(id);
    };
    pool.put(2, 3, fake(1));
    pool.put(2, 3, fake(2));
    pool.put(2, 3, fake(3)); // a third of one size is not kept
    pool.put(2, 3, fake(9)); // over the budget
    expect(pool.take(2, 3, create(4)).id).toBe(2);
    expect(pool.take(2, 3, create(5)).id).toBe(1);
    expect(pool.take(2, 3, create(6)).id).toBe(6);
    expect(pool.take(4, 3, create(7)).id).toBe(7);
    // Only the most recently used sizes stay.
    pool.put(1, 1, fake(10));
    pool.put(1, 2, fake(11));
    pool.put(1, 3, fake(12));
    expect(pool.take(1, 1, create(13)).id).toBe(13);
    expect(pool.take(1, 3, create(14)).id).toBe(12);
    expect(made).toEqual([6, 7, 13]);
  });

  it('give a compiled run a recycled instance whose stale values do not reach its results', () => {
    const b = compiledBackend();
    const masked = { ...args(b, lstm), mask: b.tensor([1, 0, 1, 1, 0, 1, 1, 1], [2, 4]) };
    const run = () => {
      const { value, grads } = b.valueAndGrads!(
        (x) => b.sum(runSequence(b, { ...masked, inputs: x! }, 'require').output),
        [masked.inputs],
      );
      const out = [b.dataSync(value)[0]!, ...b.dataSync(grads[0]!)];
      b.dispose([value, ...grads]);
      return out;
    };
    const first = run();
    // A run on other data, every step valid, leaves other values in every row of the recycled buffers; the rows the
    // mask skips must not see them.
    const seven = b.fill([2, 4, 2], 7);
    const { value, grads } = b.valueAndGrads!(
      (x) =>
        b.sum(
          runSequence(b, { ...masked, mask: undefined, inputs: x! } as SequenceArgs<Tensor>, 'require')
            .output,
        ),
      [seven],
    );
    b.dispose([value, ...grads, seven]);
    expect(run()).toEqual(first);
    b.dispose([masked.mask]);
    release(b, masked);
  });
});

describe('assertFusedMatchesGeneric', () => {
  it('fails, naming both lists, when the fused path returns fewer states than the generic loop', () => {
    const c = hostSequence(lstm, {}, { batch: 2, time: 3, inputSize: 2, units: 3 }, {}, 'dropped-state');
    const dropsCellState = (b: TfjsBackend, a: SequenceArgs<tf.Tensor>) => {
      const r = runSequence(b, a);
      return { output: r.output, state: [r.state[0]!] };
    };
    expect(() => assertFusedMatchesGeneric(backend, c, 'lstm', dropsCellState as never)).toThrow(
      'lstm: the fused path returned output, state[0]; expected what the generic path returned, output, state[0], state[1]',
    );
  });
});

describe('compiled kernels of random cells match the generic loop', () => {
  // Seeds 0 to 199; 3,000 passed when the check was written (in 173 s on a 2-core machine, ~58 ms a seed).
  for (const check of randomCellChecks(strict, randomCellRun({ seeds: 200 }))) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});

describe('compiled kernels of cells at the compiler’s corners match the generic loop', () => {
  for (const { cell, configs } of compilerCornerCells) {
    for (const check of compiledCellChecks(cell, strict, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  }
});
