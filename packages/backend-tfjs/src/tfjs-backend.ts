/**
 * The binding of seqmodel's `Backend` contract to tfjs-core, written once for every tfjs-based seqmodel backend
 * (cpu, wasm, webgl, ...): a backend package registers its tfjs backend and calls {@link createTfjsBackend}.
 *
 * Every public method first makes this backend's tfjs backend current (see `backend-switching.ts`) and checks
 * its tensor arguments: they must be live tensors on this tfjs backend, with shapes the op accepts. Violations throw
 * `SeqmodelError`s naming the argument, what was received and what was expected.
 */
import {
  type AnyFusedKernel,
  type Backend,
  checkBoolean,
  checkFusedKernel,
  checkOptions,
  createKernelTable,
  type DType,
  describeValue,
  type FusedSequenceKernel,
  formatShape,
  invalidArgument,
  type KernelDefinition,
  type KernelKind,
  type KernelTable,
  type MemoryInfo,
  type NestedArray,
  normalizeAxis,
  type Operand,
  optionKeys,
  SeqmodelError,
  type SequenceArgs,
  type Shape,
  sequenceKernelMap,
  type TensorContainer,
  type TypedArray,
  type ValueAndGrads,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { activateTfjsBackend, initializedTfjsBackend, tfjsBackendNameOf } from './backend-switching.js';
import {
  checkAxes,
  checkBroadcast,
  checkConcat,
  checkDType,
  checkIndexValues,
  checkMatMul,
  checkPermutation,
  checkReshape,
  checkShapeArgument,
  checkSlice,
  checkStack,
} from './checks.js';
import { customGradient } from './custom-gradient.js';
import { checkGemmProvider, type GemmProvider } from './fused/gemm.js';
import { gatherWithHostGradient, hasGatherGradientKernel } from './gather-gradient.js';
import { hostSlice, hostStack, hostUnstack, registerHostKernels } from './host-layout-kernels.js';
import { matMulOnHost } from './host-matmul.js';
import { hostValues } from './host-values.js';
import { silenceNodeBackendNotice } from './notices.js';
import './register-gradients.js';

type Tensor = tf.Tensor;

/** A fused `sequence` kernel for this binding's tensors. */
export type TfjsFusedKernel = FusedSequenceKernel<Tensor>;

/**
 * A fused `sequence` kernel, or a function that builds one for the backend being created (so that the kernel can
 * use the backend's ops, `tidy` and `checkSequenceArgs`).
 */
export type TfjsFusedKernelEntry = TfjsFusedKernel | ((backend: TfjsBackend) => TfjsFusedKernel);

/**
 * A fused kernel of any kind for backends of this binding: for `createTfjsBackend`'s `kernels` (and the backend
 * factories' `kernels`), and for core's `registerKernel` (typed `registerKernel<TfjsBackend>`).
 */
export type TfjsKernelDefinition = KernelDefinition<TfjsBackend>;

export interface TfjsBackendOptions {
  /** The seqmodel backend's name, shown in errors and benchmarks (`cpu`, `wasm`, ...). */
  readonly name: string;
  /** The registered and initialized tfjs backend to run on (`cpu`, `wasm`, `webgl`, `tensorflow`, ...). */
  readonly tfjsBackendName: string;
  /**
   * The backend's own fused kernels, of any kind (`sequence` kernels are named after their cell), tried in this
   * order and before a kernel registered for the backend's name (core's `registerKernel`); the generic path runs
   * for what none of them supports.
   */
  readonly kernels?: readonly TfjsKernelDefinition[];
  /**
   * Fused whole-sequence kernels by cell name, tried after `kernels`.
   *
   * @deprecated Pass them as `kernels` (`{ kind: 'sequence', name: cellName, kernel }`).
   */
  readonly fusedKernels?: Readonly<Record<string, TfjsFusedKernelEntry>>;
  /**
   * Use the kernels registered with core's `registerKernel` for this backend's `name` (default true; false for a
   * backend that must run the generic path, such as a benchmark's baseline).
   */
  readonly registeredKernels?: boolean;
  /**
   * Check sequence arguments for NaN and ±Infinity before every `runSequence` (see core's `assertFinite`).
   * Default false: the check reads every argument back to the host. Can be changed later on the backend.
   */
  readonly checkNumerics?: boolean;
  /**
   * Check that `gather` indices lie inside the gathered axis, naming the first bad one. Default true; it reads the
   * indices back, which is free on CPU backends but a synchronisation on GPU ones.
   */
  readonly checkIndices?: boolean;
  /**
   * Use seqmodel's layout kernels (slice, unstack, stack) instead of tfjs's, for tfjs backends that keep tensors in
   * CPU memory (cpu, wasm), where tfjs's are slow for the recurrent loop (see `host-layout-kernels.ts`), and a
   * gradient of `sum` over every axis (a loss) without tfjs-backend-cpu's element-by-element broadcast. Default false.
   */
  readonly hostKernels?: boolean;
  /**
   * Compute transposed matrix products, in the forward pass and in the gradients, as an explicit transpose and a
   * plain product. For tfjs-backend-wasm, whose XNNPACK products are 5-10 times slower with a transpose flag than
   * a transpose followed by a plain product. Default false.
   */
  readonly explicitTransposes?: boolean;
  /**
   * Compute float32 matrix products (`matMul`, rank 2 and batched rank 3, the forward pass and both gradients) on
   * the host with this GEMM instead of tfjs's kernel. For tfjs backends that keep tensors in JavaScript memory and
   * multiply slowly: tfjs-backend-cpu (`createCpuBackend` passes seqmodel's `JsGemm`, 5-8 times as fast). Default:
   * tfjs's kernel.
   */
  readonly hostMatMul?: GemmProvider;
  /**
   * Differentiate `gather` (an Embedding's lookup) with seqmodel's host scatter-add instead of tfjs's
   * `UnsortedSegmentSum`, whose cost on tfjs-backend-cpu grows with the number of rows gathered from (seconds per
   * step for a vocabulary of a few thousand). For tfjs backends that keep tensors in JavaScript memory. Default
   * false; a tfjs backend without `UnsortedSegmentSum` (wasm) gets the host gradient anyway.
   */
  readonly hostGatherGradient?: boolean;
}

/** What `memory()` reports: tfjs counts tensors for the whole process, buffers also per tfjs backend. */
export interface TfjsMemoryInfo extends MemoryInfo {
  /** Live tensors in this process, on every tfjs backend (tfjs-core keeps one count). */
  readonly numTensors: number;
  /** Bytes held by live tensors in this process, on every tfjs backend. */
  readonly numBytes: number;
  /** Data buffers held by this backend's tfjs backend (tensors made by reshape share one buffer). */
  readonly numDataBuffers: number;
}

type Binary = (a: Tensor | number, b: Tensor | number) => Tensor;

/**
 * The sum of every element of a float32 tensor, its gradient the output's gradient (a scalar) times ones. tfjs's
 * Sum gradient multiplies the gradient reshaped to `[1, ..., 1]` by ones of the input's shape, a broadcast that
 * tfjs-backend-cpu computes element by element through index arithmetic, in every training step whose loss sums
 * (or averages) an output; a rank-0 operand takes its plain loop. `valueAndGrads` of a sum on tfjs-backend-cpu:
 * 0.15 -> 0.11 ms for `[16, 64]`, 0.34 -> 0.1 ms for `[32, 128]` (2 loaded cores). For the host backends
 * (`hostKernels`); the values are tfjs's Sum's.
 */
const hostFullSum = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const shape = (args[0] as tf.Tensor).shape;
  return { value: tf.sum(args[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.mul(tf.ones(shape), dy) };
}) as (x: Tensor) => Tensor;

/** A seqmodel backend running on one tfjs backend. Create it with {@link createTfjsBackend}. */
export class TfjsBackend implements Backend<Tensor> {
  readonly specificationVersion = 'v1';
  readonly name: string;
  readonly tfjsBackendName: string;
  /** Its fused kernels, by kind and name: its own (the `kernels` option), then those registered for its name. */
  readonly kernels: KernelTable<Tensor>;
  /**
   * The `sequence` kernels by cell name (a live view of `kernels`).
   *
   * @deprecated Read `kernels` (`kernels.lookup('sequence', cellName)`, or core's `findKernel`).
   */
  readonly fusedKernels: ReadonlyMap<string, TfjsFusedKernel>;
  /** See {@link TfjsBackendOptions.checkNumerics}. */
  checkNumerics: boolean;
  /** See {@link TfjsBackendOptions.checkIndices}. */
  checkIndices: boolean;
  /** See {@link TfjsBackendOptions.hostKernels}. */
  readonly hostKernels: boolean;
  /** See {@link TfjsBackendOptions.explicitTransposes}. */
  readonly explicitTransposes: boolean;
  /** See {@link TfjsBackendOptions.hostMatMul}. */
  readonly hostMatMul: GemmProvider | undefined;
  /** See {@link TfjsBackendOptions.hostGatherGradient}. */
  readonly hostGatherGradient: boolean;
  private readonly instance: tf.KernelBackend;

  /** @internal Use {@link createTfjsBackend}. */
  constructor(options: TfjsBackendOptions, instance: tf.KernelBackend) {
    this.name = options.name;
    this.tfjsBackendName = options.tfjsBackendName;
    this.instance = instance;
    silenceNodeBackendNotice(instance);
    this.checkNumerics = options.checkNumerics ?? false;
    this.checkIndices = options.checkIndices ?? true;
    this.hostKernels = options.hostKernels ?? false;
    this.explicitTransposes = options.explicitTransposes ?? false;
    this.hostMatMul = options.hostMatMul;
    this.hostGatherGradient = options.hostGatherGradient ?? false;
    if (this.hostKernels) registerHostKernels(this.tfjsBackendName);
    if (options.kernels !== undefined && !Array.isArray(options.kernels)) {
      invalidArgument(
        'createTfjsBackend(options.kernels)',
        options.kernels,
        'an array of kernel definitions',
      );
    }
    const legacy = Object.entries(options.fusedKernels ?? {}).map(
      ([cellName, entry]): TfjsKernelDefinition => {
        const kernel = typeof entry === 'function' ? entry(this) : entry;
        checkFusedKernel(`fusedKernels.${cellName}`, kernel);
        return { kind: 'sequence', name: cellName, kernel };
      },
    );
    this.kernels = createKernelTable<TfjsBackend>({
      backend: this,
      kernels: [...(options.kernels ?? []), ...legacy],
      registered: options.registeredKernels ?? true,
      wrap: (kernel, kind, name) => this.guardKernel(kind, name, kernel),
    });
    this.fusedKernels = sequenceKernelMap(this);
  }

  /**
   * Makes this backend's tfjs backend the current one. Every method does it on entry; call it yourself before
   * running raw tfjs code (`tf.*`) that should run here.
   */
  activate(): void {
    activateTfjsBackend(this.tfjsBackendName, this.instance);
  }

  /** Runs `fn` on this backend (activated first) and frees what it allocated except its result, like `tidy`. */
  run<R extends tf.TensorContainer>(fn: () => R): R {
    this.activate();
    return tf.tidy(fn);
  }

  /** The tensor, after checking it is a live tensor of this backend; `argument` names it in errors. */
  use(x: unknown, argument: string): Tensor {
    if (!(x instanceof tf.Tensor)) invalidArgument(argument, x, `a tensor of backend ${this.name}`);
    if (x.isDisposed) {
      throw new SeqmodelError(
        `${argument}: expected a live tensor, received tensor ${formatShape(x.shape)}, which was already disposed`,
      );
    }
    if (tf.engine().state.tensorInfo.get(x.dataId)?.backend !== this.instance) {
      throw new SeqmodelError(
        `${argument}: expected a tensor of seqmodel backend ${this.name} (tfjs backend ` +
          `${JSON.stringify(this.tfjsBackendName)}), received one on tfjs backend ` +
          `${JSON.stringify(tfjsBackendNameOf(x))}; copy it with tensor(dataSync(x), shape(x))`,
      );
    }
    if (x.dtype !== 'float32' && x.dtype !== 'int32') {
      throw new SeqmodelError(`${argument}: expected a float32 or int32 tensor, received ${x.dtype}`);
    }
    return x;
  }

  private operandShape(x: Operand<Tensor>, argument: string): Shape {
    if (typeof x === 'number') return [];
    return this.use(x, argument).shape;
  }

  /**
   * A fused kernel that runs on this backend, checks that its tensor arguments are this backend's and frees its
   * intermediates.
   */
  private guardKernel(kind: KernelKind, name: string, kernel: AnyFusedKernel): AnyFusedKernel {
    const useArgs =
      kind === 'sequence'
        ? // Named by the cell, not the kernel: a compiled kernel is registered for every cell, as `*`.
          (args: SequenceArgs<Tensor>) =>
            this.useSequenceArgs(typeof args.cell?.name === 'string' ? args.cell.name : name, args)
        : (args: unknown) => this.useTensorsIn(args, `${kind} ${name} args`, 0);
    return {
      ...(kernel.label === undefined ? {} : { label: kernel.label }),
      supports: (args) => {
        this.activate();
        return kernel.supports(args);
      },
      run: (args) => {
        this.activate();
        useArgs(args);
        return this.tidy(() => kernel.run(args));
      },
    };
  }

  private useSequenceArgs(cellName: string, args: SequenceArgs<Tensor>): void {
    this.use(args.inputs, `${cellName} inputs`);
    // Malformed containers are left to the kernel's checkSequenceArgs, which names them.
    if (typeof args.params === 'object' && args.params !== null) {
      for (const [name, p] of Object.entries(args.params)) this.use(p, `${cellName} params.${name}`);
    }
    if (Array.isArray(args.initialState)) {
      args.initialState.forEach((s, i) => {
        this.use(s, `${cellName} initialState[${i}]`);
      });
    }
    if (args.mask !== undefined) this.use(args.mask, `${cellName} mask`);
    if (args.recurrentMask !== undefined) this.use(args.recurrentMask, `${cellName} recurrentMask`);
  }

  /** Checks every tensor in `value` (a tensor, or arrays and plain objects holding them, a few levels deep). */
  private useTensorsIn(value: unknown, path: string, depth: number): void {
    if (value instanceof tf.Tensor) {
      this.use(value, path);
    } else if (depth < 4 && Array.isArray(value)) {
      value.forEach((v, i) => {
        this.useTensorsIn(v, `${path}[${i}]`, depth + 1);
      });
    } else if (
      depth < 4 &&
      typeof value === 'object' &&
      value !== null &&
      Object.getPrototypeOf(value) === Object.prototype
    ) {
      for (const [key, v] of Object.entries(value)) this.useTensorsIn(v, `${path}.${key}`, depth + 1);
    }
  }

  // Creation and readback.

  tensor(
    values: NestedArray | readonly number[] | TypedArray,
    shape?: Shape,
    dtype: DType = 'float32',
  ): Tensor {
    this.activate();
    const host = hostValues(values, shape, checkDType('tensor(dtype)', dtype));
    return tf.tensor(host.values, host.shape, dtype);
  }

  isTensor(x: unknown): x is Tensor {
    return (
      x instanceof tf.Tensor &&
      !x.isDisposed &&
      tf.engine().state.tensorInfo.get(x.dataId)?.backend === this.instance
    );
  }

  toArray(x: Tensor): NestedArray {
    return this.use(x, 'toArray(x)').arraySync() as NestedArray;
  }

  dataSync(x: Tensor): Float32Array | Int32Array {
    // A copy: tfjs's CPU backend hands out its own storage, which a caller must not be able to change.
    return (this.use(x, 'dataSync(x)').dataSync() as Float32Array | Int32Array).slice();
  }

  async data(x: Tensor): Promise<Float32Array | Int32Array> {
    const values = (await this.use(x, 'data(x)').data()) as Float32Array | Int32Array;
    return values.slice();
  }

  dtype(x: Tensor): DType {
    return this.use(x, 'dtype(x)').dtype as DType;
  }

  // Memory.

  dispose(x: TensorContainer<Tensor>): void {
    tf.dispose(x as tf.TensorContainer);
  }

  tidy<R>(fn: () => R): R {
    if (typeof fn !== 'function') invalidArgument('tidy(fn)', fn, 'a function');
    return tf.tidy(fn as () => tf.TensorContainer) as R;
  }

  keep<X extends Tensor>(x: X): X {
    return tf.keep(x);
  }

  memory(): TfjsMemoryInfo {
    // From the engine's counters rather than tf.memory(), which would initialize a backend if none is current.
    const { numTensors, numBytes } = tf.engine().state;
    return { numTensors, numBytes, numDataBuffers: this.instance.numDataIds() };
  }

  // Autodiff.

  valueAndGrads(f: (...args: Tensor[]) => Tensor, args: readonly Tensor[]): ValueAndGrads<Tensor> {
    this.activate();
    if (typeof f !== 'function') invalidArgument('valueAndGrads(f)', f, 'a function');
    if (!Array.isArray(args) || args.length === 0) {
      invalidArgument('valueAndGrads(args)', args, 'a non-empty array of tensors');
    }
    const xs = args.map((x, i) => this.use(x, `valueAndGrads(args[${i}])`));
    const engine = tf.engine();
    let result: { value: Tensor; grads: (Tensor | undefined)[] };
    try {
      result = engine.gradients(
        () => {
          const value: unknown = f(...xs);
          if (!(value instanceof tf.Tensor) || value.rank !== 0 || value.dtype !== 'float32') {
            const got =
              value instanceof tf.Tensor
                ? `a ${value.dtype} tensor of shape ${formatShape(value.shape)}`
                : describeValue(value);
            throw new SeqmodelError(
              `valueAndGrads(f): expected f to return a float32 scalar tensor, received ${got}`,
            );
          }
          // The backward pass runs on the current tfjs backend: make sure it is this one.
          this.activate();
          return value;
        },
        xs,
        undefined,
        true,
      );
    } catch (error) {
      releaseTape();
      throw error;
    }
    // An argument the value does not depend on gets a zero gradient, as the contract says.
    const grads = result.grads.map((g, i) => g ?? tf.zerosLike(xs[i]!));
    return { value: result.value, grads };
  }

  // Ops: shapes, creation, casts.

  shape(x: Tensor): number[] {
    return [...this.use(x, 'shape(x)').shape];
  }

  fill(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
    this.activate();
    const s = checkShapeArgument('fill(shape)', shape);
    if (typeof value !== 'number') invalidArgument('fill(value)', value, 'a number');
    return tf.fill(s, value, checkDType('fill(dtype)', dtype));
  }

  cast(x: Tensor, dtype: DType): Tensor {
    this.activate();
    const t = this.use(x, 'cast(x)');
    if (checkDType('cast(dtype)', dtype) === 'int32' && t.dtype !== 'int32') {
      // Truncation has no gradient. tfjs's Cast passes dy through, and ops on the int32 result (gather's indices)
      // then hand int32 "gradients" to a float32 input, which tfjs's tape rejects.
      return tf.tidy(() => tf.cast(withoutGradient(t), 'int32'));
    }
    return tf.cast(t, dtype);
  }

  // Elementwise, broadcasting.

  /** `intermediates`: the op makes tensors besides its result, which a tidy must free. */
  private binary(
    name: string,
    a: Operand<Tensor>,
    b: Operand<Tensor>,
    op: Binary,
    intermediates = false,
  ): Tensor {
    this.activate();
    checkBroadcast(`${name}(a, b)`, [this.operandShape(a, `${name}(a)`), this.operandShape(b, `${name}(b)`)]);
    // A number operand needs no tidy: each tfjs op runs in its own scope, which frees the scalar it makes.
    if (intermediates) return tf.tidy(() => op(a, b));
    return op(a, b);
  }

  add(a: Operand<Tensor>, b: Operand<Tensor>): Tensor {
    return this.binary('add', a, b, tf.add);
  }
  sub(a: Operand<Tensor>, b: Operand<Tensor>): Tensor {
    return this.binary('sub', a, b, tf.sub);
  }
  mul(a: Operand<Tensor>, b: Operand<Tensor>): Tensor {
    return this.binary('mul', a, b, tf.mul);
  }
  div(a: Operand<Tensor>, b: Operand<Tensor>): Tensor {
    return this.binary('div', a, b, tf.div);
  }
  maximum(a: Operand<Tensor>, b: Operand<Tensor>): Tensor {
    return this.binary('maximum', a, b, tf.maximum);
  }
  minimum(a: Operand<Tensor>, b: Operand<Tensor>): Tensor {
    return this.binary('minimum', a, b, tf.minimum);
  }
  greater(a: Operand<Tensor>, b: Operand<Tensor>): Tensor {
    const op: Binary = (x, y) => tf.cast(tf.greater(withoutGradient(x), withoutGradient(y)), 'float32');
    return this.binary('greater', a, b, op, true);
  }
  equal(a: Operand<Tensor>, b: Operand<Tensor>): Tensor {
    const op: Binary = (x, y) => tf.cast(tf.equal(withoutGradient(x), withoutGradient(y)), 'float32');
    return this.binary('equal', a, b, op, true);
  }

  where(condition: Tensor, a: Operand<Tensor>, b: Operand<Tensor>): Tensor {
    this.activate();
    const c = this.use(condition, 'where(condition)');
    const sa = this.operandShape(a, 'where(a)');
    const sb = this.operandShape(b, 'where(b)');
    checkBroadcast('where(condition, a, b)', [c.shape, sa, sb]);
    return tf.tidy(() => {
      // tfjs wants branches of one dtype (float32 unless both are int32) and a bool condition; the condition is
      // not differentiable.
      const dtype = [a, b].every((v) => typeof v !== 'number' && v.dtype === 'int32') ? 'int32' : 'float32';
      const branch = (v: Operand<Tensor>) =>
        typeof v === 'number' ? tf.scalar(v, dtype) : v.dtype === dtype ? v : tf.cast(v, dtype);
      return tf.where(tf.notEqual(withoutGradient(c), 0), branch(a), branch(b));
    });
  }

  // Elementwise, unary.

  private unary(name: string, x: Tensor, op: (x: Tensor) => Tensor): Tensor {
    this.activate();
    return op(this.use(x, `${name}(x)`));
  }

  neg(x: Tensor): Tensor {
    return this.unary('neg', x, tf.neg);
  }
  exp(x: Tensor): Tensor {
    return this.unary('exp', x, tf.exp);
  }
  log(x: Tensor): Tensor {
    return this.unary('log', x, tf.log);
  }
  sqrt(x: Tensor): Tensor {
    return this.unary('sqrt', x, tf.sqrt);
  }
  abs(x: Tensor): Tensor {
    return this.unary('abs', x, tf.abs);
  }
  sigmoid(x: Tensor): Tensor {
    return this.unary('sigmoid', x, tf.sigmoid);
  }
  tanh(x: Tensor): Tensor {
    return this.unary('tanh', x, tf.tanh);
  }
  relu(x: Tensor): Tensor {
    return this.unary('relu', x, tf.relu);
  }
  clip(x: Tensor, min: number, max: number): Tensor {
    if (typeof min !== 'number' || typeof max !== 'number' || !(min <= max)) {
      invalidArgument('clip(min, max)', [min, max], 'numbers with min <= max');
    }
    return this.unary('clip', x, (t) => tf.clipByValue(t, min, max));
  }

  matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
    this.activate();
    const ta = this.use(a, 'matMul(a)');
    const tb = this.use(b, 'matMul(b)');
    checkMatMul(ta.shape, tb.shape, transposeA, transposeB);
    if (this.hostMatMul && ta.dtype === 'float32' && tb.dtype === 'float32') {
      return matMulOnHost(this.hostMatMul, ta, tb, transposeA, transposeB);
    }
    if (this.explicitTransposes) return matMulExplicit(ta, tb, transposeA, transposeB);
    return tf.matMul(ta, tb, transposeA, transposeB);
  }

  // Layout.

  reshape(x: Tensor, shape: Shape): Tensor {
    this.activate();
    const t = this.use(x, 'reshape(x)');
    return tf.reshape(t, checkReshape(t.shape, shape));
  }

  transpose(x: Tensor, perm?: readonly number[]): Tensor {
    this.activate();
    const t = this.use(x, 'transpose(x)');
    return tf.transpose(t, checkPermutation(t.shape, perm));
  }

  slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
    this.activate();
    const t = this.use(x, 'slice(x)');
    checkSlice(t.shape, begin, size);
    if (this.hostKernels) {
      return hostSlice(
        t,
        begin,
        size.map((s, i) => (s === -1 ? t.shape[i]! - begin[i]! : s)),
      );
    }
    return tf.slice(t, [...begin], [...size]);
  }

  concat(xs: readonly Tensor[], axis: number): Tensor {
    this.activate();
    if (!Array.isArray(xs)) invalidArgument('concat(xs)', xs, 'an array of tensors');
    const ts = xs.map((x, i) => this.use(x, `concat(xs[${i}])`));
    return tf.concat(
      ts,
      checkConcat(
        ts.map((t) => t.shape),
        axis,
      ),
    );
  }

  stack(xs: readonly Tensor[], axis: number): Tensor {
    this.activate();
    if (!Array.isArray(xs)) invalidArgument('stack(xs)', xs, 'an array of tensors');
    const ts = xs.map((x, i) => this.use(x, `stack(xs[${i}])`));
    const a = checkStack(
      ts.map((t) => t.shape),
      axis,
    );
    return this.hostKernels ? hostStack(ts, a) : tf.stack(ts, a);
  }

  unstack(x: Tensor, axis: number): Tensor[] {
    this.activate();
    const t = this.use(x, 'unstack(x)');
    const a = normalizeAxis('unstack(axis)', axis, t.rank);
    if (this.hostKernels) return hostUnstack(t, a);
    // tfjs's Unpack gradient breaks for a single output (it stacks a tensor instead of an array): reshape instead.
    if (t.shape[a] === 1)
      return [
        tf.reshape(
          t,
          t.shape.filter((_, k) => k !== a),
        ),
      ];
    // A copy of the array: tfjs records that very array on its gradient tape, so a caller reversing it in place
    // (scanCell does, for goBackwards) would silently send every step's gradient to the wrong step.
    return [...tf.unstack(t, a)];
  }

  gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
    this.activate();
    const t = this.use(x, 'gather(x)');
    const i = this.use(indices, 'gather(indices)');
    if (i.dtype !== 'int32') invalidArgument('gather(indices)', `a ${i.dtype} tensor`, 'an int32 tensor');
    const a = normalizeAxis('gather(axis)', axis, t.rank);
    if (this.checkIndices)
      checkIndexValues('gather(indices)', i.dataSync() as Int32Array, i.shape, t.shape[a]!);
    // tfjs differentiates gather with UnsortedSegmentSum: slow on tfjs-backend-cpu, missing on wasm.
    if (
      t.dtype === 'float32' &&
      tf.engine().isTapeOn() &&
      (this.hostGatherGradient || !hasGatherGradientKernel(this.tfjsBackendName))
    ) {
      return gatherWithHostGradient(t, i, a);
    }
    return tf.gather(t, i, a);
  }

  oneHot(indices: Tensor, depth: number): Tensor {
    this.activate();
    const i = this.use(indices, 'oneHot(indices)');
    if (i.dtype !== 'int32') invalidArgument('oneHot(indices)', `a ${i.dtype} tensor`, 'an int32 tensor');
    if (!Number.isInteger(depth) || depth < 1) invalidArgument('oneHot(depth)', depth, 'a positive integer');
    // tf.oneHot refuses depth 1; an index is then "hot" exactly when it is 0.
    if (depth === 1) return tf.tidy(() => tf.expandDims(tf.cast(tf.equal(i, 0), 'float32'), -1));
    // int32, then a cast: tfjs-backend-wasm 4.22's OneHot kernel writes int32 bits even when asked for float32.
    return tf.tidy(() => tf.cast(tf.oneHot(i, depth), 'float32'));
  }

  // Reductions.

  sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
    this.activate();
    const t = this.use(x, 'sum(x)');
    const a = checkAxes('sum(axes)', axes, t.rank);
    // The sum of every element (a loss), on a host backend: differentiated without tfjs's broadcast (hostFullSum).
    if (this.hostKernels && t.dtype === 'float32' && t.rank > 0 && a.length === t.rank) {
      if (!keepDims) return hostFullSum(t);
      const ones = a.map(() => 1);
      return tf.tidy(() => tf.reshape(hostFullSum(t), ones));
    }
    return tf.sum(t, a, keepDims);
  }

  max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
    this.activate();
    const t = this.use(x, 'max(x)');
    return tf.max(t, checkAxes('max(axes)', axes, t.rank), keepDims);
  }

  argMax(x: Tensor, axis: number): Tensor {
    this.activate();
    const t = this.use(x, 'argMax(x)');
    return tf.argMax(t, normalizeAxis('argMax(axis)', axis, t.rank));
  }

  // Optional ops with native tfjs kernels (tfjs's softmax kernels work on the last axis only).

  softmax(x: Tensor, axis = -1): Tensor {
    this.activate();
    const t = this.use(x, 'softmax(x)');
    const a = normalizeAxis('softmax(axis)', axis, t.rank);
    if (a === t.rank - 1) return tf.softmax(t);
    return tf.tidy(() => {
      const e = tf.exp(tf.sub(t, tf.max(t, a, true)));
      return tf.div(e, tf.sum(e, a, true));
    });
  }

  logSoftmax(x: Tensor, axis = -1): Tensor {
    this.activate();
    const t = this.use(x, 'logSoftmax(x)');
    const a = normalizeAxis('logSoftmax(axis)', axis, t.rank);
    if (a === t.rank - 1) return tf.logSoftmax(t);
    return tf.tidy(() => {
      const shifted = tf.sub(t, tf.max(t, a, true));
      return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), a, true)));
    });
  }

  softplus(x: Tensor): Tensor {
    return this.unary('softplus', x, tf.softplus);
  }
  erf(x: Tensor): Tensor {
    return this.unary('erf', x, tf.erf);
  }
}

/**
 * A tensor sharing `x`'s data but unknown to the gradient tape, so that autodiff treats it as a constant. Used
 * for comparisons and `where` conditions, whose kernels have no registered gradient: without it, differentiating
 * through `where(greater(x, 0), ...)` (ELU, say) fails.
 */
function withoutGradient<X extends Tensor | number>(x: X): X {
  if (typeof x === 'number') return x;
  const t = x as Tensor;
  const engine = tf.engine();
  const owner = engine.state.tensorInfo.get(t.dataId)!.backend;
  // As tfjs's own Reshape kernel does: one more reference to the data, released when the new tensor is disposed.
  owner.incRef(t.dataId);
  return engine.makeTensorFromDataId(t.dataId, t.shape, t.dtype, owner) as X;
}

/** Swaps the last two axes (of a rank-2 or rank-3 tensor). */
function swapLast(x: Tensor): Tensor {
  return tf.transpose(x, x.rank === 3 ? [0, 2, 1] : [1, 0]);
}

/**
 * `a·b` (transposed as asked) with every transpose done explicitly, in the forward pass and in the gradient
 * (d a' = dy · b'ᵀ, d b' = a'ᵀ · dy for the transposed operands a', b'), so that the product itself is always a
 * plain one. Outside a gradient computation, no custom gradient is recorded.
 */
function matMulExplicit(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  if (!tf.engine().isTapeOn() || a.dtype !== 'float32' || b.dtype !== 'float32') {
    if (!transposeA && !transposeB) return tf.matMul(a, b);
    return tf.tidy(() => tf.matMul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b));
  }
  const operands = (p: Tensor, q: Tensor): [Tensor, Tensor] => [
    transposeA ? swapLast(p) : p,
    transposeB ? swapLast(q) : q,
  ];
  const [product] = customGradient(
    {
      name: 'matMul',
      forward: ([x, y], save) => {
        save([x!, y!]);
        return [tf.matMul(...operands(x!, y!))];
      },
      // Each gradient only when asked for (a product with a constant operand needs one side).
      backward: ([dy], [x, y]) => [
        () => {
          const [, r] = operands(x!, y!);
          const dLeft = tf.matMul(dy!, swapLast(r));
          return transposeA ? swapLast(dLeft) : dLeft;
        },
        () => {
          const [l] = operands(x!, y!);
          const dRight = tf.matMul(swapLast(l), dy!);
          return transposeB ? swapLast(dRight) : dRight;
        },
      ],
    },
    [a, b],
  );
  return product!;
}

/**
 * Frees what a failed `engine.gradients` call left on tfjs's tape: tfjs keeps copies of the tensors each recorded
 * op needs for its gradient and frees them only after a successful backward pass.
 */
function releaseTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || state.activeTape == null) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null as unknown as typeof state.activeTape;
}

/** A backend package's factory options for fused kernels (`createCpuBackend`, `createWasmBackend`). */
export interface FactoryKernelOptions {
  readonly kernels?: readonly TfjsKernelDefinition[] | false;
  /** @deprecated See the factories' `kernels`. */
  readonly fusedKernels?: Readonly<Record<string, TfjsFusedKernelEntry>> | false;
}

/**
 * `createTfjsBackend`'s kernel options for a backend package with the built-in `sequence` kernels `builtIn` (by
 * cell name), from its factory's options: the factory's `kernels` first, its (deprecated) `fusedKernels` merged over
 * the built-in ones, then the kernels registered for the backend's name; `false` for either leaves every fused
 * kernel out.
 */
export function factoryKernelOptions(
  builtIn: Readonly<Record<string, TfjsFusedKernelEntry>>,
  options: FactoryKernelOptions,
  factory: string,
): Pick<TfjsBackendOptions, 'kernels' | 'fusedKernels' | 'registeredKernels'> {
  const { kernels, fusedKernels } = options;
  if (kernels !== undefined && kernels !== false && !Array.isArray(kernels)) {
    invalidArgument(`${factory}(options.kernels)`, kernels, 'an array of kernel definitions or false');
  }
  if (kernels === false || fusedKernels === false) return { registeredKernels: false };
  return { kernels: kernels ?? [], fusedKernels: { ...builtIn, ...fusedKernels } };
}

const tfjsBackendOptionKeys = optionKeys<TfjsBackendOptions>({
  name: true,
  tfjsBackendName: true,
  kernels: true,
  fusedKernels: true,
  registeredKernels: true,
  checkNumerics: true,
  checkIndices: true,
  hostKernels: true,
  explicitTransposes: true,
  hostMatMul: true,
  hostGatherGradient: true,
});

/**
 * A seqmodel backend on the tfjs backend `options.tfjsBackendName`, which must already be registered and
 * initialized (import its package; for asynchronous ones such as wasm, `await initTfjsBackend(name)` first).
 *
 * @example
 * import '@tensorflow/tfjs-backend-cpu';
 * const backend = createTfjsBackend({ name: 'cpu', tfjsBackendName: 'cpu' });
 */
export function createTfjsBackend(options: TfjsBackendOptions): TfjsBackend {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('createTfjsBackend(options)', options, 'an object with name and tfjsBackendName');
  }
  checkOptions('createTfjsBackend(options)', options, tfjsBackendOptionKeys);
  for (const flag of [
    'registeredKernels',
    'checkNumerics',
    'checkIndices',
    'hostKernels',
    'explicitTransposes',
    'hostGatherGradient',
  ] as const) {
    if (options[flag] !== undefined) checkBoolean(`createTfjsBackend(options.${flag})`, options[flag]);
  }
  if (options.hostMatMul !== undefined)
    checkGemmProvider('createTfjsBackend(options.hostMatMul)', options.hostMatMul);
  if (typeof options.name !== 'string' || options.name === '') {
    invalidArgument('createTfjsBackend(options.name)', options.name, 'a non-empty string');
  }
  const tfjsName = options.tfjsBackendName;
  if (typeof tfjsName !== 'string' || tfjsName === '') {
    invalidArgument('createTfjsBackend(options.tfjsBackendName)', tfjsName, 'a non-empty string');
  }
  const instance = initializedTfjsBackend(tfjsName);
  if (!instance) {
    const registered = tf.engine().findBackendFactory(tfjsName) !== null;
    throw new SeqmodelError(
      `createTfjsBackend(options.tfjsBackendName): expected an initialized tfjs backend, received ` +
        `${JSON.stringify(tfjsName)}, which is ${registered ? 'registered but not initialized (await initTfjsBackend(name) first)' : 'not registered (import its package first)'}`,
    );
  }
  const backend = new TfjsBackend(options, instance);
  // With no current backend, the first tfjs call that needs one (tf.memory(), say) would initialize the
  // highest-priority backend anew, replacing the instance this backend holds. Make this one current instead.
  if (!tf.engine().backendName) backend.activate();
  return backend;
}
