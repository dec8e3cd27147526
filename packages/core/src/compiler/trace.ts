/**
 * The tracer: a symbolic `Ops` that records what a cell's `projectInput`, `prepare` and `step` do, as a graph of
 * nodes, instead of computing anything. Each node is one `Ops` call with its arguments (tensor arguments are other
 * nodes) and the shape of its result, so the graph can be replayed on any backend (`replayStatic`) and lowered into
 * whole-sequence kernels (`plan.ts`).
 *
 * Every node has a domain: `static` when it depends only on parameters, the recurrent dropout mask and constants
 * (the same value at every step: computed once per sequence), `step` when it depends on the step's input or state,
 * and `sequence` for `projectInput`'s work on the rows of all steps. The tracer records every `Ops` method; what the
 * lowering cannot turn into fused code it declines later, with a reason.
 *
 * Two row-wise operations on per-step values are recorded as products with constants: a sum along the last axis
 * (`sum(x, -1, true)`: `x·1`, a column of ones), which the lowering compiles like any product with a parameter, and a
 * value of one column per row used beside wider ones (`[batch, 1]`: its product with a row of ones), which it reads
 * across the row instead, with no product. Layer normalization inside a step (core's `mean` and `variance` with
 * `keepDims`) compiles that way.
 */
import type { AnyCellPlugin, CellDims } from '../cell.js';
import { invalidArgument, SeqmodelError } from '../errors.js';
import type { DType, Operand, Ops } from '../ops.js';
import { ParamReads } from '../param-reads.js';
import { broadcastShapes, formatShape, normalizeAxis, resolveReshape, type Shape } from '../shape.js';

export type TraceDomain = 'static' | 'step' | 'sequence';

/** What a leaf of the traced graph stands for. */
export type TraceLeaf =
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'state'; readonly index: number }
  /** The step's input: a row of `projectInput`'s result, or of the raw inputs for a cell without one. */
  | { readonly kind: 'stepInput' }
  /** `projectInput`'s `x`: the rows of every step's inputs. */
  | { readonly kind: 'sequenceInput' }
  | { readonly kind: 'recurrentMask' };

/** One recorded value: a leaf, or the result of one `Ops` call. */
export class TraceNode {
  constructor(
    readonly id: number,
    /** `leaf`, or the name of the `Ops` method. */
    readonly op: string,
    /** The call's arguments, tensors as nodes (empty for leaves). */
    readonly args: readonly unknown[],
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly domain: TraceDomain,
    readonly leaf?: TraceLeaf,
    /** For the parts of `unstack`: which part (the call is recorded once, on `args`). */
    readonly part?: number,
  ) {}
}

/** The tensor arguments of a call's arguments (nested in arrays, as `concat` and `stack` take them). */
export function tensorArgs(args: readonly unknown[]): TraceNode[] {
  const out: TraceNode[] = [];
  const visit = (a: unknown) => {
    if (a instanceof TraceNode) out.push(a);
    else if (Array.isArray(a)) a.forEach(visit);
  };
  args.forEach(visit);
  return out;
}

/** Thrown for a call the tracer itself cannot record (a malformed one); the compiler declines with its message. */
export class TraceError extends SeqmodelError {}

class TracingOps implements Ops<TraceNode> {
  readonly nodes: TraceNode[] = [];
  private readonly onesByShape = new Map<string, TraceNode>();

  leaf(leaf: TraceLeaf, shape: readonly number[], domain: TraceDomain): TraceNode {
    return this.push('leaf', [], shape, 'float32', domain, leaf);
  }

  private push(
    op: string,
    args: readonly unknown[],
    shape: readonly number[],
    dtype: DType,
    domain?: TraceDomain,
    leaf?: TraceLeaf,
    part?: number,
  ): TraceNode {
    const node = new TraceNode(
      this.nodes.length,
      op,
      args,
      shape,
      dtype,
      domain ?? domainOf(tensorArgs(args)),
      leaf,
      part,
    );
    this.nodes.push(node);
    return node;
  }

  private node(x: unknown, argument: string): TraceNode {
    if (x instanceof TraceNode) return x;
    throw new TraceError(`${argument}: expected a tensor of the traced step, received ${describe(x)}`);
  }

  private operandShape(x: Operand<TraceNode>, argument: string): readonly number[] {
    return typeof x === 'number' ? [] : this.node(x, argument).shape;
  }

  private binary(op: string, a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    const shape = broadcastShapes(this.operandShape(a, `${op}(a)`), this.operandShape(b, `${op}(b)`));
    return this.push(op, [this.perRow(a, shape), this.perRow(b, shape)], shape, 'float32');
  }

  /** A `[rows, cols]` static of ones, one node per shape. */
  private ones(rows: number, cols: number): TraceNode {
    const key = `${rows}x${cols}`;
    let node = this.onesByShape.get(key);
    if (!node) {
      node = this.fill([rows, cols], 1);
      this.onesByShape.set(key, node);
    }
    return node;
  }

  /**
   * An operand of an elementwise operation whose result has shape `shape`: a per-step (or projectInput) value of
   * one column per row, `[rows, 1]`, beside wider ones is recorded as its product with a row of ones, `[rows,
   * 1]·[1, width]`, so that the lowering sees the same per-row value in every column, in one form it recognizes (it
   * reads such a product's left operand across the row). Anything else is returned as it is.
   */
  private perRow<A>(x: A, shape: readonly number[]): A {
    if (!(x instanceof TraceNode) || x.domain === 'static' || x.dtype !== 'float32') return x;
    const s = x.shape;
    if (s.length !== 2 || shape.length !== 2 || s[1] !== 1 || shape[1] === 1 || s[0] !== shape[0]) return x;
    return this.matMul(x, this.ones(1, shape[1]!)) as A;
  }

  /**
   * Whether `sum(x, axes)` adds up each row of a per-step (or projectInput) value `[rows, width]` along its last
   * axis: such a sum is recorded as the product `x·1` with a column of ones, which the lowering compiles.
   */
  private isRowSum(x: TraceNode, axes: number | readonly number[] | undefined): boolean {
    if (x.domain === 'static' || x.dtype !== 'float32' || x.shape.length !== 2 || axes === undefined)
      return false;
    const list = typeof axes === 'number' ? [axes] : axes;
    return list.length === 1 && normalizeAxis('sum(axes)', list[0]!, 2) === 1;
  }

  private unary(op: string, x: TraceNode, extra: unknown[] = []): TraceNode {
    return this.push(op, [x, ...extra], this.node(x, `${op}(x)`).shape, 'float32');
  }

  shape(x: TraceNode): number[] {
    return [...this.node(x, 'shape(x)').shape];
  }
  fill(shape: Shape, value: number, dtype: DType = 'float32'): TraceNode {
    return this.push('fill', [[...shape], value, dtype], [...shape], dtype, 'static');
  }
  cast(x: TraceNode, dtype: DType): TraceNode {
    return this.push('cast', [x, dtype], this.node(x, 'cast(x)').shape, dtype);
  }
  add(a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    return this.binary('add', a, b);
  }
  sub(a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    return this.binary('sub', a, b);
  }
  mul(a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    return this.binary('mul', a, b);
  }
  div(a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    return this.binary('div', a, b);
  }
  maximum(a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    return this.binary('maximum', a, b);
  }
  minimum(a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    return this.binary('minimum', a, b);
  }
  greater(a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    return this.binary('greater', a, b);
  }
  equal(a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    return this.binary('equal', a, b);
  }
  where(condition: TraceNode, a: Operand<TraceNode>, b: Operand<TraceNode>): TraceNode {
    const shape = broadcastShapes(
      broadcastShapes(this.node(condition, 'where(condition)').shape, this.operandShape(a, 'where(a)')),
      this.operandShape(b, 'where(b)'),
    );
    const args = [condition, a, b].map((x) => this.perRow(x, shape));
    return this.push('where', args, shape, 'float32');
  }
  neg(x: TraceNode): TraceNode {
    return this.unary('neg', x);
  }
  exp(x: TraceNode): TraceNode {
    return this.unary('exp', x);
  }
  log(x: TraceNode): TraceNode {
    return this.unary('log', x);
  }
  sqrt(x: TraceNode): TraceNode {
    return this.unary('sqrt', x);
  }
  abs(x: TraceNode): TraceNode {
    return this.unary('abs', x);
  }
  sigmoid(x: TraceNode): TraceNode {
    return this.unary('sigmoid', x);
  }
  tanh(x: TraceNode): TraceNode {
    return this.unary('tanh', x);
  }
  relu(x: TraceNode): TraceNode {
    return this.unary('relu', x);
  }
  clip(x: TraceNode, min: number, max: number): TraceNode {
    return this.unary('clip', x, [min, max]);
  }
  matMul(a: TraceNode, b: TraceNode, transposeA = false, transposeB = false): TraceNode {
    const sa = this.node(a, 'matMul(a)').shape;
    const sb = this.node(b, 'matMul(b)').shape;
    if (sa.length !== sb.length || (sa.length !== 2 && sa.length !== 3)) {
      throw new TraceError(
        `matMul: operands of rank 2 or 3 expected, received ${formatShape(sa)}·${formatShape(sb)}`,
      );
    }
    const r = sa.length;
    const m = transposeA ? sa[r - 1]! : sa[r - 2]!;
    const k = transposeA ? sa[r - 2]! : sa[r - 1]!;
    const kb = transposeB ? sb[r - 1]! : sb[r - 2]!;
    const n = transposeB ? sb[r - 2]! : sb[r - 1]!;
    if (k !== kb || (r === 3 && sa[0] !== sb[0])) {
      throw new TraceError(`matMul: shapes ${formatShape(sa)} and ${formatShape(sb)} do not multiply`);
    }
    return this.push('matMul', [a, b, transposeA, transposeB], r === 3 ? [sa[0]!, m, n] : [m, n], 'float32');
  }
  reshape(x: TraceNode, shape: Shape): TraceNode {
    const from = this.node(x, 'reshape(x)').shape;
    return this.push('reshape', [x, [...shape]], resolveReshape(from, shape), x.dtype);
  }
  transpose(x: TraceNode, perm?: readonly number[]): TraceNode {
    const s = this.node(x, 'transpose(x)').shape;
    const p = perm ?? s.map((_, i) => s.length - 1 - i);
    return this.push(
      'transpose',
      perm ? [x, [...perm]] : [x],
      p.map((a) => s[a]!),
      x.dtype,
    );
  }
  slice(x: TraceNode, begin: readonly number[], size: readonly number[]): TraceNode {
    const s = this.node(x, 'slice(x)').shape;
    if (begin.length !== s.length || size.length !== s.length) {
      invalidArgument('slice(begin, size)', [begin, size], `${s.length} entries each`);
    }
    const shape = s.map((d, i) => (size[i] === -1 ? d - begin[i]! : size[i]!));
    if (shape.some((d, i) => d < 0 || begin[i]! < 0 || begin[i]! + d > s[i]!)) {
      throw new TraceError(
        `slice: begin ${formatShape(begin)} size ${formatShape(size)} outside ${formatShape(s)}`,
      );
    }
    return this.push('slice', [x, [...begin], [...size]], shape, x.dtype);
  }
  concat(xs: readonly TraceNode[], axis: number): TraceNode {
    const shapes = xs.map((x, i) => this.node(x, `concat(xs[${i}])`).shape);
    const first = shapes[0];
    if (!first) throw new TraceError('concat: no tensors');
    const a = normalizeAxis('concat(axis)', axis, first.length);
    const shape = [...first];
    shape[a] = shapes.reduce((n, s) => n + s[a]!, 0);
    return this.push('concat', [[...xs], axis], shape, first === undefined ? 'float32' : xs[0]!.dtype);
  }
  stack(xs: readonly TraceNode[], axis: number): TraceNode {
    const first = this.node(xs[0], 'stack(xs[0])').shape;
    const a = normalizeAxis('stack(axis)', axis, first.length + 1);
    const shape = [...first];
    shape.splice(a, 0, xs.length);
    return this.push('stack', [[...xs], axis], shape, xs[0]!.dtype);
  }
  unstack(x: TraceNode, axis: number): TraceNode[] {
    const s = this.node(x, 'unstack(x)').shape;
    const a = normalizeAxis('unstack(axis)', axis, s.length);
    const shape = s.filter((_, i) => i !== a);
    const args = [x, axis];
    return Array.from({ length: s[a]! }, (_, i) =>
      this.push('unstack', args, shape, x.dtype, undefined, undefined, i),
    );
  }
  gather(x: TraceNode, indices: TraceNode, axis = 0): TraceNode {
    const s = this.node(x, 'gather(x)').shape;
    const a = normalizeAxis('gather(axis)', axis, s.length);
    const shape = [...s.slice(0, a), ...this.node(indices, 'gather(indices)').shape, ...s.slice(a + 1)];
    return this.push('gather', [x, indices, axis], shape, x.dtype);
  }
  oneHot(indices: TraceNode, depth: number): TraceNode {
    return this.push(
      'oneHot',
      [indices, depth],
      [...this.node(indices, 'oneHot(indices)').shape, depth],
      'float32',
    );
  }
  sum(x: TraceNode, axes?: number | readonly number[], keepDims = false): TraceNode {
    if (this.isRowSum(this.node(x, 'sum(x)'), axes)) {
      const [rows, width] = x.shape as [number, number];
      const total = this.matMul(x, this.ones(width, 1));
      return keepDims ? total : this.reshape(total, [rows]);
    }
    return this.reduce('sum', x, axes, keepDims, x.dtype);
  }
  max(x: TraceNode, axes?: number | readonly number[], keepDims = false): TraceNode {
    return this.reduce('max', x, axes, keepDims, x.dtype);
  }
  argMax(x: TraceNode, axis: number): TraceNode {
    const s = this.node(x, 'argMax(x)').shape;
    const a = normalizeAxis('argMax(axis)', axis, s.length);
    return this.push(
      'argMax',
      [x, axis],
      s.filter((_, i) => i !== a),
      'int32',
    );
  }

  private reduce(
    op: string,
    x: TraceNode,
    axes: number | readonly number[] | undefined,
    keepDims: boolean,
    dtype: DType,
  ): TraceNode {
    const s = this.node(x, `${op}(x)`).shape;
    const list =
      axes === undefined
        ? s.map((_, i) => i)
        : (typeof axes === 'number' ? [axes] : axes).map((a) => normalizeAxis(`${op}(axes)`, a, s.length));
    const shape = keepDims
      ? s.map((d, i) => (list.includes(i) ? 1 : d))
      : s.filter((_, i) => !list.includes(i));
    const args = axes === undefined ? [x] : [x, typeof axes === 'number' ? axes : [...axes], keepDims];
    return this.push(op, args, shape, dtype);
  }
}

function describe(x: unknown): string {
  if (Array.isArray(x)) return 'an array';
  return x === null ? 'null' : typeof x;
}

function domainOf(inputs: readonly TraceNode[]): TraceDomain {
  let domain: TraceDomain = 'static';
  for (const x of inputs) {
    if (x.domain === 'static') continue;
    if (domain !== 'static' && domain !== x.domain) {
      throw new TraceError('a value mixes projectInput rows with the step (internal error)');
    }
    domain = x.domain;
  }
  return domain;
}

/** A cell's step, recorded. */
export interface CellTrace {
  readonly cell: AnyCellPlugin;
  readonly dims: CellDims;
  readonly batch: number;
  /** Every node, in the order recorded (a topological order). */
  readonly nodes: readonly TraceNode[];
  readonly params: Readonly<Record<string, TraceNode>>;
  /** `projectInput`'s `x` (`[batch, inputSize]`) and result, when the cell declares one. */
  readonly projection?: { readonly input: TraceNode; readonly output: TraceNode };
  /** The step's input leaf (`[batch, p]`). */
  readonly stepInput: TraceNode;
  readonly states: readonly TraceNode[];
  readonly recurrentMask?: TraceNode;
  readonly output: TraceNode;
  readonly nextStates: readonly TraceNode[];
}

export interface TraceOptions {
  /** Trace with a recurrent dropout mask (for a cell that supports it). */
  readonly recurrentMask?: boolean;
}

/**
 * Records `cell`'s `projectInput`, `prepare` and `step` for `dims` at batch size `batch`. `projectInput` is traced
 * on `batch` rows: its work must be row by row (the lowering checks), so the row count does not matter. Throws a
 * `SeqmodelError` (usually a `TraceError`) when the cell cannot be traced; the compiler turns it into a reason.
 */
export function traceCell(
  cell: AnyCellPlugin,
  dims: CellDims,
  batch: number,
  options: TraceOptions = {},
): CellTrace {
  const ops = new TracingOps();
  const params: Record<string, TraceNode> = {};
  for (const spec of cell.params(dims)) {
    params[spec.name] = ops.leaf({ kind: 'param', name: spec.name }, spec.shape, 'static');
  }
  // The cell's code reads the parameters through `reads`, which names a misspelled one when an op then fails.
  const reads = new ParamReads(params);
  try {
    let projection: CellTrace['projection'];
    let stepInput: TraceNode;
    if (cell.projectInput) {
      const input = ops.leaf({ kind: 'sequenceInput' }, [batch, dims.inputSize], 'sequence');
      const output = checkTraced(cell.projectInput(ops, input, reads.params, dims), 'projectInput');
      if (output.shape.length !== 2 || output.shape[0] !== batch) {
        throw new TraceError(
          `projectInput returned shape ${formatShape(output.shape)} for ${batch} rows; expected [${batch}, width]`,
        );
      }
      projection = { input, output };
      stepInput = ops.leaf({ kind: 'stepInput' }, output.shape, 'step');
    } else {
      stepInput = ops.leaf({ kind: 'stepInput' }, [batch, dims.inputSize], 'step');
    }
    const prepared = cell.prepare?.(ops, reads.params, dims);
    const stateSpecs = cell.state(dims);
    const states = stateSpecs.map((s, index) => ops.leaf({ kind: 'state', index }, [batch, s.size], 'step'));
    const recurrentMask = options.recurrentMask
      ? ops.leaf({ kind: 'recurrentMask' }, [batch, stateSpecs[0]?.size ?? 0], 'static')
      : undefined;
    const result = cell.step(ops, {
      input: stepInput,
      state: states,
      params: reads.params,
      dims,
      prepared,
      ...(recurrentMask ? { recurrentMask } : {}),
    });
    const output = checkTraced(result?.output, 'step output');
    if (!Array.isArray(result.state) || result.state.length !== states.length) {
      throw new TraceError(`step returned ${String(result.state?.length)} states; expected ${states.length}`);
    }
    const nextStates = result.state.map((s, i) => checkTraced(s, `step state[${i}]`));
    reads.checkMisspelled(cell.name);
    return {
      cell,
      dims,
      batch,
      nodes: ops.nodes,
      params,
      ...(projection ? { projection } : {}),
      stepInput,
      states,
      ...(recurrentMask ? { recurrentMask } : {}),
      output,
      nextStates,
    };
  } catch (error) {
    throw reads.explain(error, cell.name);
  }
}

function checkTraced(x: unknown, what: string): TraceNode {
  if (x instanceof TraceNode) return x;
  throw new TraceError(
    `${what}: expected a tensor made by the ops given to the cell, received ${describe(x)}`,
  );
}

/** A short text of a node, for dumps: `%12 = mul(%3, %11) [2, 4] step`. */
export function formatTraceNode(node: TraceNode): string {
  const arg = (a: unknown): string => {
    if (a instanceof TraceNode) return `%${a.id}`;
    if (Array.isArray(a)) return `[${a.map(arg).join(', ')}]`;
    return typeof a === 'string' ? JSON.stringify(a) : String(a);
  };
  const call =
    node.op === 'leaf'
      ? leafName(node.leaf!)
      : `${node.op}(${node.args.map(arg).join(', ')})${node.part === undefined ? '' : `[${node.part}]`}`;
  return `%${node.id} = ${call} ${formatShape(node.shape)} ${node.domain}`;
}

export function leafName(leaf: TraceLeaf): string {
  switch (leaf.kind) {
    case 'param':
      return `params.${leaf.name}`;
    case 'state':
      return `state[${leaf.index}]`;
    default:
      return leaf.kind;
  }
}

/** The whole trace as text, one node per line: what a contributor reads to see what the compiler saw. */
export function formatTrace(trace: CellTrace): string {
  const lines = trace.nodes.map(formatTraceNode);
  lines.push(`output = %${trace.output.id}`);
  trace.nextStates.forEach((s, i) => {
    lines.push(`state[${i}]' = %${s.id}`);
  });
  return lines.join('\n');
}

/** A structural fingerprint of a trace (two traces of a deterministic step are equal). */
export function traceSignature(trace: CellTrace): string {
  return formatTrace(trace);
}

/**
 * Evaluates static nodes on real ops. `leaves` gives the value of each static leaf the nodes need (parameters, the
 * recurrent dropout mask); results are cached in `values` (a node's value, or an `unstack`'s parts under the call's
 * arguments).
 */
export function replayStatic<T>(
  ops: Ops<T>,
  node: TraceNode,
  leaves: (leaf: TraceLeaf) => T,
  values: Map<unknown, unknown> = new Map(),
): T {
  const cached = values.get(node);
  if (cached !== undefined) return cached as T;
  if (node.domain !== 'static') {
    throw new SeqmodelError(`replayStatic: node %${node.id} is not static (internal error)`);
  }
  const map = (a: unknown): unknown => {
    if (a instanceof TraceNode) return replayStatic(ops, a, leaves, values);
    if (Array.isArray(a)) return a.map(map);
    return a;
  };
  let value: T;
  if (node.op === 'leaf') {
    value = leaves(node.leaf!);
  } else if (node.op === 'unstack') {
    let parts = values.get(node.args) as T[] | undefined;
    if (!parts) {
      parts = ops.unstack(map(node.args[0]) as T, node.args[1] as number);
      values.set(node.args, parts);
    }
    value = parts[node.part!]!;
  } else {
    const method = (ops as unknown as Record<string, (...args: unknown[]) => T>)[node.op];
    if (typeof method !== 'function') throw new SeqmodelError(`replayStatic: ops.${node.op} is missing`);
    value = method.apply(ops, node.args.map(map));
  }
  values.set(node, value);
  return value;
}
