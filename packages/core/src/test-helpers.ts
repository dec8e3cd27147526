/** Small helpers for core's own tests (not exported from the package). */
import type { AnyCellPlugin, CellPlugin } from './cell.js';
import { affine } from './derived-ops.js';
import { resolveCellOptions } from './params.js';
import { scanCell } from './recurrence.js';
import { createReferenceBackend, type RefTensor } from './reference/reference-backend.js';

/** Runs a cell on the float64 reference with explicit weights; returns outputs of every step and the final state. */
export function runOnReference(
  cell: AnyCellPlugin,
  options: Record<string, unknown>,
  units: number,
  inputs: number[][][],
  params: Record<string, number[] | number[][]>,
  extra: {
    mask?: number[][];
    initialState?: number[][][];
    goBackwards?: boolean;
    zeroMaskedOutputs?: boolean;
  } = {},
): { output: number[][][]; state: number[][][] } {
  const ref = createReferenceBackend();
  const p: Record<string, RefTensor> = {};
  for (const [name, values] of Object.entries(params)) p[name] = ref.tensor(values);
  const result = scanCell(ref, {
    cell,
    options: resolveCellOptions(cell, options),
    units,
    inputs: ref.tensor(inputs),
    params: p,
    returnSequences: true,
    ...(extra.mask ? { mask: ref.tensor(extra.mask) } : {}),
    ...(extra.initialState ? { initialState: extra.initialState.map((s) => ref.tensor(s)) } : {}),
    goBackwards: extra.goBackwards ?? false,
    zeroMaskedOutputs: extra.zeroMaskedOutputs ?? false,
  });
  return {
    output: ref.toArray(result.output) as number[][][],
    state: result.state.map((s) => ref.toArray(s) as number[][]),
  };
}

/** Expects nested arrays of numbers to agree within `tolerance` everywhere. */
export function closeTo(actual: unknown, expected: unknown, tolerance: number, path = ''): void {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || !(Math.abs(actual - expected) <= tolerance)) {
      throw new Error(`at ${path || 'value'}: ${actual} differs from ${expected} by more than ${tolerance}`);
    }
    return;
  }
  const e = expected as unknown[];
  const a = actual as unknown[];
  if (!Array.isArray(a) || a.length !== e.length)
    throw new Error(`at ${path}: length ${a?.length} vs ${e.length}`);
  for (let i = 0; i < e.length; i++) closeTo(a[i], e[i], tolerance, `${path}[${i}]`);
}

/**
 * A test cell of one state `h` with `kernel` `[inputSize, units]` (projected as `x·kernel`) and `recurrentKernel`
 * `[units, units]`, and the step `f`.
 */
export function cellWithStep(name: string, f: CellPlugin['step']): CellPlugin {
  return {
    name,
    defaultOptions: {},
    params: ({ inputSize, units }) => [
      { name: 'kernel', shape: [inputSize, units], initializer: 'glorotUniform' },
      { name: 'recurrentKernel', shape: [units, units], initializer: 'orthogonal' },
    ],
    state: ({ units }) => [{ name: 'h', size: units }],
    projectInput: (ops, x, params) => affine(ops, x, params.kernel!),
    step: f,
  };
}
