/**
 * Compiling a cell: trace it (`trace.ts`), check the trace, and lower it to a plan (`plan.ts`), or say why not.
 * Traces and plans are cached per cell object, resolved options (see `cacheKey`: options holding a typed array or a
 * class instance are traced at every call), sizes and batch size, so a kernel can ask on every call; each cell keeps
 * its latest `maxTracesPerCell`.
 */
import type { AnyCellPlugin, CellDims } from '../cell.js';
import { SeqmodelError } from '../errors.js';
import { outputSizeOf } from '../params.js';
import { formatShape, shapesEqual } from '../shape.js';
import { cacheKey } from './cache-key.js';
import { planSequence, type SequencePlan } from './plan.js';
import { type CellTrace, traceCell, traceSignature } from './trace.js';

/** The sizes a compiled plan is made for. */
export interface CompileSizes {
  readonly batch: number;
  readonly inputSize: number;
  readonly units: number;
}

export interface CompileOptions {
  /** Plan the backward pass too (and keep what it needs in the forward pass). */
  readonly training: boolean;
  /** The step receives a recurrent dropout mask. */
  readonly recurrentMask: boolean;
}

/** A compiled cell, or the reason it cannot be compiled (with the trace, when tracing got that far). */
export type CompileResult =
  | { readonly trace: CellTrace; readonly plan: SequencePlan }
  | { readonly reason: string; readonly trace?: CellTrace };

interface CacheEntry {
  trace?: CellTrace;
  reason?: string;
  plans: Map<boolean, CompileResult>;
}

const cache = new WeakMap<AnyCellPlugin, Map<string, CacheEntry>>();
/** Traces kept per cell: an option holding a new function at every call would otherwise add one each time. */
const maxTracesPerCell = 64;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Methods that read a tensor's values back (a backend's, a tfjs tensor's): what a traced step cannot call. */
const valueReads = new Set([
  'dataSync',
  'data',
  'array',
  'arraySync',
  'toArray',
  'buffer',
  'bufferSync',
  'print',
]);

/**
 * Why tracing failed. A call of a method the tracer's ops lack (`ops.dataSync(h)`: reading a value back) gets the
 * rule it broke; another call of something that is not a function (an option that should have been one) does not.
 */
function tracingFailure(error: unknown): string {
  const message = messageOf(error);
  const call = error instanceof TypeError ? /(\w+)\.(\w+) is not a function/.exec(message) : null;
  const rule =
    call && (call[1] === 'ops' || valueReads.has(call[2]!))
      ? `; the compiler traces the step with ops that record computations, which have no ${call[2]}: a step may ` +
        "only compute with Ops' methods and core's helpers on them, and may not read tensor values back or branch on them"
      : '';
  return `tracing the step failed: ${message}${rule}`;
}

function traced(cell: AnyCellPlugin, dims: CellDims, batch: number, recurrentMask: boolean): CacheEntry {
  // Options holding something a key cannot follow (a typed array, a class instance) are traced at every call.
  const key = cacheKey([dims.options, dims.inputSize, dims.units, batch, recurrentMask]);
  let byKey = cache.get(cell);
  if (!byKey) {
    byKey = new Map();
    cache.set(cell, byKey);
  }
  const cached = key === undefined ? undefined : byKey.get(key);
  if (cached) return cached;
  const entry: CacheEntry = { plans: new Map() };
  try {
    const trace = traceCell(cell, dims, batch, { recurrentMask });
    entry.trace = trace;
    // A step that records a different graph when called again depends on something other than its arguments.
    if (traceSignature(traceCell(cell, dims, batch, { recurrentMask })) !== traceSignature(trace)) {
      entry.reason = 'the step records a different computation each time it is called';
    }
    const expected = [batch, outputSizeOf(cell, dims)];
    if (entry.reason === undefined && !shapesEqual(trace.output.shape, expected)) {
      entry.reason = `the step's output has shape ${formatShape(trace.output.shape)}, expected ${formatShape(expected)}`;
    }
    trace.nextStates.forEach((s, k) => {
      if (entry.reason === undefined && !shapesEqual(s.shape, trace.states[k]!.shape)) {
        entry.reason = `the step's state[${k}] has shape ${formatShape(s.shape)}, expected ${formatShape(trace.states[k]!.shape)}`;
      }
    });
  } catch (error) {
    entry.reason = tracingFailure(error);
  }
  if (key !== undefined) {
    byKey.set(key, entry);
    // A Map iterates in insertion order: the first key is the oldest.
    if (byKey.size > maxTracesPerCell) byKey.delete(byKey.keys().next().value!);
  }
  return entry;
}

/**
 * The plan for `cell` with resolved `dims` at `batch` rows, or the reason there is none. Never throws for a cell
 * it cannot compile (a bug in the cell, an op the compiler does not lower): the reason says what happened.
 */
export function compileCell(
  cell: AnyCellPlugin,
  dims: CellDims,
  batch: number,
  options: CompileOptions,
): CompileResult {
  const entry = traced(cell, dims, batch, options.recurrentMask);
  const trace = entry.trace;
  if (!trace || entry.reason !== undefined) {
    return { reason: entry.reason ?? 'tracing failed', ...(trace ? { trace } : {}) };
  }
  const cached = entry.plans.get(options.training);
  if (cached) return cached;
  let result: CompileResult;
  try {
    result = { trace, plan: planSequence(trace, options.training) };
  } catch (error) {
    if (!(error instanceof SeqmodelError)) throw error;
    result = { reason: messageOf(error), trace };
  }
  entry.plans.set(options.training, result);
  return result;
}
