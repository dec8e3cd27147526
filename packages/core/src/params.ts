/**
 * Parameter math for any cell: resolving options and sizes, counting and explaining parameter counts, drawing
 * initial values from a seed, and checking that given weights have the declared shapes.
 */
import type { Backend } from './backend.js';
import type { AnyCellPlugin, CellDims, ParamSpec, ParamTensors, StateSpec } from './cell.js';
import { checkPositiveInteger, invalidArgument, SeqmodelError } from './errors.js';
import { initialize } from './init/initializers.js';
import type { Ops } from './ops.js';
import { didYouMean } from './options.js';
import { type CellRef, resolveCell } from './registry.js';
import { createRng, type Rng } from './rng.js';
import { formatShape, shapesEqual, sizeOfShape } from './shape.js';

/** Sizes plus any of the cell's options, flattened as a user writes them: `{ inputSize: 45, units: 64, resetAfter: false }`. */
export type CellConfig = { readonly inputSize: number; readonly units: number } & Readonly<
  Record<string, unknown>
>;

/**
 * Merges `options` over the cell's defaults, rejecting options the cell does not declare, then lets the cell
 * validate the values.
 */
export function resolveCellOptions(cell: AnyCellPlugin, options: Readonly<Record<string, unknown>> = {}) {
  const known = Object.keys(cell.defaultOptions);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new SeqmodelError(
        `${cell.name}: unknown option ${JSON.stringify(key)}${didYouMean(key, known)}; options of ${cell.name}: ${known.join(', ') || '(none)'}`,
      );
    }
  }
  const resolved: Record<string, unknown> = { ...cell.defaultOptions };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) resolved[key] = value;
  }
  cell.validateOptions?.(resolved);
  return resolved;
}

/** The cell and its validated dims for a flattened config. */
export function resolveCellDims(
  cellRef: CellRef,
  config: CellConfig,
): { cell: AnyCellPlugin; dims: CellDims } {
  const cell = resolveCell(cellRef);
  const { inputSize, units, ...options } = config;
  checkPositiveInteger('inputSize', inputSize);
  checkPositiveInteger('units', units);
  return { cell, dims: { inputSize, units, options: resolveCellOptions(cell, options) } };
}

/** The cell's parameter specs for `config`. */
export function paramSpecs(cellRef: CellRef, config: CellConfig): ParamSpec[] {
  const { cell, dims } = resolveCellDims(cellRef, config);
  return cell.params(dims);
}

/** The cell's state specs for `config`. */
export function stateSpecs(cellRef: CellRef, config: CellConfig): StateSpec[] {
  const { cell, dims } = resolveCellDims(cellRef, config);
  return cell.state(dims);
}

/** The cell's output size per step (`units` unless the cell says otherwise). */
export function outputSizeOf(cell: AnyCellPlugin, dims: CellDims): number {
  return cell.outputSize ? cell.outputSize(dims) : dims.units;
}

/**
 * Number of trainable parameters.
 *
 * @example
 * countParams('lstm', { inputSize: 45, units: 64 }); // 28160
 */
export function countParams(cellRef: CellRef, config: CellConfig): number {
  return paramSpecs(cellRef, config).reduce((n, p) => n + sizeOfShape(p.shape), 0);
}

export interface ParamCountTerm {
  readonly name: string;
  readonly shape: readonly number[];
  readonly count: number;
  /** This term as arithmetic, e.g. `(45*64)*4`. */
  readonly expression: string;
}

export interface ParamCountExplanation {
  readonly total: number;
  readonly terms: readonly ParamCountTerm[];
  /** The whole sum, e.g. `(45*64)*4 + (64*64)*4 + 64*4 = 28160`. */
  readonly formula: string;
}

/**
 * A parameter count as a formula with its numbers, gates factored out.
 *
 * @example
 * explainParamCount('lstm', { inputSize: 45, units: 64 }).formula;
 * // '(45*64)*4 + (64*64)*4 + 64*4 = 28160'
 */
export function explainParamCount(cellRef: CellRef, config: CellConfig): ParamCountExplanation {
  const terms = paramSpecs(cellRef, config).map((p) => ({
    name: p.name,
    shape: p.shape,
    count: sizeOfShape(p.shape),
    expression: expressionOf(p),
  }));
  const total = terms.reduce((n, t) => n + t.count, 0);
  const sum = terms.length > 0 ? terms.map((t) => t.expression).join(' + ') : '0';
  return { total, terms, formula: `${sum} = ${total}` };
}

function expressionOf(p: ParamSpec): string {
  const gates = p.gates ?? 1;
  const last = p.shape[p.shape.length - 1];
  if (gates > 1 && last !== undefined && last % gates === 0) {
    const perGate = [...p.shape.slice(0, -1), last / gates];
    const inner = perGate.length > 1 ? `(${perGate.join('*')})` : `${perGate[0]}`;
    return `${inner}*${gates}`;
  }
  return p.shape.length === 0 ? '1' : p.shape.join('*');
}

/** Host-side initial values of one parameter. */
export interface ParamValues {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/**
 * Draws initial values for every parameter from `seed`. Each parameter uses its own stream (`rng.fork(name)`), so
 * changing one initializer does not change the others, and one seed gives the same values on every backend.
 */
export function initParams(
  cellRef: CellRef,
  config: CellConfig,
  seed: number | string | Rng,
): Record<string, ParamValues> {
  const rng = typeof seed === 'object' ? seed : createRng(seed);
  const out: Record<string, ParamValues> = {};
  for (const spec of paramSpecs(cellRef, config)) {
    const values = initialize(spec.initializer, spec.shape, rng.fork(spec.name), `${spec.name} initializer`);
    out[spec.name] = { shape: spec.shape, values };
  }
  return out;
}

/** Initial parameters as tensors of `backend` (see {@link initParams}). The caller owns the tensors. */
export function initParamTensors<T>(
  backend: Backend<T>,
  cellRef: CellRef,
  config: CellConfig,
  seed: number | string | Rng,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, p] of Object.entries(initParams(cellRef, config, seed))) {
    out[name] = backend.tensor(p.values, p.shape);
  }
  return out;
}

/**
 * Throws unless `params` holds exactly the cell's parameters, each with its declared shape. The message names the
 * parameter, the shape received and the shape expected.
 */
export function checkParams<T>(
  ops: Ops<T>,
  cell: AnyCellPlugin,
  dims: CellDims,
  params: ParamTensors<T>,
  inputSizeSource = `inputSize ${dims.inputSize}`,
): void {
  if (typeof params !== 'object' || params === null) {
    invalidArgument(`${cell.name} params`, params, 'an object of tensors by parameter name');
  }
  const specs = cell.params(dims);
  const expected = specs.map((s) => s.name);
  for (const spec of specs) {
    const tensor = params[spec.name];
    if (tensor === undefined) {
      throw new SeqmodelError(
        `${cell.name} params: missing ${JSON.stringify(spec.name)}; expected ${expected.join(', ')}`,
      );
    }
    const shape = ops.shape(tensor);
    if (!shapesEqual(shape, spec.shape)) {
      throw new SeqmodelError(
        `${cell.name} params.${spec.name}: expected shape ${formatShape(spec.shape)} ` +
          `(${inputSizeSource}, units ${dims.units}), received shape ${formatShape(shape)}`,
      );
    }
  }
  for (const name of Object.keys(params)) {
    if (!expected.includes(name)) {
      throw new SeqmodelError(
        `${cell.name} params: unexpected ${JSON.stringify(name)}; expected ${expected.join(', ')}`,
      );
    }
  }
}
