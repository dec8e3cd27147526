import { afterEach, describe, expect, it } from 'vitest';
import type { AnyCellPlugin } from './cell.js';
import { setDebugLogger } from './debug.js';
import { initParams, initParamTensors, resolveCellOptions } from './params.js';
import { runSequence, scanCell, traceSequence } from './recurrence.js';
import { createReferenceBackend, type RefTensor } from './reference/reference-backend.js';
import { getCell } from './registry.js';
import type { FusedSequenceKernel, SequenceArgs } from './sequence.js';
import { closeTo } from './test-helpers.js';

const ref = createReferenceBackend();
const rnn = getCell('simpleRNN');
const lstm = getCell('lstm');
const gru = getCell('gru');

/** A linear simple RNN with U = I, W = I, no bias: h_t = x_t + h_{t-1}, so states are running sums. */
function summer(extra: Partial<SequenceArgs<RefTensor>> & { inputs: RefTensor }): SequenceArgs<RefTensor> {
  return {
    cell: rnn,
    options: resolveCellOptions(rnn, { activation: 'linear', useBias: false }),
    units: 2,
    params: {
      kernel: ref.tensor([
        [1, 0],
        [0, 1],
      ]),
      recurrentKernel: ref.tensor([
        [1, 0],
        [0, 1],
      ]),
    },
    returnSequences: true,
    ...extra,
  };
}

const x = () =>
  ref.tensor([
    [
      [1, 10],
      [2, 20],
      [3, 30],
    ],
    [
      [4, 40],
      [5, 50],
      [6, 60],
    ],
  ]);

describe('scanCell', () => {
  it('runs every step and returns all outputs or the last', () => {
    const all = scanCell(ref, summer({ inputs: x() }));
    expect(ref.toArray(all.output)).toEqual([
      [
        [1, 10],
        [3, 30],
        [6, 60],
      ],
      [
        [4, 40],
        [9, 90],
        [15, 150],
      ],
    ]);
    const last = scanCell(ref, summer({ inputs: x(), returnSequences: false }));
    expect(ref.toArray(last.output)).toEqual([
      [6, 60],
      [15, 150],
    ]);
    expect(ref.toArray(last.state[0]!)).toEqual([
      [6, 60],
      [15, 150],
    ]);
  });

  it('starts from a given initial state', () => {
    const r = scanCell(
      ref,
      summer({
        inputs: x(),
        initialState: [
          ref.tensor([
            [100, 0],
            [0, 100],
          ]),
        ],
      }),
    );
    expect(ref.toArray(r.state[0]!)).toEqual([
      [106, 60],
      [15, 250],
    ]);
  });

  it('keeps the state and repeats the output at masked steps', () => {
    const mask = ref.tensor([
      [1, 0, 1],
      [1, 1, 0],
    ]);
    const r = scanCell(ref, summer({ inputs: x(), mask }));
    expect(ref.toArray(r.output)).toEqual([
      [
        [1, 10],
        [1, 10],
        [4, 40],
      ],
      [
        [4, 40],
        [9, 90],
        [9, 90],
      ],
    ]);
    expect(ref.toArray(r.state[0]!)).toEqual([
      [4, 40],
      [9, 90],
    ]);
    const zeros = scanCell(ref, summer({ inputs: x(), mask, zeroMaskedOutputs: true }));
    expect(ref.toArray(zeros.output)).toEqual([
      [
        [1, 10],
        [0, 0],
        [4, 40],
      ],
      [
        [4, 40],
        [9, 90],
        [0, 0],
      ],
    ]);
  });

  it('outputs zeros for a sequence masked from the start', () => {
    const r = scanCell(
      ref,
      summer({
        inputs: x(),
        mask: ref.tensor([
          [0, 0, 1],
          [1, 1, 1],
        ]),
        returnSequences: false,
      }),
    );
    expect(ref.toArray(r.output)).toEqual([
      [3, 30],
      [15, 150],
    ]);
    const r2 = scanCell(
      ref,
      summer({
        inputs: x(),
        mask: ref.tensor([
          [0, 0, 0],
          [1, 1, 1],
        ]),
        returnSequences: false,
      }),
    );
    expect(ref.toArray(r2.output)).toEqual([
      [0, 0],
      [15, 150],
    ]);
  });

  it('does not reorder arrays returned by ops when going backwards (autodiff tapes may hold them)', () => {
    // tfjs records the array `unstack` returns on its gradient tape; reversing it in place sent each step's gradient
    // to the mirrored step. Here a backend remembers every array it returns and the test checks none changed.
    const returned: { array: RefTensor[]; copy: RefTensor[] }[] = [];
    const watching = createReferenceBackend();
    const unstack = watching.unstack.bind(watching);
    watching.unstack = (t: RefTensor, axis: number) => {
      const array = unstack(t, axis);
      returned.push({ array, copy: [...array] });
      return array;
    };
    const inputs = watching.tensor([
      [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
    ]);
    scanCell(watching, {
      ...summer({ inputs }),
      inputs,
      params: {
        kernel: watching.tensor([
          [1, 0],
          [0, 1],
        ]),
        recurrentKernel: watching.tensor([
          [1, 0],
          [0, 1],
        ]),
      },
      mask: watching.tensor([[1, 1, 0]]),
      goBackwards: true,
    });
    expect(returned.length).toBeGreaterThan(0);
    for (const { array, copy } of returned) expect(array).toEqual(copy);
  });

  it('goes backwards in the Keras sense: reversed processing, outputs in processing order', () => {
    const r = scanCell(ref, summer({ inputs: x(), goBackwards: true }));
    expect(ref.toArray(r.output)).toEqual([
      [
        [3, 30],
        [5, 50],
        [6, 60],
      ],
      [
        [6, 60],
        [11, 110],
        [15, 150],
      ],
    ]);
    // With a mask the mask is reversed too: the padded tail is seen first and skipped.
    const m = scanCell(
      ref,
      summer({
        inputs: x(),
        goBackwards: true,
        mask: ref.tensor([
          [1, 1, 0],
          [1, 1, 1],
        ]),
      }),
    );
    expect(ref.toArray(m.output)).toEqual([
      [
        [0, 0],
        [2, 20],
        [3, 30],
      ],
      [
        [6, 60],
        [11, 110],
        [15, 150],
      ],
    ]);
  });

  it('applies a recurrent dropout mask to the recurrent input', () => {
    // With a zero mask, h·U vanishes: every step sees only its own input.
    const r = scanCell(ref, summer({ inputs: x(), recurrentMask: ref.fill([2, 2], 0) }));
    expect(ref.toArray(r.output)).toEqual(ref.toArray(x()));
  });

  it('matches an LSTM stepped by hand through the same cell', () => {
    const options = resolveCellOptions(lstm, {});
    const params = initParamTensors(ref, lstm, { inputSize: 2, units: 3 }, 5);
    const inputs = ref.tensor([
      [
        [0.5, -1],
        [1, 2],
      ],
    ]);
    const r = scanCell(ref, { cell: lstm, options, units: 3, inputs, params, returnSequences: true });
    const dims = { inputSize: 2, units: 3, options };
    let state = [ref.fill([1, 3], 0), ref.fill([1, 3], 0)];
    const outs = [];
    for (const xt of ref.unstack(inputs, 1)) {
      const step = lstm.step(ref, {
        input: lstm.projectInput!(ref, xt, params, dims),
        state,
        params,
        dims,
        prepared: undefined,
      });
      state = [...step.state];
      outs.push(ref.toArray(step.output));
    }
    closeTo(
      (ref.toArray(r.output) as number[][][])[0],
      outs.map((o) => (o as number[][])[0]),
      1e-15,
    );
  });
});

describe('scanCell and traceSequence return tensors of their own', () => {
  // h' = x + h; k (a second state) is carried unchanged, and with one step the output is the first state.
  const carrying: AnyCellPlugin = {
    specificationVersion: 'v1',
    name: 'testCarrying',
    defaultOptions: {},
    params: () => [],
    state: ({ units }) => [
      { name: 'h', size: units },
      { name: 'k', size: units },
    ],
    step: (ops, { input, state }) => ({ output: state[0]!, state: [ops.add(input, state[0]!), state[1]!] }),
  };

  it('copies a state returned unchanged and an output that is an initial state, which stay the caller’s', () => {
    const h0 = ref.tensor([[1, 2]]);
    const k0 = ref.tensor([[3, 4]]);
    const args = {
      cell: carrying,
      units: 2,
      inputs: ref.tensor([[[5, 6]]]),
      params: {},
      initialState: [h0, k0],
    };
    for (const run of [scanCell, traceSequence] as const) {
      const before = ref.memory().numTensors;
      const r = run(ref, args);
      expect(r.output).not.toBe(h0);
      expect(r.state[1]).not.toBe(k0);
      expect(ref.toArray(r.output)).toEqual([[1, 2]]);
      expect(ref.toArray(r.state[1]!)).toEqual([[3, 4]]);
      ref.dispose([r.output, ...r.state, ...('states' in r ? [...r.states, ...Object.values(r.gates)] : [])]);
      // Freeing the results leaves the caller's tensors alive, and nothing else behind.
      expect(ref.toArray(k0)).toEqual([[3, 4]]);
      expect(ref.toArray(h0)).toEqual([[1, 2]]);
      expect(ref.memory().numTensors).toBe(before);
    }
  });

  it('gives the output and the first state as two tensors, as a fused kernel does', () => {
    // Every built-in cell returns its new h as the output: the last step's output is the final state[0].
    const args = summer({ inputs: x(), returnSequences: false });
    for (const run of [
      scanCell,
      traceSequence,
      (b: typeof ref, a: SequenceArgs<RefTensor>) => runSequence(b, a, 'never'),
    ]) {
      const r = run(ref, args);
      expect(r.output).not.toBe(r.state[0]);
      const expected = ref.toArray(r.output);
      ref.dispose(r.state);
      // Freeing the states leaves the output readable.
      expect(ref.toArray(r.output)).toEqual(expected);
      ref.dispose([r.output, ...('states' in r ? [...r.states, ...Object.values(r.gates)] : [])]);
    }
  });
});

describe('scanCell, traceSequence and runSequence refuse malformed arguments by name', () => {
  const base = () => summer({ inputs: x() });
  const entries = [
    ['scanCell', (a: unknown) => scanCell(ref, a as SequenceArgs<RefTensor>)],
    ['traceSequence', (a: unknown) => traceSequence(ref, a as SequenceArgs<RefTensor>)],
    ['runSequence', (a: unknown) => runSequence(ref, a as SequenceArgs<RefTensor>)],
  ] as const;

  it.each([
    [
      'a misspelt flag',
      () => ({ ...base(), goBackward: true }),
      'args: unknown option "goBackward" (did you mean "goBackwards"?)',
    ],
    [
      'a flag given as a string',
      () => ({ ...base(), goBackwards: 'false' }),
      'simpleRNN goBackwards: expected true or false, received "false"',
    ],
    [
      'returnSequences given as a string',
      () => ({ ...base(), returnSequences: 'no' }),
      'simpleRNN returnSequences: expected true or false, received "no"',
    ],
    [
      'a cell name instead of a plugin',
      () => ({ ...base(), cell: 'gru' }),
      'args.cell: expected a cell plugin object (getCell("gru") gives the registered cell of that name), received "gru"',
    ],
    [
      'a mask given as nested arrays',
      () => ({
        ...base(),
        mask: [
          [1, 1, 1],
          [1, 1, 0],
        ],
      }),
      'simpleRNN mask: expected a reference tensor, received [[1, 1, 1], [1, 1, 0]]',
    ],
    [
      'params given as an array',
      () => ({ ...base(), params: [] }),
      'simpleRNN params: expected an object of tensors by parameter name, received []',
    ],
  ])('%s', (_name, args, message) => {
    for (const [what, run] of entries) {
      expect(() => run(args()), what).toThrow(message);
    }
  });

  it('refuses no arguments by name, and takes what it took before: any cell name, args of a class', () => {
    for (const [what, run] of entries) {
      expect(() => run(undefined), what).toThrow(
        `${what}(args): expected an object { cell, units, inputs, params, ... }, received undefined`,
      );
      // An unregistered plugin's name is free-form, and args may be an object of another class.
      const mine = { ...rnn, name: 'my rnn/2' };
      const args = Object.assign(Object.create({ describe: () => 'args' }), { ...base(), cell: mine });
      const r = run(args) as { output: RefTensor; state: RefTensor[] };
      expect(ref.shape(r.output)).toEqual([2, 3, 2]);
    }
  });

  it('names a disposed parameter or initial state as the argument it is', () => {
    for (const [what, run] of entries) {
      const args = base();
      const kernel = args.params.kernel!;
      ref.dispose(kernel);
      expect(() => run(args), what).toThrow(
        'simpleRNN params.kernel: expected a live tensor, received tensor [2, 2], which was already disposed',
      );
      const h0 = ref.fill([2, 2], 0);
      ref.dispose(h0);
      expect(() => run({ ...base(), initialState: [h0] }), what).toThrow(
        'simpleRNN initialState[0]: expected a live tensor, received tensor [2, 2], which was already disposed',
      );
    }
  });
});

describe('scanCell rejects bad input by name', () => {
  const base = () => summer({ inputs: x() });

  it.each([
    [
      'rank-2 inputs',
      () => ({ ...base(), inputs: ref.tensor([[1, 2]]) }),
      'simpleRNN inputs: expected rank 3 [batch, time, features], received shape [1, 2] (rank 2)',
    ],
    [
      'a feature size that does not match the kernel',
      () => ({ ...base(), inputs: ref.fill([2, 3, 5], 0) }),
      'simpleRNN params.kernel: expected shape [5, 2] (inputSize 5 from inputs [2, 3, 5], units 2), received shape [2, 2]',
    ],
    [
      'an initial state with another batch size',
      () => ({ ...base(), initialState: [ref.fill([3, 2], 0)] }),
      'simpleRNN initialState[0] (h): expected shape [2, 2], received shape [3, 2]',
    ],
    [
      'the wrong number of initial states',
      () => ({ ...base(), initialState: [ref.fill([2, 2], 0), ref.fill([2, 2], 0)] }),
      'simpleRNN initialState: expected 1 tensors (h), received 2',
    ],
    [
      'a mask of the wrong size',
      () => ({ ...base(), mask: ref.fill([2, 4], 1) }),
      'simpleRNN mask: expected shape [2, 3], received shape [2, 4]',
    ],
    [
      'zero units',
      () => ({ ...base(), units: 0 }),
      'simpleRNN units: expected a positive integer, received 0',
    ],
  ])('%s', (_name, args, message) => {
    const before = ref.memory().numTensors;
    const a = args();
    const created = ref.memory().numTensors - before;
    expect(() => scanCell(ref, a)).toThrow(message);
    // Nothing is left behind by the failed call itself.
    expect(ref.memory().numTensors - before).toBe(created);
  });

  it('refuses a recurrent mask for a cell that cannot apply it', () => {
    const plain = { ...rnn, name: 'plain', supportsRecurrentDropout: false };
    expect(() => scanCell(ref, { ...base(), cell: plain, recurrentMask: ref.fill([2, 2], 1) })).toThrow(
      'plain recurrentMask: this cell does not support recurrent dropout',
    );
  });

  it('frees everything when a step throws', () => {
    const failing = {
      ...rnn,
      name: 'failing',
      step: () => {
        throw new Error('step failed');
      },
    };
    const args = { ...base(), cell: failing };
    const before = ref.memory().numTensors;
    expect(() => scanCell(ref, args)).toThrow('step failed');
    expect(ref.memory().numTensors).toBe(before);
  });
});

describe('runSequence', () => {
  afterEach(() => setDebugLogger(undefined));

  /** A backend whose fused kernel for simpleRNN records calls and delegates to the generic loop. */
  function withKernel(supports: (args: SequenceArgs<RefTensor>) => string | undefined) {
    const calls: string[] = [];
    const kernel: FusedSequenceKernel<RefTensor> = {
      supports,
      run: (args) => {
        calls.push('fused');
        return scanCell(backend, args);
      },
    };
    const backend = Object.assign(createReferenceBackend(), {
      fusedKernels: new Map([['simpleRNN', kernel]]),
    });
    return { backend, calls };
  }

  it('uses a fused kernel that supports the arguments', () => {
    const { backend, calls } = withKernel(() => undefined);
    runSequence(backend, {
      ...summer({ inputs: x() }),
      inputs: backend.fill([2, 3, 2], 1),
      params: initParamTensors(
        backend,
        rnn,
        { inputSize: 2, units: 2, activation: 'linear', useBias: false },
        1,
      ),
    });
    expect(calls).toEqual(['fused']);
  });

  it('falls back to the generic loop, logging why, or throws when the kernel is required', () => {
    const { backend, calls } = withKernel(() => 'masks are not supported');
    const logged: string[] = [];
    setDebugLogger((topic, message) => logged.push(`${topic}: ${message}`));
    const args = {
      ...summer({ inputs: x() }),
      inputs: backend.fill([2, 3, 2], 1),
      params: initParamTensors(
        backend,
        rnn,
        { inputSize: 2, units: 2, activation: 'linear', useBias: false },
        1,
      ),
    };
    const r = runSequence(backend, args);
    expect(backend.shape(r.output)).toEqual([2, 3, 2]);
    expect(calls).toEqual([]);
    expect(logged).toEqual(['fused: reference/simpleRNN: generic loop (masks are not supported)']);
    expect(() => runSequence(backend, args, 'require')).toThrow(
      'fused kernel required but unavailable: masks are not supported',
    );
    runSequence(backend, args, 'never');
    expect(logged).toHaveLength(1);
  });
});

describe('traceSequence', () => {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

  it("matches an LSTM computed with plain loops: gates, h and c at every step, and scanCell's result", () => {
    const [inputSize, units] = [2, 3];
    const values = initParams(lstm, { inputSize, units }, 11);
    const params = initParamTensors(ref, lstm, { inputSize, units }, 11);
    const xs = [
      [
        [0.5, -1],
        [1, 2],
        [-0.3, 0.7],
      ],
      [
        [0, 0.2],
        [-1.5, 0.4],
        [0.9, -0.8],
      ],
    ];
    const options = resolveCellOptions(lstm, {});
    const args = { cell: lstm, options, units, inputs: ref.tensor(xs), params, returnSequences: true };
    const trace = traceSequence(ref, args);
    const W = values.kernel!.values;
    const U = values.recurrentKernel!.values;
    const b = values.bias!.values;
    const names = ['input', 'forget', 'candidate', 'output'] as const;
    for (let n = 0; n < xs.length; n++) {
      let h = new Array<number>(units).fill(0);
      let c = new Array<number>(units).fill(0);
      for (let t = 0; t < xs[n]!.length; t++) {
        // z_k = Σ x_i W[i, k] + Σ h_j U[j, k] + b_k, gates stacked i, f, g, o.
        const z = Array.from({ length: 4 * units }, (_, k) => {
          let v = b[k]!;
          for (let i = 0; i < inputSize; i++) v += xs[n]![t]![i]! * W[i * 4 * units + k]!;
          for (let j = 0; j < units; j++) v += h[j]! * U[j * 4 * units + k]!;
          return v;
        });
        const gate = (g: number) => z.slice(g * units, (g + 1) * units);
        const expected = {
          input: gate(0).map(sigmoid),
          forget: gate(1).map(sigmoid),
          candidate: gate(2).map(Math.tanh),
          output: gate(3).map(sigmoid),
        };
        c = c.map((cj, j) => expected.forget[j]! * cj + expected.input[j]! * expected.candidate[j]!);
        h = c.map((cj, j) => expected.output[j]! * Math.tanh(cj));
        for (const name of names) {
          closeTo((ref.toArray(trace.gates[name]!) as number[][][])[n]![t], expected[name], 1e-12);
        }
        closeTo((ref.toArray(trace.states[0]!) as number[][][])[n]![t], h, 1e-12);
        closeTo((ref.toArray(trace.states[1]!) as number[][][])[n]![t], c, 1e-12);
      }
    }
    expect(Object.keys(trace.gates).sort()).toEqual([...names].sort());
    const scanned = scanCell(ref, args);
    expect(ref.toArray(trace.output)).toEqual(ref.toArray(scanned.output));
    expect(trace.state.map((t) => ref.toArray(t))).toEqual(scanned.state.map((t) => ref.toArray(t)));
  });

  it.each([true, false])(
    'GRU (resetAfter %s): h_t = z·h_{t-1} + (1 − z)·ĥ from the reported gates, reset and update in (0, 1)',
    (resetAfter) => {
      const config = { inputSize: 2, units: 4, resetAfter };
      const params = initParamTensors(ref, gru, config, 3);
      const inputs = ref.tensor(
        Array.from({ length: 2 }, (_, n) =>
          Array.from({ length: 5 }, (_, t) => [Math.sin(n + t), Math.cos(2 * t - n)]),
        ),
      );
      const options = resolveCellOptions(gru, { resetAfter });
      const trace = traceSequence(ref, {
        cell: gru,
        options,
        units: 4,
        inputs,
        params,
        returnSequences: true,
      });
      expect(Object.keys(trace.gates).sort()).toEqual(['candidate', 'reset', 'update']);
      const z = ref.toArray(trace.gates.update!) as number[][][];
      const r = ref.toArray(trace.gates.reset!) as number[][][];
      const candidate = ref.toArray(trace.gates.candidate!) as number[][][];
      const h = ref.toArray(trace.states[0]!) as number[][][];
      for (let n = 0; n < 2; n++) {
        for (let t = 0; t < 5; t++) {
          const previous = t === 0 ? [0, 0, 0, 0] : h[n]![t - 1]!;
          const expected = previous.map(
            (p, j) => z[n]![t]![j]! * p + (1 - z[n]![t]![j]!) * candidate[n]![t]![j]!,
          );
          closeTo(h[n]![t], expected, 1e-12);
          for (const v of [...z[n]![t]!, ...r[n]![t]!]) expect(v > 0 && v < 1).toBe(true);
        }
      }
      expect(ref.toArray(trace.output)).toEqual(
        ref.toArray(
          scanCell(ref, { cell: gru, options, units: 4, inputs, params, returnSequences: true }).output,
        ),
      );
    },
  );

  it('reports no gates for the simple RNN, and its states are its outputs', () => {
    const trace = traceSequence(ref, summer({ inputs: x() }));
    expect(trace.gates).toEqual({});
    expect(ref.toArray(trace.states[0]!)).toEqual(ref.toArray(trace.output));
  });

  it('keeps states at masked steps and lists steps in processing order with goBackwards', () => {
    const trace = traceSequence(
      ref,
      summer({
        inputs: x(),
        goBackwards: true,
        returnSequences: false,
        mask: ref.tensor([
          [1, 1, 0],
          [1, 1, 1],
        ]),
      }),
    );
    // Processing order 3, 2, 1: the padded third step of the first sequence comes first and keeps the zero state.
    expect(ref.toArray(trace.states[0]!)).toEqual([
      [
        [0, 0],
        [2, 20],
        [3, 30],
      ],
      [
        [6, 60],
        [11, 110],
        [15, 150],
      ],
    ]);
    expect(ref.toArray(trace.output)).toEqual([
      [3, 30],
      [15, 150],
    ]);
  });

  it('adds the output probe to the output and carries it as h into the next step', () => {
    const probe = ref.tensor([
      [
        [100, 0],
        [0, 0],
        [0, 1000],
      ],
      [
        [0, 0],
        [1, 1],
        [0, 0],
      ],
    ]);
    const trace = traceSequence(ref, { ...summer({ inputs: x() }), outputProbe: probe });
    // h_t = x_t + h_{t-1} + p_t.
    expect(ref.toArray(trace.output)).toEqual([
      [
        [101, 10],
        [103, 30],
        [106, 1060],
      ],
      [
        [4, 40],
        [10, 91],
        [16, 151],
      ],
    ]);
    const zero = traceSequence(ref, { ...summer({ inputs: x() }), outputProbe: ref.fill([2, 3, 2], 0) });
    expect(ref.toArray(zero.output)).toEqual(ref.toArray(scanCell(ref, summer({ inputs: x() })).output));
  });

  it('makes the gradient with respect to the probe the total derivative ∂L/∂h_t (finite differences)', () => {
    // For h_t = x_t + h_{t-1} and L = Σ_t w_t·Σ_j h_t[j], every later step sees h_t: ∂L/∂h_t[j] = Σ_{s ≥ t} w_s.
    const w = [0.5, -2, 3];
    const loss = (probe: number[][][]) => {
      const out = ref.toArray(
        traceSequence(ref, { ...summer({ inputs: x() }), outputProbe: ref.tensor(probe) }).output,
      ) as number[][][];
      return out.reduce((sum, seq) => sum + seq.reduce((s, h, t) => s + w[t]! * (h[0]! + h[1]!), 0), 0);
    };
    const zeros = () => [0, 1].map(() => [0, 1, 2].map(() => [0, 0]));
    const eps = 1e-3;
    for (let t = 0; t < 3; t++) {
      const plus = zeros();
      const minus = zeros();
      plus[1]![t]![1] = eps;
      minus[1]![t]![1] = -eps;
      const numeric = (loss(plus) - loss(minus)) / (2 * eps);
      expect(numeric).toBeCloseTo(
        w.slice(t).reduce((a, b) => a + b, 0),
        9,
      );
    }
  });

  it('names a probe of the wrong shape, and a cell that reports a gate at some steps only', () => {
    expect(() =>
      traceSequence(ref, { ...summer({ inputs: x() }), outputProbe: ref.fill([2, 2, 2], 0) }),
    ).toThrow('simpleRNN outputProbe: expected shape [2, 3, 2], received shape [2, 2, 2]');
    let calls = 0;
    const fickle: AnyCellPlugin = {
      ...rnn,
      name: 'fickle',
      step(ops, args) {
        const result = rnn.step(ops, args);
        return calls++ === 0 ? { ...result, gates: { odd: result.output } } : result;
      },
    };
    const args = { ...summer({ inputs: x() }), cell: fickle };
    const before = ref.memory().numTensors;
    expect(() => traceSequence(ref, args)).toThrow(
      'traceSequence: the cell fickle reported gate "odd" at 1 of 3 steps',
    );
    expect(ref.memory().numTensors).toBe(before);
  });
});
