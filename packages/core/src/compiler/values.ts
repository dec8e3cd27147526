/**
 * The algebra the lowering computes with. A per-step tensor `[batch, width]` is a {@link Value}: a row of pieces,
 * each a range of columns holding one expression that is the same for every column of the range (reading column
 * `offset + j` of its sources). Slices and concatenations along the last axis only move pieces around, so they cost
 * nothing in the generated code; elementwise operations apply piece by piece. Expressions are hash-consed (equal
 * expressions are one node) and folded where the result is known (`x + 0`, `x · 1`, constants).
 */
import { SeqmodelError } from '../errors.js';
import { cacheKey } from './cache-key.js';
import type { BinaryOp, LoopNode, UnaryOp } from './program.js';

/** An expression node: a {@link LoopNode} whose operands are other expressions' ids (instead of a loop's nodes). */
export type Expr = LoopNode;

/** A range of columns computed by one expression. */
export interface Piece {
  readonly offset: number;
  readonly width: number;
  readonly expr: number;
}

/** A per-step tensor `[batch, width]` as pieces covering `[0, width)` in order. */
export interface Value {
  readonly width: number;
  readonly pieces: readonly Piece[];
}

/** Operand of an elementwise operation: a value, or an expression the same in every column (a scalar). */
export type Operand = Value | { readonly scalar: number };

export function isScalar(x: Operand): x is { readonly scalar: number } {
  return 'scalar' in x;
}

const unaryFunctions: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  relu: (x) => Math.max(x, 0),
};

const binaryFunctions: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: Math.max,
  minimum: Math.min,
  greater: (a, b) => (a > b ? 1 : 0),
  equal: (a, b) => (a === b ? 1 : 0),
};

export class ExprGraph {
  readonly nodes: Expr[] = [];
  private readonly keys = new Map<string, number>();
  /** Shifted expressions by offset, then by expression. */
  private readonly shifts = new Map<number, Map<number, number>>();
  private readonly broadcasts = new Map<number, number>();
  private readonly broadcastOnes = new Map<number, boolean>();

  private intern(e: Expr): number {
    // Not JSON.stringify alone: it makes ±Infinity, NaN and -0 constants one with null and 0.
    const key = cacheKey(e)!;
    const found = this.keys.get(key);
    if (found !== undefined) return found;
    this.nodes.push(e);
    this.keys.set(key, this.nodes.length - 1);
    return this.nodes.length - 1;
  }

  node(id: number): Expr {
    const e = this.nodes[id];
    if (!e) throw new SeqmodelError(`expression ${id} does not exist (internal error)`);
    return e;
  }

  constant(id: number): number | undefined {
    const e = this.node(id);
    return e.op === 'const' ? e.value : undefined;
  }

  /** True for an expression with the same value in every column (a constant or a broadcast read, and ops of them). */
  isBroadcast(id: number): boolean {
    // Memoized: expressions share operands, and a walk without it visits a shared one once per path to it.
    const known = this.broadcastOnes.get(id);
    if (known !== undefined) return known;
    const e = this.node(id);
    let out: boolean;
    switch (e.op) {
      case 'read':
        out = e.broadcast;
        break;
      case 'const':
        out = true;
        break;
      default:
        out = operandsOf(e).every((k) => this.isBroadcast(k));
    }
    this.broadcastOnes.set(id, out);
    return out;
  }

  read(buffer: number, column: number, broadcast = false): number {
    return this.intern({ op: 'read', buffer, column, broadcast });
  }

  const(value: number): number {
    // Rounded to float32, as a constant in a step is when tfjs makes it a tensor. -0 and 0 stay apart (they differ
    // in division by them), and every NaN is one constant.
    return this.intern({ op: 'const', value: Math.fround(value) });
  }

  unary(op: UnaryOp, x: number): number {
    const c = this.constant(x);
    if (c !== undefined) return this.const(Math.fround(unaryFunctions[op](c)));
    const e = this.node(x);
    if (op === 'neg' && e.op === 'neg') return e.x;
    return this.intern({ op, x });
  }

  binary(op: BinaryOp, a: number, b: number): number {
    const ca = this.constant(a);
    const cb = this.constant(b);
    if (ca !== undefined && cb !== undefined) return this.const(Math.fround(binaryFunctions[op](ca, cb)));
    switch (op) {
      case 'add':
        // Exact but for x = −0 with a +0 constant: x + 0 is +0 there, the fold keeps −0 (seen only by dividing by it).
        if (ca === 0) return b;
        if (cb === 0) return a;
        break;
      case 'sub':
        // x − (+0) is x for every x; x − (−0) is not (+0 at x = −0).
        if (Object.is(cb, 0)) return a;
        // (−0) − b is −b for every b; (+0) − b is not at b = +0 (+0, where −b is −0).
        if (Object.is(ca, -0)) return this.unary('neg', b);
        break;
      case 'mul':
        // Gradient expressions multiply by structural zeros (columns a slice did not take): drop those terms.
        if (ca === 0 || cb === 0) return this.const(0);
        if (ca === 1) return b;
        if (cb === 1) return a;
        if (ca === -1) return this.unary('neg', b);
        if (cb === -1) return this.unary('neg', a);
        break;
      case 'div':
        if (cb === 1) return a;
        if (ca === 0) return this.const(0);
        break;
      default:
        break;
    }
    return this.intern({ op, a, b });
  }

  where(condition: number, a: number, b: number): number {
    if (a === b) return a;
    const c = this.constant(condition);
    if (c !== undefined) return c !== 0 ? a : b;
    return this.intern({ op: 'where', condition, a, b });
  }

  clip(x: number, min: number, max: number): number {
    // Bounds in float32, as the constants (the generated JavaScript compares in float64: `clip(z, -0.1, 0.1)` must
    // give the float32 0.1 that tfjs gives, equal to the constant 0.1).
    const [lo, hi] = [Math.fround(min), Math.fround(max)];
    const c = this.constant(x);
    if (c !== undefined) return this.const(Math.min(Math.max(c, lo), hi));
    return this.intern({ op: 'clip', x, min: lo, max: hi });
  }

  /** Expression `id` shifted to start at column `offset` of its sources (reads move; broadcast ones do not). */
  shift(id: number, offset: number): number {
    if (offset === 0) return id;
    let memo = this.shifts.get(offset);
    if (!memo) {
      memo = new Map();
      this.shifts.set(offset, memo);
    }
    return this.rebuild(id, memo, (e) => this.read(e.buffer, e.column + offset, false));
  }

  /**
   * Expression `id` of a one-column value, read at that column for every column: its reads become broadcast ones. A
   * `[batch, 1]` value beside a wider one is this, with no product and no buffer between.
   */
  broadcast(id: number): number {
    return this.rebuild(id, this.broadcasts, (e) => this.read(e.buffer, e.column, true));
  }

  /**
   * Expression `id` with each of its reads that depend on the column replaced by `read`'s (what is the same in every
   * column stays as it is), memoized in `memo`.
   */
  private rebuild(
    id: number,
    memo: Map<number, number>,
    read: (e: Extract<Expr, { op: 'read' }>) => number,
  ): number {
    if (this.isBroadcast(id)) return id;
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    const e = this.node(id);
    const again = (x: number) => this.rebuild(x, memo, read);
    let out: number;
    switch (e.op) {
      case 'read':
        out = read(e);
        break;
      case 'const':
        out = id;
        break;
      case 'where':
        out = this.where(again(e.condition), again(e.a), again(e.b));
        break;
      case 'clip':
        out = this.clip(again(e.x), e.min, e.max);
        break;
      default:
        out = 'x' in e ? this.unary(e.op, again(e.x)) : this.binary(e.op, again(e.a), again(e.b));
    }
    memo.set(id, out);
    return out;
  }

  /** The ids of `roots` and everything they use, in an order where operands come first. */
  closure(roots: readonly number[], stop: (id: number) => boolean = () => false): number[] {
    const seen = new Set<number>();
    const order: number[] = [];
    const visit = (id: number) => {
      if (seen.has(id)) return;
      seen.add(id);
      if (!stop(id)) for (const child of operandsOf(this.node(id))) visit(child);
      order.push(id);
    };
    roots.forEach(visit);
    return order;
  }

  // Values.

  /** A value of one piece. */
  whole(width: number, expr: number): Value {
    return { width, pieces: [{ offset: 0, width, expr }] };
  }

  /** Columns `[begin, begin + width)` of `v`. */
  slice(v: Value, begin: number, width: number): Value {
    if (begin < 0 || width < 0 || begin + width > v.width) {
      throw new SeqmodelError(
        `slice [${begin}, ${begin + width}) of a value of width ${v.width} (internal error)`,
      );
    }
    const pieces: Piece[] = [];
    for (const p of v.pieces) {
      const start = Math.max(p.offset, begin);
      const end = Math.min(p.offset + p.width, begin + width);
      if (start >= end) continue;
      pieces.push({ offset: start - begin, width: end - start, expr: this.shift(p.expr, start - p.offset) });
    }
    return { width, pieces };
  }

  concat(values: readonly Value[]): Value {
    const pieces: Piece[] = [];
    let offset = 0;
    for (const v of values) {
      for (const p of v.pieces) pieces.push({ ...p, offset: offset + p.offset });
      offset += v.width;
    }
    return { width: offset, pieces: this.merge(pieces) };
  }

  /** `v` placed at columns `[offset, offset + v.width)` of a value of `width` that is zero elsewhere. */
  pad(v: Value, offset: number, width: number): Value {
    const zero = (w: number): Value[] => (w > 0 ? [this.whole(w, this.const(0))] : []);
    return this.concat([...zero(offset), v, ...zero(width - offset - v.width)]);
  }

  /** Applies `f` piece by piece to operands of one width (scalars broadcast). */
  map(operands: readonly Operand[], f: (exprs: number[]) => number): Operand {
    const values = operands.filter((o): o is Value => !isScalar(o));
    if (values.length === 0) return { scalar: f(operands.map((o) => (o as { scalar: number }).scalar)) };
    const width = values[0]!.width;
    if (values.some((v) => v.width !== width)) {
      throw new SeqmodelError(
        `elementwise operands of widths ${values.map((v) => v.width).join(', ')} (internal error)`,
      );
    }
    const cuts = new Set<number>([0, width]);
    for (const v of values) for (const p of v.pieces) cuts.add(p.offset);
    const sorted = [...cuts].sort((x, y) => x - y);
    const pieces: Piece[] = [];
    for (let i = 0; i + 1 < sorted.length; i++) {
      const start = sorted[i]!;
      const w = sorted[i + 1]! - start;
      const exprs = operands.map((o) => (isScalar(o) ? o.scalar : this.slice(o, start, w).pieces[0]!.expr));
      pieces.push({ offset: start, width: w, expr: f(exprs) });
    }
    return { width, pieces: this.merge(pieces) };
  }

  mapUnary(op: UnaryOp, x: Operand): Operand {
    return this.map([x], ([e]) => this.unary(op, e!));
  }

  mapBinary(op: BinaryOp, a: Operand, b: Operand): Operand {
    return this.map([a, b], ([x, y]) => this.binary(op, x!, y!));
  }

  /** The sum of values of one width (undefined for none). */
  sum(values: readonly Value[]): Value | undefined {
    let total: Value | undefined;
    for (const v of values) total = total ? (this.mapBinary('add', total, v) as Value) : v;
    return total;
  }

  /** Joins neighbouring pieces whose expressions continue each other (the same reads, shifted; equal constants). */
  private merge(pieces: readonly Piece[]): Piece[] {
    const out: Piece[] = [];
    for (const p of pieces) {
      const last = out[out.length - 1];
      if (last && last.offset + last.width === p.offset && this.shift(last.expr, last.width) === p.expr) {
        out[out.length - 1] = { offset: last.offset, width: last.width + p.width, expr: last.expr };
      } else {
        out.push(p);
      }
    }
    return out;
  }

  /** True when every piece of `v` is the constant 0. */
  isZero(v: Value): boolean {
    return v.pieces.every((p) => this.constant(p.expr) === 0);
  }
}

/** The nodes an expression (or a loop's node) reads, by index. */
export function operandsOf(e: Expr): number[] {
  switch (e.op) {
    case 'read':
    case 'const':
      return [];
    case 'where':
      return [e.condition, e.a, e.b];
    default:
      return 'x' in e ? [e.x] : [e.a, e.b];
  }
}

/**
 * The nodes of `nodes` (a loop's, or any list whose operands point into it) that `roots` depend on, themselves
 * included, in increasing order.
 */
export function nodeClosure(nodes: readonly Expr[], roots: Iterable<number>): number[] {
  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const k of operandsOf(nodes[i]!)) visit(k);
  };
  for (const r of roots) visit(r);
  return [...needed].sort((a, b) => a - b);
}
