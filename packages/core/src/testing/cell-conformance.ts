/**
 * The cell conformance kit: a list of checks that a cell plugin, on a given backend, behaves like a seqmodel cell.
 * It checks parameter shapes and counts, output shapes, agreement with the float64 reference ops on seeded random
 * inputs (with masks, initial states and `goBackwards`), determinism under a seed, tensor leaks, gradients against
 * central finite differences where the backend has autodiff, and the backend's fused kernel against the generic
 * loop where it has one.
 *
 * The checks are plain objects, so any test runner can run them:
 *
 * @example
 * for (const check of cellConformanceChecks(myCell, backend)) {
 *   it.skipIf(check.skip !== undefined)(check.name, check.run);
 * }
 */
import type { Backend } from '../backend.js';
import type { AnyCellPlugin, CellDims } from '../cell.js';
import { SeqmodelError } from '../errors.js';
import { findKernel } from '../kernel-table.js';
import {
  type CellConfig,
  countParams,
  explainParamCount,
  initParams,
  outputSizeOf,
  paramSpecs,
  resolveCellDims,
} from '../params.js';
import { runSequence, scanCell } from '../recurrence.js';
import { createReferenceBackend, ReferenceBackend, type RefTensor } from '../reference/reference-backend.js';
import { type CellRef, resolveCell } from '../registry.js';
import { createRng } from '../rng.js';
import type { SequenceArgs, SequenceResult } from '../sequence.js';
import { formatShape, shapesEqual, sizeOfShape } from '../shape.js';
import { checkBackendSpecification } from '../specification.js';
import { assertClose, type Tolerance } from './compare.js';
import { checkNoLeak } from './leaks.js';
import { launchAndRead, readAll } from './read-all.js';

export interface ConformanceCheck {
  readonly name: string;
  /** Why the check does not apply (then `run` is not meant to be called). */
  readonly skip?: string;
  /** Throws (or rejects) with a descriptive error when the check fails. */
  run(): void | Promise<void>;
}

export interface CellConformanceConfig {
  readonly inputSize: number;
  readonly units: number;
  readonly options?: Readonly<Record<string, unknown>>;
  /** Shown in check names; defaults to the options as JSON. */
  readonly label?: string;
}

export interface CellConformanceOptions {
  /** Sizes and options to check (default: inputSize 3, units 4, default options). */
  readonly configs?: readonly CellConformanceConfig[];
  readonly batch?: number;
  readonly time?: number;
  readonly seed?: number;
  /**
   * Outputs against the float64 reference. Default atol 1e-5, rtol 1e-5: float32 rounding over a few steps of
   * bounded activations stays below 1e-7 (the built-in cells on tfjs-backend-cpu, default sizes), while a wrong
   * gate or a missing term is off by 1e-2 or more.
   */
  readonly forwardTolerance?: Tolerance;
  /**
   * Autodiff gradients against float64 central differences (step 1e-6, truncation error ~1e-12). Default atol 1e-4,
   * rtol 1e-3: float32 backpropagation through a few steps accumulates up to ~1e-6 of rounding (the built-in cells
   * on tfjs-backend-cpu, default sizes); other backends and larger sizes need the margin.
   */
  readonly gradientTolerance?: Tolerance;
  /** Fused kernel against the generic loop on the same backend: default atol 1e-5, rtol 1e-4 (both float32). */
  readonly fusedTolerance?: Tolerance;
}

/** One way of running a sequence; every check covers all of them. */
export interface CellKitVariant {
  readonly name: string;
  readonly returnSequences: boolean;
  readonly initialState?: boolean;
  readonly mask?: boolean;
  readonly goBackwards?: boolean;
  readonly zeroMaskedOutputs?: boolean;
}

type Variant = CellKitVariant;

/**
 * The ways the cell kit runs a sequence (its checks cover all of them), for checks that must know which cases a
 * fused kernel is asked to take.
 */
export const cellKitVariants: readonly CellKitVariant[] = [
  { name: 'all steps', returnSequences: true },
  { name: 'last step', returnSequences: false },
  { name: 'initial state', returnSequences: true, initialState: true },
  { name: 'mask', returnSequences: true, mask: true },
  { name: 'mask, zero masked outputs', returnSequences: true, mask: true, zeroMaskedOutputs: true },
  { name: 'goBackwards', returnSequences: true, goBackwards: true },
  {
    name: 'mask + goBackwards + initial state, last step',
    returnSequences: false,
    mask: true,
    goBackwards: true,
    initialState: true,
  },
];

/** Host-side data for one run: everything as float64 copies of float32 values. */
interface HostCase {
  readonly variant: Variant;
  readonly inputs: Float64Array;
  readonly params: Record<string, Float64Array>;
  readonly initialState?: Float64Array[];
  readonly mask?: Float64Array;
}

interface Setup {
  readonly cell: AnyCellPlugin;
  readonly dims: CellDims;
  readonly config: CellConfig;
  readonly batch: number;
  readonly time: number;
  readonly seed: number;
  readonly paramShapes: Record<string, readonly number[]>;
  readonly stateSizes: number[];
}

function float32Normals(n: number, seed: number | string): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => Math.fround(rng.normal()));
}

/** Row 0 is fully valid, row 1 post-padded, further rows an arbitrary 0/1 pattern with at least one valid step. */
function makeMask(batch: number, time: number, seed: number): Float64Array {
  const rng = createRng(seed).fork('mask');
  const mask = new Float64Array(batch * time);
  for (let b = 0; b < batch; b++) {
    const length = b === 1 ? 1 + rng.int(time) : time;
    for (let t = 0; t < time; t++) {
      mask[b * time + t] = b < 2 ? (t < length ? 1 : 0) : rng.next() < 0.6 ? 1 : 0;
    }
    if (b >= 2) mask[b * time + rng.int(time)] = 1;
  }
  return mask;
}

function makeCase(setup: Setup, variant: Variant): HostCase {
  const { batch, time, dims, seed } = setup;
  const params: Record<string, Float64Array> = {};
  for (const [name, p] of Object.entries(initParams(setup.cell, setup.config, seed))) {
    // Perturb biases and zero-initialized weights so every parameter influences the result.
    const noise = float32Normals(p.values.length, `${seed}/${name}`);
    params[name] = Float64Array.from(p.values, (v, i) => Math.fround(v + 0.1 * noise[i]!));
  }
  return {
    variant,
    inputs: float32Normals(batch * time * dims.inputSize, `${seed}/inputs`),
    params,
    ...(variant.initialState
      ? {
          initialState: setup.stateSizes.map((size, i) =>
            float32Normals(batch * size, `${seed}/state${i}`).map((v) => 0.5 * v),
          ),
        }
      : {}),
    ...(variant.mask ? { mask: makeMask(batch, time, seed) } : {}),
  };
}

interface CaseTensors<T> {
  readonly inputs: T;
  readonly params: Record<string, T>;
  readonly initialState?: T[];
  readonly mask?: T;
}

function toTensors<T>(backend: Backend<T>, setup: Setup, c: HostCase): CaseTensors<T> {
  const { batch, time, dims } = setup;
  const params: Record<string, T> = {};
  for (const [name, values] of Object.entries(c.params))
    params[name] = backend.tensor(values, setup.paramShapes[name]);
  return {
    inputs: backend.tensor(c.inputs, [batch, time, dims.inputSize]),
    params,
    ...(c.initialState
      ? { initialState: c.initialState.map((s, i) => backend.tensor(s, [batch, setup.stateSizes[i]!])) }
      : {}),
    ...(c.mask ? { mask: backend.tensor(c.mask, [batch, time]) } : {}),
  };
}

function sequenceArgs<T>(setup: Setup, variant: Variant, t: CaseTensors<T>): SequenceArgs<T> {
  return {
    cell: setup.cell,
    options: setup.dims.options,
    units: setup.dims.units,
    inputs: t.inputs,
    params: t.params,
    ...(t.initialState ? { initialState: t.initialState } : {}),
    ...(t.mask ? { mask: t.mask } : {}),
    goBackwards: variant.goBackwards ?? false,
    returnSequences: variant.returnSequences,
    zeroMaskedOutputs: variant.zeroMaskedOutputs ?? false,
  };
}

type Runner<T> = (backend: Backend<T>, args: SequenceArgs<T>) => SequenceResult<T>;

interface HostResult {
  readonly outputShape: number[];
  readonly output: Float64Array;
  readonly stateShapes: number[][];
  readonly state: Float64Array[];
}

/** A case run on a backend: its result tensors (`[output, ...state]`), not read yet (see `runCases`). */
interface LaunchedCase<T> {
  readonly outputShape: number[];
  readonly stateShapes: number[][];
  readonly tensors: readonly T[];
}

/** Runs one case on a backend; its inputs are disposed, its result tensors kept for `runCases` to read. */
function launchCase<T>(backend: Backend<T>, setup: Setup, c: HostCase, run: Runner<T>): LaunchedCase<T> {
  const tensors = toTensors(backend, setup, c);
  try {
    const result = run(backend, sequenceArgs(setup, c.variant, tensors));
    return {
      outputShape: backend.shape(result.output),
      stateShapes: result.state.map((s) => backend.shape(s)),
      tensors: [result.output, ...result.state],
    };
  } finally {
    backend.dispose(tensors as unknown as Record<string, T>);
  }
}

/**
 * Host copies of `tensors` (`launchAndRead` disposes them). The reference backend reads back at full float64
 * precision (the finite differences need it); any other backend reads them all with one read (`readAll`): on a GPU
 * backend a read is a round trip that costs more than a small case's run.
 */
function readFloat64<T>(backend: Backend<T>, tensors: readonly T[]): Float64Array[] {
  return backend instanceof ReferenceBackend
    ? tensors.map((x) => backend.toFloat64(x as unknown as RefTensor))
    : readAll(backend, tensors).map((v) => Float64Array.from(v));
}

/** Runs `cases` one after another and reads all their results at once, leaving no tensors behind. */
function runCases<T>(
  backend: Backend<T>,
  setup: Setup,
  cases: readonly (readonly [HostCase, Runner<T>])[],
): HostResult[] {
  const launched = launchAndRead(
    backend,
    cases.map(
      ([c, run]) =>
        () =>
          launchCase(backend, setup, c, run),
    ),
    readFloat64,
  );
  return launched.map(({ outputShape, stateShapes, values: [output, ...state] }) => ({
    outputShape,
    output: output!,
    stateShapes,
    state,
  }));
}

/** Runs one case on a backend and reads the result back, leaving no tensors behind. */
function runCase<T>(backend: Backend<T>, setup: Setup, c: HostCase, run: Runner<T>): HostResult {
  return runCases(backend, setup, [[c, run]])[0]!;
}

/** Weights of the scalar loss Σ output·R + Σ_i state_i·S_i used by the gradient checks. */
function lossWeights(setup: Setup, result: HostResult): { output: Float64Array; state: Float64Array[] } {
  return {
    output: float32Normals(result.output.length, `${setup.seed}/R`),
    state: result.state.map((s, i) => float32Normals(s.length, `${setup.seed}/S${i}`)),
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Names and host arrays of everything the gradient checks differentiate: inputs, params, initial state. */
function gradientTargets(c: HostCase): { name: string; values: Float64Array }[] {
  return [
    { name: 'inputs', values: c.inputs },
    ...Object.entries(c.params).map(([name, values]) => ({ name: `params.${name}`, values })),
    ...(c.initialState ?? []).map((values, i) => ({ name: `initialState[${i}]`, values })),
  ];
}

function withTarget(c: HostCase, index: number, values: Float64Array): HostCase {
  const names = Object.keys(c.params);
  if (index === 0) return { ...c, inputs: values };
  if (index <= names.length) return { ...c, params: { ...c.params, [names[index - 1]!]: values } };
  const initialState = [...(c.initialState ?? [])];
  initialState[index - 1 - names.length] = values;
  return { ...c, initialState };
}

/** Gradients of the loss by central differences on the float64 reference. */
function finiteDifferenceGrads(setup: Setup, c: HostCase): Float64Array[] {
  const ref = createReferenceBackend();
  const base = runCase(ref, setup, c, scanCell);
  const w = lossWeights(setup, base);
  const loss = (hc: HostCase) => {
    const r = runCase(ref, setup, hc, scanCell);
    return dot(r.output, w.output) + r.state.reduce((s, v, i) => s + dot(v, w.state[i]!), 0);
  };
  const h = 1e-6;
  return gradientTargets(c).map((target, index) => {
    const grad = new Float64Array(target.values.length);
    for (let i = 0; i < grad.length; i++) {
      const plus = target.values.slice();
      const minus = target.values.slice();
      plus[i]! += h;
      minus[i]! -= h;
      grad[i] = (loss(withTarget(c, index, plus)) - loss(withTarget(c, index, minus))) / (2 * h);
    }
    return grad;
  });
}

/**
 * Gradients of the same loss by the backend's autodiff, through `run`: tensors in the order of `gradientTargets`,
 * not read yet; everything else the call made is disposed.
 */
function launchGrads<T>(backend: Backend<T>, setup: Setup, c: HostCase, run: Runner<T>): T[] {
  if (!backend.valueAndGrads) throw new SeqmodelError(`backend ${backend.name} has no valueAndGrads`);
  const shapes = runCase(createReferenceBackend(), setup, c, scanCell);
  const w = lossWeights(setup, shapes);
  const tensors = toTensors(backend, setup, c);
  const paramNames = Object.keys(tensors.params);
  const targets = [
    tensors.inputs,
    ...paramNames.map((n) => tensors.params[n]!),
    ...(tensors.initialState ?? []),
  ];
  const outputWeights = backend.tensor(w.output, shapes.outputShape);
  const stateWeights = w.state.map((s, i) => backend.tensor(s, shapes.stateShapes[i]!));
  try {
    const { value, grads } = backend.valueAndGrads((...xs: T[]) => {
      const params: Record<string, T> = {};
      paramNames.forEach((n, i) => {
        params[n] = xs[1 + i]!;
      });
      const initialState = tensors.initialState ? xs.slice(1 + paramNames.length) : undefined;
      const args = sequenceArgs(setup, c.variant, {
        inputs: xs[0]!,
        params,
        ...(initialState ? { initialState } : {}),
        ...(tensors.mask ? { mask: tensors.mask } : {}),
      });
      const result = run(backend, args);
      let loss = backend.sum(backend.mul(result.output, outputWeights));
      result.state.forEach((s, i) => {
        loss = backend.add(loss, backend.sum(backend.mul(s, stateWeights[i]!)));
      });
      return loss;
    }, targets);
    backend.dispose(value);
    return grads;
  } finally {
    backend.dispose([outputWeights, ...stateWeights]);
    backend.dispose(tensors as unknown as Record<string, T>);
  }
}

/** The autodiff gradients of each case (see `launchGrads`), all read at once. */
function autodiffGradsOf<T>(
  backend: Backend<T>,
  setup: Setup,
  cases: readonly (readonly [HostCase, Runner<T>])[],
): Float64Array[][] {
  return launchAndRead(
    backend,
    cases.map(([c, run]) => () => ({ tensors: launchGrads(backend, setup, c, run) })),
    readFloat64,
  ).map((l) => l.values);
}

function assertSameResult(
  what: string,
  actual: HostResult,
  expected: HostResult,
  tolerance: Tolerance,
): void {
  if (!shapesEqual(actual.outputShape, expected.outputShape)) {
    throw new SeqmodelError(
      `${what}: output shape ${formatShape(actual.outputShape)}, expected ${formatShape(expected.outputShape)}`,
    );
  }
  assertClose(`${what}: output`, actual.output, expected.output, tolerance);
  expected.state.forEach((s, i) => {
    assertClose(
      `${what}: state[${i}]`,
      actual.state[i] ?? new Float64Array(s.length).fill(Number.NaN),
      s,
      tolerance,
    );
  });
}

function configLabel(config: CellConformanceConfig): string {
  if (config.label) return config.label;
  const opts =
    config.options && Object.keys(config.options).length > 0 ? ` ${JSON.stringify(config.options)}` : '';
  return `inputSize ${config.inputSize}, units ${config.units}${opts}`;
}

/** The conformance checks for `cell` on `backend`. See the module comment for what they cover. */
export function cellConformanceChecks<T>(
  cellRef: CellRef,
  backend: Backend<T>,
  options: CellConformanceOptions = {},
): ConformanceCheck[] {
  const cell = resolveCell(cellRef);
  const configs = options.configs ?? [{ inputSize: 3, units: 4 }];
  const batch = options.batch ?? 3;
  const time = options.time ?? 4;
  const seed = options.seed ?? 1234;
  const forwardTolerance = options.forwardTolerance ?? { atol: 1e-5, rtol: 1e-5 };
  const gradientTolerance = options.gradientTolerance ?? { atol: 1e-4, rtol: 1e-3 };
  const fusedTolerance = options.fusedTolerance ?? { atol: 1e-5, rtol: 1e-4 };
  checkBackendSpecification(backend, 'cellConformanceChecks(backend)');
  const fused = findKernel(backend, 'sequence', cell.name);
  const checks: ConformanceCheck[] = [];

  for (const conf of configs) {
    const config: CellConfig = { inputSize: conf.inputSize, units: conf.units, ...conf.options };
    const label = `${cell.name} (${configLabel(conf)}) on ${backend.name}`;
    const lazySetup = (): Setup => {
      const { dims } = resolveCellDims(cell, config);
      const paramShapes: Record<string, readonly number[]> = {};
      for (const p of cell.params(dims)) paramShapes[p.name] = p.shape;
      return {
        cell,
        dims,
        config,
        batch,
        time,
        seed,
        paramShapes,
        stateSizes: cell.state(dims).map((s) => s.size),
      };
    };

    checks.push({
      name: `${label}: parameter shapes and count`,
      run() {
        const setup = lazySetup();
        const specs = paramSpecs(cell, config);
        const names = specs.map((s) => s.name);
        if (new Set(names).size !== names.length)
          throw new SeqmodelError(`${cell.name}: duplicate parameter names ${names.join(', ')}`);
        const values = initParams(cell, config, seed);
        let total = 0;
        for (const spec of specs) {
          const p = values[spec.name]!;
          if (!spec.shape.every((d) => Number.isInteger(d) && d > 0)) {
            throw new SeqmodelError(
              `${cell.name} params.${spec.name}: shape ${formatShape(spec.shape)} has a size that is not a positive integer`,
            );
          }
          if (p.values.length !== sizeOfShape(spec.shape) || !p.values.every(Number.isFinite)) {
            throw new SeqmodelError(
              `${cell.name} params.${spec.name}: initializer gave ${p.values.length} values (some not finite?) for shape ${formatShape(spec.shape)}`,
            );
          }
          total += p.values.length;
        }
        const count = countParams(cell, config);
        const explained = explainParamCount(cell, config);
        if (count !== total || explained.total !== total || !explained.formula.endsWith(`= ${total}`)) {
          throw new SeqmodelError(
            `${cell.name}: countParams ${count}, explainParamCount ${explained.total}, shapes sum to ${total}`,
          );
        }
        for (const s of setup.stateSizes) {
          if (!Number.isInteger(s) || s < 1)
            throw new SeqmodelError(`${cell.name}: state size ${s} is not a positive integer`);
        }
      },
    });

    checks.push({
      name: `${label}: output and state shapes`,
      run() {
        const setup = lazySetup();
        const outputSize = outputSizeOf(cell, setup.dims);
        const results = runCases(
          backend,
          setup,
          cellKitVariants.map((variant) => [makeCase(setup, variant), runSequence] as const),
        );
        for (const [v, variant] of cellKitVariants.entries()) {
          const r = results[v]!;
          const expected = variant.returnSequences ? [batch, time, outputSize] : [batch, outputSize];
          if (!shapesEqual(r.outputShape, expected)) {
            throw new SeqmodelError(
              `${label} (${variant.name}): output shape ${formatShape(r.outputShape)}, expected ${formatShape(expected)}`,
            );
          }
          r.stateShapes.forEach((shape, i) => {
            if (!shapesEqual(shape, [batch, setup.stateSizes[i]!])) {
              throw new SeqmodelError(
                `${label} (${variant.name}): state[${i}] shape ${formatShape(shape)}, expected ${formatShape([batch, setup.stateSizes[i]!])}`,
              );
            }
          });
        }
      },
    });

    checks.push({
      name: `${label}: agrees with the float64 reference`,
      run() {
        const setup = lazySetup();
        const ref = createReferenceBackend();
        const cases = cellKitVariants.map((variant) => makeCase(setup, variant));
        // Every variant's generic loop, then (with a fused kernel) its default path, read at once.
        const results = runCases(backend, setup, [
          ...cases.map((c) => [c, scanCell] as const),
          ...(fused ? cases.map((c) => [c, runSequence] as const) : []),
        ]);
        cases.forEach((c, v) => {
          const variant = cellKitVariants[v]!;
          const expected = runCase(ref, setup, c, scanCell);
          assertSameResult(
            `${label} (${variant.name}, generic loop)`,
            results[v]!,
            expected,
            forwardTolerance,
          );
          if (fused) {
            assertSameResult(
              `${label} (${variant.name}, default path)`,
              results[cases.length + v]!,
              expected,
              forwardTolerance,
            );
          }
        });
      },
    });

    checks.push({
      name: `${label}: deterministic under a seed`,
      run() {
        const setup = lazySetup();
        const a = initParams(cell, config, seed);
        const b = initParams(cell, config, seed);
        const other = initParams(cell, config, seed + 1);
        let differs = false;
        for (const name of Object.keys(a)) {
          const va = a[name]!.values;
          const vb = b[name]!.values;
          if (va.some((v, i) => !Object.is(v, vb[i])))
            throw new SeqmodelError(`${cell.name} params.${name}: the same seed gave different values`);
          if (va.some((v, i) => v !== other[name]!.values[i])) differs = true;
        }
        const randomInit = cell
          .params(setup.dims)
          .some(
            (p) =>
              !['zeros', 'ones', 'constant'].includes(
                typeof p.initializer === 'string' ? p.initializer : p.initializer.name,
              ),
          );
        if (randomInit && !differs)
          throw new SeqmodelError(`${cell.name}: seeds ${seed} and ${seed + 1} gave identical parameters`);
        const c = makeCase(setup, cellKitVariants[3]!);
        const [first, second] = runCases(backend, setup, [
          [c, runSequence],
          [c, runSequence],
        ]);
        assertSameResult(`${label}: a second identical run`, second!, first!, { atol: 0, rtol: 0 });
      },
    });

    checks.push({
      name: `${label}: no tensors leaked`,
      run() {
        const setup = lazySetup();
        // Each run's results are disposed unread: the other checks read them, reading makes no tensor of the
        // run's, and on a GPU backend every read is a round trip that costs more than the run.
        for (const variant of cellKitVariants) {
          const c = makeCase(setup, variant);
          checkNoLeak(backend, `${label} (${variant.name}, generic loop)`, () =>
            backend.dispose(launchCase(backend, setup, c, scanCell).tensors),
          );
          checkNoLeak(backend, `${label} (${variant.name}, default path)`, () =>
            backend.dispose(launchCase(backend, setup, c, runSequence).tensors),
          );
          if (backend.valueAndGrads) {
            checkNoLeak(backend, `${label} (${variant.name}, gradients)`, () =>
              backend.dispose(launchGrads(backend, setup, c, runSequence)),
            );
          }
        }
      },
    });

    /** Whether the backend's fused kernel takes `variant` (else the default path runs the generic loop). */
    const fusedTakes = (setup: Setup, variant: Variant): boolean => {
      if (!fused) return false;
      const tensors = toTensors(backend, setup, makeCase(setup, variant));
      const reason = fused.supports(sequenceArgs(setup, variant, tensors));
      backend.dispose(tensors as unknown as Record<string, T>);
      return reason === undefined;
    };
    const runFused: Runner<T> = (_b, a) => fused!.run(a);

    const gradientVariants = [cellKitVariants[2]!, cellKitVariants[6]!];
    checks.push({
      name: `${label}: gradients match finite differences`,
      ...(backend.valueAndGrads ? {} : { skip: `backend ${backend.name} has no autodiff` }),
      run() {
        const setup = lazySetup();
        const cases = gradientVariants.map((variant) => makeCase(setup, variant));
        // The generic loop's gradients, and the fused kernel's where it takes the variant: each against the same
        // finite differences on the float64 reference.
        const runs = cases.flatMap((c, v) => [
          { c, v, path: 'generic loop', run: scanCell as Runner<T> },
          ...(fusedTakes(setup, gradientVariants[v]!) ? [{ c, v, path: 'fused kernel', run: runFused }] : []),
        ]);
        const grads = autodiffGradsOf(
          backend,
          setup,
          runs.map((r) => [r.c, r.run] as const),
        );
        const expected = cases.map((c) => finiteDifferenceGrads(setup, c));
        runs.forEach((r, k) => {
          gradientTargets(r.c).forEach((target, i) => {
            assertClose(
              `${label} (${gradientVariants[r.v]!.name}, ${r.path}): d loss / d ${target.name}`,
              grads[k]![i]!,
              expected[r.v]![i]!,
              gradientTolerance,
            );
          });
        });
      },
    });

    checks.push({
      name: `${label}: fused kernel matches the generic loop`,
      ...(fused ? {} : { skip: `backend ${backend.name} has no fused kernel for ${cell.name}` }),
      run() {
        if (!fused) return;
        const setup = lazySetup();
        const covered = cellKitVariants.filter((variant) => fusedTakes(setup, variant));
        const cases = covered.map((variant) => makeCase(setup, variant));
        // Both paths' results for every covered variant with one read, their gradients with another.
        const results = runCases(
          backend,
          setup,
          cases.flatMap((c) => [[c, runFused] as const, [c, scanCell] as const]),
        );
        const grads = backend.valueAndGrads
          ? autodiffGradsOf(
              backend,
              setup,
              cases.flatMap((c) => [[c, scanCell] as const, [c, runFused] as const]),
            )
          : [];
        cases.forEach((c, v) => {
          const name = covered[v]!.name;
          assertSameResult(
            `${label} (${name}): fused forward`,
            results[2 * v]!,
            results[2 * v + 1]!,
            fusedTolerance,
          );
          if (grads.length === 0) return;
          const generic = grads[2 * v]!;
          const viaFused = grads[2 * v + 1]!;
          gradientTargets(c).forEach((target, i) => {
            assertClose(
              `${label} (${name}): fused d loss / d ${target.name}`,
              viaFused[i]!,
              generic[i]!,
              fusedTolerance,
            );
          });
        });
        if (covered.length === 0)
          throw new SeqmodelError(`${label}: the fused kernel supports none of the conformance variants`);
      },
    });
  }
  return checks;
}

/** Runs every check that applies (no `skip`) and rejects with one error listing all failures. */
export async function assertChecksPass(
  checks: readonly ConformanceCheck[],
  title = 'conformance',
): Promise<void> {
  const failures: string[] = [];
  for (const check of checks) {
    if (check.skip !== undefined) continue;
    try {
      await check.run();
    } catch (error) {
      failures.push(`${check.name}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new SeqmodelError(`${title} failed:\n- ${failures.join('\n- ')}`);
}

/** Runs every applicable check and rejects with one error listing all failures. */
export async function assertCellConformance<T>(
  cellRef: CellRef,
  backend: Backend<T>,
  options?: CellConformanceOptions,
): Promise<void> {
  await assertChecksPass(cellConformanceChecks(cellRef, backend, options));
}
