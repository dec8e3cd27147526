/**
 * Compiled fused kernels: a `sequence` kernel for any cell, made from the cell's own `step` by core's compiler
 * (`compileCell`) and a code generator (`HostPassGenerator`), run on tensors read from host memory (tfjs's cpu
 * backend hands out its own storage; the wasm backend copies out of its heap). Registered under the name `*`, it
 * serves every cell a backend has no kernel of its own for, the built-in ones and plugins, without backend code per
 * cell; it replaced the hand-written simpleRNN, LSTM and GRU kernels, which it matched or beat. Where the compiler declines (an
 * op it does not lower, generated code forbidden by the page), `supports` says why and the generic loop runs.
 *
 * The values a step computes from parameters alone are computed once per sequence: blocks of a parameter (a slice of
 * the recurrent kernel, a row of the bias) are read in place, the others computed with the backend's own ops before
 * the kernel, so that autodiff carries their gradients to the parameters. The kernel's custom gradient covers the
 * inputs, those values, the parameters read in place and the initial state, and computes only the gradients asked
 * for (training a first layer skips the input's).
 */
import {
  assertSequenceFinite,
  type CompileResult,
  checkOptions,
  checkSequenceArgs,
  compileCell,
  invalidArgument,
  isPlainObject,
  type PlanStatic,
  replayStatic,
  resolveCellOptions,
  SeqmodelError,
  type SequenceArgs,
  type SequencePlan,
  type SequenceResult,
  type TraceLeaf,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { customGradient, type GradientEntry } from '../custom-gradient.js';
import type { TfjsBackend, TfjsFusedKernel, TfjsFusedKernelEntry } from '../tfjs-backend.js';
import { CompiledRun } from './compiled/compiled-run.js';
import type { HostPassGenerator, HostProgram } from './compiled/host-program.js';
import { checkGemmProvider, type GemmProvider, type HostMatrix, hostMatrix } from './gemm.js';

type Tensor = tf.Tensor;

/** The dtype of a tensor argument, or undefined for something that is not a tensor (run() reports those). */
function dtypeOf(x: unknown): string | undefined {
  return x instanceof tf.Tensor ? x.dtype : undefined;
}

/**
 * Why a host kernel does not take `args`: a tensor argument that is not float32 (undefined when all are). Malformed
 * arguments are not refused here: run() reports them with the generic loop's messages.
 */
export function float32Refusal(args: SequenceArgs<Tensor>): string | undefined {
  const params = typeof args.params === 'object' && args.params !== null ? args.params : {};
  const initialState = Array.isArray(args.initialState) ? args.initialState : [];
  const tensors: [string, unknown][] = [
    ['inputs', args.inputs],
    ...Object.entries(params).map(([n, p]): [string, unknown] => [`params.${n}`, p]),
    ...initialState.map((s, i): [string, unknown] => [`initialState[${i}]`, s]),
    ...(args.recurrentMask === undefined ? [] : [['recurrentMask', args.recurrentMask] as [string, unknown]]),
  ];
  for (const [name, t] of tensors) {
    const dtype = dtypeOf(t);
    if (dtype !== undefined && dtype !== 'float32')
      return `${name} is ${dtype}; the fused kernel takes float32`;
  }
  return undefined;
}

/** A tensor's values in host memory: tfjs-backend-cpu's own storage (no copy), a copy out of the wasm heap. */
export function read(x: Tensor): Float32Array {
  return tf.engine().readSync(x.dataId) as Float32Array;
}

/**
 * Options of a backend's compiled-kernel factory (`cpuCompiledKernelWith`, `wasmCompiledKernelWith`): what a user may
 * change without writing a kernel.
 */
export interface CompiledKernelOptions {
  /**
   * Wraps the backend's matrix products before the kernel uses them, to time or trace them (`seqmodel-bench paths`
   * times a compiled step's products this way); called once per kernel the backend makes. Default: unwrapped.
   */
  readonly wrapGemm?: (gemm: GemmProvider) => GemmProvider;
}

/**
 * A backend's compiled-kernel factory with {@link CompiledKernelOptions}, named `factory` in its errors: the kernel
 * of `compiledSequenceKernel` on `gemm(backend)` (passed through `wrapGemm`, whose result is checked) and
 * `generator`. The cpu and wasm backends' `cpuCompiledKernelWith` and `wasmCompiledKernelWith` are made with it.
 */
export function compiledKernelFactory(
  factory: string,
  gemm: (backend: TfjsBackend) => GemmProvider,
  generator: HostPassGenerator,
): (options?: CompiledKernelOptions) => TfjsFusedKernelEntry {
  return (options = {}) => {
    const { wrapGemm } = checkOptions<CompiledKernelOptions>(`${factory}(options)`, options, ['wrapGemm']);
    if (wrapGemm !== undefined && typeof wrapGemm !== 'function') {
      invalidArgument(
        `${factory}(options.wrapGemm)`,
        wrapGemm,
        'a function from a GemmProvider to a GemmProvider',
      );
    }
    return (backend) => {
      let provider = gemm(backend);
      if (wrapGemm !== undefined) {
        provider = wrapGemm(provider);
        checkGemmProvider(`${factory}(options.wrapGemm)(gemm)`, provider);
      }
      return compiledSequenceKernel(backend, { gemm: provider, generator });
    };
  };
}

/** What a compiled kernel runs on. */
export interface CompiledSequenceKernelConfig {
  readonly gemm: GemmProvider;
  readonly generator: HostPassGenerator;
}

/** The name a kernel serving every cell is registered under (core's kernel table tries it after named ones). */
export const anyCell = '*';

/** A cell's plans at one size, without and with the backward pass. */
export interface Plans {
  readonly inference: SequencePlan;
  readonly training: SequencePlan;
}

/**
 * Both plans (inference and training) for `args`, or the reason there are none ('malformed arguments' when `args`
 * is not a sequence call at all: run() reports those with the generic loop's messages). The host and the GPU
 * compiled kernels share it.
 */
export function compilePlans(args: SequenceArgs<Tensor>): Plans | string {
  const cell = args.cell;
  const inputs = args.inputs as unknown;
  if (typeof cell?.step !== 'function' || !(inputs instanceof tf.Tensor) || inputs.shape.length !== 3) {
    return 'malformed arguments';
  }
  const key = memoKey(args, inputs.shape);
  if (key === undefined) return compileBoth(args, inputs.shape);
  const memo = lastPlans.get(cell);
  if (memo !== undefined && sameMemoKey(memo.key, key)) return memo.result;
  const result = compileBoth(args, inputs.shape);
  lastPlans.set(cell, { key, result });
  return result;
}

/**
 * What a cell's plans depend on besides the cell: a copy of the options as given, the batch and input sizes, the
 * units and whether a recurrent mask is passed. Options are copied deep through arrays and plain objects (an
 * initializer's config, say); functions are compared by identity. Options holding anything else (a typed array, a
 * class instance, a Map) could change inside without a copy seeing it: those are not remembered.
 */
interface MemoKey {
  readonly options: unknown;
  readonly sizes: readonly unknown[];
}

/** Stands for a value the memo cannot copy. */
const uncopyable = Symbol('uncopyable');

/** A copy of `x` deep through arrays and plain objects, or `uncopyable` when it holds another kind of object. */
function copyPlain(x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return x;
  if (Array.isArray(x)) {
    const items = x.map(copyPlain);
    return items.includes(uncopyable) ? uncopyable : items;
  }
  if (!isPlainObject(x)) return uncopyable;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(x)) {
    const value = copyPlain(x[key]);
    if (value === uncopyable) return uncopyable;
    out[key] = value;
  }
  return out;
}

/** `a` and `b` equal deep through arrays and plain objects, other values the same (Object.is). */
function samePlain(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => samePlain(v, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!(key in b) || !samePlain(a[key], b[key])) return false;
  return true;
}

function memoKey(args: SequenceArgs<Tensor>, shape: readonly number[]): MemoKey | undefined {
  const options = copyPlain(args.options);
  if (options === uncopyable) return undefined;
  return { options, sizes: [shape[0], shape[2], args.units, args.recurrentMask !== undefined] };
}

function sameMemoKey(a: MemoKey, b: MemoKey): boolean {
  return a.sizes.every((v, i) => Object.is(v, b.sizes[i])) && samePlain(a.options, b.options);
}

/**
 * The last plans (or reason) `compilePlans` found for each cell: a kernel asks at every call, and resolving the
 * options and looking the plans up in core's cache (which keys them by the resolved options, see `cacheKey`) cost more than
 * a small model's step (4% of a 16x32x16x64 IndRNN training step on wasm).
 */
const lastPlans = new WeakMap<object, { readonly key: MemoKey; readonly result: Plans | string }>();

function compileBoth(args: SequenceArgs<Tensor>, shape: readonly number[]): Plans | string {
  const cell = args.cell;
  let options: Record<string, unknown>;
  try {
    options = resolveCellOptions(cell, args.options);
  } catch (error) {
    return (error as Error).message;
  }
  const dims = { inputSize: shape[2]!, units: args.units, options };
  const compileOptions = { recurrentMask: args.recurrentMask !== undefined };
  const plans: CompileResult[] = [false, true].map((training) =>
    compileCell(cell, dims, shape[0]!, { ...compileOptions, training }),
  );
  for (const p of plans) if ('reason' in p) return `${cell.name} not compiled: ${p.reason}`;
  const [inference, training] = plans.map((p) => (p as { plan: SequencePlan }).plan) as [
    SequencePlan,
    SequencePlan,
  ];
  return { inference, training };
}

/** `compile`'s answer for one arguments object, with what it was computed from. */
interface Compiled {
  readonly args: SequenceArgs<Tensor>;
  readonly cell: unknown;
  readonly options: unknown;
  readonly inputs: unknown;
  readonly units: unknown;
  readonly recurrentMask: boolean;
  readonly result: Plans | string;
}

class CompiledSequenceKernel implements TfjsFusedKernel {
  readonly label: string;
  private readonly programs = new WeakMap<SequencePlan, HostProgram>();
  /**
   * The answer `supports` found, for `run` with the same arguments right after it (core's `runSequence` asks one,
   * then the other): resolving the options and looking the plans up twice cost more than a small model's step.
   */
  private compiled: Compiled | undefined;

  constructor(
    private readonly backend: TfjsBackend,
    private readonly config: CompiledSequenceKernelConfig,
  ) {
    this.label = `compiled (${config.generator.name})`;
  }

  /** {@link compile}, or the answer `supports` found for the same, unchanged arguments. */
  private compileOnce(args: SequenceArgs<Tensor>): Plans | string {
    const c = this.compiled;
    if (
      c !== undefined &&
      c.args === args &&
      c.cell === args.cell &&
      c.options === args.options &&
      c.inputs === args.inputs &&
      c.units === args.units &&
      c.recurrentMask === (args.recurrentMask !== undefined)
    ) {
      return c.result;
    }
    const result = compilePlans(args);
    this.compiled = {
      args,
      cell: args.cell,
      options: args.options,
      inputs: args.inputs,
      units: args.units,
      recurrentMask: args.recurrentMask !== undefined,
      result,
    };
    return result;
  }

  supports(args: SequenceArgs<Tensor>): string | undefined {
    const unavailable = this.config.generator.unavailable();
    if (unavailable !== undefined) return `compiled kernels (${this.config.generator.name}): ${unavailable}`;
    const refusal = float32Refusal(args);
    if (refusal !== undefined) return refusal;
    const compiled = this.compileOnce(args);
    return typeof compiled === 'string' && compiled !== 'malformed arguments' ? compiled : undefined;
  }

  private program(plan: SequencePlan): HostProgram {
    let program = this.programs.get(plan);
    if (!program) {
      program = this.config.generator.generate(plan).program;
      this.programs.set(plan, program);
    }
    return program;
  }

  run(args: SequenceArgs<Tensor>): SequenceResult<Tensor> {
    const { backend, config } = this;
    const info = checkSequenceArgs(backend, args);
    if (backend.checkNumerics) assertSequenceFinite(backend, args);
    const reason = this.supports(args);
    if (reason !== undefined) throw new SeqmodelError(`${args.cell.name} compiled kernel: ${reason}`);
    const plans = this.compileOnce(args) as Plans;
    // Used once: a later call with this arguments object (changed meanwhile, perhaps) compiles again.
    this.compiled = undefined;
    const { batch, time, dims } = info;
    // Statics: blocks of a parameter are read in place; the others are computed with the backend's ops (recorded by
    // autodiff when a gradient is taken). The training plan's statics include the inference plan's.
    const leaves = (leaf: TraceLeaf): Tensor => {
      if (leaf.kind === 'param') return args.params[leaf.name]!;
      if (leaf.kind === 'recurrentMask') return args.recurrentMask!;
      throw new SeqmodelError(`compiled kernel: a static leaf ${leaf.kind} (internal error)`);
    };
    const statics = plans.training.statics;
    const replayed = new Map<unknown, unknown>();
    const computed = statics.filter((s) => !s.view);
    const computedTensors = computed.map((s) => replayStatic(backend, s.node, leaves, replayed) as Tensor);
    const viewed = [...new Set(statics.flatMap((s) => (s.view ? [s.view.param] : [])))];
    const initialState = args.initialState ?? [];
    const xs: Tensor[] = [
      args.inputs,
      ...computedTensors,
      ...viewed.map((p) => args.params[p]!),
      ...initialState,
    ];
    const mask = args.mask === undefined ? undefined : read(args.mask);
    const returnSequences = args.returnSequences ?? false;
    const outputSize = info.outputSize;
    // Each tensor read once (the wasm backend copies it out of its heap).
    const host = new Map<Tensor, Float32Array>();
    const readOnce = (t: Tensor) => {
      let data = host.get(t);
      if (!data) {
        data = read(t);
        host.set(t, data);
      }
      return data;
    };
    const matrixOf = (s: PlanStatic): HostMatrix => {
      const shape = s.shape;
      if (s.view) {
        const { param, offset, rows, cols, stride } = s.view;
        return hostMatrix(readOnce(args.params[param]!), rows, cols, offset, stride);
      }
      const data = readOnce(replayed.get(s.node) as Tensor);
      return shape.length === 2 ? hostMatrix(data, shape[0]!, shape[1]!) : hostMatrix(data, 1, data.length);
    };
    let run: CompiledRun | undefined;

    const outputs = customGradient(
      {
        name: `${args.cell.name} compiled kernel`,
        forward: (_inputs, _save, { recordsGradient }) => {
          const plan = recordsGradient ? plans.training : plans.inference;
          run = new CompiledRun(
            plan,
            this.program(plan),
            config.gemm,
            {
              batch,
              time,
              goBackwards: args.goBackwards ?? false,
              returnSequences,
              zeroMaskedOutputs: args.zeroMaskedOutputs ?? false,
            },
            {
              x: read(args.inputs),
              statics: plan.statics.map(matrixOf),
              ...(initialState.length > 0 ? { initialState: initialState.map(read) } : {}),
              ...(mask ? { mask } : {}),
            },
          );
          run.forward();
          const output = returnSequences
            ? tf.tensor(run.outputs!, [batch, time, outputSize], 'float32')
            : tf.tensor(run.lastOutput, [batch, outputSize], 'float32');
          const states = plan.states.map((s, k) => tf.tensor(run!.finalState(k), [batch, s.size], 'float32'));
          // Without a backward pass to come, the instance is free for the next run.
          if (!recordsGradient) run.release();
          return [output, ...states];
        },
        backward: ([dOutput, ...dStates]) => {
          const r = run!;
          r.backward(
            read(dOutput!),
            dStates.map((d) => read(d!)),
          );
          // tfjs asks for the gradients below right away, before any other run of this kernel can start.
          r.release();
          // A parameter read in place gets the gradients of all its blocks.
          const paramGradient = (param: string): Tensor => {
            const tensor = args.params[param]!;
            const out = new Float32Array(tensor.size);
            for (const s of statics) {
              if (s.view?.param !== param) continue;
              const { offset, rows, cols, stride } = s.view;
              const g = r.staticGradient(s.index);
              for (let i = 0; i < rows; i++) {
                for (let j = 0; j < cols; j++) out[offset + i * stride + j]! += g[i * cols + j]!;
              }
            }
            return tf.tensor(out, tensor.shape, 'float32');
          };
          const grads: GradientEntry[] = [
            () => tf.tensor(r.inputGradient(), [batch, time, dims.inputSize], 'float32'),
            ...computed.map(
              (s, i) => () => tf.tensor(r.staticGradient(s.index), computedTensors[i]!.shape, 'float32'),
            ),
            ...viewed.map((p) => () => paramGradient(p)),
            ...initialState.map((s, k) => () => tf.tensor(r.initialStateGradient(k), s.shape, 'float32')),
          ];
          return grads;
        },
      },
      xs,
    );
    return { output: outputs[0]!, state: outputs.slice(1) };
  }
}

/**
 * The compiled `sequence` kernel on `backend`, with the matrix products of `config.gemm` and the code of
 * `config.generator`. Register it under the name {@link anyCell} (`*`) to serve every cell:
 *
 * @example
 * registerKernel({
 *   backend: 'cpu',
 *   kind: 'sequence',
 *   name: '*',
 *   kernel: (backend: TfjsBackend) => compiledSequenceKernel(backend, { gemm: new JsGemm(), generator: javascriptGenerator }),
 * });
 */
export function compiledSequenceKernel(
  backend: TfjsBackend,
  config: CompiledSequenceKernelConfig,
): TfjsFusedKernel {
  checkOptions('compiledSequenceKernel(config)', config, ['gemm', 'generator']);
  checkGemmProvider('compiledSequenceKernel(config.gemm)', config?.gemm);
  const generator = config.generator as Partial<CompiledSequenceKernelConfig['generator']> | undefined;
  if (typeof generator?.generate !== 'function' || typeof generator.unavailable !== 'function') {
    invalidArgument(
      'compiledSequenceKernel(config.generator)',
      config.generator,
      'a code generator (such as javascriptGenerator)',
    );
  }
  return new CompiledSequenceKernel(backend, config);
}
