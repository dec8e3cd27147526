/**
 * The lowering: a traced cell (`trace.ts`) becomes a {@link SequencePlan}, the plan the hand-written fused kernels
 * follow, for any cell:
 *
 * - every product of the raw inputs with a parameter (`x·W` in `projectInput`) is one product over all steps
 *   (`inputProducts`);
 * - per step (`forward`), the recurrent products (a per-step value times a parameter) through the backend's matrix
 *   product, and between them elementwise passes that compute everything else in one sweep over the rows;
 * - backward through time (`backward`), the elementwise part differentiated symbolically and fused the same way, the
 *   per-step products transposed, and the parameters' gradients as products over all steps at the end.
 *
 * Values that depend only on parameters (a slice of the recurrent kernel, a row of the bias) are `statics`: the
 * backend computes them once per sequence with its own ops (`replayStatic`), so its autodiff carries their gradients
 * back to the parameters. What the lowering cannot compile raises a {@link CompileDecline} naming it.
 */
import { SeqmodelError } from '../errors.js';
import { formatShape } from '../shape.js';
import type {
  BinaryOp,
  BufferRows,
  ElementwiseLoop,
  ElementwisePass,
  LoopNode,
  LoopStore,
  PlanBuffer,
  UnaryOp,
} from './program.js';
import { type CellTrace, leafName, TraceNode, tensorArgs } from './trace.js';
import { ExprGraph, isScalar, type Operand, operandsOf, type Value } from './values.js';

/** Why a cell's step cannot be compiled; the kernel declines with this message and the generic loop runs. */
export class CompileDecline extends SeqmodelError {}

/** How loops read a static value. */
export type StaticLayout = 'column' | 'scalar' | 'full';

/** A value computed once per sequence from parameters (and the recurrent dropout mask). */
export interface PlanStatic {
  readonly index: number;
  /** The traced node: a parameter, the recurrent mask, or a computation on them (replay it with `replayStatic`). */
  readonly node: TraceNode;
  readonly shape: readonly number[];
  /** The buffer loops read it from, and how (absent when only products use it). */
  readonly buffer?: number;
  readonly layout?: StaticLayout;
  /**
   * When the static is a block of one parameter's values (the parameter itself, a slice of it, a reshape of such a
   * block): where, so that a runtime can read it (and write its gradient) in place instead of computing it.
   */
  readonly view?: StaticView;
}

/**
 * A block of a parameter's row-major values: `rows` rows of `cols` values, the first at `offset`, row starts
 * `stride` apart. A static of shape `[k, n]` is `k` rows of `n`; one of shape `[n]`, `[]` or `[1, n]` one row.
 */
export interface StaticView {
  readonly param: string;
  readonly offset: number;
  readonly rows: number;
  readonly cols: number;
  readonly stride: number;
}

/** The parameter block `node` is, if it is one (see {@link StaticView}). */
export function staticView(node: TraceNode): StaticView | undefined {
  const shape = node.shape;
  const asBlock = (param: string, offset: number): StaticView | undefined => {
    if (shape.length > 2) return undefined;
    const rows = shape.length === 2 ? shape[0]! : 1;
    const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
    return { param, offset, rows, cols, stride: cols };
  };
  if (node.op === 'leaf') return node.leaf?.kind === 'param' ? asBlock(node.leaf.name, 0) : undefined;
  const source = node.args[0];
  if (!(source instanceof TraceNode) || source.domain !== 'static') return undefined;
  const inner = staticView(source);
  if (!inner) return undefined;
  if (node.op === 'reshape') {
    const contiguous = inner.rows === 1 || inner.cols === inner.stride;
    return contiguous ? asBlock(inner.param, inner.offset) : undefined;
  }
  if (node.op === 'slice' && source.shape.length <= 2) {
    const begin = node.args[1] as number[];
    const rowBegin = source.shape.length === 2 ? begin[0]! : 0;
    const colBegin = begin[begin.length - 1] ?? 0;
    const rows = shape.length === 2 ? shape[0]! : 1;
    const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
    return {
      param: inner.param,
      offset: inner.offset + rowBegin * inner.stride + colBegin,
      rows,
      cols,
      stride: inner.stride,
    };
  }
  return undefined;
}

/**
 * Whether static `s` is a matrix of ones, of any shape: the column `[width, 1]` the tracer multiplies by for a sum
 * along the last axis (forward), the row `[1, width]` whose transpose sums a per-row value's gradient (backward; the
 * forward pass reads such a value across the row, with no product), or a step's own `fill([k, n], 1)`. A runtime may
 * compute a product with it as each row's sum repeated across the row, instead of through its matrix product.
 */
export function staticOnes(s: PlanStatic): boolean {
  return isOnesFill(s.node);
}

/** `out = left · right` (or `· rightᵀ`), `left` and `out` rows of the current step. */
export interface ProductStage {
  readonly kind: 'product';
  readonly left: number;
  /** A static operand, rank 2. */
  readonly right: number;
  readonly transposeRight: boolean;
  readonly out: number;
  /** Add the product to `out` (written earlier in the step) instead of replacing it. */
  readonly accumulate: boolean;
}

export type Stage = { readonly kind: 'pass'; readonly pass: ElementwisePass } | ProductStage;

/** `out = inputs · right` (or `· rightᵀ`) for the rows of every step at once. */
export interface InputProduct {
  readonly right: number;
  readonly transposeRight: boolean;
  /** A `sequence` buffer. */
  readonly out: number;
}

export interface PlanState {
  readonly size: number;
  /** The state before the step (rows `batch`); the runtime binds it to its current state. */
  readonly current: number;
  /** Written by the step. */
  readonly next: number;
  /** A `sequence` buffer the runtime copies the state before each step into, when the backward pass reads it. */
  readonly saved?: number;
  /** Backward: d loss / d state after the step (read) and before it (written), both `batch` rows. */
  readonly seed?: number;
  readonly gradient?: number;
}

/** The gradient of a per-step product's right-hand operand: `Σ_t leftᵀ·dOut` over all steps (or its transpose). */
export interface ProductGradient {
  /** A `sequence` buffer holding the product's left operand at every step. */
  readonly left: number;
  /** A `sequence` buffer holding d loss / d out at every step. */
  readonly dOut: number;
  readonly right: number;
  readonly transposeRight: boolean;
}

/** A static operand's gradient from the loops: accumulated in `buffer` (added over rows for `single` buffers). */
export interface StaticGradient {
  readonly static: number;
  readonly buffer: number;
  readonly layout: StaticLayout;
}

export interface BackwardPlan {
  readonly stages: readonly Stage[];
  /** d loss / d the step's output (rows `batch`). */
  readonly outputSeed: number;
  /** d loss / d inputs written by the loops (a `sequence` buffer), when they read the inputs directly. */
  readonly inputGradient?: number;
  /** d loss / d each input product's result (`sequence` buffers), in the order of `inputProducts`. */
  readonly inputProductGradients: readonly (number | undefined)[];
  readonly productGradients: readonly ProductGradient[];
  readonly staticGradients: readonly StaticGradient[];
}

/** What the runtime of a backend executes for one cell, options and sizes (see the module comment). */
export interface SequencePlan {
  readonly cell: string;
  readonly batch: number;
  readonly inputSize: number;
  readonly units: number;
  /** True when the forward pass keeps what `backward` needs. */
  readonly training: boolean;
  readonly buffers: readonly PlanBuffer[];
  readonly statics: readonly PlanStatic[];
  /** The buffer holding the raw inputs' rows (`sequence`), when loops read it. */
  readonly inputs?: number;
  readonly inputProducts: readonly InputProduct[];
  readonly states: readonly PlanState[];
  readonly output: { readonly size: number; readonly buffer: number };
  readonly forward: readonly Stage[];
  readonly backward?: BackwardPlan;
}

interface Store {
  readonly expr: number;
  readonly buffer: number;
  readonly column: number;
  readonly width: number;
  readonly accumulate: boolean;
}

interface Gemm {
  readonly left: number;
  readonly right: number;
  readonly transposeRight: boolean;
  out: number;
  accumulate: boolean;
}

interface MutableBuffer {
  readonly id: number;
  readonly name: string;
  width: number;
  rows: BufferRows;
}

interface StaticInfo {
  readonly index: number;
  readonly node: TraceNode;
  buffer?: number;
  layout?: StaticLayout;
  gradient?: number;
}

const unaryNames = new Set<string>(['neg', 'exp', 'log', 'sqrt', 'abs', 'sigmoid', 'tanh', 'relu']);
const binaryNames = new Set<string>(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'greater', 'equal']);
/** Every op a per-step value may come from. */
const loweredOps = new Set<string>([
  ...unaryNames,
  ...binaryNames,
  'leaf',
  'where',
  'clip',
  'slice',
  'concat',
  'reshape',
  'cast',
  'matMul',
  'fill',
]);

/** The first per-step node `x` depends on (itself included) made by an op without a generator, if any. */
function firstUnlowered(x: TraceNode, seen = new Set<TraceNode>()): TraceNode | undefined {
  if (x.domain === 'static' || seen.has(x)) return undefined;
  seen.add(x);
  if (!loweredOps.has(x.op)) return x;
  for (const arg of x.args) {
    for (const a of Array.isArray(arg) ? arg : [arg]) {
      if (!(a instanceof TraceNode)) continue;
      const found = firstUnlowered(a, seen);
      if (found) return found;
    }
  }
  return undefined;
}

/** Why a per-step value made by `op` (not in {@link loweredOps}) cannot be compiled. */
function noGenerator(op: string): string {
  // The tracer records a sum along the last axis as a product, so a sum here is over the batch axis (or all axes).
  // Core's softmax and logSoftmax reduce with max.
  const derived =
    op === 'sum'
      ? ' over the batch axis or all axes (only sums along the last axis are compiled)'
      : op === 'max'
        ? " (core's softmax and logSoftmax use it)"
        : '';
  return `ops.${op} on a per-step value has no generator${derived} (only elementwise ops, slices and concatenations along the last axis, sums along it, and products with parameters are compiled)`;
}

/** `[batch, width]`'s width, 1 for `[batch]`, or undefined for any other shape. */
function stepWidth(shape: readonly number[], batch: number): number | undefined {
  if (shape[0] !== batch) return undefined;
  if (shape.length === 2) return shape[1];
  return shape.length === 1 ? 1 : undefined;
}

/** Whether a static node depends on no parameter and no mask: a constant (`fill`, or work on fills alone). */
function isConstant(node: TraceNode): boolean {
  if (node.op === 'leaf') return false;
  return tensorArgs(node.args).every(isConstant);
}

/** `[rows, cols]` of `matMul(a, b, false, transposeB)`'s right operand when it is a fill of ones, else undefined. */
function onesOperand(node: TraceNode): [number, number] | undefined {
  const [a, b, transposeA, transposeB] = node.args as [TraceNode, TraceNode, boolean, boolean];
  if (transposeA || a.domain === 'static' || b.domain !== 'static' || !isOnesFill(b)) return undefined;
  return transposeB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
}

/** Whether `node` is `fill([k, n], 1)`. */
function isOnesFill(node: TraceNode): boolean {
  return node.op === 'fill' && node.args[1] === 1 && node.shape.length === 2;
}

/**
 * Whether the product only repeats a one-column `a` across `[1, n]` ones: what the tracer records for a `[batch, 1]`
 * value beside a wider one. Compiled as a broadcast read of `a`, with no product forward.
 */
function isRowBroadcast(node: TraceNode): boolean {
  const a = node.args[0] as TraceNode;
  return onesOperand(node)?.[0] === 1 && a.shape.length === 2 && a.shape[1] === 1;
}

/**
 * Whether the product sums the columns of a per-step `a` (a column of ones): what the tracer records for
 * `sum(a, -1)`. Its gradient is the output's broadcast across `a`'s columns, with no product backward.
 */
function isRowSum(node: TraceNode): boolean {
  return onesOperand(node)?.[1] === 1;
}

/**
 * The expression of a one-column value: its piece at column 0 (a concatenation can leave empty pieces beside it, a
 * `fill([batch, 0])`'s).
 */
function columnExpr(v: Value): number {
  const piece = v.pieces.find((p) => p.offset === 0 && p.width > 0);
  if (!piece) throw new SeqmodelError(`a value of width ${v.width} has no column 0 (internal error)`);
  return piece.expr;
}

/** Operations cheap enough to recompute in the backward pass instead of keeping their results. */
const cheap = new Set<string>([
  'add',
  'sub',
  'mul',
  'neg',
  'abs',
  'relu',
  'maximum',
  'minimum',
  'greater',
  'equal',
  'where',
  'clip',
]);

class PlanBuilder {
  readonly g = new ExprGraph();
  readonly buffers: MutableBuffer[] = [];
  private readonly statics = new Map<TraceNode, StaticInfo>();
  private readonly forwardValues = new Map<TraceNode, Value>();
  private readonly backwardValues = new Map<TraceNode, Operand>();
  private inputsBuffer: number | undefined;
  private readonly inputProducts: (InputProduct & { key: string })[] = [];
  private readonly gemms: (Gemm & { key: string })[] = [];
  /** Forward product index by the traced node computing it. */
  private readonly gemmOf = new Map<TraceNode, number>();
  private readonly inputProductOf = new Map<TraceNode, number>();
  readonly forwardStores: Store[] = [];
  readonly stateBuffers: number[];
  readonly nextBuffers: number[];
  readonly savedStates: (number | undefined)[];

  constructor(
    readonly trace: CellTrace,
    readonly training: boolean,
  ) {
    const sizes = trace.states.map((s) => s.shape[1]!);
    this.stateBuffers = sizes.map((s, k) => this.buffer(`state[${k}]`, s, 'batch'));
    this.nextBuffers = sizes.map((s, k) => this.buffer(`state[${k}]'`, s, 'batch'));
    this.savedStates = sizes.map(() => undefined);
  }

  buffer(name: string, width: number, rows: BufferRows): number {
    const id = this.buffers.length;
    this.buffers.push({ id, name, width, rows });
    return id;
  }

  get batch(): number {
    return this.trace.batch;
  }

  decline(node: TraceNode, why: string): never {
    const where = node.domain === 'sequence' ? 'projectInput' : 'step';
    throw new CompileDecline(`${where}: ${node.op}(...) ${formatShape(node.shape)} (%${node.id}): ${why}`);
  }

  /** The static operand for `node`, with a buffer for loops when `layout` is given. */
  private static(node: TraceNode, layout?: StaticLayout): StaticInfo {
    let info = this.statics.get(node);
    if (!info) {
      info = { index: this.statics.size, node };
      this.statics.set(node, info);
    }
    if (layout && info.buffer === undefined) {
      const shape = node.shape;
      const width = layout === 'scalar' ? 1 : shape[shape.length - 1]!;
      const name = node.op === 'leaf' ? leafName(node.leaf!) : `static %${node.id}`;
      info.layout = layout;
      info.buffer = this.buffer(name, width, layout === 'full' ? 'batch' : 'single');
    }
    return info;
  }

  /** A static node as an elementwise operand of an operation whose result is `[batch, width]`. */
  private staticOperand(node: TraceNode, width: number, user: TraceNode): Operand {
    if (node.dtype !== 'float32') this.decline(user, `operand %${node.id} is ${node.dtype}`);
    if (node.op === 'fill') return { scalar: this.g.const(node.args[1] as number) };
    const s = node.shape;
    const size = s.reduce((n, d) => n * d, 1);
    if (size === 1 && s.length <= 2) {
      const info = this.static(node, 'scalar');
      return { scalar: this.g.read(info.buffer!, 0, true) };
    }
    const last = s[s.length - 1];
    if (last === width && (s.length === 1 || (s.length === 2 && s[0] === 1))) {
      const info = this.static(node, 'column');
      return this.g.whole(width, this.g.read(info.buffer!, 0));
    }
    if (s.length === 2 && s[0] === this.batch && last === width) {
      const info = this.static(node, 'full');
      return this.g.whole(width, this.g.read(info.buffer!, 0));
    }
    return this.decline(
      user,
      `the static operand %${node.id} ${formatShape(s)} does not broadcast as a scalar, a row [${width}] or ` +
        `[${this.batch}, ${width}]`,
    );
  }

  /**
   * The width of a per-step result, checking it is `[batch, width]`, or `[batch]` (a row sum without `keepDims`:
   * one column).
   */
  private widthOf(node: TraceNode): number {
    const width = stepWidth(node.shape, this.batch);
    if (width === undefined) {
      // Named where the shape went wrong, when an op the compiler does not lower made it (`sum(h, 0)` under a `div`).
      const origin = this.shapeOrigin(node);
      if (!loweredOps.has(origin.op)) this.decline(origin, noGenerator(origin.op));
      this.decline(
        node,
        `per-step values must be [batch, width] ([${this.batch}, w]) or [batch]; this one is ${formatShape(node.shape)}`,
      );
    }
    if (node.dtype !== 'float32') this.decline(node, `per-step values must be float32, not ${node.dtype}`);
    return width;
  }

  /** The first per-step node under `node` (itself, if none) whose shape is not a per-step value's. */
  private shapeOrigin(node: TraceNode): TraceNode {
    for (const arg of tensorArgs(node.args)) {
      if (arg.domain !== 'static' && stepWidth(arg.shape, this.batch) === undefined)
        return this.shapeOrigin(arg);
    }
    return node;
  }

  /** An argument of an elementwise operation with result width `width`, in the forward pass. */
  private operand(arg: unknown, width: number, user: TraceNode): Operand {
    if (typeof arg === 'number') return { scalar: this.g.const(arg) };
    const node = arg as TraceNode;
    if (node.domain === 'static') return this.staticOperand(node, width, user);
    const v = this.value(node);
    if (v.width !== width) {
      this.decline(
        user,
        `operand %${node.id} ${formatShape(node.shape)} broadcasts per row over ${width} columns`,
      );
    }
    return v;
  }

  private inputs(): Value {
    this.inputsBuffer ??= this.buffer('inputs', this.trace.dims.inputSize, 'sequence');
    return this.g.whole(this.trace.dims.inputSize, this.g.read(this.inputsBuffer, 0));
  }

  /** The forward value of a per-step (or projectInput) node. */
  value(node: TraceNode): Value {
    const cached = this.forwardValues.get(node);
    if (cached) return cached;
    if (node.domain === 'static') {
      const v = this.staticOperand(node, this.widthOf(node), node);
      return isScalar(v) ? this.g.whole(this.widthOf(node), v.scalar) : v;
    }
    const v = this.computeValue(node);
    this.forwardValues.set(node, v);
    return v;
  }

  private computeValue(node: TraceNode): Value {
    const { g } = this;
    if (node.op === 'leaf') {
      const leaf = node.leaf!;
      switch (leaf.kind) {
        case 'state':
          return g.whole(node.shape[1]!, g.read(this.stateBuffers[leaf.index]!, 0));
        case 'stepInput':
          return this.trace.projection ? this.value(this.trace.projection.output) : this.inputs();
        case 'sequenceInput':
          return this.inputs();
        default:
          return this.decline(node, `unexpected leaf ${leaf.kind} (internal error)`);
      }
    }
    if (node.op === 'slice' || node.op === 'concat') {
      // A `[batch]` value's only axis is the batch axis.
      if (node.shape.length === 1) this.decline(node, `a ${node.op} along the batch axis`);
    }
    if (node.op === 'slice') {
      const [begin, size] = [node.args[1] as number[], node.args[2] as number[]];
      this.checkRowsKept(node, begin[0]!, size[0]!);
    }
    // An op without a generator is named before its result's shape is judged (a reduction's is [batch]).
    if (!loweredOps.has(node.op)) this.decline(node, noGenerator(node.op));
    const width = this.widthOf(node);
    const args = node.args;
    const elementwise = (operands: Operand[], f: (e: number[]) => number): Value => {
      const out = g.map(operands, f);
      return isScalar(out) ? g.whole(width, out.scalar) : out;
    };
    if (unaryNames.has(node.op)) {
      return elementwise([this.operand(args[0], width, node)], ([x]) => g.unary(node.op as UnaryOp, x!));
    }
    if (binaryNames.has(node.op)) {
      const a = this.operand(args[0], width, node);
      const b = this.operand(args[1], width, node);
      return elementwise([a, b], ([x, y]) => g.binary(node.op as BinaryOp, x!, y!));
    }
    switch (node.op) {
      case 'where': {
        const ops = args.map((a) => this.operand(a, width, node));
        return elementwise(ops, ([c, a, b]) => g.where(c!, a!, b!));
      }
      case 'clip': {
        const [min, max] = [args[1] as number, args[2] as number];
        return elementwise([this.operand(args[0], width, node)], ([x]) => g.clip(x!, min, max));
      }
      case 'slice': {
        const [x, begin, size] = args as [TraceNode, number[], number[]];
        this.checkRowsKept(node, begin[0]!, size[0]!);
        return g.slice(this.structural(x, node), begin[1]!, width);
      }
      case 'concat': {
        const [xs, axis] = args as [TraceNode[], number];
        if (axis !== 1 && axis !== -1) this.decline(node, 'concat along the batch axis');
        return g.concat(xs.map((x) => this.structural(x, node)));
      }
      case 'reshape':
      case 'cast': {
        const x = args[0] as TraceNode;
        // `reshape(max(h, -1), [-1, 1])`: the reduction is what cannot be compiled, not the reshape after it.
        const unlowered = firstUnlowered(x);
        if (unlowered) this.decline(unlowered, noGenerator(unlowered.op));
        // `[batch, 1]` and `[batch]` lay out alike.
        const from = stepWidth(x.shape, this.batch);
        if (from === undefined || from !== stepWidth(node.shape, this.batch)) {
          this.decline(node, `a reshape from ${formatShape(x.shape)} changes the per-step layout`);
        }
        return this.structural(x, node);
      }
      case 'matMul':
        return this.product(node);
      case 'fill':
        return g.whole(width, g.const(args[1] as number));
      default:
        // Ops without a generator were declined above.
        return this.decline(node, `ops.${node.op} is listed as lowered but has no case (internal error)`);
    }
  }

  private checkRowsKept(node: TraceNode, begin: number, size: number): void {
    if (begin !== 0 || (size !== -1 && size !== this.batch))
      this.decline(node, 'a slice along the batch axis');
  }

  /** An operand of a slice, concat or reshape: a per-step value, or a static `[batch, w]` one. */
  private structural(x: TraceNode, user: TraceNode): Value {
    if (x.domain !== 'static') return this.value(x);
    const w = this.widthOf(x);
    const v = this.staticOperand(x, w, user);
    return isScalar(v) ? this.g.whole(w, v.scalar) : v;
  }

  /** A whole buffer when `v` is exactly one, else undefined. */
  private wholeBuffer(v: Value): number | undefined {
    if (v.pieces.length !== 1) return undefined;
    const e = this.g.node(v.pieces[0]!.expr);
    if (e.op !== 'read' || e.broadcast || e.column !== 0) return undefined;
    return this.buffers[e.buffer]!.width === v.width ? e.buffer : undefined;
  }

  /**
   * A buffer holding `v` for every row (a new one written by stores, unless `v` already is a whole buffer with a row
   * per batch row: not a parameter's single row, which `h·0 + b` folds to).
   */
  private materialize(v: Value, name: string, rows: BufferRows, stores: Store[]): number {
    const existing = this.wholeBuffer(v);
    if (existing !== undefined && this.buffers[existing]!.rows !== 'single') return existing;
    const id = this.buffer(name, v.width, rows);
    this.store(stores, v, id, 0, false);
    return id;
  }

  /**
   * Stores `v` at `column` of `buffer`. Zero pieces are left out with `skipZeros`: accumulating stores, and the
   * backward pass's, whose buffers start at zero.
   */
  store(
    stores: Store[],
    v: Value,
    buffer: number,
    column: number,
    accumulate: boolean,
    skipZeros = accumulate,
  ): void {
    for (const p of v.pieces) {
      if (skipZeros && this.g.constant(p.expr) === 0) continue;
      stores.push({ expr: p.expr, buffer, column: column + p.offset, width: p.width, accumulate });
    }
  }

  private product(node: TraceNode): Value {
    const [a, b, transposeA, transposeB] = node.args as [TraceNode, TraceNode, boolean, boolean];
    const n = node.shape[1]!;
    if (b.domain !== 'static') {
      this.decline(node, 'a product of two per-step values (only products with parameters are compiled)');
    }
    if (a.domain === 'static') this.decline(node, 'a static product (internal error)');
    if (transposeA || b.shape.length !== 2 || b.dtype !== 'float32') {
      this.decline(node, 'only [batch, k]·[k, n] products with a float32 parameter are compiled');
    }
    const { g } = this;
    if (isRowBroadcast(node)) return g.whole(n, g.broadcast(columnExpr(this.value(a))));
    const right = this.static(b).index;
    const left = this.value(a);
    // A product with a constant (a row sum's column of ones) needs no gradient of it, so no left operand per step.
    const kept = this.training && !isConstant(b);
    if (this.inputsBuffer !== undefined && this.wholeBuffer(left) === this.inputsBuffer) {
      const key = `${right}:${transposeB}`;
      let j = this.inputProducts.findIndex((p) => p.key === key);
      if (j < 0) {
        const out = this.buffer(`inputs·%${b.id}${transposeB ? 'ᵀ' : ''}`, n, 'sequence');
        this.inputProducts.push({ key, right, transposeRight: transposeB, out });
        j = this.inputProducts.length - 1;
      }
      this.inputProductOf.set(node, j);
      return g.whole(n, g.read(this.inputProducts[j]!.out, 0));
    }
    const leftBuffer = this.materialize(
      left,
      `left of %${node.id}`,
      kept ? 'sequence' : 'batch',
      this.forwardStores,
    );
    const key = `${leftBuffer}:${right}:${transposeB}`;
    let i = this.gemms.findIndex((p) => p.key === key);
    if (i < 0) {
      const out = this.buffer(`%${a.id}·%${b.id}${transposeB ? 'ᵀ' : ''}`, n, 'batch');
      this.gemms.push({ key, left: leftBuffer, right, transposeRight: transposeB, out, accumulate: false });
      i = this.gemms.length - 1;
    }
    this.gemmOf.set(node, i);
    return g.whole(n, g.read(this.gemms[i]!.out, 0));
  }

  // The forward program.

  outputs(): { output: { size: number; buffer: number } } {
    const { trace } = this;
    trace.nextStates.forEach((s, k) => {
      this.store(this.forwardStores, this.value(s), this.nextBuffers[k]!, 0, false);
    });
    const aliased = trace.nextStates.indexOf(trace.output);
    const size = this.widthOf(trace.output);
    if (aliased >= 0) return { output: { size, buffer: this.nextBuffers[aliased]! } };
    const buffer = this.buffer('output', size, 'batch');
    this.store(this.forwardStores, this.value(trace.output), buffer, 0, false);
    return { output: { size, buffer } };
  }

  // The backward program.

  /** A forward value as the backward pass reads it: recomputed when cheap, else kept by the forward pass. */
  private forwardInBackward(arg: unknown, width: number, user: TraceNode): Operand {
    if (typeof arg === 'number') return { scalar: this.g.const(arg) };
    const node = arg as TraceNode;
    if (node.domain === 'static') return this.staticOperand(node, width, user);
    const cached = this.backwardValues.get(node);
    if (cached) return cached;
    const v = this.computeForwardInBackward(node);
    this.backwardValues.set(node, v);
    return v;
  }

  private computeForwardInBackward(node: TraceNode): Value {
    const { g } = this;
    const width = this.widthOf(node);
    const args = node.args;
    const at = (i: number) => this.forwardInBackward(args[i], width, node);
    const elementwise = (operands: Operand[], f: (e: number[]) => number): Value => {
      const out = g.map(operands, f);
      return isScalar(out) ? g.whole(width, out.scalar) : out;
    };
    if (node.op === 'leaf') {
      const leaf = node.leaf!;
      if (leaf.kind === 'state') {
        const k = leaf.index;
        this.savedStates[k] ??= this.buffer(`saved state[${k}]`, width, 'sequence');
        return g.whole(width, g.read(this.savedStates[k]!, 0));
      }
      if (leaf.kind === 'stepInput' && this.trace.projection) {
        return this.forwardInBackward(this.trace.projection.output, width, node) as Value;
      }
      return this.value(node);
    }
    if (node.op === 'matMul') {
      if (isRowBroadcast(node)) {
        return g.whole(width, g.broadcast(columnExpr(this.forwardInBackward(args[0], 1, node) as Value)));
      }
      const i = this.gemmOf.get(node);
      // The product's result, kept for every step.
      if (i !== undefined) this.buffers[this.gemms[i]!.out]!.rows = 'sequence';
      return this.value(node);
    }
    if (cheap.has(node.op)) {
      if (node.op === 'clip')
        return elementwise([at(0)], ([x]) => g.clip(x!, args[1] as number, args[2] as number));
      if (node.op === 'where') return elementwise([at(0), at(1), at(2)], ([c, a, b]) => g.where(c!, a!, b!));
      if (unaryNames.has(node.op)) return elementwise([at(0)], ([x]) => g.unary(node.op as UnaryOp, x!));
      return elementwise([at(0), at(1)], ([a, b]) => g.binary(node.op as BinaryOp, a!, b!));
    }
    switch (node.op) {
      case 'slice': {
        const [x, begin] = args as [TraceNode, number[]];
        return g.slice(this.structuralInBackward(x, node), begin[1]!, width);
      }
      case 'concat':
        return g.concat((args[0] as TraceNode[]).map((x) => this.structuralInBackward(x, node)));
      case 'reshape':
      case 'cast':
        return this.structuralInBackward(args[0] as TraceNode, node);
      case 'fill':
        return this.value(node);
      default: {
        // Kept: written by the forward pass, for every step.
        const kept = this.buffer(`kept %${node.id} ${node.op}`, width, 'sequence');
        this.store(this.forwardStores, this.value(node), kept, 0, false);
        return g.whole(width, g.read(kept, 0));
      }
    }
  }

  private structuralInBackward(x: TraceNode, user: TraceNode): Value {
    if (x.domain === 'static') return this.structural(x, user);
    return this.forwardInBackward(x, this.widthOf(x), user) as Value;
  }

  backward(output: { size: number }): { plan: BackwardPlan; states: { seed: number; gradient: number }[] } {
    const { g, trace } = this;
    const stores: Store[] = [];
    const adjoints = new Map<TraceNode, Value[]>();
    const add = (node: TraceNode, v: Value) => {
      if (g.isZero(v)) return;
      const list = adjoints.get(node) ?? [];
      list.push(v);
      adjoints.set(node, list);
    };
    const sinks = new Map<number, Value[]>();
    const sink = (buffer: number, v: Value) => {
      sinks.set(buffer, [...(sinks.get(buffer) ?? []), v]);
    };
    const staticGradients = new Map<number, StaticGradient>();
    /** An operand's share `c` of an adjoint: to the operand's adjoint, or summed into a static's gradient. */
    const route = (arg: unknown, c: Value, user: TraceNode) => {
      if (typeof arg === 'number') return;
      const node = arg as TraceNode;
      if (node.domain !== 'static') return add(node, c);
      if (node.op === 'fill') return;
      const operand = this.staticOperand(node, c.width, user);
      const info = this.statics.get(node)!;
      if (info.gradient === undefined) {
        const layout = info.layout!;
        const width = layout === 'scalar' ? 0 : this.buffers[info.buffer!]!.width;
        info.gradient = this.buffer(
          `d ${this.buffers[info.buffer!]!.name}`,
          width,
          layout === 'full' ? 'batch' : 'single',
        );
        staticGradients.set(info.index, { static: info.index, buffer: info.gradient, layout });
      }
      const gradient = this.buffers[info.gradient]!;
      // A scalar's gradient buffer grows to the widest use; the runtime adds up all its columns.
      if (isScalar(operand)) gradient.width = Math.max(gradient.width, c.width);
      this.store(stores, c, info.gradient, 0, true);
    };

    // An output or next state computed from parameters alone (a static) sends its gradient to the static's.
    const seedWith = (node: TraceNode, v: Value) =>
      node.domain === 'static' ? route(node, v, node) : add(node, v);
    const outputSeed = this.buffer('d output', output.size, 'batch');
    seedWith(trace.output, g.whole(output.size, g.read(outputSeed, 0)));
    const states: { seed: number; gradient: number }[] = trace.nextStates.map((s, k) => {
      const width = s.shape[1]!;
      const seed = this.buffer(`d state[${k}]'`, width, 'batch');
      seedWith(s, g.whole(width, g.read(seed, 0)));
      return { seed, gradient: this.buffer(`d state[${k}]`, width, 'batch') };
    });
    let inputGradient: number | undefined;
    const inputProductGradients: (number | undefined)[] = this.inputProducts.map(() => undefined);
    const backwardGemms: Gemm[] = [];
    const productGradients: ProductGradient[] = [];
    const gemmGradients = new Map<number, { dOut: number; dLeft: number }>();
    /** What the backward products of broadcast rows read. */
    const broadcastGradients: number[] = [];
    /** Backward products by the buffer they write. */
    const dLefts = new Map<number, number>();
    const routed = new Set<number>();

    const nodes = [...this.forwardValues.keys()].sort((a, b) => b.id - a.id);
    for (const node of nodes) {
      const list = adjoints.get(node);
      const adjoint = list ? g.sum(list) : undefined;
      if (!adjoint || g.isZero(adjoint)) continue;
      const width = adjoint.width;
      const args = node.args;
      const fwd = (i: number) => this.forwardInBackward(args[i], width, node);
      const times = (x: Operand, y: Operand): Value => g.mapBinary('mul', x, y) as Value;
      const y = () => this.forwardInBackward(node, width, node);
      if (node.op === 'leaf') {
        const leaf = node.leaf!;
        // Contributions kept apart: one of them may be a product's result, which the product can write itself.
        if (leaf.kind === 'state') for (const v of list!) sink(states[leaf.index]!.gradient, v);
        else if (leaf.kind === 'stepInput' && trace.projection) add(trace.projection.output, adjoint);
        else {
          inputGradient ??= this.buffer('d inputs', trace.dims.inputSize, 'sequence');
          sink(inputGradient, adjoint);
        }
        continue;
      }
      switch (node.op) {
        case 'add':
          route(args[0], adjoint, node);
          route(args[1], adjoint, node);
          break;
        case 'sub':
          route(args[0], adjoint, node);
          route(args[1], g.mapUnary('neg', adjoint) as Value, node);
          break;
        case 'mul':
          route(args[0], times(adjoint, fwd(1)), node);
          route(args[1], times(adjoint, fwd(0)), node);
          break;
        case 'div': {
          const b = fwd(1);
          route(args[0], g.mapBinary('div', adjoint, b) as Value, node);
          route(args[1], g.mapUnary('neg', g.mapBinary('div', times(adjoint, y()), b)) as Value, node);
          break;
        }
        case 'maximum':
        case 'minimum': {
          // As tfjs: ties send the gradient to a, and a NaN to neither (its tests are a ≥ b and a < b for maximum).
          const [a, b] = node.op === 'maximum' ? [fwd(1), fwd(0)] : [fwd(0), fwd(1)];
          const bWins = g.map([a, b, adjoint], ([p, q, d]) =>
            g.where(g.binary('greater', p!, q!), d!, g.const(0)),
          );
          const aWins = g.map([a, b, adjoint], ([p, q, d]) =>
            g.where(g.binary('greater', q!, p!), d!, g.where(g.binary('equal', q!, p!), d!, g.const(0))),
          );
          route(args[0], aWins as Value, node);
          route(args[1], bWins as Value, node);
          break;
        }
        case 'greater':
        case 'equal':
          break;
        case 'where': {
          const c = fwd(0);
          route(args[1], g.map([c, adjoint], ([p, d]) => g.where(p!, d!, g.const(0))) as Value, node);
          route(args[2], g.map([c, adjoint], ([p, d]) => g.where(p!, g.const(0), d!)) as Value, node);
          break;
        }
        case 'neg':
          route(args[0], g.mapUnary('neg', adjoint) as Value, node);
          break;
        case 'exp':
          route(args[0], times(adjoint, y()), node);
          break;
        case 'log':
          route(args[0], g.mapBinary('div', adjoint, fwd(0)) as Value, node);
          break;
        case 'sqrt':
          route(args[0], g.mapBinary('div', times(adjoint, { scalar: g.const(0.5) }), y()) as Value, node);
          break;
        case 'abs': {
          // As tfjs: 1 above 0, −1 at or below it, NaN at a NaN (x where x ≠ x).
          const sign = g.map([fwd(0)], ([x]) =>
            g.where(
              g.binary('greater', x!, g.const(0)),
              g.const(1),
              g.where(g.binary('equal', x!, x!), g.const(-1), x!),
            ),
          );
          route(args[0], times(adjoint, sign), node);
          break;
        }
        case 'sigmoid': {
          const s = y();
          route(
            args[0],
            times(
              adjoint,
              g.map([s], ([v]) => g.binary('mul', v!, g.binary('sub', g.const(1), v!))),
            ),
            node,
          );
          break;
        }
        case 'tanh': {
          const t = y();
          route(
            args[0],
            times(
              adjoint,
              g.map([t], ([v]) => g.binary('sub', g.const(1), g.binary('mul', v!, v!))),
            ),
            node,
          );
          break;
        }
        case 'relu':
          // As tfjs (dy · step(x)): d above 0, 0 at or below it, NaN at a NaN.
          route(
            args[0],
            g.map([fwd(0), adjoint], ([x, d]) =>
              g.where(
                g.binary('greater', x!, g.const(0)),
                d!,
                g.where(g.binary('equal', x!, x!), g.const(0), x!),
              ),
            ) as Value,
            node,
          );
          break;
        case 'clip': {
          const [min, max] = [args[1] as number, args[2] as number];
          // As tfjs: the gradient passes at the bounds themselves, and not at a NaN (min ≤ x ≤ max fails).
          const inside = g.map([fwd(0), adjoint], ([x, d]) =>
            g.where(
              g.binary('greater', x!, g.const(max)),
              g.const(0),
              g.where(
                g.binary('greater', g.const(min), x!),
                g.const(0),
                g.where(g.binary('equal', x!, x!), d!, g.const(0)),
              ),
            ),
          );
          route(args[0], inside as Value, node);
          break;
        }
        case 'slice': {
          const [x, begin] = args as [TraceNode, number[]];
          route(x, g.pad(adjoint, begin[1]!, x.shape[1]!), node);
          break;
        }
        case 'concat': {
          let offset = 0;
          for (const x of args[0] as TraceNode[]) {
            const w = x.shape[1]!;
            route(x, g.slice(adjoint, offset, w), node);
            offset += w;
          }
          break;
        }
        case 'reshape':
        case 'cast':
          route(args[0], adjoint, node);
          break;
        case 'fill':
          break;
        case 'matMul': {
          if (isRowBroadcast(node)) {
            // The gradient of a broadcast row is the sum of its columns': a product with the ones transposed.
            const ones = args[1] as TraceNode;
            const dOut = this.buffer(`d %${node.id}`, width, 'batch');
            const dRow = this.buffer(`d %${(args[0] as TraceNode).id} rows`, 1, 'batch');
            dLefts.set(dRow, backwardGemms.length);
            backwardGemms.push({
              left: dOut,
              right: this.static(ones).index,
              transposeRight: !(args[3] as boolean),
              out: dRow,
              accumulate: false,
            });
            broadcastGradients.push(dOut);
            sink(dOut, adjoint);
            route(args[0], g.whole(1, g.read(dRow, 0)), node);
            break;
          }
          if (isRowSum(node)) {
            const a = args[0] as TraceNode;
            route(a, g.whole(a.shape[1]!, g.broadcast(columnExpr(adjoint))), node);
            break;
          }
          const j = this.inputProductOf.get(node);
          if (j !== undefined) {
            inputProductGradients[j] ??= this.buffer(
              `d ${this.buffers[this.inputProducts[j]!.out]!.name}`,
              width,
              'sequence',
            );
            sink(inputProductGradients[j]!, adjoint);
            break;
          }
          const i = this.gemmOf.get(node)!;
          const gemm = this.gemms[i]!;
          let grads = gemmGradients.get(i);
          if (!grads) {
            const left = this.buffers[gemm.left]!;
            const dOut = this.buffer(`d ${this.buffers[gemm.out]!.name}`, width, 'sequence');
            const dLeft = this.buffer(`d ${left.name}`, left.width, 'batch');
            grads = { dOut, dLeft };
            gemmGradients.set(i, grads);
            dLefts.set(dLeft, backwardGemms.length);
            backwardGemms.push({
              left: dOut,
              right: gemm.right,
              transposeRight: !gemm.transposeRight,
              out: dLeft,
              accumulate: false,
            });
            if (!isConstant(args[1] as TraceNode)) {
              productGradients.push({
                left: this.leftOverSteps(gemm.left),
                dOut,
                right: gemm.right,
                transposeRight: gemm.transposeRight,
              });
            }
          }
          sink(grads.dOut, adjoint);
          if (!routed.has(i)) {
            // dLeft holds the gradient of every use of this product; a second node using it adds only to dOut.
            routed.add(i);
            route(args[0], g.whole(this.buffers[gemm.left]!.width, g.read(grads.dLeft, 0)), node);
          }
          break;
        }
        default:
          this.decline(node, 'no derivative (internal error)');
      }
    }
    // Only these are read through the alias map below; every other sink (a state's gradient, d inputs) is read by
    // the runtime itself and must be written.
    const aliasable = new Set<number>([
      ...[...gemmGradients.values()].map((d) => d.dOut),
      ...broadcastGradients,
      ...inputProductGradients.filter((d) => d !== undefined),
    ]);
    const alias = this.finishSinks(sinks, stores, backwardGemms, dLefts, aliasable);
    const a = (id: number) => alias.get(id) ?? id;
    const gemms = backwardGemms.map((gemm) => ({ ...gemm, left: a(gemm.left) }));
    const plan: BackwardPlan = {
      stages: schedule(this, stores, gemms, 'backward'),
      outputSeed,
      ...(inputGradient === undefined ? {} : { inputGradient }),
      inputProductGradients: inputProductGradients.map((d) => (d === undefined ? d : a(d))),
      productGradients: productGradients.map((p) => ({ ...p, dOut: a(p.dOut) })),
      staticGradients: [...staticGradients.values()],
    };
    return { plan, states };
  }

  /**
   * Stores the gradients collected for each buffer (`sinks`), with two savings: a buffer receiving a backward
   * product's result directly becomes that product's output (which adds to what the loops stored there, when they
   * run before it), and buffers that would hold equal values (the gradient of `x·W` and of `h·U` when both feed
   * one sum) become one. Returns the buffers replaced by another.
   *
   * A product's output is redirected only when nothing else reads it (two states used only through `(h + c)·U`
   * both receive it), and only `aliasable` buffers are replaced (the runtime reads a state's gradient and d inputs
   * by their own ids).
   */
  private finishSinks(
    sinks: Map<number, Value[]>,
    stores: Store[],
    gemms: Gemm[],
    dLefts: Map<number, number>,
    aliasable: ReadonlySet<number>,
  ): Map<number, number> {
    const { g } = this;
    // How many stores and sink contributions read each buffer.
    const readers = new Map<number, number>();
    const countReads = (exprs: readonly number[]) => {
      const read = new Set<number>();
      for (const id of g.closure(exprs)) {
        const e = g.node(id);
        if (e.op === 'read') read.add(e.buffer);
      }
      for (const b of read) readers.set(b, (readers.get(b) ?? 0) + 1);
    };
    for (const s of stores) countReads([s.expr]);
    for (const values of sinks.values()) for (const v of values) countReads(v.pieces.map((q) => q.expr));
    const plans = [...sinks].map(([buffer, values]) => {
      let into: number | undefined;
      const rest: Value[] = [];
      for (const v of values) {
        const source = this.wholeBuffer(v);
        const gemm = source === undefined || readers.get(source) !== 1 ? undefined : dLefts.get(source);
        if (into === undefined && gemm !== undefined && this.buffers[buffer]!.rows === 'batch') into = gemm;
        else rest.push(v);
      }
      return { buffer, values, rest, into };
    });
    // Levels as if every sink stored its whole sum, to check that the loops' part runs before the product.
    const trial = [...stores];
    for (const p of plans) this.store(trial, g.sum(p.values)!, p.buffer, 0, false, true);
    const level = createLevels(g, trial, gemms);
    const alias = new Map<number, number>();
    const seen = new Map<string, number>();
    for (const p of plans) {
      if (p.into !== undefined) {
        const gemm = gemms[p.into]!;
        const rest = g.sum(p.rest);
        if (!rest || level.expr(rest.pieces.map((q) => q.expr)) < level.buffer(gemm.out)) {
          gemm.out = p.buffer;
          gemm.accumulate = rest !== undefined;
          if (rest) this.store(stores, rest, p.buffer, 0, false, true);
          continue;
        }
      }
      const total = g.sum(p.values)!;
      const buffer = this.buffers[p.buffer]!;
      const key = JSON.stringify([buffer.rows, buffer.width, total.pieces]);
      const same = seen.get(key);
      if (same !== undefined && aliasable.has(p.buffer)) {
        alias.set(p.buffer, same);
        continue;
      }
      if (same === undefined) seen.set(key, p.buffer);
      this.store(stores, total, p.buffer, 0, false, true);
    }
    return alias;
  }

  /** The buffer holding a product's left operand at every step (the saved state when it is a state). */
  private leftOverSteps(left: number): number {
    const k = this.stateBuffers.indexOf(left);
    if (k < 0) {
      this.buffers[left]!.rows = 'sequence';
      return left;
    }
    this.savedStates[k] ??= this.buffer(`saved state[${k}]`, this.buffers[left]!.width, 'sequence');
    return this.savedStates[k]!;
  }

  planStatics(): PlanStatic[] {
    return [...this.statics.values()].map((s) => {
      const view = staticView(s.node);
      return {
        index: s.index,
        node: s.node,
        shape: s.node.shape,
        ...(s.buffer === undefined ? {} : { buffer: s.buffer, layout: s.layout! }),
        ...(view ? { view } : {}),
      };
    });
  }

  forwardGemms(): Gemm[] {
    return this.gemms;
  }

  plannedInputProducts(): InputProduct[] {
    return this.inputProducts.map(({ right, transposeRight, out }) => ({ right, transposeRight, out }));
  }

  get inputs_(): number | undefined {
    return this.inputsBuffer;
  }
}

/**
 * Orders stores and products into stages: a store runs in the pass after the last product its expression reads;
 * a product after the pass that writes its left operand. Values needed again in a later pass are written once to a
 * buffer (one the step writes anyway when there is one) instead of being computed twice; loops group stores of one
 * width.
 */
function schedule(
  b: PlanBuilder,
  stores: readonly Store[],
  gemms: readonly Gemm[],
  direction: string,
): Stage[] {
  const { g } = b;
  const levels = createLevels(g, stores, gemms);
  const levelOfBuffer = levels.buffer;
  const levelOfExpr = (id: number) => levels.expr([id]);
  const passes: Store[][] = [];
  for (const s of stores) {
    const level = levelOfExpr(s.expr);
    passes[level] = [...(passes[level] ?? []), s];
  }
  for (const gemm of gemms) levelOfBuffer(gemm.out);

  // Values used in several passes: written once, in the first pass that computes them.
  // Cheaper to compute again than to write and read back: two cheap operations at most.
  const trivial = (id: number, pass: number) => {
    const e = g.node(id);
    if (e.op === 'read' || e.op === 'const' || g.isBroadcast(id)) return true;
    const work = g.closure([id], stopAt(pass)).filter((n) => {
      const op = g.node(n).op;
      return op !== 'read' && op !== 'const';
    });
    return work.length <= 2 && work.every((n) => cheap.has(g.node(n).op));
  };
  // A store whose columns a product or another store also writes (a gradient's sum, say) holds the value only until
  // then, so later passes cannot read the value there.
  const overwritten = (store: Store) =>
    gemms.some((gemm) => gemm.out === store.buffer) ||
    stores.some(
      (other) =>
        other !== store &&
        other.buffer === store.buffer &&
        other.column < store.column + store.width &&
        store.column < other.column + other.width,
    );
  const available = new Map<number, { read: number; pass: number }>();
  const stopAt = (pass: number) => (id: number) =>
    (available.get(id)?.pass ?? Number.POSITIVE_INFINITY) < pass;
  // The columns a value is needed for: the widest store that reads it (an expression is the same at every column,
  // so one computed for a narrow store is read by a wider one too).
  const widths = new Map<number, number>();
  for (const s of stores) {
    for (const id of g.closure([s.expr])) widths.set(id, Math.max(widths.get(id) ?? 0, s.width));
  }
  for (let p = 0; p < passes.length; p++) {
    const own = passes[p] ?? [];
    const computed = new Set(
      g.closure(
        own.map((s) => s.expr),
        stopAt(p),
      ),
    );
    const laterRoots = passes
      .slice(p + 1)
      .flatMap((ss, q) => (ss ?? []).map((s) => ({ expr: s.expr, pass: p + 1 + q })));
    const candidates = [...computed].filter((id) => !stopAt(p)(id) && !trivial(id, p)).sort((x, y) => y - x);
    const chosen = new Set<number>();
    for (const c of candidates) {
      const reached = laterRoots.some(({ expr, pass }) =>
        g.closure([expr], (id) => chosen.has(id) || stopAt(pass)(id)).includes(c),
      );
      if (!reached) continue;
      chosen.add(c);
      // A store of the value that covers every column it is needed for and that nothing else writes over; else a
      // temporary of that width.
      const existing = own.find(
        (s) => s.expr === c && !s.accumulate && s.width >= widths.get(c)! && !overwritten(s),
      );
      let read: number;
      if (existing) {
        read = g.read(existing.buffer, existing.column);
      } else {
        const temp = b.buffer(`${direction} temp v${c}`, widths.get(c)!, 'batch');
        own.push({ expr: c, buffer: temp, column: 0, width: widths.get(c)!, accumulate: false });
        read = g.read(temp, 0);
      }
      available.set(c, { read, pass: p });
    }
    passes[p] = own;
  }

  const stages: Stage[] = [];
  const last = Math.max(passes.length - 1, ...gemms.map((gemm) => levelOfBuffer(gemm.out)));
  for (let p = 0; p <= last; p++) {
    if (p > 0) {
      for (const gemm of productOrder(gemms.filter((gemm) => levelOfBuffer(gemm.out) === p))) {
        const { left, right, transposeRight, out, accumulate } = gemm;
        stages.push({ kind: 'product', left, right, transposeRight, out, accumulate });
      }
    }
    const own = passes[p] ?? [];
    if (own.length === 0) continue;
    // Rewrite each store with the values earlier passes wrote.
    const memo = new Map<number, number>();
    const rewrite = (id: number): number => {
      const hit = available.get(id);
      if (hit && hit.pass < p) return hit.read;
      const cached = memo.get(id);
      if (cached !== undefined) return cached;
      const e = g.node(id);
      let out: number;
      switch (e.op) {
        case 'read':
        case 'const':
          out = id;
          break;
        case 'where':
          out = g.where(rewrite(e.condition), rewrite(e.a), rewrite(e.b));
          break;
        case 'clip':
          out = g.clip(rewrite(e.x), e.min, e.max);
          break;
        default:
          out = 'x' in e ? g.unary(e.op, rewrite(e.x)) : g.binary(e.op, rewrite(e.a), rewrite(e.b));
      }
      memo.set(id, out);
      return out;
    };
    const byWidth = new Map<number, Store[]>();
    for (const s of own) {
      const list = byWidth.get(s.width) ?? [];
      list.push({ ...s, expr: rewrite(s.expr) });
      byWidth.set(s.width, list);
    }
    const loops: ElementwiseLoop[] = [...byWidth.entries()].map(([width, list]) => toLoop(g, width, list));
    stages.push({ kind: 'pass', pass: { name: `${direction} ${p}`, loops } });
  }
  return stages;
}

/** Products of one level, each after the products writing its left operand (a chain `(h'·V)·Q`: `h'·V` first). */
function productOrder(gemms: readonly Gemm[]): Gemm[] {
  const ordered: Gemm[] = [];
  const placed = new Set<Gemm>();
  const place = (gemm: Gemm) => {
    if (placed.has(gemm)) return;
    placed.add(gemm);
    for (const before of gemms) if (before.out === gemm.left) place(before);
    ordered.push(gemm);
  };
  for (const gemm of gemms) place(gemm);
  return ordered;
}

/**
 * Levels: a buffer a product writes is ready one level after the loops writing the product's left operand (and no
 * earlier than a product writing it); an expression can be computed at the level of the latest buffer it reads.
 */
function createLevels(
  g: ExprGraph,
  stores: readonly Store[],
  gemms: readonly Gemm[],
): { buffer(id: number): number; expr(ids: readonly number[]): number } {
  const producer = new Map<number, Gemm>();
  for (const gemm of gemms) producer.set(gemm.out, gemm);
  const bufferLevel = new Map<number, number>();
  const exprLevel = new Map<number, number>();
  const levelOfBuffer = (buffer: number): number => {
    const cached = bufferLevel.get(buffer);
    if (cached !== undefined) return cached;
    const gemm = producer.get(buffer);
    let level = 0;
    if (gemm) {
      let left = 0;
      for (const s of stores) if (s.buffer === gemm.left) left = Math.max(left, levelOfExpr(s.expr));
      level = left + 1;
      // A left operand that is itself a product's result (`(h'·V)·Q`): no earlier than that product, which
      // `schedule` runs first within the level.
      if (producer.has(gemm.left)) level = Math.max(level, levelOfBuffer(gemm.left));
    }
    bufferLevel.set(buffer, level);
    return level;
  };
  const levelOfExpr = (id: number): number => {
    const cached = exprLevel.get(id);
    if (cached !== undefined) return cached;
    const e = g.node(id);
    const level = e.op === 'read' ? levelOfBuffer(e.buffer) : Math.max(0, ...operandsOf(e).map(levelOfExpr));
    exprLevel.set(id, level);
    return level;
  };
  return { buffer: levelOfBuffer, expr: (ids) => Math.max(0, ...ids.map(levelOfExpr)) };
}

function toLoop(g: ExprGraph, width: number, stores: readonly Store[]): ElementwiseLoop {
  const order = g.closure(stores.map((s) => s.expr));
  const index = new Map(order.map((id, i) => [id, i]));
  const at = (id: number) => index.get(id)!;
  const nodes: LoopNode[] = order.map((id) => {
    const e = g.node(id);
    switch (e.op) {
      case 'read':
      case 'const':
        return e;
      case 'where':
        return { op: 'where', condition: at(e.condition), a: at(e.a), b: at(e.b) };
      case 'clip':
        return { op: 'clip', x: at(e.x), min: e.min, max: e.max };
      default:
        return 'x' in e ? { op: e.op, x: at(e.x) } : { op: e.op, a: at(e.a), b: at(e.b) };
    }
  });
  const loopStores: LoopStore[] = stores.map((s) => ({
    node: at(s.expr),
    buffer: s.buffer,
    column: s.column,
    accumulate: s.accumulate,
  }));
  return { width, nodes, stores: loopStores };
}

/**
 * The plan for `trace` (see the module comment). With `training`, the forward pass keeps what the backward pass
 * reads and the plan has a `backward` part. Throws a {@link CompileDecline} for what it cannot compile.
 */
export function planSequence(trace: CellTrace, training: boolean): SequencePlan {
  const b = new PlanBuilder(trace, training);
  const { output } = b.outputs();
  const backward = training ? b.backward(output) : undefined;
  const forward = schedule(b, b.forwardStores, b.forwardGemms(), 'forward');
  const backwardStates = backward?.states;
  const states: PlanState[] = b.stateBuffers.map((current, k) => ({
    size: b.buffers[current]!.width,
    current,
    next: b.nextBuffers[k]!,
    ...(b.savedStates[k] === undefined ? {} : { saved: b.savedStates[k] }),
    ...(backwardStates ? { seed: backwardStates[k]!.seed, gradient: backwardStates[k]!.gradient } : {}),
  }));
  const inputs = b.inputs_;
  return {
    cell: trace.cell.name,
    batch: trace.batch,
    inputSize: trace.dims.inputSize,
    units: trace.dims.units,
    training,
    buffers: b.buffers.map((x) => ({ id: x.id, name: x.name, width: x.width, rows: x.rows })),
    statics: b.planStatics(),
    ...(inputs === undefined ? {} : { inputs }),
    inputProducts: b.plannedInputProducts(),
    states,
    output,
    forward,
    ...(backward ? { backward: backward.plan } : {}),
  };
}
