/**
 * Fused whole-sequence kernels for simpleRNN, LSTM and GRU (both `resetAfter` variants) on tfjs backends that keep
 * tensors in CPU memory (cpu, wasm). The arithmetic runs on `Float32Array`s (`sequence-run.ts`, `cells/`); a backend
 * supplies only its matrix products (`GemmProvider`). Tensor data is read through tfjs's `readSync` (the cpu backend
 * hands out its own storage, so nothing is copied there; the wasm backend copies out of its heap) and results become
 * tensors through `tf.tensor` (again without a copy on cpu).
 *
 * The backward pass is registered with `customGradient`: autodiff (`valueAndGrads`) runs the hand-written
 * backpropagation through time once, and the whole-sequence products only for the arguments that need a gradient
 * (training does not compute the input's gradient of a first layer, say). The kernels are differentiable once, not
 * twice.
 */
import {
  type AnyCellPlugin,
  assertSequenceFinite,
  checkSequenceArgs,
  gru,
  lstm,
  resolveCellOptions,
  SeqmodelError,
  type SequenceArgs,
  type SequenceResult,
  simpleRNN,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { customGradient, type GradientEntry } from '../custom-gradient.js';
import type { TfjsBackend, TfjsFusedKernel, TfjsFusedKernelEntry } from '../tfjs-backend.js';
import { fusedActivationNames, isFusedActivation } from './activations.js';
import type { GatedCellActivations } from './cells/cell-base.js';
import { GruCell } from './cells/gru.js';
import { LstmCell } from './cells/lstm.js';
import { SimpleRnnCell } from './cells/simple-rnn.js';
import type { GemmProvider } from './gemm.js';
import { type FusedCell, SequenceRun } from './sequence-run.js';
import type { VectorGates } from './vector-gates.js';

type Tensor = tf.Tensor;

export interface HostFusedKernelsConfig {
  /** The matrix products, once per backend the kernels are created for. */
  readonly gemm: (backend: TfjsBackend) => GemmProvider;
  /** Vectorized gate arithmetic where the backend has some (undefined: the JavaScript loops). */
  readonly vectorGates?: (backend: TfjsBackend) => VectorGates | undefined;
}

interface CellBinding {
  readonly cell: AnyCellPlugin;
  readonly gates: number;
  /** Options (resolved) that have an activation the kernel must implement. */
  readonly activationOptions: readonly string[];
  create(run: SequenceRun, options: Record<string, unknown>): FusedCell;
}

/** The options naming a gated cell's activations, and those activations from the resolved options. */
const gatedActivationOptions = ['activation', 'recurrentActivation'];
function gatedActivations(o: Record<string, unknown>): GatedCellActivations {
  return { activation: o.activation as never, recurrentActivation: o.recurrentActivation as never };
}

const bindings: readonly CellBinding[] = [
  {
    cell: simpleRNN,
    gates: 1,
    activationOptions: ['activation'],
    create: (run, o) => new SimpleRnnCell(run, o.activation as never),
  },
  {
    cell: lstm,
    gates: 4,
    activationOptions: gatedActivationOptions,
    create: (run, o) => new LstmCell(run, gatedActivations(o)),
  },
  {
    cell: gru,
    gates: 3,
    activationOptions: gatedActivationOptions,
    create: (run, o) => new GruCell(run, { ...gatedActivations(o), resetAfter: o.resetAfter as boolean }),
  },
];

/** The dtype of a tensor argument, or undefined for something that is not a tensor (run() reports those). */
function dtypeOf(x: unknown): string | undefined {
  return x instanceof tf.Tensor ? x.dtype : undefined;
}

function read(x: Tensor): Float32Array {
  return tf.engine().readSync(x.dataId) as Float32Array;
}

class HostFusedKernel implements TfjsFusedKernel {
  constructor(
    private readonly backend: TfjsBackend,
    private readonly binding: CellBinding,
    private readonly gemm: GemmProvider,
    private readonly vectorGates: VectorGates | undefined,
  ) {}

  supports(args: SequenceArgs<Tensor>): string | undefined {
    const { cell } = this.binding;
    if (args.cell !== cell) {
      return `cell ${JSON.stringify(args.cell?.name)} is not @seqmodel/core's built-in ${cell.name} (the fused kernel implements only that one)`;
    }
    const options = resolveCellOptions(cell, args.options);
    for (const name of this.binding.activationOptions) {
      if (!isFusedActivation(options[name])) {
        return `${name} ${JSON.stringify(options[name])} has no fused implementation (fused: ${fusedActivationNames.join(', ')})`;
      }
    }
    // Malformed arguments are not refused here: run() reports them with the generic loop's messages.
    const params = typeof args.params === 'object' && args.params !== null ? args.params : {};
    const initialState = Array.isArray(args.initialState) ? args.initialState : [];
    const tensors: [string, unknown][] = [
      ['inputs', args.inputs],
      ...Object.entries(params).map(([n, p]): [string, unknown] => [`params.${n}`, p]),
      ...initialState.map((s, i): [string, unknown] => [`initialState[${i}]`, s]),
      ...(args.recurrentMask === undefined
        ? []
        : [['recurrentMask', args.recurrentMask] as [string, unknown]]),
    ];
    for (const [name, t] of tensors) {
      const dtype = dtypeOf(t);
      if (dtype !== undefined && dtype !== 'float32') {
        return `${name} is ${dtype}; the fused kernel takes float32`;
      }
    }
    return undefined;
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
 * The fused kernels for simpleRNN, LSTM and GRU, keyed by cell name, ready for `createTfjsBackend`'s
 * `fusedKernels`, with the matrix products of `config.gemm`.
 *
 * @example
 * createTfjsBackend({ name: 'cpu', tfjsBackendName: 'cpu', fusedKernels: hostFusedKernels({ gemm: () => new JsGemm() }) });
 */
export function hostFusedKernels(config: HostFusedKernelsConfig): Record<string, TfjsFusedKernelEntry> {
  const entries: Record<string, TfjsFusedKernelEntry> = {};
  for (const binding of bindings) {
    entries[binding.cell.name] = (backend) =>
      new HostFusedKernel(backend, binding, config.gemm(backend), config.vectorGates?.(backend));
  }
  return entries;
}
