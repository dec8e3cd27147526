/**
 * The native backend's fused `sequence` kernels: simpleRNN, LSTM and GRU (both `resetAfter` variants), whole
 * sequences forward and backward in C++ (`@seqmodel/native-kernels`' sequence.cc, a port of the hand-written
 * TypeScript kernels that backend-tfjs had before its kernels were compiled from the cells' steps; the cpu backend's
 * compiled kernels are now their reference in the tests). They take the built-in cell they were made for, activations
 * the C++ code implements (`ops.ts`' `activations`) and float32 tensors; anything else runs the generic loop.
 *
 * Autodiff: the forward pass, when a gradient is being recorded, writes what the backward pass needs (the activated
 * gates, the states before each step) into native buffers held by the backward closure rather than into tensors:
 * tfjs counts every tensor a kernel makes besides its outputs as a leak (its per-kernel check under `IS_TEST`). The
 * backward pass turns them into tensors, so the gradient computation's scope frees them; if it never runs (an output
 * the loss does not use), the addon's finalizers free them when the closure is collected. The backward pass computes
 * the projection's gradient once, and the input, weight and bias gradients only for the arguments that need one.
 */
import {
  anyCell,
  compiledSequenceKernel,
  customGradient,
  float32Refusal,
  type GemmProvider,
  type GradientEntry,
  JsGemm,
  javascriptGenerator,
  type TfjsBackend,
  type TfjsFusedKernel,
  type TfjsFusedKernelEntry,
} from '@seqmodel/backend-tfjs';
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
  sizeOfShape,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { isAvailable, type NativeBuffer, nativeAddon } from './addon.js';
import { hasHostGemm, NativeGemm } from './native-gemm.js';
import type { NativeKernelBackend } from './native-kernel-backend.js';
import { activations, cellKinds } from './ops.js';

type Tensor = tf.Tensor;

/** A built-in cell with the C++ kernel's layout: `gates` blocks on the kernels' last axis, activations by option. */
export interface NativeCellBinding {
  /** The cell, compared by identity (a plugin that reuses the name is not it). */
  readonly cell: AnyCellPlugin;
  readonly gates: number;
  /** The options (resolved) naming an activation the C++ code must implement. */
  readonly activationOptions: readonly string[];
}

const gated = ['activation', 'recurrentActivation'];

/** core's simpleRNN, LSTM and GRU, the cells the C++ kernels implement. */
export const nativeCellBindings: readonly NativeCellBinding[] = [
  { cell: simpleRNN, gates: 1, activationOptions: ['activation'] },
  { cell: lstm, gates: 4, activationOptions: gated },
  { cell: gru, gates: 3, activationOptions: gated },
];

/** Why the kernel of `binding` cannot run `args`, or undefined when it can. */
function refusal(binding: NativeCellBinding, args: SequenceArgs<Tensor>): string | undefined {
  const own = binding.cell;
  if (args.cell !== own) {
    return `cell ${JSON.stringify(args.cell?.name)} is not @seqmodel/core's built-in ${own.name} (the native kernel implements only that one)`;
  }
  const resolved = resolveCellOptions(own, args.options);
  for (const name of binding.activationOptions) {
    if (!(activations as readonly unknown[]).includes(resolved[name])) {
      return `${name} ${JSON.stringify(resolved[name])} has no native implementation (native: ${activations.join(', ')})`;
    }
  }
  return float32Refusal(args);
}

function kernelBackend(): NativeKernelBackend {
  return tf.engine().backend as unknown as NativeKernelBackend;
}

function activationNumber(name: unknown): number {
  return activations.indexOf(name as (typeof activations)[number]);
}

/** A new float32 tensor of `shape` in native memory (zeros), for the addon to write. */
function output(shape: number[]): Tensor {
  const backend = kernelBackend();
  const info = backend.makeOutput(shape, 'float32');
  return tf.engine().makeTensorFromTensorInfo(info, backend) as Tensor;
}

class NativeSequenceKernel implements TfjsFusedKernel {
  constructor(
    private readonly backend: TfjsBackend,
    private readonly binding: NativeCellBinding,
  ) {}

  supports(args: SequenceArgs<Tensor>): string | undefined {
    return refusal(this.binding, args);
  }

  run(args: SequenceArgs<Tensor>): SequenceResult<Tensor> {
    const { backend, binding } = this;
    const info = checkSequenceArgs(backend, args);
    if (backend.checkNumerics) assertSequenceFinite(backend, args);
    const reason = this.supports(args);
    if (reason !== undefined) throw new SeqmodelError(`${binding.cell.name} fused kernel: ${reason}`);
    const { batch, time, dims } = info;
    const { inputSize, units, options } = dims;
    const cell = cellKinds.indexOf(binding.cell.name as (typeof cellKinds)[number]);
    const resetAfter = cell === 2 && options.resetAfter === true;
    const gates = binding.gates;
    const states = cell === 1 ? 2 : 1;
    const config = [
      cell,
      resetAfter ? 1 : 0,
      activationNumber(options.activation),
      cell === 0 ? 0 : activationNumber(options.recurrentActivation),
      batch,
      time,
      inputSize,
      units,
    ];
    const returnSequences = args.returnSequences ?? false;
    const flags = [args.goBackwards ? 1 : 0, returnSequences ? 1 : 0, args.zeroMaskedOutputs ? 1 : 0];
    const bias = args.params.bias;
    const kernel = args.params.kernel!;
    const recurrentKernel = args.params.recurrentKernel!;
    const initialState = args.initialState ?? [];
    const recurrentMask = args.recurrentMask;
    // The mask as float32 (a copy only for another dtype); freed by the kernel's guard (a tidy).
    const mask =
      args.mask === undefined
        ? undefined
        : args.mask.dtype === 'float32'
          ? args.mask
          : tf.cast(args.mask, 'float32');
    const xs: Tensor[] = [args.inputs, kernel, recurrentKernel];
    if (bias) xs.push(bias);
    xs.push(...initialState);
    if (recurrentMask) xs.push(recurrentMask);
    const buf = (t: Tensor | undefined): NativeBuffer | null => (t ? kernelBackend().buffer(t) : null);
    const rows = batch * time;
    const outputShape = returnSequences ? [batch, time, units] : [batch, units];
    // What the backward pass needs: the activated gates, h (and for an LSTM c and act(c)) before each step, and for
    // a GRU with resetAfter h̃·U_h + b_rec,h.
    const savedShapes = [
      [rows, gates * units],
      [rows, units],
      cell === 1 ? [rows, units] : [0],
      cell === 1 ? [rows, units] : [0],
      resetAfter ? [rows, units] : [0],
    ];
    let savedBuffers: NativeBuffer[] | undefined;

    const outputs = customGradient(
      {
        name: `${binding.cell.name} native fused kernel`,
        forward: (_inputs, save, { recordsGradient }) => {
          const out = output(outputShape);
          const finals = Array.from({ length: states }, () => output([batch, units]));
          const addon = kernelBackend().addon;
          const saved = recordsGradient ? savedShapes.map((s) => addon.alloc(4 * sizeOfShape(s))) : undefined;
          savedBuffers = saved;
          try {
            addon.sequenceForward(
              config,
              flags,
              buf(args.inputs),
              buf(kernel),
              buf(recurrentKernel),
              buf(bias),
              buf(initialState[0]),
              buf(initialState[1]),
              buf(mask),
              buf(recurrentMask),
              buf(out),
              buf(finals[0]),
              buf(finals[1]),
              saved ?? null,
            );
          } catch (error) {
            for (const b of saved ?? []) addon.free(b);
            savedBuffers = undefined;
            throw error;
          }
          if (saved)
            save([
              args.inputs,
              kernel,
              recurrentKernel,
              ...(mask ? [mask] : []),
              ...(recurrentMask ? [recurrentMask] : []),
            ]);
          return [out, ...finals];
        },
        backward: (dys, saved) => {
          const [dOutput, ...dStates] = dys;
          const raw = savedBuffers;
          if (!raw)
            throw new SeqmodelError(
              `${binding.cell.name} native fused kernel: backward pass without a recorded forward pass`,
            );
          savedBuffers = undefined;
          // Adopted as tensors: the gradient computation's scope frees them.
          const backend = kernelBackend();
          const engine = tf.engine();
          raw.forEach((b, k) => {
            engine.makeTensorFromTensorInfo(backend.adopt(b, savedShapes[k]!, 'float32'), backend);
          });
          const [x, w, u] = saved.slice(0, 3) as [Tensor, Tensor, Tensor];
          const m = mask ? saved[3] : undefined;
          const rm = recurrentMask ? saved[mask ? 4 : 3] : undefined;
          const dP = output([rows, gates * units]);
          const dR = resetAfter ? output([rows, gates * units]) : undefined;
          const dInitial = Array.from({ length: states }, () => output([batch, units]));
          const dRecurrentMask = rm ? output([batch, units]) : undefined;
          kernelBackend().addon.sequenceBackward(
            config,
            flags,
            buf(dOutput),
            buf(dStates[0]),
            buf(dStates[1]),
            buf(u),
            buf(m),
            buf(rm),
            raw,
            buf(dP),
            buf(dR),
            buf(dInitial[0]),
            buf(dInitial[1]),
            buf(dRecurrentMask),
          );
          const gradient = (which: [number, number, number, number], shape: number[]) => () => {
            const g = output(shape);
            const at = which.indexOf(1);
            const targets: (Tensor | undefined)[] = [undefined, undefined, undefined, undefined];
            targets[at] = g;
            kernelBackend().addon.sequenceGradients(
              config,
              which,
              buf(x),
              buf(w),
              buf(rm),
              raw[0]!,
              raw[1]!,
              buf(dP),
              buf(dR),
              buf(targets[0]),
              buf(targets[1]),
              buf(targets[2]),
              buf(targets[3]),
            );
            return g;
          };
          const grads: GradientEntry[] = [
            gradient([1, 0, 0, 0], [batch, time, inputSize]),
            gradient([0, 1, 0, 0], kernel.shape),
            gradient([0, 0, 1, 0], recurrentKernel.shape),
          ];
          if (bias) grads.push(gradient([0, 0, 0, 1], bias.shape));
          grads.push(...dInitial.slice(0, initialState.length));
          if (recurrentMask) grads.push(dRecurrentMask);
          return grads;
        },
      },
      xs,
    );
    return { output: outputs[0]!, state: outputs.slice(1) };
  }
}

/** The native fused kernel of one built-in cell binding. */
export function nativeSequenceKernel(backend: TfjsBackend, binding: NativeCellBinding): TfjsFusedKernel {
  return new NativeSequenceKernel(backend, binding);
}

/**
 * The compiled kernel on native tensors, for every cell without a C++ kernel (plugins above all): the addon has no
 * code generator yet, so it runs the cpu backend's JavaScript generated from the cell's step on the tensors' values
 * read into host arrays, with the products on the addon's GEMM (`NativeGemm`, on those arrays in place; `JsGemm`
 * where the host addon does not load, under `@seqmodel/backend-cuda` without it, say). Without it a plugin cell would
 * run core's generic loop, op by op.
 */
export const nativeCompiledKernel = (backend: TfjsBackend): TfjsFusedKernel =>
  compiledSequenceKernel(backend, { gemm: hostGemm(), generator: javascriptGenerator });

/** The host addon's GEMM on JavaScript arrays, or `JsGemm` where the addon (or that function of it) is missing. */
function hostGemm(): GemmProvider {
  const addon = isAvailable().available ? nativeAddon() : undefined;
  return addon && hasHostGemm(addon) ? new NativeGemm(addon) : new JsGemm();
}

/**
 * The fused kernels `createNativeBackend()` uses by default: the C++ kernels by cell name, and under `*` the
 * compiled kernel for every other cell (core's kernel table tries `*` after the named ones).
 */
export const nativeFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = {
  ...Object.fromEntries(
    nativeCellBindings.map((binding) => [
      binding.cell.name,
      (backend: TfjsBackend) => nativeSequenceKernel(backend, binding),
    ]),
  ),
  [anyCell]: nativeCompiledKernel,
};
