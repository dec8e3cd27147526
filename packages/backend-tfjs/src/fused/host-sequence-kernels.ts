/**
 * Fused whole-sequence kernels (kind `sequence`) for simpleRNN, LSTM and GRU (both `resetAfter` variants), and for
 * any cell bound to fused arithmetic (`cell-bindings.ts`), on tfjs backends that keep tensors in CPU memory (cpu,
 * wasm). The arithmetic runs on `Float32Array`s (`sequence-run.ts`, `cells/`); a backend supplies only its matrix
 * products (`GemmProvider`). Tensor data is read through tfjs's `readSync` (the cpu backend
 * hands out its own storage, so nothing is copied there; the wasm backend copies out of its heap) and results become
 * tensors through `tf.tensor` (again without a copy on cpu).
 *
 * The backward pass is registered with `customGradient`: autodiff (`valueAndGrads`) runs the hand-written
 * backpropagation through time once, and the whole-sequence products only for the arguments that need a gradient
 * (training does not compute the input's gradient of a first layer, say). The kernels are differentiable once, not
 * twice.
 */
import {
  assertSequenceFinite,
  checkSequenceArgs,
  SeqmodelError,
  type SequenceArgs,
  type SequenceResult,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { customGradient, type GradientEntry } from '../custom-gradient.js';
import type { TfjsBackend, TfjsFusedKernel, TfjsFusedKernelEntry } from '../tfjs-backend.js';
import { bindingRefusal, builtInCellBindings, type FusedCellBinding } from './cell-bindings.js';
import type { GemmProvider } from './gemm.js';
import { SequenceRun } from './sequence-run.js';
import type { VectorGates } from './vector-gates.js';

type Tensor = tf.Tensor;

export interface HostFusedKernelsConfig {
  /** The matrix products, once per backend the kernels are created for. */
  readonly gemm: (backend: TfjsBackend) => GemmProvider;
  /** Vectorized gate arithmetic where the backend has some (undefined: the JavaScript loops). */
  readonly vectorGates?: (backend: TfjsBackend) => VectorGates | undefined;
}

/** What one host sequence kernel runs on. */
export interface HostSequenceKernelConfig {
  /** The matrix products. */
  readonly gemm: GemmProvider;
  /** Vectorized gate arithmetic, for the cells that use it (undefined: the JavaScript loops). */
  readonly vectorGates?: VectorGates;
}

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

class HostSequenceKernel implements TfjsFusedKernel {
  readonly label = 'hand-written';
  private readonly gemm: GemmProvider;
  private readonly vectorGates: VectorGates | undefined;

  constructor(
    private readonly backend: TfjsBackend,
    private readonly binding: FusedCellBinding,
    config: HostSequenceKernelConfig,
  ) {
    this.gemm = config.gemm;
    this.vectorGates = config.vectorGates;
  }

  supports(args: SequenceArgs<Tensor>): string | undefined {
    return bindingRefusal(this.binding, args.cell, args.options) ?? float32Refusal(args);
  }

  run(args: SequenceArgs<Tensor>): SequenceResult<Tensor> {
    const { backend, binding, gemm, vectorGates } = this;
    const info = checkSequenceArgs(backend, args);
    if (backend.checkNumerics) assertSequenceFinite(backend, args);
    const { batch, time, dims } = info;
    const { inputSize, units, options } = dims;
    const reason = this.supports(args);
    if (reason !== undefined) throw new SeqmodelError(`${binding.cell.name} fused kernel: ${reason}`);
    const bias = args.params.bias;
    const initialState = args.initialState ?? [];
    const recurrentMask = args.recurrentMask;
    const xs: Tensor[] = [args.inputs, args.params.kernel!, args.params.recurrentKernel!];
    if (bias) xs.push(bias);
    xs.push(...initialState);
    if (recurrentMask) xs.push(recurrentMask);
    const mask =
      args.mask === undefined ? undefined : (tf.engine().readSync(args.mask.dataId) as Float32Array);
    const returnSequences = args.returnSequences ?? false;
    let run: SequenceRun | undefined;

    const outputs = customGradient(
      {
        name: `${binding.cell.name} fused kernel`,
        forward: (_inputs, _save, { recordsGradient }) => {
          run = new SequenceRun(
            {
              batch,
              time,
              inputSize,
              units,
              goBackwards: args.goBackwards ?? false,
              returnSequences,
              zeroMaskedOutputs: args.zeroMaskedOutputs ?? false,
              training: recordsGradient,
            },
            {
              x: read(args.inputs),
              kernel: read(args.params.kernel!),
              recurrentKernel: read(args.params.recurrentKernel!),
              ...(bias ? { bias: read(bias) } : {}),
              ...(initialState.length > 0 ? { initialState: initialState.map(read) } : {}),
              ...(mask ? { mask } : {}),
              ...(recurrentMask ? { recurrentMask: read(recurrentMask) } : {}),
            },
            gemm,
            (r) => binding.create(r, options),
            binding.gates,
            vectorGates,
          );
          run.forward();
          const output = returnSequences
            ? tf.tensor(run.outputs!, [batch, time, units], 'float32')
            : tf.tensor(run.lastOutput, [batch, units], 'float32');
          return [output, ...run.state.map((s) => tf.tensor(s, [batch, units], 'float32'))];
        },
        backward: ([dOutput, ...dStates]) => {
          const r = run!;
          r.backward(
            read(dOutput!),
            dStates.map((d) => read(d!)),
          );
          const grads: GradientEntry[] = [
            () => tf.tensor(r.inputGradient(), [batch, time, inputSize], 'float32'),
            () => tf.tensor(r.weightGradients().kernel, args.params.kernel!.shape, 'float32'),
            () =>
              tf.tensor(r.weightGradients().recurrentKernel, args.params.recurrentKernel!.shape, 'float32'),
          ];
          if (bias) grads.push(() => tf.tensor(r.cell.biasGradient(), bias.shape, 'float32'));
          initialState.forEach((_, k) => {
            grads.push(() => tf.tensor(r.dState[k]!.slice(), [batch, units], 'float32'));
          });
          if (recurrentMask) grads.push(() => tf.tensor(r.dRecurrentMask!, [batch, units], 'float32'));
          return grads;
        },
      },
      xs,
    );
    return { output: outputs[0]!, state: outputs.slice(1) };
  }
}

/**
 * The fused `sequence` kernel of one bound cell on `backend`: `SequenceRun` with the binding's arithmetic, on tensors
 * read from host memory, differentiable once (`customGradient`). How a package with a cell of its own offers the
 * cpu and wasm backends a fused kernel:
 *
 * @example
 * registerKernel({
 *   backend: 'cpu',
 *   kind: 'sequence',
 *   name: myCell.name,
 *   kernel: (backend: TfjsBackend) => hostSequenceKernel(backend, myCellBinding, { gemm: new JsGemm() }),
 * });
 */
export function hostSequenceKernel(
  backend: TfjsBackend,
  binding: FusedCellBinding,
  config: HostSequenceKernelConfig,
): TfjsFusedKernel {
  return new HostSequenceKernel(backend, binding, config);
}

/**
 * The fused kernels for simpleRNN, LSTM and GRU, keyed by cell name, ready for `createTfjsBackend`'s
 * `fusedKernels`, with the matrix products of `config.gemm`.
 *
 * @example
 * createTfjsBackend({ name: 'cpu', tfjsBackendName: 'cpu', fusedKernels: hostFusedKernels({ gemm: () => new JsGemm() }) });
 */
export function hostFusedKernels(config: HostFusedKernelsConfig): Record<string, TfjsFusedKernelEntry> {
  const entries: Record<string, TfjsFusedKernelEntry> = {};
  for (const binding of builtInCellBindings) {
    entries[binding.cell.name] = (backend) => {
      const vectorGates = config.vectorGates?.(backend);
      return hostSequenceKernel(backend, binding, {
        gemm: config.gemm(backend),
        ...(vectorGates === undefined ? {} : { vectorGates }),
      });
    };
  }
  return entries;
}
