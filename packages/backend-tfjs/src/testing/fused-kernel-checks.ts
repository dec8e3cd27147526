/**
 * Checks of a backend's fused simpleRNN / LSTM / GRU kernels (the kernels compiled from the cells' steps) beyond the
 * cell conformance kit's default configs: sizes that are not multiples of 4 or 8 (vector widths, the products'
 * tiles), batch 1 and time 1, every activation, a larger sequence, recurrent dropout (which the kit does not cover),
 * falling back with the reason logged, bad input (same errors as the generic loop, nothing leaked), the numerics
 * check and wasm-side buffers.
 * Fused results are compared with core's generic loop on the same backend: outputs and states within atol 1e-5,
 * rtol 1e-4, and gradients within the same (both are float32; a wrong term is off by far more).
 */
import {
  type AnyCellPlugin,
  type Backend,
  createRng,
  findKernel,
  gru,
  initParams,
  lstm,
  outputSizeOf,
  resolveCellDims,
  runSequence,
  SeqmodelError,
  type SequenceArgs,
  type SequenceResult,
  scanCell,
  setDebugLogger,
  simpleRNN,
} from '@seqmodel/core';
import {
  assertClose,
  type CellConformanceConfig,
  type ConformanceCheck,
  cellConformanceChecks,
  checkNoLeak,
  launchAndRead,
  readAll,
  type Tolerance,
} from '@seqmodel/core/testing';
import { expectSeqmodelError } from './bad-input-checks.js';
import type { SwitchableNumerics } from './binding-checks.js';

const fusedTolerance: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/**
 * Configurations for the fused kernels: units and input sizes that are not multiples of 4 or 8 (the JavaScript
 * GEMM's tile), every activation the kernels implement, both hard sigmoids, no bias, both GRU variants.
 */
export const fusedCellConfigs: Readonly<Record<string, readonly CellConformanceConfig[]>> = {
  simpleRNN: [
    { inputSize: 6, units: 9 },
    { inputSize: 1, units: 5, options: { activation: 'linear', useBias: false } },
    { inputSize: 3, units: 7, options: { activation: 'elu' } },
    { inputSize: 3, units: 7, options: { activation: 'selu' } },
    { inputSize: 3, units: 7, options: { activation: 'softsign' } },
    { inputSize: 3, units: 7, options: { activation: 'softplus' } },
    { inputSize: 3, units: 7, options: { activation: 'sigmoid' } },
    { inputSize: 3, units: 7, options: { activation: 'hardSigmoid' } },
  ],
  lstm: [
    { inputSize: 5, units: 9 },
    // A multiple of 4: the wasm backend's SIMD step.
    { inputSize: 5, units: 12 },
    {
      inputSize: 6,
      units: 13,
      options: { recurrentActivation: 'hardSigmoidKeras3', activation: 'softsign' },
    },
    {
      inputSize: 2,
      units: 3,
      options: {
        activation: 'relu',
        recurrentActivation: 'hardSigmoid',
        useBias: false,
        unitForgetBias: false,
      },
    },
    { inputSize: 4, units: 5, options: { activation: 'elu' } },
  ],
  gru: [
    { inputSize: 5, units: 9, options: { resetAfter: true } },
    { inputSize: 5, units: 9, options: { resetAfter: false } },
    // A multiple of 4: the wasm backend's SIMD step.
    { inputSize: 5, units: 12, options: { resetAfter: false } },
    {
      inputSize: 3,
      units: 7,
      options: {
        resetAfter: false,
        useBias: false,
        recurrentActivation: 'hardSigmoidKeras3',
        activation: 'relu',
      },
    },
    {
      inputSize: 3,
      units: 7,
      options: { resetAfter: true, recurrentActivation: 'hardSigmoid', activation: 'softplus' },
    },
    { inputSize: 1, units: 1, options: { resetAfter: true, useBias: false } },
  ],
};

/**
 * The built-in cells at the sizes and options the compiled GPU kernel runs them at in the checks (interpreted in Node,
 * in real webgl and webgpu, recorded for the shader-text checks): simpleRNN with its default, linear and elu
 * activations, LSTM at 9 and 12 units, both GRU variants.
 */
export const gpuCompiledBuiltInCells: readonly {
  readonly cell: AnyCellPlugin;
  readonly configs: readonly CellConformanceConfig[];
}[] = [
  { cell: simpleRNN, configs: fusedCellConfigs.simpleRNN!.slice(0, 3) },
  { cell: lstm, configs: fusedCellConfigs.lstm!.slice(0, 2) },
  { cell: gru, configs: fusedCellConfigs.gru!.slice(0, 2) },
];

const cells: readonly AnyCellPlugin[] = [simpleRNN, lstm, gru];

/** The one GRU variant per `resetAfter`, the others as they are. */
function cellVariants(): { cell: AnyCellPlugin; options: Record<string, unknown>; label: string }[] {
  return [
    { cell: simpleRNN, options: {}, label: 'simpleRNN' },
    { cell: lstm, options: {}, label: 'lstm' },
    { cell: gru, options: { resetAfter: true }, label: 'gru (resetAfter)' },
    { cell: gru, options: { resetAfter: false }, label: 'gru (reset before)' },
  ];
}

function only(checks: ConformanceCheck[], suffixes: readonly string[]): ConformanceCheck[] {
  return checks.filter((c) => suffixes.some((s) => c.name.endsWith(s)));
}

export interface HostSequence {
  readonly cell: AnyCellPlugin;
  readonly options: Record<string, unknown>;
  readonly batch: number;
  readonly time: number;
  readonly inputSize: number;
  readonly units: number;
  readonly inputs: Float32Array;
  readonly params: Record<string, { values: Float32Array; shape: readonly number[] }>;
  readonly initialState?: Float32Array[];
  readonly mask?: Float32Array;
  readonly recurrentMask?: Float32Array;
  readonly goBackwards: boolean;
  readonly returnSequences: boolean;
  readonly zeroMaskedOutputs: boolean;
}

function normals(n: number, seed: string, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** A seeded case: random inputs and perturbed initial parameters, optional state, masks and recurrent dropout. */
export function hostSequence(
  cell: AnyCellPlugin,
  options: Record<string, unknown>,
  sizes: { batch: number; time: number; inputSize: number; units: number },
  variant: {
    initialState?: boolean;
    mask?: boolean;
    recurrentDropout?: boolean;
    goBackwards?: boolean;
    returnSequences?: boolean;
    zeroMaskedOutputs?: boolean;
  },
  seed: string,
): HostSequence {
  const { batch, time, inputSize, units } = sizes;
  const config = { inputSize, units, ...options };
  const params: HostSequence['params'] = {};
  for (const [name, p] of Object.entries(initParams(cell, config, seed))) {
    const noise = normals(p.values.length, `${seed}/${name}`, 0.1);
    params[name] = { values: p.values.map((v, i) => v + noise[i]!), shape: p.shape };
  }
  const { dims } = resolveCellDims(cell, config);
  const stateSizes = cell.state(dims).map((s) => s.size);
  const rng = createRng(`${seed}/masks`);
  const mask = variant.mask
    ? Float32Array.from({ length: batch * time }, (_, i) => {
        // Row 0 fully valid; the others random, each with a valid step somewhere.
        const b = Math.floor(i / time);
        return b === 0 || i % time === b % time ? 1 : rng.next() < 0.6 ? 1 : 0;
      })
    : undefined;
  return {
    cell,
    options,
    ...sizes,
    inputs: normals(batch * time * inputSize, `${seed}/x`),
    params,
    ...(variant.initialState
      ? {
          initialState: stateSizes.map((size, k) => normals(batch * size, `${seed}/s${k}`, 0.5)),
        }
      : {}),
    ...(mask ? { mask } : {}),
    ...(variant.recurrentDropout
      ? {
          // As wide as the first state, which the mask multiplies.
          recurrentMask: Float32Array.from({ length: batch * stateSizes[0]! }, () =>
            rng.next() < 0.3 ? 0 : 1 / 0.7,
          ),
        }
      : {}),
    goBackwards: variant.goBackwards ?? false,
    returnSequences: variant.returnSequences ?? true,
    zeroMaskedOutputs: variant.zeroMaskedOutputs ?? false,
  };
}

interface Tensors<T> {
  readonly inputs: T;
  readonly params: Record<string, T>;
  readonly initialState?: T[];
  readonly mask?: T;
  readonly recurrentMask?: T;
}

function toTensors<T>(b: Backend<T>, c: HostSequence): Tensors<T> {
  const params: Record<string, T> = {};
  for (const [name, p] of Object.entries(c.params)) params[name] = b.tensor(p.values, p.shape);
  return {
    inputs: b.tensor(c.inputs, [c.batch, c.time, c.inputSize]),
    params,
    ...(c.initialState
      ? { initialState: c.initialState.map((s) => b.tensor(s, [c.batch, s.length / c.batch])) }
      : {}),
    ...(c.mask ? { mask: b.tensor(c.mask, [c.batch, c.time]) } : {}),
    ...(c.recurrentMask
      ? { recurrentMask: b.tensor(c.recurrentMask, [c.batch, c.recurrentMask.length / c.batch]) }
      : {}),
  };
}

function argsOf<T>(c: HostSequence, t: Tensors<T>): SequenceArgs<T> {
  return {
    cell: c.cell,
    options: c.options,
    units: c.units,
    inputs: t.inputs,
    params: t.params,
    ...(t.initialState ? { initialState: t.initialState } : {}),
    ...(t.mask ? { mask: t.mask } : {}),
    ...(t.recurrentMask ? { recurrentMask: t.recurrentMask } : {}),
    goBackwards: c.goBackwards,
    returnSequences: c.returnSequences,
    zeroMaskedOutputs: c.zeroMaskedOutputs,
  };
}

type Runner<T> = (b: Backend<T>, args: SequenceArgs<T>) => SequenceResult<T>;

function dispose<T>(b: Backend<T>, t: Tensors<T>): void {
  b.dispose([
    t.inputs,
    ...Object.values(t.params),
    ...(t.initialState ?? []),
    ...(t.mask ? [t.mask] : []),
    ...(t.recurrentMask ? [t.recurrentMask] : []),
  ]);
}

/** Host copies of `tensors`, as float32 (`launchAndRead` reads them with one read and disposes them). */
function readFloat32<T>(b: Backend<T>, tensors: readonly T[]): Float32Array[] {
  return readAll(b, tensors).map((x) => Float32Array.from(x));
}

/** Outputs and states, not read yet; the inputs are disposed. */
function launchForward<T>(b: Backend<T>, c: HostSequence, run: Runner<T>): Launched<T> {
  const t = toTensors(b, c);
  try {
    const r = run(b, argsOf(c, t));
    return { names: ['output', ...r.state.map((_, i) => `state[${i}]`)], tensors: [r.output, ...r.state] };
  } finally {
    dispose(b, t);
  }
}

/** Outputs and states, read back. */
function forward<T>(b: Backend<T>, c: HostSequence, run: Runner<T>): Float32Array[] {
  return launchAndRead(b, [() => launchForward(b, c, run)], readFloat32)[0]!.values;
}

/** Launched results, not read yet: the outputs and states of a run, or the gradients of its loss. */
interface Launched<T> {
  readonly names: string[];
  /** The results, one per name. */
  readonly tensors: T[];
}

/**
 * Gradients of Σ output·R + Σ state·S with respect to inputs, params, initial state and recurrent mask, not read
 * yet; everything else is disposed.
 */
function launchGradients<T>(b: Backend<T>, c: HostSequence, run: Runner<T>): Launched<T> {
  const t = toTensors(b, c);
  const names = Object.keys(t.params);
  const targets = [
    { name: 'inputs', tensor: t.inputs },
    ...names.map((n) => ({ name: `params.${n}`, tensor: t.params[n]! })),
    ...(t.initialState ?? []).map((s, i) => ({ name: `initialState[${i}]`, tensor: s })),
    ...(t.recurrentMask ? [{ name: 'recurrentMask', tensor: t.recurrentMask }] : []),
  ];
  // The output and each state as wide as the cell makes them (not always `units`).
  const sizes = cellSizes(c);
  const outputShape = c.returnSequences ? [c.batch, c.time, sizes.output] : [c.batch, sizes.output];
  const outputWeights = b.tensor(
    normals(
      outputShape.reduce((n, d) => n * d, 1),
      'R',
    ),
    outputShape,
  );
  const stateWeights = sizes.states.map((size, k) =>
    b.tensor(normals(c.batch * size, `S${k}`), [c.batch, size]),
  );
  try {
    const { value, grads } = b.valueAndGrads!(
      (...xs: T[]) => {
        let i = 1;
        const params: Record<string, T> = {};
        for (const n of names) params[n] = xs[i++]!;
        const initialState = t.initialState?.map(() => xs[i++]!);
        const recurrentMask = t.recurrentMask ? xs[i++]! : undefined;
        const r = run(
          b,
          argsOf(c, {
            inputs: xs[0]!,
            params,
            ...(initialState ? { initialState } : {}),
            ...(t.mask ? { mask: t.mask } : {}),
            ...(recurrentMask ? { recurrentMask } : {}),
          }),
        );
        let loss = b.sum(b.mul(r.output, outputWeights));
        r.state.forEach((s, k) => {
          loss = b.add(loss, b.sum(b.mul(s, stateWeights[k]!)));
        });
        return loss;
      },
      targets.map((x) => x.tensor),
    );
    b.dispose(value);
    return { names: targets.map((x) => x.name), tensors: grads };
  } finally {
    b.dispose([outputWeights, ...stateWeights]);
    dispose(b, t);
  }
}

/** {@link launchGradients}, read back. */
function gradients<T>(
  b: Backend<T>,
  c: HostSequence,
  run: Runner<T>,
): { name: string; values: Float32Array }[] {
  const { names, values } = launchAndRead(b, [() => launchGradients(b, c, run)], readFloat32)[0]!;
  return values.map((v, i) => ({ name: names[i]!, values: v }));
}

/** The widths of the cell's output and of each of its states. */
function cellSizes(c: HostSequence): { output: number; states: number[] } {
  const { dims } = resolveCellDims(c.cell, { inputSize: c.inputSize, units: c.units, ...c.options });
  return { output: outputSizeOf(c.cell, dims), states: c.cell.state(dims).map((s) => s.size) };
}

/** `b`'s `sequence` kernel for `cell` (its own, or one filed under `*`); throws when it has none. */
export function requireSequenceKernel<T>(b: Backend<T>, cell: AnyCellPlugin) {
  const kernel = findKernel(b, 'sequence', cell.name);
  if (!kernel) throw new SeqmodelError(`backend ${b.name} has no fused kernel for ${cell.name}`);
  return kernel;
}

function fusedRunner<T>(b: Backend<T>, cell: AnyCellPlugin): Runner<T> {
  const kernel = requireSequenceKernel(b, cell);
  return (_b, args) => {
    const reason = kernel.supports(args);
    if (reason !== undefined) throw new SeqmodelError(`fused kernel refused the case: ${reason}`);
    return kernel.run(args);
  };
}

/** Fused (the backend's kernel for the cell, or `fused`) against generic on one case: outputs, states, gradients. */
export function assertFusedMatchesGeneric<T>(
  b: Backend<T>,
  c: HostSequence,
  what: string,
  fused: Runner<T> = fusedRunner(b, c.cell),
): void {
  // Both paths' outputs, states and gradients, read back at once: on a GPU backend a read is a round trip that
  // costs more than these small runs.
  const launched = launchAndRead<T, Launched<T>, Float32Array>(
    b,
    [
      () => launchForward(b, c, scanCell),
      () => launchForward(b, c, fused),
      () => launchGradients(b, c, scanCell),
      () => launchGradients(b, c, fused),
    ],
    readFloat32,
  );
  const [expected, actual, generic, viaFused] = launched;
  // A missing or extra state would otherwise go uncompared. (The gradients are named after the case's inputs on
  // both paths, so only the forward results can differ in what they hold.)
  if (actual!.names.join() !== expected!.names.join()) {
    throw new SeqmodelError(
      `${what}: the fused path returned ${actual!.names.join(', ')}; expected what the generic path returned, ${expected!.names.join(', ')}`,
    );
  }
  actual!.values.forEach((v, i) => {
    assertClose(`${what}: ${actual!.names[i]}`, v, expected!.values[i]!, fusedTolerance);
  });
  viaFused!.values.forEach((g, i) => {
    assertClose(`${what}: d loss / d ${viaFused!.names[i]}`, g, generic!.values[i]!, fusedTolerance);
  });
}

/** Every check of the fused kernels on `backend`; skipped when it has none. */
export function fusedKernelChecks<T>(backend: SwitchableNumerics<T>): ConformanceCheck[] {
  const missing = cells
    .filter((c) => findKernel(backend, 'sequence', c.name) === undefined)
    .map((c) => c.name);
  const skip =
    missing.length > 0
      ? { skip: `backend ${backend.name} has no fused kernel for ${missing.join(', ')}` }
      : {};
  const label = `fused kernels on ${backend.name}`;
  const checks: ConformanceCheck[] = [];

  for (const cell of cells) {
    const conformance = [
      ...cellConformanceChecks(cell, backend, {
        configs: fusedCellConfigs[cell.name] ?? [],
        batch: 5,
        time: 6,
      }),
      // Batch 1, time 1 and both: the edges of every loop and of the products.
      ...[
        { batch: 1, time: 7 },
        { batch: 6, time: 1 },
        { batch: 1, time: 1 },
      ].flatMap(({ batch, time }) =>
        cellConformanceChecks(cell, backend, {
          configs: [{ inputSize: 3, units: 5, label: `inputSize 3, units 5, batch ${batch}, time ${time}` }],
          batch,
          time,
        }),
      ),
    ];
    if (cell === simpleRNN) {
      // Exponential recurrences overflow float32 over a few steps: two steps.
      conformance.push(
        ...cellConformanceChecks(cell, backend, {
          configs: [
            { inputSize: 3, units: 7, options: { activation: 'exponential' }, label: 'exponential, time 2' },
          ],
          batch: 4,
          time: 2,
        }),
      );
    }
    checks.push(
      ...only(conformance, [
        'fused kernel matches the generic loop',
        'agrees with the float64 reference',
        'no tensors leaked',
      ]).map((c) => ({ ...c, ...skip })),
    );
    // A larger sequence, every variant of the kit (masks, initial state, goBackwards, last step).
    const large = cellConformanceChecks(cell, backend, {
      configs: [
        ...(cell === gru
          ? [
              { inputSize: 16, units: 33, options: { resetAfter: true } },
              { inputSize: 16, units: 33, options: { resetAfter: false } },
              { inputSize: 16, units: 32, options: { resetAfter: false } },
            ]
          : cell === lstm
            ? [
                { inputSize: 16, units: 33 },
                { inputSize: 16, units: 32 },
              ]
            : [{ inputSize: 16, units: 33 }]),
      ].map((c) => ({ ...c, label: `${JSON.stringify(c.options ?? {})} at 8x20x16x33` })),
      batch: 8,
      time: 20,
    });
    checks.push(...only(large, ['fused kernel matches the generic loop']).map((c) => ({ ...c, ...skip })));
  }

  for (const { cell, options, label: cellLabel } of cellVariants()) {
    checks.push({
      name: `${label}: ${cellLabel} with recurrent dropout matches the generic loop (gradients of the mask too)`,
      ...skip,
      run() {
        const sizes = { batch: 4, time: 5, inputSize: 3, units: 8 };
        const variants = [
          { recurrentDropout: true },
          { recurrentDropout: true, mask: true, initialState: true, goBackwards: true },
          { recurrentDropout: true, mask: true, returnSequences: false, zeroMaskedOutputs: true },
        ];
        variants.forEach((variant, i) => {
          const c = hostSequence(cell, options, sizes, variant, `dropout/${cellLabel}/${i}`);
          assertFusedMatchesGeneric(backend, c, `${cellLabel} ${JSON.stringify(variant)}`);
        });
      },
    });
  }

  checks.push({
    name: `${label}: a step the kernel cannot run falls back to the generic loop, logging why; a plugin under a built-in's name runs its own step`,
    ...skip,
    run() {
      const logged: string[] = [];
      setDebugLogger((topic, message) => logged.push(`${topic}: ${message}`));
      try {
        const sizes = { batch: 2, time: 3, inputSize: 2, units: 3 };
        // softmax sums over the last axis: a reduction, which neither the compiler nor a hand-written kernel takes.
        const softmax = hostSequence(simpleRNN, { activation: 'softmax' }, sizes, {}, 'fallback');
        const kernel = findKernel(backend, 'sequence', 'simpleRNN')!;
        let reason: string | undefined;
        const expected = forward(backend, softmax, (b, a) => {
          reason = kernel.supports(a);
          return scanCell(b, a);
        });
        if (reason === undefined) {
          throw new SeqmodelError(
            'the simpleRNN kernel accepted a softmax activation; expected it to decline',
          );
        }
        const actual = forward(backend, softmax, (b, a) => runSequence(b, a));
        assertClose('softmax simpleRNN through runSequence', actual[0]!, expected[0]!, { atol: 0, rtol: 0 });
        const logStart = `fused: ${backend.name}/simpleRNN: generic loop (${reason}`;
        if (!logged.some((l) => l.startsWith(logStart))) {
          throw new SeqmodelError(
            `expected a log starting ${JSON.stringify(logStart)}, logged ${JSON.stringify(logged)}`,
          );
        }
        expectSeqmodelError(
          'policy require with softmax',
          () => forward(backend, softmax, (b, a) => runSequence(b, a, 'require')),
          [`fused kernel required but unavailable: ${reason}`],
        );
        checkNoLeak(backend, 'the kernel called directly with softmax', () => {
          expectSeqmodelError(
            'the kernel called directly with softmax',
            () => forward(backend, softmax, (_b, a) => kernel.run(a)),
            [reason!],
          );
        });
        // A plugin registered under a built-in's name is not the built-in: its own step is what runs.
        const impostor: AnyCellPlugin = {
          ...lstm,
          step: (ops, args) => {
            const { output, state } = lstm.step(ops, args);
            return { output: ops.mul(output, 2), state: [ops.mul(state[0]!, 2), state[1]!] };
          },
        };
        // Through runSequence: a kernel that takes it must compute the impostor's step (a compiled one does), one
        // that implements the real lstm must decline it (the generic loop then runs).
        assertFusedMatchesGeneric(
          backend,
          hostSequence(impostor, {}, sizes, {}, 'impostor'),
          'an lstm impostor',
          (b, a) => runSequence(b, a),
        );
      } finally {
        setDebugLogger(undefined);
      }
    },
  });

  checks.push({
    name: `${label}: bad input gets the generic loop's errors and leaks nothing`,
    ...skip,
    run() {
      const sizes = { batch: 2, time: 3, inputSize: 4, units: 5 };
      const c = hostSequence(lstm, {}, sizes, { initialState: true, mask: true }, 'bad input');
      const kernel = findKernel(backend, 'sequence', 'lstm')!;
      const cases: { name: string; change: (args: SequenceArgs<T>, b: Backend<T>) => SequenceArgs<T> }[] = [
        { name: 'inputs of rank 2', change: (a, b) => ({ ...a, inputs: b.fill([2, 12], 1) }) },
        {
          name: 'inputs with another feature size',
          change: (a, b) => ({ ...a, inputs: b.fill([2, 3, 6], 1) }),
        },
        {
          name: 'an initial state of another batch size',
          change: (a, b) => ({ ...a, initialState: [b.fill([3, 5], 0), a.initialState![1]!] }),
        },
        { name: 'one initial state of two', change: (a) => ({ ...a, initialState: [a.initialState![0]!] }) },
        { name: 'a mask of another length', change: (a, b) => ({ ...a, mask: b.fill([2, 4], 1) }) },
        {
          name: 'a recurrent kernel of another size',
          change: (a, b) => ({ ...a, params: { ...a.params, recurrentKernel: b.fill([5, 16], 0) } }),
        },
        { name: 'units that are not a positive integer', change: (a) => ({ ...a, units: 0 }) },
        {
          name: 'params that are not an object',
          change: (a) => ({ ...a, params: undefined as unknown as Record<string, T> }),
        },
      ];
      for (const bad of cases) {
        const t = toTensors(backend, c);
        try {
          const args = bad.change(argsOf(c, t), backend);
          let genericMessage = '';
          try {
            scanCell(backend, args);
          } catch (error) {
            genericMessage = (error as Error).message;
          }
          if (genericMessage === '') throw new SeqmodelError(`${bad.name}: the generic loop did not throw`);
          checkNoLeak(backend, `${bad.name}, fused`, () => {
            // Through runSequence (supports, then run) and through the kernel directly.
            expectSeqmodelError(`${bad.name}, runSequence`, () => runSequence(backend, args, 'require'), [
              genericMessage,
            ]);
            expectSeqmodelError(`${bad.name}, fused`, () => kernel.run(args), [genericMessage]);
          });
          backend.dispose(
            [
              args.inputs,
              ...Object.values(args.params ?? {}),
              ...(args.initialState ?? []),
              args.mask,
            ].filter((x): x is T => x !== undefined),
          );
        } finally {
          dispose(backend, t);
        }
      }
    },
  });

  checks.push({
    name: `${label}: checkNumerics names the first NaN of a kernel's argument, leaking nothing`,
    ...skip,
    run() {
      const sizes = { batch: 2, time: 3, inputSize: 2, units: 3 };
      const c = hostSequence(gru, {}, sizes, {}, 'numerics');
      const inputs = Float32Array.from(c.inputs);
      inputs[1 * 6 + 2 * 2 + 1] = Number.NaN;
      const bad = { ...c, inputs };
      const kernel = findKernel(backend, 'sequence', 'gru')!;
      const previous = backend.checkNumerics;
      backend.checkNumerics = true;
      try {
        checkNoLeak(backend, 'a NaN input with checkNumerics', () => {
          expectSeqmodelError(
            'a NaN input with checkNumerics',
            () => forward(backend, bad, (_b, a) => kernel.run(a)),
            ['gru inputs: expected finite values, received NaN at index [1, 2, 1]', '(1 of 12 elements'],
          );
        });
      } finally {
        backend.checkNumerics = previous;
      }
    },
  });

  checks.push({
    name: `${label}: forward passes and gradients leave no tensors or data buffers behind`,
    ...skip,
    run() {
      const sizes = { batch: 3, time: 4, inputSize: 5, units: 6 };
      for (const { cell, options, label: cellLabel } of cellVariants()) {
        const c = hostSequence(
          cell,
          options,
          sizes,
          { initialState: true, mask: true, recurrentDropout: true },
          `leaks/${cellLabel}`,
        );
        const fused = fusedRunner(backend, cell);
        checkNoLeak(backend, `${cellLabel} forward`, () => forward(backend, c, fused));
        checkNoLeak(backend, `${cellLabel} gradients`, () => gradients(backend, c, fused));
      }
    },
  });

  return checks;
}
