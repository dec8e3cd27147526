/**
 * The compiled `sequence` kernel of the GPU backends (webgl, webgpu, cuda): any cell core's compiler accepts (plugins
 * included), fused. The plan's elementwise passes become step programs (`plan-programs.ts`) launched once per step
 * each (`plan-runner.ts`), their per-step products computed inline; the input products of all steps, the weight
 * gradients (Σ_t leftᵀ·dOut) and the statics are tfjs ops on whole-sequence tensors, once per sequence. Registered
 * under `*`: a cell with a hand-written GPU kernel (simpleRNN, LSTM, GRU) keeps it.
 *
 * `supports` declines with the compiler's reason, or when one of the programs would read more tensors than the
 * launcher allows (found by a dry run of the step loop); the generic loop runs then.
 */
import {
  assertSequenceFinite,
  CompileDecline,
  checkSequenceArgs,
  type PlanStatic,
  replayStatic,
  SeqmodelError,
  type SequenceArgs,
  type SequencePlan,
  type SequenceResult,
  type TraceLeaf,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { customGradient } from '../../custom-gradient.js';
import { compilePlans, float32Refusal, type Plans } from '../../fused/compiled-sequence-kernels.js';
import type { TfjsBackend, TfjsFusedKernel } from '../../tfjs-backend.js';
import type { StepLauncher } from '../gpu-sequence-kernel.js';
import type { ProgramInput, StepProgram } from '../shader-lang.js';
import {
  type Binding,
  forEachView,
  mapTensors,
  readsStepRows,
  type Sized,
  type ViewBinding,
  view,
  zero,
} from './bindings.js';
import { gatherSpec, type ProgramSpec, specProgram } from './plan-programs.js';
import {
  type Launch,
  type OutputGradient,
  PlanRunner,
  type RunnerConfig,
  type RunnerInputs,
} from './plan-runner.js';

type Tensor = tf.Tensor;

/** `spec` with its tensors numbered in reading order, the program inputs they are, and a cache key. */
function slot<H>(spec: ProgramSpec<H>): {
  spec: ProgramSpec<number>;
  tensors: H[];
  inputs: ProgramInput[];
  key: string;
} {
  const index = new Map<H, number>();
  const tensors: H[] = [];
  const inputs: ProgramInput[] = [];
  const register = (v: ViewBinding<H>) => {
    if (index.has(v.tensor)) return;
    index.set(v.tensor, tensors.length);
    inputs.push({ name: `in${tensors.length}`, rows: v.rows, cols: v.cols });
    tensors.push(v.tensor);
  };
  const reads = [...spec.reads].sort(([a], [b]) => a - b);
  for (const [, b] of reads) forEachView(b, register);
  for (const s of spec.segments) {
    for (const b of [s.base, s.value, s.masked]) if (b) forEachView(b, register);
  }
  if (spec.mask) register(spec.mask);
  const f = (t: H) => index.get(t)!;
  const slotted: ProgramSpec<number> = {
    name: spec.name,
    batch: spec.batch,
    time: spec.time,
    ...(spec.pass ? { pass: spec.pass } : {}),
    segments: spec.segments.map((s) => ({
      width: s.width,
      stores: s.stores,
      ...(s.base ? { base: mapTensors(s.base, f) } : {}),
      ...(s.value ? { value: mapTensors(s.value, f) } : {}),
      masked: mapTensors(s.masked, f),
    })),
    reads: new Map(reads.map(([id, b]) => [id, mapTensors(b, f)])),
    ...(spec.mask ? { mask: mapTensors(spec.mask, f) as ViewBinding<number> } : {}),
  };
  const key = JSON.stringify([
    slotted.name,
    slotted.batch,
    slotted.time,
    inputs,
    slotted.segments,
    [...slotted.reads],
    slotted.mask ?? null,
  ]);
  return { spec: slotted, tensors, inputs, key };
}

/**
 * Views of the first `count` states' values (initial states, or the gradients of the final ones), side by side in
 * the one tensor `make` makes: a program reading several states reads one input.
 */
function sideBySide<H extends Sized>(
  plan: SequencePlan,
  batch: number,
  count: number,
  make: (cols: number) => H,
): (ViewBinding<H> | undefined)[] {
  const sizes = plan.states.slice(0, count).map((s) => s.size);
  const cols = sizes.reduce((n, w) => n + w, 0);
  const tensor = count > 0 ? make(cols) : undefined;
  let offset = 0;
  return plan.states.map((s, k) => {
    if (k >= count) return undefined;
    const v = view(tensor!, batch, cols, 'batch', offset);
    offset += s.size;
    return v;
  });
}

/** `[rows, Σ cols]`: the tensors side by side (one of them as it is). */
function sideBySideTensor(tensors: readonly Tensor[]): Tensor {
  return tensors.length === 1 ? tensors[0]! : tf.concat([...tensors], 1);
}

/** A stand-in tensor for the dry run. */
interface Stub extends Sized {
  readonly id: number;
}

/** A static as a matrix: `[k, n]` as it is, any other shape as one row. */
function matrixShape(shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  return [1, shape.reduce((n, d) => n * d, 1)];
}

class GpuCompiledKernel implements TfjsFusedKernel {
  readonly label: string;
  private readonly programs = new WeakMap<SequencePlan, Map<string, StepProgram>>();
  private readonly dryRuns = new WeakMap<SequencePlan, Map<string, string | undefined>>();

  constructor(
    private readonly backend: TfjsBackend,
    private readonly launcher: StepLauncher,
  ) {
    this.label = `compiled (${launcher.lang.name})`;
  }

  supports(args: SequenceArgs<Tensor>): string | undefined {
    const refusal = float32Refusal(args);
    if (refusal !== undefined) return refusal;
    const plans = compilePlans(args);
    if (typeof plans === 'string') return plans === 'malformed arguments' ? undefined : plans;
    return this.dryRun(plans.training, args) ?? this.dryRun(plans.inference, args);
  }

  /**
   * Why the step loop of `plan` cannot run with the options of `args`: a program reading too many tensors, or one
   * whose source cannot be written (a constant with no shader literal).
   */
  private dryRun(plan: SequencePlan, args: SequenceArgs<Tensor>): string | undefined {
    const initial = Array.isArray(args.initialState) ? args.initialState.length : 0;
    const key = JSON.stringify([
      args.mask !== undefined,
      initial,
      args.returnSequences ?? false,
      args.zeroMaskedOutputs ?? false,
    ]);
    let cache = this.dryRuns.get(plan);
    if (!cache) {
      cache = new Map();
      this.dryRuns.set(plan, cache);
    }
    if (cache.has(key)) return cache.get(key);
    let id = 0;
    const stub = (rows: number, cols: number): Stub => ({ id: id++, size: rows * cols });
    const time = 3;
    const { batch } = plan;
    const stubView = (rows: number, cols: number, rowMode: ViewBinding<Stub>['rowMode'] = 'batch') =>
      view(stub(rows, cols), rows, cols, rowMode);
    const inputs = this.runnerInputs(plan, batch, time, args.mask !== undefined, initial, {
      x: () => stubView(batch * time, plan.inputSize, 'tau'),
      products: () => stub(batch * time, 1),
      pack: (rows, cols) => stub(rows, cols),
      states: (cols) => stub(batch, cols),
    });
    let reason: string | undefined;
    const launch: Launch<Stub> = (spec) => {
      const { spec: slotted, tensors, inputs } = slot(spec);
      if (tensors.length > this.launcher.maxInputs && reason === undefined) {
        reason = `its program ${spec.name} would read ${tensors.length} tensors, more than the ${this.launcher.maxInputs} one program may read here`;
      }
      // The source written here, once per plan and options, declines what a launch would fail on.
      if (reason === undefined) {
        try {
          specProgram(slotted, inputs).source(this.launcher.lang);
        } catch (error) {
          if (!(error instanceof CompileDecline)) throw error;
          reason = `its program ${spec.name} cannot be written: ${error.message}`;
        }
      }
      return stub(
        batch,
        spec.segments.reduce((n, s) => n + s.width, 0),
      );
    };
    const config: RunnerConfig = {
      batch,
      time,
      goBackwards: false,
      returnSequences: args.returnSequences ?? false,
      zeroMaskedOutputs: args.zeroMaskedOutputs ?? false,
      maxInputs: this.launcher.maxInputs,
    };
    // An internal error of the runner on this plan declines the kernel (the generic loop runs) instead of failing
    // the kernel's selection.
    try {
      const runner = new PlanRunner(plan, config, inputs, launch);
      runner.forward();
      if (plan.backward) {
        const size = plan.output.size;
        const dOutput: OutputGradient<Stub> = config.returnSequences
          ? { sequences: stubView(batch * time, size, 'step') }
          : { last: stubView(batch, size) };
        runner.backward(
          dOutput,
          sideBySide(plan, batch, plan.states.length, (cols) => stub(batch, cols)),
        );
      }
    } catch (error) {
      reason ??= `its GPU step programs could not be laid out: ${error instanceof Error ? error.message : String(error)}`;
    }
    cache.set(key, reason);
    return reason;
  }

  /** The runner's inputs for `plan`, made by `make`. */
  private runnerInputs<H extends Sized>(
    plan: SequencePlan,
    batch: number,
    time: number,
    masked: boolean,
    initialStates: number,
    make: {
      x(): ViewBinding<H>;
      /** Every input product, side by side: `[batch * time, Σ widths]`. */
      products(): H;
      /**
       * `[rows, cols]`: the statics `group` (each as a matrix), then the step mask `[batch, time]` in runs with one,
       * side by side, zeros below.
       */
      pack(rows: number, cols: number, group: readonly PlanStatic[]): H;
      /** The initial states side by side, `[batch, Σ sizes]` (one input for a program, however many states). */
      states(cols: number): H;
    },
  ): RunnerInputs<H> {
    const constants = new Map<number, Binding<H>>();
    if (plan.inputs !== undefined) constants.set(plan.inputs, make.x());
    if (plan.inputProducts.length > 0) {
      const total = plan.inputProducts.reduce((n, p) => n + plan.buffers[p.out]!.width, 0);
      const products = make.products();
      let offset = 0;
      for (const p of plan.inputProducts) {
        constants.set(p.out, view(products, batch * time, total, 'tau', offset));
        offset += plan.buffers[p.out]!.width;
      }
    }
    // The statics the programs read and the step mask, side by side in one tensor (zero rows below the shorter
    // ones): a program reads a few tensors at most (WebGPU's 7).
    const used = new Set<number>();
    for (const s of plan.statics) if (s.buffer !== undefined) used.add(s.index);
    for (const stage of [...plan.forward, ...(plan.backward?.stages ?? [])])
      if (stage.kind === 'product') used.add(stage.right);
    const group = plan.statics.filter((s) => used.has(s.index));
    const shapes = group.map((s) => matrixShape(s.shape));
    if (masked) shapes.push([batch, time]);
    const statics: (ViewBinding<H> | undefined)[] = plan.statics.map(() => undefined);
    let mask: ViewBinding<H> | undefined;
    if (shapes.length > 0) {
      const rows = Math.max(...shapes.map(([r]) => r));
      const cols = shapes.reduce((n, [, c]) => n + c, 0);
      const tensor = make.pack(rows, cols, group);
      let offset = 0;
      group.forEach((s, i) => {
        const rowMode = s.layout === 'full' ? 'batch' : 'single';
        statics[s.index] = view(tensor, rows, cols, rowMode, offset);
        offset += shapes[i]![1];
      });
      if (masked) mask = view(tensor, rows, cols, 'batch', offset);
    }
    for (const s of plan.statics) if (s.buffer !== undefined) constants.set(s.buffer, statics[s.index]!);
    return {
      constants,
      statics: plan.statics.map((s, i) => (s.shape.length === 2 ? statics[i] : undefined)),
      initialState: sideBySide(plan, batch, initialStates, make.states),
      ...(mask ? { mask } : {}),
    };
  }

  private launchFor(plan: SequencePlan): Launch<Tensor> {
    let cache = this.programs.get(plan);
    if (!cache) {
      cache = new Map();
      this.programs.set(plan, cache);
    }
    const programs = cache;
    return (spec, uniforms) => {
      const { spec: slotted, tensors, inputs, key } = slot(spec);
      if (tensors.length > this.launcher.maxInputs) {
        throw new SeqmodelError(
          `compiled GPU kernel: ${spec.name} reads ${tensors.length} tensors, more than ${this.launcher.maxInputs} (internal error: supports should have declined)`,
        );
      }
      let program = programs.get(key);
      if (!program) {
        program = specProgram(slotted, inputs);
        programs.set(key, program);
      }
      const values = program.uniforms.map((u) => (u === 'tau' ? uniforms.tau : uniforms.stepIndex));
      return this.launcher.run(program, tensors, values);
    };
  }

  run(args: SequenceArgs<Tensor>): SequenceResult<Tensor> {
    const { backend, launcher } = this;
    const info = checkSequenceArgs(backend, args);
    if (backend.checkNumerics) assertSequenceFinite(backend, args);
    const reason = this.supports(args);
    if (reason !== undefined) throw new SeqmodelError(`${args.cell.name} compiled GPU kernel: ${reason}`);
    const plans = compilePlans(args) as Plans;
    const { batch, time, dims } = info;
    const { inputSize } = dims;
    const leaves = (leaf: TraceLeaf): Tensor => {
      if (leaf.kind === 'param') return args.params[leaf.name]!;
      if (leaf.kind === 'recurrentMask') return args.recurrentMask!;
      throw new SeqmodelError(`compiled GPU kernel: a static leaf ${leaf.kind} (internal error)`);
    };
    const statics = plans.training.statics;
    const replayed = new Map<unknown, unknown>();
    const staticTensors = statics.map((s) => replayStatic(backend, s.node, leaves, replayed) as Tensor);
    const initialState = args.initialState ?? [];
    const xs: Tensor[] = [args.inputs, ...staticTensors, ...initialState];
    const returnSequences = args.returnSequences ?? false;
    const config: RunnerConfig = {
      batch,
      time,
      goBackwards: args.goBackwards ?? false,
      returnSequences,
      zeroMaskedOutputs: args.zeroMaskedOutputs ?? false,
      maxInputs: this.launcher.maxInputs,
    };
    const outputSize = info.outputSize;
    let runner: PlanRunner<Tensor> | undefined;
    let kept: Tensor[] = [];
    const x2 = () => tf.reshape(args.inputs, [batch * time, inputSize]);
    const asMatrix = (t: Tensor) => tf.reshape(t, matrixShape(t.shape));

    const outputs = customGradient(
      {
        name: `${args.cell.name} compiled GPU kernel`,
        forward: (_inputs, save, { recordsGradient }) => {
          const plan = recordsGradient ? plans.training : plans.inference;
          // Inference of the last step only frees each step's launches once no later step reads them, so that memory
          // does not grow with the sequence's length (training and returnSequences read every step's).
          const freeAsItGoes = !recordsGradient && !returnSequences;
          const launched: Tensor[] = [];
          const planLaunch = this.launchFor(plan);
          const launch: Launch<Tensor> = freeAsItGoes
            ? (spec, uniforms) => {
                const out = planLaunch(spec, uniforms);
                launched.push(out);
                return out;
              }
            : planLaunch;
          const afterStep = (live: ReadonlySet<Tensor>) => {
            const stillRead = launched.filter((t) => live.has(t));
            tf.dispose(launched.filter((t) => !live.has(t)));
            launched.splice(0, launched.length, ...stillRead);
          };
          const staticOf = (s: PlanStatic) => replayed.get(s.node) as Tensor;
          const mask = args.mask;
          const inputs = this.runnerInputs<Tensor>(
            plan,
            batch,
            time,
            mask !== undefined,
            initialState.length,
            {
              x: () => view(launcher.prepare(x2()), batch * time, inputSize, 'tau'),
              products: () => {
                const x = x2();
                const products = plan.inputProducts.map((p) =>
                  tf.matMul(x, asMatrix(staticOf(plan.statics[p.right]!)), false, p.transposeRight),
                );
                return launcher.prepare(sideBySideTensor(products));
              },
              pack: (rows, _cols, group) => {
                const parts = group.map((s) => tf.reshape(staticOf(s), matrixShape(s.shape)));
                if (mask) parts.push(mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32'));
                const padded = parts.map((t) =>
                  t.shape[0] === rows
                    ? t
                    : tf.pad(t, [
                        [0, rows - t.shape[0]!],
                        [0, 0],
                      ]),
                );
                return launcher.prepare(sideBySideTensor(padded));
              },
              states: () => launcher.prepare(sideBySideTensor(initialState)),
            },
          );
          const r = new PlanRunner(plan, config, inputs, launch);
          runner = r;
          r.forward(freeAsItGoes ? afterStep : undefined);
          const output = returnSequences
            ? tf.reshape(this.gather(r, launch, r.outputs, outputSize, false), [batch, time, outputSize])
            : this.tensorOf(r, r.outputs[time - 1]!, outputSize);
          const states = plan.states.map((s, k) => this.tensorOf(r, r.finalStates[k]!, s.size));
          if (recordsGradient) {
            // The statics too: the backward pass multiplies by them, and those computed here (x·(2W)'s 2W) are freed
            // with the kernel's scope unless tfjs keeps them.
            kept = [...new Set([...r.forwardTensors(), ...staticTensors])];
            save(kept);
          }
          return [output, ...states];
        },
        backward: ([dOutput, ...dStates], saved) => {
          const r = runner!;
          const plan = plans.training;
          const launch = this.launchFor(plan);
          const copies = new Map(kept.map((t, i) => [t, saved[i]!]));
          r.remapForward((t) => copies.get(t) ?? t);
          const staticAt = (i: number) => copies.get(staticTensors[i]!) ?? staticTensors[i]!;
          const dOut: OutputGradient<Tensor> = returnSequences
            ? {
                sequences: view(
                  launcher.prepare(tf.reshape(dOutput!, [batch * time, outputSize])),
                  batch * time,
                  outputSize,
                  'step',
                ),
              }
            : { last: view(launcher.prepare(dOutput!), batch, outputSize) };
          r.backward(
            dOut,
            sideBySide(plan, batch, plan.states.length, () =>
              launcher.prepare(sideBySideTensor(dStates as Tensor[])),
            ),
          );
          const backward = plan.backward!;
          const steps = (records: Map<number, Binding<Tensor>>[], id: number, width: number) =>
            this.gather(
              r,
              launch,
              records.map((rec) => rec.get(id) ?? zero),
              width,
              true,
            );
          const width = (id: number) => plan.buffers[id]!.width;
          const fromBackward = (id: number) => steps(r.backwardRecords, id, width(id));
          // Once per buffer: a left operand shared by products is gathered (and, reading its step, copied) once.
          const gatheredForward = new Map<number, Tensor>();
          const fromForward = (id: number) => {
            let t = gatheredForward.get(id);
            if (t === undefined) {
              t = steps(r.forwardRecords, id, width(id));
              gatheredForward.set(id, t);
            }
            return t;
          };
          const dProducts = backward.inputProductGradients.map((d) =>
            d === undefined ? undefined : fromBackward(d),
          );
          // The input gradient only when it is asked for (training a first layer does not): tfjs calls this while the
          // tensors above are alive (its gradient scope frees them after every input's gradient is taken).
          const dInputs = (): Tensor => {
            const xTerms: Tensor[] = [];
            if (backward.inputGradient !== undefined) xTerms.push(fromBackward(backward.inputGradient));
            plan.inputProducts.forEach((p, j) => {
              const dZ = dProducts[j];
              if (!dZ) return;
              xTerms.push(tf.matMul(dZ, asMatrix(staticAt(p.right)), false, !p.transposeRight));
            });
            return tf.reshape(xTerms.length === 0 ? tf.zeros([batch * time, inputSize]) : tf.addN(xTerms), [
              batch,
              time,
              inputSize,
            ]);
          };
          // Static gradients.
          const terms: Tensor[][] = statics.map(() => []);
          plan.inputProducts.forEach((p, j) => {
            const dZ = dProducts[j];
            if (!dZ) return;
            terms[p.right]!.push(
              p.transposeRight ? tf.matMul(dZ, x2(), true, false) : tf.matMul(x2(), dZ, true, false),
            );
          });
          // An input product's result is made before the loop, for all steps at once: no step records it.
          const inputProductOf = new Map(plan.inputProducts.map((p) => [p.out, p]));
          const leftOverSteps = (id: number): Tensor => {
            const p = inputProductOf.get(id);
            if (!p) return fromForward(id);
            return tf.matMul(x2(), asMatrix(staticAt(p.right)), false, p.transposeRight);
          };
          for (const p of backward.productGradients) {
            const left = leftOverSteps(p.left);
            const d = fromBackward(p.dOut);
            terms[p.right]!.push(
              p.transposeRight ? tf.matMul(d, left, true, false) : tf.matMul(left, d, true, false),
            );
          }
          for (const g of backward.staticGradients) {
            const w = width(g.buffer);
            const c = fromBackward(g.buffer);
            const total =
              g.layout === 'scalar'
                ? tf.sum(c)
                : g.layout === 'column'
                  ? tf.sum(c, 0)
                  : tf.sum(tf.reshape(c, [batch, time, w]), 1);
            terms[g.static]!.push(total);
          }
          const staticGrads = statics.map((_, i) => {
            const shape = staticTensors[i]!.shape;
            const list = terms[i]!;
            if (list.length === 0) return tf.zeros(shape);
            return tf.reshape(tf.addN(list.map((t) => tf.reshape(t, shape))), shape);
          });
          const stateGrads = initialState.map((s, k) =>
            this.tensorOf(r, r.initialStateGradients[k]!, s.shape[1]!),
          );
          return [dInputs, ...staticGrads, ...stateGrads];
        },
      },
      xs,
    );
    return { output: outputs[0]!, state: outputs.slice(1) };
  }

  /** `binding` as a `[batch, width]` tensor. */
  private tensorOf(r: PlanRunner<Tensor>, binding: Binding<Tensor>, width: number): Tensor {
    const { batch } = r.config;
    if (binding.kind === 'zero') return tf.zeros([batch, width]);
    if (
      binding.kind === 'view' &&
      binding.rowMode === 'batch' &&
      binding.offset === 0 &&
      binding.cols === width
    )
      return binding.tensor;
    return r.materialize(binding, width, `${r.plan.cell} result`, true).tensor;
  }

  /**
   * The bindings of every step (`parts[s]`, each `[batch, width]`) as one tensor: `[batch, time * width]` in
   * processing order, or with `byTime` `[batch * time, width]` in time order (row b * time + tau). The gathering
   * programs read many steps' parts at once, with no step of their own: a part that reads its step's row of a
   * whole-sequence tensor (a product of the projected input, say) or its step's mask is first copied at that step.
   */
  private gather(
    r: PlanRunner<Tensor>,
    launch: Launch<Tensor>,
    records: readonly Binding<Tensor>[],
    width: number,
    byTime: boolean,
  ): Tensor {
    const { batch, time } = r.config;
    const parts = records.map((part, s) =>
      readsStepRows(part) ? r.materializeAt(part, width, `${r.plan.cell} record at its step`, s) : part,
    );
    const ordered = byTime ? parts.map((_, tau) => parts[r.timeOf(tau)]!) : [...parts];
    const chunks: Tensor[] = [];
    let chunk: Binding<Tensor>[] = [];
    let tensors = new Set<Tensor>();
    const flush = () => {
      if (chunk.length === 0) return;
      chunks.push(
        launch(gatherSpec(`${r.plan.cell} gather`, batch, time, chunk, width), { tau: 0, stepIndex: 0 }),
      );
      chunk = [];
      tensors = new Set();
    };
    for (const part of ordered) {
      const mine = new Set<Tensor>();
      forEachView(part, (v) => mine.add(v.tensor));
      const union = new Set([...tensors, ...mine]);
      if (union.size > this.launcher.maxInputs) flush();
      chunk.push(part);
      for (const t of mine) tensors.add(t);
    }
    flush();
    const all = sideBySideTensor(chunks);
    return byTime ? tf.reshape(all, [batch * time, width]) : all;
  }
}

/** The compiled GPU `sequence` kernel (see the module comment), running its programs with `launcher`. */
export function gpuCompiledSequenceKernel(backend: TfjsBackend, launcher: StepLauncher): TfjsFusedKernel {
  return new GpuCompiledKernel(backend, launcher);
}
