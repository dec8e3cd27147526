/**
 * Fused whole-sequence kernels (kind `sequence`) for tfjs backends whose tensors live on a GPU (webgl, webgpu):
 * the input projection of every step in one product, then one program per time step that does the recurrent
 * products and the gate arithmetic together (`gpu-programs.ts`), with the step's time index as a uniform so the
 * shader compiles once. The backward pass through time is two programs per step (the recurrent products of the
 * gradient, then the gate derivatives), and the weight gradients are whole-sequence products. A backend supplies a
 * `StepLauncher`: its shading language and how it compiles and runs a program on its tensors.
 *
 * Everything stays on the GPU: records of each step are textures or buffers, gathered by a collecting program
 * (several records per launch) where a whole-sequence tensor is needed. Registered with `customGradient`, so
 * `valueAndGrads` runs the hand-written backward pass once; differentiable once, not twice.
 */
import {
  type AnyCellPlugin,
  assertSequenceFinite,
  builtInCells,
  checkSequenceArgs,
  resolveCellOptions,
  SeqmodelError,
  type SequenceArgs,
  type SequenceResult,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { customGradient, type GradientEntry } from '../custom-gradient.js';
import { anyCell } from '../fused/compiled-sequence-kernels.js';
import type { TfjsBackend, TfjsFusedKernel, TfjsFusedKernelEntry } from '../tfjs-backend.js';
import { gpuCompiledSequenceKernel } from './compiled/gpu-compiled-kernel.js';
import { builtInGpuCells, type ForwardRef, type GpuCell, type GradientRef, gpuCellFor } from './gpu-cells.js';
import {
  backwardDhProgram,
  backwardFields,
  backwardStepProgram,
  collectProgram,
  forwardFields,
  forwardStepProgram,
  postStepProgram,
  preStepProgram,
  type RunShape,
} from './gpu-programs.js';
import {
  isShaderActivation,
  type ShaderActivationName,
  shaderActivationNames,
} from './shader-activations.js';
import type { ShaderLang, StepProgram } from './shader-lang.js';

type Tensor = tf.Tensor;

/** How a GPU backend runs the step programs. */
export interface StepLauncher {
  readonly lang: ShaderLang;
  /** The most inputs one program may read (textures a fragment shader may sample, say). */
  readonly maxInputs: number;
  /**
   * Runs `program` (compiled once, on first use) on `inputs`, given in the order of `program.inputs` with those
   * element counts, setting its uniforms to `uniforms`; returns a new float32 tensor
   * `[program.outputRows, program.outputCols]` on the current tfjs backend.
   */
  run(program: StepProgram, inputs: readonly Tensor[], uniforms: readonly number[]): Tensor;
  /**
   * `t` in the layout the programs read (WebGL: an unpacked texture), or `t` itself when it already is; called once
   * per sequence for the inputs every step reads, so that no launch converts them step after step.
   */
  prepare(t: Tensor): Tensor;
}

function dtypeOf(x: unknown): string | undefined {
  return x instanceof tf.Tensor ? x.dtype : undefined;
}

/** Programs of one run configuration, made once and reused by every run with that configuration. */
interface RunPrograms {
  readonly pre: StepProgram | undefined;
  readonly forward: StepProgram;
  readonly backwardDh: StepProgram;
  readonly backwardStep: StepProgram;
  readonly post: StepProgram | undefined;
}

class GpuSequenceKernel implements TfjsFusedKernel {
  private readonly programs = new Map<string, RunPrograms>();
  private readonly collectors = new Map<string, StepProgram>();

  constructor(
    private readonly backend: TfjsBackend,
    private readonly gpuCell: GpuCell,
    private readonly launcher: StepLauncher,
  ) {}

  supports(args: SequenceArgs<Tensor>): string | undefined {
    const refusal = cellRefusal(this.gpuCell, args.cell, args.options);
    if (refusal !== undefined) return refusal;
    const params = typeof args.params === 'object' && args.params !== null ? args.params : {};
    const tensors: [string, unknown][] = [
      ['inputs', args.inputs],
      ...Object.entries(params).map(([n, p]): [string, unknown] => [`params.${n}`, p]),
      ...(Array.isArray(args.initialState) ? args.initialState : []).map((s, i): [string, unknown] => [
        `initialState[${i}]`,
        s,
      ]),
    ];
    for (const [name, t] of tensors) {
      const dtype = dtypeOf(t);
      if (dtype !== undefined && dtype !== 'float32')
        return `${name} is ${dtype}; the fused kernel takes float32`;
    }
    return this.inputLimitRefusal(args);
  }

  /** Why the step programs for `args` would read more tensors than the launcher allows, or undefined. */
  private inputLimitRefusal(args: SequenceArgs<Tensor>): string | undefined {
    const options = resolveCellOptions(this.gpuCell.cell, args.options);
    const cell = gpuCellFor(this.gpuCell, options);
    const params = typeof args.params === 'object' && args.params !== null ? args.params : {};
    const shape: RunShape = {
      batch: 1,
      time: 1,
      units: 1,
      activation: 'linear',
      recurrentActivation: 'linear',
      hasMask: args.mask !== undefined,
      hasRecurrentMask: args.recurrentMask !== undefined,
      hasRecurrentBias: cell.recurrentBias(options, params.bias !== undefined),
      returnSequences: args.returnSequences ?? false,
      zeroMaskedOutputs: false,
      training: true,
    };
    const programs = Object.values(this.programsFor(cell, shape)).filter(
      (p): p is StepProgram => p !== undefined,
    );
    const most = Math.max(...programs.map((p) => p.inputs.length));
    if (most <= this.launcher.maxInputs) return undefined;
    return `its step programs would read ${most} tensors, more than the ${this.launcher.maxInputs} one program may read here`;
  }

  private programsFor(cell: GpuCell, shape: RunShape): RunPrograms {
    const key = `${cell.pre ? 'staged ' : ''}${JSON.stringify(shape)}`;
    let programs = this.programs.get(key);
    if (programs === undefined) {
      programs = {
        pre: cell.pre ? preStepProgram(cell, shape) : undefined,
        forward: forwardStepProgram(cell, shape),
        backwardDh: backwardDhProgram(cell, shape),
        backwardStep: backwardStepProgram(cell, shape),
        post: cell.post ? postStepProgram(cell, shape) : undefined,
      };
      this.programs.set(key, programs);
    }
    return programs;
  }

  /**
   * Fields `fields` of `records` (each `[batch, recordFields * units]`) side by side, `[batch, records.length *
   * fields.length * units]`, in as few launches as the launcher's input limit allows.
   */
  private collect(
    records: readonly Tensor[],
    recordFields: number,
    fields: readonly number[],
    units: number,
  ): Tensor {
    const batch = records[0]!.shape[0]!;
    const chunks: Tensor[] = [];
    for (let start = 0; start < records.length; start += this.launcher.maxInputs) {
      const part = records.slice(start, start + this.launcher.maxInputs);
      const key = `${batch},${units},${recordFields},${fields.join('.')},${part.length}`;
      let program = this.collectors.get(key);
      if (program === undefined) {
        program = collectProgram(batch, units, recordFields, fields, part.length);
        this.collectors.set(key, program);
      }
      chunks.push(this.launcher.run(program, part, []));
    }
    return chunks.length === 1 ? chunks[0]! : tf.concat(chunks, 1);
  }

  run(args: SequenceArgs<Tensor>): SequenceResult<Tensor> {
    const { backend, launcher } = this;
    const info = checkSequenceArgs(backend, args);
    if (backend.checkNumerics) assertSequenceFinite(backend, args);
    const reason = this.supports(args);
    if (reason !== undefined) throw new SeqmodelError(`${this.gpuCell.cell.name} fused kernel: ${reason}`);
    const { batch, time } = info;
    const { inputSize, units, options } = info.dims;
    const cell = gpuCellFor(this.gpuCell, options);
    const gu = cell.gates * units;
    const bias = args.params.bias;
    const initialState = args.initialState ?? [];
    const recurrentMask = args.recurrentMask;
    const mask = args.mask;
    const goBackwards = args.goBackwards ?? false;
    const returnSequences = args.returnSequences ?? false;
    const hasRecurrentBias = cell.recurrentBias(options, bias !== undefined);
    const timeOf = (s: number) => (goBackwards ? time - 1 - s : s);
    const xs: Tensor[] = [args.inputs, args.params.kernel!, args.params.recurrentKernel!];
    if (bias) xs.push(bias);
    xs.push(...initialState);
    if (recurrentMask) xs.push(recurrentMask);
    const shapeFor = (training: boolean): RunShape => ({
      batch,
      time,
      units,
      activation: options.activation as ShaderActivationName,
      recurrentActivation: (options.recurrentActivation ?? options.activation) as ShaderActivationName,
      hasMask: mask !== undefined,
      hasRecurrentMask: recurrentMask !== undefined,
      hasRecurrentBias,
      returnSequences,
      zeroMaskedOutputs: args.zeroMaskedOutputs ?? false,
      training,
    });
    const zeros = () => tf.zeros([batch, units]);
    const maskF = mask === undefined ? undefined : mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32');
    const field = (record: Tensor, index: number) => tf.slice(record, [0, index * units], [batch, units]);
    const preFields = cell.pre?.fields.length ?? 0;
    let shape: RunShape | undefined;

    const outputs = customGradient(
      {
        name: `${cell.cell.name} fused kernel`,
        forward: (_inputs, save, { recordsGradient }) => {
          shape = shapeFor(recordsGradient);
          const { pre, forward } = this.programsFor(cell, shape);
          const fields = forwardFields(cell, shape);
          const xw = tf.matMul(tf.reshape(args.inputs, [batch * time, inputSize]), args.params.kernel!);
          let inputBias: Tensor | undefined = bias;
          if (bias && hasRecurrentBias) inputBias = tf.reshape(tf.slice(bias, [0, 0], [1, gu]), [gu]);
          const projection = launcher.prepare(
            tf.reshape(inputBias ? tf.add(xw, inputBias) : xw, [batch, time * gu]),
          );
          const recurrentBias = hasRecurrentBias ? tf.slice(bias!, [1, 0], [1, gu]) : undefined;
          const rk = launcher.prepare(args.params.recurrentKernel!);
          const initial = tf.concat(
            fields.map((_, k) => (k < cell.states ? (initialState[k] ?? zeros()) : zeros())),
            1,
          );
          const records = [initial];
          const auxiliary: Tensor[] = [];
          // Made once per sequence and saved for the backward programs, which read the same masks.
          const masks = maskTensors(maskF, recurrentMask).map((t) => launcher.prepare(t));
          const extra = [...(recurrentBias ? [launcher.prepare(recurrentBias)] : []), ...masks];
          // Inference of the last step only keeps one step's records: the earlier ones are freed as it goes, so that
          // memory does not grow with the sequence's length (training and returnSequences read every step's).
          const keepAll = recordsGradient || returnSequences;
          for (let s = 0; s < time; s++) {
            const tau = [timeOf(s)];
            const aux = pre ? [launcher.run(pre, [records[s]!, projection, rk, ...extra], tau)] : [];
            records.push(launcher.run(forward, [records[s]!, projection, rk, ...aux, ...extra], tau));
            if (keepAll) auxiliary.push(...aux);
            else tf.dispose([records[s]!, ...aux]);
          }
          const last = records[time]!;
          const outField = shape.hasMask ? fields.indexOf('out') : 0;
          const output = returnSequences
            ? tf.reshape(this.collect(records.slice(1), fields.length, [outField], units), [
                batch,
                time,
                units,
              ])
            : field(last, outField);
          if (recordsGradient) save([...records, ...auxiliary, ...masks]);
          return [output, ...Array.from({ length: cell.states }, (_, k) => field(last, k))];
        },
        backward: ([dOutput, ...dStates], saved) => {
          const runShape = shape!;
          const { backwardDh, backwardStep, post } = this.programsFor(cell, runShape);
          const records = saved.slice(0, time + 1);
          const auxiliary = cell.pre ? saved.slice(time + 1, 2 * time + 1) : [];
          const fFields = forwardFields(cell, runShape);
          const bFields = backwardFields(cell);
          const carry = bFields.indexOf('carry');
          const initial = tf.concat(
            bFields.map((name, k) => {
              const state = cell.previousStateGradients.indexOf(name);
              if (state >= 0) return dStates[state + 1]!;
              return k === carry && !returnSequences ? dOutput! : zeros();
            }),
            1,
          );
          const dOut = returnSequences
            ? launcher.prepare(tf.reshape(dOutput!, [batch, time * units]))
            : undefined;
          const maskInputs = saved.slice(cell.pre ? 2 * time + 1 : time + 1);
          const rk = launcher.prepare(args.params.recurrentKernel!);
          const backs: Tensor[] = new Array(time);
          const posts: Tensor[] = new Array(time);
          // Step s's records as the dh program reads them: forward (for a direct term), post-stage, auxiliary.
          const readsForward = cell.direct.some((x) => x.factor.record === 'F');
          const later = (s: number) => [
            ...(readsForward ? [records[s + 1]!] : []),
            ...(post ? [posts[s]!] : []),
            ...(cell.pre ? [auxiliary[s]!] : []),
          ];
          let dhAfter = dStates[0]!;
          let dNext = initial;
          for (let s = time - 1; s >= 0; s--) {
            if (s < time - 1) {
              const inputs = [dNext, dhAfter, rk, ...later(s + 1), ...maskInputs];
              dhAfter = launcher.run(backwardDh, inputs, [timeOf(s + 1)]);
            }
            const aux = cell.pre ? [auxiliary[s]!] : [];
            const inputs = [
              dhAfter,
              dNext,
              records[s + 1]!,
              records[s]!,
              ...aux,
              ...(dOut ? [dOut] : []),
              ...maskInputs,
            ];
            backs[s] = launcher.run(backwardStep, inputs, [timeOf(s), s]);
            if (post)
              posts[s] = launcher.run(post, [backs[s]!, rk, records[s]!, ...aux, ...maskInputs], [timeOf(s)]);
            dNext = backs[s]!;
          }
          const dh0 = launcher.run(backwardDh, [dNext, dhAfter, rk, ...later(0), ...maskInputs], [timeOf(0)]);
          // Whole-sequence tensors in time order (tau), rows b * time + tau. Made here rather than in the gradient
          // functions: tfjs frees what each of those makes when it returns, and several of them share these.
          const inTimeOrder = (t: Tensor, width: number) => {
            const seq = tf.reshape(t, [batch, time, width]);
            return tf.reshape(goBackwards ? tf.reverse(seq, 1) : seq, [batch * time, width]);
          };
          const gather = (refs: readonly GradientRef[]): Tensor => {
            const fromD = refs.every((r) => r.record === 'D');
            if (fromD)
              return inTimeOrder(
                this.collect(
                  backs,
                  bFields.length,
                  refs.map((r) => bFields.indexOf(r.name)),
                  units,
                ),
                refs.length * units,
              );
            return tf.concat(refs.map(gatherOne), 1);
          };
          const gatherOne = (r: GradientRef): Tensor =>
            r.record === 'D'
              ? inTimeOrder(this.collect(backs, bFields.length, [bFields.indexOf(r.name)], units), units)
              : inTimeOrder(
                  this.collect(posts, cell.post!.fields.length, [cell.post!.fields.indexOf(r.name)], units),
                  units,
                );
          const dRecurrent = gather(cell.recurrentGradient);
          const sameBlocks =
            cell.projectionGradient.length === cell.recurrentGradient.length &&
            cell.projectionGradient.every((r, g) => r.name === cell.recurrentGradient[g]!.name);
          const dProjection = sameBlocks ? dRecurrent : gather(cell.projectionGradient);
          // h before each step, raw and times the recurrent mask.
          const previousH = inTimeOrder(
            this.collect(records.slice(0, time), fFields.length, [0], units),
            units,
          );
          const previousInputs = recurrentMask
            ? tf.mul(
                previousH,
                tf.reshape(tf.tile(tf.expandDims(recurrentMask, 1), [1, time, 1]), [batch * time, units]),
              )
            : previousH;
          const forwardFactor = (ref: ForwardRef) =>
            ref.record === 'F'
              ? inTimeOrder(
                  this.collect(records.slice(1), fFields.length, [fFields.indexOf(ref.name)], units),
                  units,
                )
              : inTimeOrder(
                  this.collect(auxiliary, preFields, [cell.pre!.fields.indexOf(ref.name)], units),
                  units,
                );
          const x2 = () => tf.reshape(args.inputs, [batch * time, inputSize]);
          const rkInput = () => {
            const width = cell.recurrentGradient.length * units;
            const u = args.params.recurrentKernel!;
            return width === gu ? u : tf.slice(u, [0, 0], [units, width]);
          };
          const grads: GradientEntry[] = [
            () =>
              tf.reshape(tf.matMul(dProjection, args.params.kernel!, false, true), [batch, time, inputSize]),
            () => tf.matMul(x2(), dProjection, true, false),
            () => {
              const fromInput = tf.matMul(previousInputs, dRecurrent, true, false);
              const product = cell.pre?.product;
              if (product === undefined) return fromInput;
              // The block whose left operand the pre stage made: (its field)ᵀ · d projection's block.
              const left = forwardFactor({ record: 'Q', name: product.field });
              const block = tf.slice(dProjection, [0, product.gate * units], [batch * time, units]);
              return tf.concat([fromInput, tf.matMul(left, block, true, false)], 1);
            },
          ];
          if (bias) {
            grads.push(() => {
              const dInput = tf.sum(dProjection, 0);
              if (!hasRecurrentBias) return tf.reshape(dInput, bias.shape);
              return tf.stack([dInput, tf.sum(dRecurrent, 0)]);
            });
          }
          initialState.forEach((_, k) => {
            if (k === 0) grads.push(dh0);
            else {
              const name = cell.previousStateGradients[k - 1]!;
              grads.push(() => field(backs[0]!, bFields.indexOf(name)));
            }
          });
          if (recurrentMask) {
            grads.push(() => {
              // d loss / d h̃ of every step (zero at masked steps, whose gradients are zero), times raw h.
              let dTilde = tf.matMul(dRecurrent, rkInput(), false, true);
              for (const { gradient, factor } of cell.direct) {
                dTilde = tf.add(dTilde, tf.mul(gatherOne(gradient), forwardFactor(factor)));
              }
              return tf.sum(tf.reshape(tf.mul(dTilde, previousH), [batch, time, units]), 1);
            });
          }
          return grads;
        },
      },
      xs,
    );
    return { output: outputs[0]!, state: outputs.slice(1) };
  }
}

/** The step mask and the recurrent dropout mask as the programs take them (`masksOf` in `gpu-programs.ts`). */
function maskTensors(mask: Tensor | undefined, recurrentMask: Tensor | undefined): Tensor[] {
  if (mask && recurrentMask) return [tf.concat([mask, recurrentMask], 1)];
  return [mask, recurrentMask].filter((t): t is Tensor => t !== undefined);
}

/**
 * Why the programs of `gpuCell` cannot run `cell` with `options`, or undefined when they can: the cell must be the
 * one they were written for (compared by identity: a plugin that reuses the name is not it), and every activation
 * option one the shaders implement.
 */
function cellRefusal(
  gpuCell: GpuCell,
  cell: AnyCellPlugin | undefined,
  options: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  const own = gpuCell.cell;
  if (cell !== own) {
    const which = builtInCells.includes(own)
      ? `@seqmodel/core's built-in ${own.name}`
      : `the cell ${own.name}`;
    return `cell ${JSON.stringify(cell?.name)} is not ${which} (the GPU kernel implements only that one)`;
  }
  const resolved = resolveCellOptions(own, options);
  const activationOptions = gpuCell.gates > 1 ? ['activation', 'recurrentActivation'] : ['activation'];
  for (const name of activationOptions) {
    if (!isShaderActivation(resolved[name])) {
      return `${name} ${JSON.stringify(resolved[name])} has no shader implementation (implemented: ${shaderActivationNames.join(', ')})`;
    }
  }
  return undefined;
}

/** The GPU sequence kernel of one cell on `backend`, running its programs with `launcher`. */
export function gpuSequenceKernel(
  backend: TfjsBackend,
  gpuCell: GpuCell,
  launcher: StepLauncher,
): TfjsFusedKernel {
  return new GpuSequenceKernel(backend, gpuCell, launcher);
}

/**
 * The GPU kernels for simpleRNN, LSTM and GRU, keyed by cell name, and the compiled GPU kernel for every other cell
 * the compiler accepts (plugins), under `*` (`gpuCompiledSequenceKernel`), ready for a backend factory's built-in
 * kernels (`factoryKernelOptions`), with the step programs run by `launcher(backend)`.
 *
 * @example
 * const kernels = gpuFusedKernels((backend) => new GlslLauncher(backend));
 */
export function gpuFusedKernels(
  launcher: (backend: TfjsBackend) => StepLauncher,
): Record<string, TfjsFusedKernelEntry> {
  const entries: Record<string, TfjsFusedKernelEntry> = {};
  for (const gpuCell of builtInGpuCells) {
    entries[gpuCell.cell.name] = (backend) => gpuSequenceKernel(backend, gpuCell, launcher(backend));
  }
  entries[anyCell] = (backend) => gpuCompiledSequenceKernel(backend, launcher(backend));
  return entries;
}
