/**
 * The float64 reference backend: every `Ops` primitive over plain `Float64Array`s, forward only. It is the oracle
 * that backends and fused kernels are tested against, and it tracks tensors (tidy, keep, dispose, numTensors)
 * exactly like a real backend, so leak tests can run on it too.
 */
import type { Backend, MemoryInfo, TensorContainer, TypedArray } from '../backend.js';
import { invalidArgument, SeqmodelError } from '../errors.js';
import type { DType, NestedArray, Operand } from '../ops.js';
import { formatShape, type Shape, sizeOfShape } from '../shape.js';
import { erf } from './erf.js';
import * as k from './kernels.js';

/** A tensor of the reference backend. */
export class RefTensor implements k.RefData {
  /** @internal */ disposed = false;
  /** @internal */ kept = false;

  constructor(
    readonly shape: readonly number[],
    readonly data: Float64Array,
    readonly dtype: DType,
  ) {}
}

function flatten(
  values: NestedArray | readonly number[],
  out: number[],
  shape: number[],
  depth: number,
): void {
  if (typeof values === 'number') {
    if (depth !== shape.length) throw new SeqmodelError('tensor(values): ragged nested array');
    out.push(values);
    return;
  }
  if (!Array.isArray(values))
    invalidArgument('tensor(values)', values, 'numbers or nested arrays of numbers');
  if (depth === shape.length) shape.push(values.length);
  else if (shape[depth] !== values.length) {
    throw new SeqmodelError(
      `tensor(values): ragged nested array (length ${values.length} where ${shape[depth]} was expected at depth ${depth})`,
    );
  }
  for (const v of values) flatten(v as NestedArray, out, shape, depth + 1);
}

function nest(data: Float64Array, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0]!;
  const [head, ...rest] = shape as [number, ...number[]];
  const chunk = sizeOfShape(rest);
  return Array.from({ length: head }, (_, i) => nest(data.subarray(i * chunk, (i + 1) * chunk), rest));
}

function castValues(data: Float64Array, dtype: DType): Float64Array {
  if (dtype === 'float32') return data;
  return data.map((v) => Math.trunc(v));
}

export class ReferenceBackend implements Backend<RefTensor> {
  readonly specificationVersion = 'v1';
  readonly name = 'reference';
  private readonly live = new Set<RefTensor>();
  private readonly scopes: Set<RefTensor>[] = [];

  private track(data: k.RefData): RefTensor {
    const t = new RefTensor(data.shape, data.data, data.dtype);
    this.live.add(t);
    this.scopes[this.scopes.length - 1]?.add(t);
    return t;
  }

  private use(x: RefTensor, argument: string): RefTensor {
    if (!(x instanceof RefTensor)) invalidArgument(argument, x, 'a reference tensor');
    if (x.disposed)
      throw new SeqmodelError(
        `${argument}: expected a live tensor, received tensor ${formatShape(x.shape)}, which was already disposed`,
      );
    return x;
  }

  private operand(x: Operand<RefTensor>, argument: string): k.RefData {
    if (typeof x === 'number') return k.makeData([], Float64Array.of(x));
    return this.use(x, argument);
  }

  // Creation and readback.
  tensor(
    values: NestedArray | readonly number[] | TypedArray,
    shape?: Shape,
    dtype: DType = 'float32',
  ): RefTensor {
    let flat: Float64Array;
    let inferred: number[];
    if (ArrayBuffer.isView(values)) {
      if (shape === undefined)
        invalidArgument('tensor(shape)', shape, 'a shape when values is a typed array');
      flat = Float64Array.from(values as ArrayLike<number>);
      inferred = [...shape];
    } else {
      const out: number[] = [];
      inferred = [];
      flatten(values as NestedArray, out, inferred, 0);
      flat = Float64Array.from(out);
    }
    const finalShape = shape ? [...shape] : inferred;
    if (sizeOfShape(finalShape) !== flat.length) {
      throw new SeqmodelError(
        `tensor: ${flat.length} values do not fill shape ${formatShape(finalShape)} (${sizeOfShape(finalShape)} elements)`,
      );
    }
    return this.track(k.makeData(finalShape, castValues(flat, dtype), dtype));
  }

  isTensor(x: unknown): x is RefTensor {
    return x instanceof RefTensor;
  }

  toArray(x: RefTensor): NestedArray {
    const t = this.use(x, 'toArray(x)');
    return nest(t.data, t.shape);
  }

  dataSync(x: RefTensor): Float32Array | Int32Array {
    const t = this.use(x, 'dataSync(x)');
    return t.dtype === 'int32' ? Int32Array.from(t.data) : Float32Array.from(t.data);
  }

  /** The values at full float64 precision (reference backend only). */
  toFloat64(x: RefTensor): Float64Array {
    return this.use(x, 'toFloat64(x)').data.slice();
  }

  async data(x: RefTensor): Promise<Float32Array | Int32Array> {
    return this.dataSync(x);
  }

  dtype(x: RefTensor): DType {
    return this.use(x, 'dtype(x)').dtype;
  }

  // Memory.
  dispose(x: TensorContainer<RefTensor>): void {
    for (const t of collectTensors(x)) {
      t.disposed = true;
      this.live.delete(t);
    }
  }

  tidy<R>(fn: () => R): R {
    const scope = new Set<RefTensor>();
    this.scopes.push(scope);
    let result: R;
    try {
      result = fn();
    } catch (error) {
      // A throwing call leaks nothing: everything it made is freed before the error propagates.
      for (const t of scope) if (!t.kept) this.dispose(t);
      throw error;
    } finally {
      this.scopes.pop();
    }
    const returned = new Set(collectTensors(result as TensorContainer<RefTensor>));
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of scope) {
      if (returned.has(t)) parent?.add(t);
      else if (!t.kept) this.dispose(t);
    }
    return result;
  }

  keep<X extends RefTensor>(x: X): X {
    x.kept = true;
    return x;
  }

  memory(): MemoryInfo {
    let numBytes = 0;
    for (const t of this.live) numBytes += t.data.length * 8;
    return { numTensors: this.live.size, numBytes };
  }

  // Ops.
  shape(x: RefTensor): number[] {
    return [...this.use(x, 'shape(x)').shape];
  }

  fill(shape: Shape, value: number, dtype: DType = 'float32'): RefTensor {
    return this.track(k.makeData(shape, new Float64Array(sizeOfShape(shape)).fill(value), dtype));
  }

  cast(x: RefTensor, dtype: DType): RefTensor {
    const t = this.use(x, 'cast(x)');
    return this.track(k.makeData(t.shape, castValues(t.data.slice(), dtype), dtype));
  }

  private binary(
    name: string,
    a: Operand<RefTensor>,
    b: Operand<RefTensor>,
    f: (x: number, y: number) => number,
  ) {
    return this.track(k.binary(this.operand(a, `${name}(a)`), this.operand(b, `${name}(b)`), f));
  }

  add(a: Operand<RefTensor>, b: Operand<RefTensor>) {
    return this.binary('add', a, b, (x, y) => x + y);
  }
  sub(a: Operand<RefTensor>, b: Operand<RefTensor>) {
    return this.binary('sub', a, b, (x, y) => x - y);
  }
  mul(a: Operand<RefTensor>, b: Operand<RefTensor>) {
    return this.binary('mul', a, b, (x, y) => x * y);
  }
  div(a: Operand<RefTensor>, b: Operand<RefTensor>) {
    return this.binary('div', a, b, (x, y) => x / y);
  }
  maximum(a: Operand<RefTensor>, b: Operand<RefTensor>) {
    return this.binary('maximum', a, b, (x, y) =>
      Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.max(x, y),
    );
  }
  minimum(a: Operand<RefTensor>, b: Operand<RefTensor>) {
    return this.binary('minimum', a, b, (x, y) =>
      Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.min(x, y),
    );
  }
  greater(a: Operand<RefTensor>, b: Operand<RefTensor>) {
    return this.binary('greater', a, b, (x, y) => (x > y ? 1 : 0));
  }
  equal(a: Operand<RefTensor>, b: Operand<RefTensor>) {
    return this.binary('equal', a, b, (x, y) => (x === y ? 1 : 0));
  }
  where(condition: RefTensor, a: Operand<RefTensor>, b: Operand<RefTensor>) {
    const c = this.use(condition, 'where(condition)');
    return this.track(k.ternaryWhere(c, this.operand(a, 'where(a)'), this.operand(b, 'where(b)')));
  }

  private unary(name: string, x: RefTensor, f: (v: number) => number) {
    return this.track(k.unary(this.use(x, `${name}(x)`), f));
  }

  neg(x: RefTensor) {
    return this.unary('neg', x, (v) => -v);
  }
  exp(x: RefTensor) {
    return this.unary('exp', x, Math.exp);
  }
  log(x: RefTensor) {
    return this.unary('log', x, Math.log);
  }
  sqrt(x: RefTensor) {
    return this.unary('sqrt', x, Math.sqrt);
  }
  abs(x: RefTensor) {
    return this.unary('abs', x, Math.abs);
  }
  sigmoid(x: RefTensor) {
    // Two branches keep exp() from overflowing for large |v|.
    return this.unary('sigmoid', x, (v) =>
      v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)),
    );
  }
  tanh(x: RefTensor) {
    return this.unary('tanh', x, Math.tanh);
  }
  /** Optional in `Ops`; here in full float64 precision, the oracle for the exact GELU. */
  erf(x: RefTensor) {
    return this.unary('erf', x, erf);
  }
  relu(x: RefTensor) {
    return this.unary('relu', x, (v) => (v > 0 ? v : v === 0 || v < 0 ? 0 : v));
  }
  clip(x: RefTensor, min: number, max: number) {
    if (!(min <= max)) invalidArgument('clip(min, max)', [min, max], 'min <= max');
    return this.unary('clip', x, (v) => Math.min(Math.max(v, min), max));
  }

  matMul(a: RefTensor, b: RefTensor, transposeA = false, transposeB = false) {
    return this.track(k.matMul(this.use(a, 'matMul(a)'), this.use(b, 'matMul(b)'), transposeA, transposeB));
  }

  reshape(x: RefTensor, shape: Shape) {
    return this.track(k.reshape(this.use(x, 'reshape(x)'), shape));
  }
  transpose(x: RefTensor, perm?: readonly number[]) {
    return this.track(k.transpose(this.use(x, 'transpose(x)'), perm));
  }
  slice(x: RefTensor, begin: readonly number[], size: readonly number[]) {
    return this.track(k.slice(this.use(x, 'slice(x)'), begin, size));
  }
  concat(xs: readonly RefTensor[], axis: number) {
    return this.track(
      k.concat(
        xs.map((x, i) => this.use(x, `concat(xs[${i}])`)),
        axis,
      ),
    );
  }
  stack(xs: readonly RefTensor[], axis: number) {
    return this.track(
      k.stack(
        xs.map((x, i) => this.use(x, `stack(xs[${i}])`)),
        axis,
      ),
    );
  }
  unstack(x: RefTensor, axis: number) {
    return k.unstack(this.use(x, 'unstack(x)'), axis).map((t) => this.track(t));
  }
  gather(x: RefTensor, indices: RefTensor, axis = 0) {
    return this.track(k.gather(this.use(x, 'gather(x)'), this.use(indices, 'gather(indices)'), axis));
  }
  oneHot(indices: RefTensor, depth: number) {
    return this.track(k.oneHot(this.use(indices, 'oneHot(indices)'), depth));
  }

  sum(x: RefTensor, axes?: number | readonly number[], keepDims = false) {
    return this.track(k.reduce(this.use(x, 'sum(x)'), axes, keepDims, 0, (acc, v) => acc + v, 'sum'));
  }
  max(x: RefTensor, axes?: number | readonly number[], keepDims = false) {
    const f = (acc: number, v: number) => (Number.isNaN(v) || v > acc ? v : acc);
    return this.track(k.reduce(this.use(x, 'max(x)'), axes, keepDims, Number.NEGATIVE_INFINITY, f, 'max'));
  }
  argMax(x: RefTensor, axis: number) {
    return this.track(k.argMax(this.use(x, 'argMax(x)'), axis));
  }
}

/** Every tensor inside a container (a tensor, or arrays / plain objects of them). */
function collectTensors(x: unknown, out: RefTensor[] = []): RefTensor[] {
  if (x instanceof RefTensor) out.push(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, out);
  else if (typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) collectTensors(v, out);
  }
  return out;
}

/** A new float64 reference backend (each has its own tensor bookkeeping). */
export function createReferenceBackend(): ReferenceBackend {
  return new ReferenceBackend();
}
