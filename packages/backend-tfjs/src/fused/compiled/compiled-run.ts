/**
 * Runs a compiled plan (core's `SequencePlan`) on host memory: the generated passes (a `HostProgram`) and the
 * matrix products (a `GemmProvider`), with the time loop, masks, `goBackwards`, outputs and states of the fused
 * path. It computes what core's `scanCell` computes: at a masked
 * step every state keeps its previous value and the output repeats the previous step's output (zeros before the
 * first valid step), or is zero with `zeroMaskedOutputs`; gradients flow accordingly. With `goBackwards`, step `s`
 * reads time `time - 1 - s` and writes output `s`. Nothing here uses a tensor library.
 */
import { planPasses, type SequencePlan, type Stage, staticOnes } from '@seqmodel/core';
import { copyRow, type GemmProvider, type HostMatrix, hostMatrix, type PreparedMatrix } from '../gemm.js';
import type { HostInstance, HostProgram } from './host-program.js';

export interface CompiledRunConfig {
  readonly batch: number;
  readonly time: number;
  readonly goBackwards: boolean;
  readonly returnSequences: boolean;
  readonly zeroMaskedOutputs: boolean;
}

/** Host copies (or views) of the kernel's tensor arguments. Never written to. */
export interface CompiledRunInputs {
  /** `[batch, time, inputSize]`. */
  readonly x: Float32Array;
  /**
   * Each static operand's values, in the order of `plan.statics`: a `[k, n]` static as `k` rows of `n`, any other
   * as one row (a view into a parameter's values, or an array of its own).
   */
  readonly statics: readonly HostMatrix[];
  /** One `[batch, size]` array per state; zeros when absent. */
  readonly initialState?: readonly (Float32Array | undefined)[];
  /** `[batch, time]`; nonzero marks a valid step. */
  readonly mask?: ArrayLike<number>;
}

/**
 * The output seed of backward step `s` (`[batch, size]`): the output gradient carried back through masked steps that
 * repeat an output, plus that of output `s` (`dOutputs`, with `returnSequences`). A masked row gets zero and carries
 * its gradient on (or drops it, with `zeroMaskedOutputs`). A function of its own, so that V8 optimizes its loops.
 */
function seedStep(
  seed: Float32Array,
  carried: Float32Array,
  dOutputs: Float32Array | undefined,
  valid: Uint8Array,
  batch: number,
  size: number,
  time: number,
  s: number,
  zeroMasked: boolean,
): void {
  if (!dOutputs && valid.indexOf(0) < 0) {
    // Every row valid, the last output's gradient only: it seeds the last step, zeros the others.
    seed.set(carried.subarray(0, batch * size));
    carried.fill(0);
    return;
  }
  for (let b = 0; b < batch; b++) {
    const row = b * size;
    const outRow = (b * time + s) * size;
    if (valid[b]) {
      if (dOutputs) for (let j = 0; j < size; j++) seed[row + j] = carried[row + j]! + dOutputs[outRow + j]!;
      else copyRow(carried, row, seed, row, size);
      carried.fill(0, row, row + size);
    } else {
      if (zeroMasked) carried.fill(0, row, row + size);
      else if (dOutputs)
        for (let j = 0; j < size; j++) carried[row + j] = carried[row + j]! + dOutputs[outRow + j]!;
      seed.fill(0, row, row + size);
    }
  }
}

/** `total += a` (in float64), then `a = 0`. */
function addAndClear(total: Float64Array, a: Float32Array): void {
  for (let j = 0; j < a.length; j++) total[j] = total[j]! + a[j]!;
  a.fill(0);
}

/** A right-hand operand's matrix: a static of shape `[k, n]`. */
function staticMatrix(_plan: SequencePlan, inputs: CompiledRunInputs, index: number): HostMatrix {
  return inputs.statics[index]!;
}

/**
 * `c = a·J` for a matrix of ones `J` of any shape (transposed or not): every column of a row of `c` is that row's sum
 * of `a` (in float64, rounded once, as `JsGemm`), or `+=` with `accumulate`. The tracer's ones make it a sum along the
 * last axis (`J` one column) or a per-row value repeated across a row (`a` one column); computed here without a call to
 * the GEMM (one per product and step: at layer normalization's sizes most of the GEMM's time is its fixed cost).
 */
export function onesProduct(a: HostMatrix, c: HostMatrix, accumulate: boolean): void {
  const { data: x, stride: xs } = a;
  const { data: y, stride: ys } = c;
  for (let i = 0; i < c.rows; i++) {
    const from = a.offset + i * xs;
    const to = c.offset + i * ys;
    let sum = 0;
    for (let j = 0; j < a.cols; j++) sum += x[from + j]!;
    for (let j = 0; j < c.cols; j++) y[to + j] = accumulate ? y[to + j]! + sum : sum;
  }
}

/** The values of `m` as one contiguous array (a view when they already are). */
function contiguous(m: HostMatrix): Float32Array {
  if (m.rows === 1 || m.stride === m.cols) return m.data.subarray(m.offset, m.offset + m.rows * m.cols);
  const out = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++)
    out.set(m.data.subarray(m.offset + r * m.stride, m.offset + r * m.stride + m.cols), r * m.cols);
  return out;
}

export class CompiledRun {
  readonly batch: number;
  readonly time: number;
  readonly instance: HostInstance;
  /** Outputs in processing order `[batch, time, outputSize]` with `returnSequences`. */
  readonly outputs: Float32Array | undefined;
  /** The output of the latest step `[batch, outputSize]`. */
  readonly lastOutput: Float32Array;
  private readonly passIndex = new Map<Stage, number>();
  /** The product stages whose right operand is a matrix of ones (`staticOnes`), run by `onesProduct`. */
  private readonly onesStages = new Set<Stage>();
  /** The instance's generation when this run got it (see `HostInstance.generation`). */
  private readonly generation: number;
  /** Right-hand operands prepared for this run, by static and orientation (`2 * index + transposed`). */
  private readonly prepared: (PreparedMatrix | undefined)[] = [];

  constructor(
    readonly plan: SequencePlan,
    program: HostProgram,
    readonly gemm: GemmProvider,
    readonly config: CompiledRunConfig,
    readonly inputs: CompiledRunInputs,
  ) {
    const { batch, time } = config;
    this.batch = batch;
    this.time = time;
    if (plan.batch !== batch) {
      throw new Error(
        `compiled kernel: a plan for batch ${plan.batch} run on ${batch} rows (internal error)`,
      );
    }
    let index = 0;
    for (const stage of [...plan.forward, ...(plan.backward?.stages ?? [])]) {
      if (stage.kind === 'pass') this.passIndex.set(stage, index++);
      else if (staticOnes(plan.statics[stage.right]!)) this.onesStages.add(stage);
    }
    if (index !== planPasses(plan).length) throw new Error('compiled kernel: pass count (internal error)');
    this.instance = program.instantiate(batch, time);
    this.generation = this.instance.generation;
    const size = plan.output.size;
    this.outputs = config.returnSequences ? new Float32Array(batch * time * size) : undefined;
    this.lastOutput = new Float32Array(batch * size);
  }

  /** Time index of processing step `s`. */
  timeOf(s: number): number {
    return this.config.goBackwards ? this.time - 1 - s : s;
  }

  private markValid(tau: number): void {
    const mask = this.inputs.mask;
    const valid = this.instance.valid;
    if (mask === undefined) return;
    for (let b = 0; b < this.batch; b++) valid[b] = mask[b * this.time + tau] !== 0 ? 1 : 0;
  }

  /** Rows of the current step of buffer `id`: all of it, or the rows at time `tau` of a sequence buffer. */
  private rows(id: number, tau: number): HostMatrix {
    const buffer = this.plan.buffers[id]!;
    const data = this.instance.buffer(id);
    const w = buffer.width;
    if (buffer.rows === 'sequence') return hostMatrix(data, this.batch, w, tau * w, this.time * w);
    return hostMatrix(data, buffer.rows === 'single' ? 1 : this.batch, w);
  }

  private right(index: number, transpose: boolean): PreparedMatrix {
    const key = 2 * index + (transpose ? 1 : 0);
    let p = this.prepared[key];
    if (!p) {
      p = this.gemm.prepare(staticMatrix(this.plan, this.inputs, index), transpose);
      this.prepared[key] = p;
    }
    return p;
  }

  private releasePrepared(): void {
    for (const p of this.prepared) if (p) this.gemm.release(p);
    this.prepared.length = 0;
  }

  private runStages(stages: readonly Stage[], tau: number): void {
    for (const stage of stages) {
      if (stage.kind === 'pass') {
        this.instance.run(this.passIndex.get(stage)!, tau);
      } else if (this.onesStages.has(stage)) {
        onesProduct(this.rows(stage.left, tau), this.rows(stage.out, tau), stage.accumulate);
      } else {
        this.gemm.multiplyPrepared(
          this.rows(stage.left, tau),
          this.right(stage.right, stage.transposeRight),
          this.rows(stage.out, tau),
          stage.accumulate,
        );
      }
    }
  }

  /** The buffers `stages` write (their loops' stores and their products' results). */
  private written(stages: readonly Stage[], rows?: 'sequence'): number[] {
    const ids = new Set<number>();
    for (const stage of stages) {
      if (stage.kind === 'product') ids.add(stage.out);
      else for (const loop of stage.pass.loops) for (const s of loop.stores) ids.add(s.buffer);
    }
    return [...ids].filter((id) => rows === undefined || this.plan.buffers[id]!.rows === rows);
  }

  /** Hands the instance back (see `HostInstance.release`); results stay readable until it is reused. */
  release(): void {
    this.instance.release();
  }

  private checkInstance(): void {
    if (this.instance.generation !== this.generation) {
      throw new Error(
        'compiled kernel: a run read its buffers after they went to another run (internal error)',
      );
    }
  }

  /** Runs every step; afterwards the states' `current` buffers hold the final states. */
  forward(): void {
    const { plan, instance, batch, time, inputs } = this;
    const rows = batch * time;
    // A recycled instance holds its last run's values: clear what is read before it is written. Masked steps leave
    // rows of the sequence buffers unwritten, which the whole-sequence products of the backward pass read.
    for (const state of plan.states) instance.buffer(state.current).fill(0);
    if (inputs.mask !== undefined)
      for (const id of this.written(plan.forward, 'sequence')) instance.buffer(id).fill(0);
    if (plan.inputs !== undefined) instance.provide(plan.inputs, inputs.x);
    for (const s of plan.statics)
      if (s.buffer !== undefined) instance.provide(s.buffer, contiguous(inputs.statics[s.index]!));
    try {
      for (const p of plan.inputProducts) {
        this.gemm.multiply(
          hostMatrix(inputs.x, rows, plan.inputSize),
          false,
          staticMatrix(plan, inputs, p.right),
          p.transposeRight,
          hostMatrix(instance.buffer(p.out), rows, plan.buffers[p.out]!.width),
          false,
        );
      }
      plan.states.forEach((state, k) => {
        const initial = inputs.initialState?.[k];
        if (initial) instance.buffer(state.current).set(initial.subarray(0, batch * state.size));
      });
      for (let s = 0; s < time; s++) {
        const tau = this.timeOf(s);
        this.markValid(tau);
        for (const state of plan.states) {
          if (state.saved === undefined) continue;
          const h = instance.buffer(state.current);
          const saved = instance.buffer(state.saved);
          for (let b = 0; b < batch; b++) {
            copyRow(h, b * state.size, saved, (b * time + tau) * state.size, state.size);
          }
        }
        this.runStages(plan.forward, tau);
        this.finishStep(s);
        for (const state of plan.states) instance.swap(state.current, state.next);
      }
    } finally {
      this.releasePrepared();
    }
  }

  /** Restores masked rows and records the step's output. */
  private finishStep(s: number): void {
    const { plan, instance, batch, time, outputs, lastOutput } = this;
    const size = plan.output.size;
    const valid = instance.valid;
    const output = instance.buffer(plan.output.buffer);
    const zeroMasked = this.config.zeroMaskedOutputs;
    if (this.inputs.mask === undefined) {
      // Every row valid: the step's output is the output, and the last step's is the last output.
      if (outputs)
        for (let b = 0; b < batch; b++) copyRow(output, b * size, outputs, (b * time + s) * size, size);
      if (s === time - 1) lastOutput.set(output.subarray(0, batch * size));
      return;
    }
    for (let b = 0; b < batch; b++) {
      const row = b * size;
      if (valid[b]) {
        copyRow(output, row, lastOutput, row, size);
      } else {
        for (const state of plan.states) {
          const at = b * state.size;
          copyRow(instance.buffer(state.current), at, instance.buffer(state.next), at, state.size);
        }
        if (zeroMasked) lastOutput.fill(0, row, row + size);
      }
      if (outputs) copyRow(lastOutput, row, outputs, (b * time + s) * size, size);
    }
  }

  /** The final state `k` `[batch, size]` after `forward` (a copy). */
  finalState(k: number): Float32Array {
    this.checkInstance();
    const state = this.plan.states[k]!;
    return this.instance.buffer(state.current).slice(0, this.batch * state.size);
  }

  /** d loss / d initial state `k`, after `backward`. */
  initialStateGradient(k: number): Float32Array {
    this.checkInstance();
    const state = this.plan.states[k]!;
    return this.instance.buffer(state.seed!).slice(0, this.batch * state.size);
  }

  private staticTotals: Float64Array[] | undefined;

  /**
   * The backward loop, from the gradients of the outputs (`dOutput`: of `outputs` or of `lastOutput`) and of the
   * final states (undefined: zero).
   */
  backward(dOutput: Float32Array, dFinalState: readonly (Float32Array | undefined)[]): void {
    const { plan, instance, batch, time } = this;
    const backward = plan.backward;
    if (!backward) throw new Error('compiled kernel: backward on a plan without it (internal error)');
    const size = plan.output.size;
    for (const id of this.written(backward.stages)) instance.buffer(id).fill(0);
    plan.states.forEach((state, k) => {
      const seed = instance.buffer(state.seed!);
      seed.fill(0);
      const d = dFinalState[k];
      if (d) seed.set(d.subarray(0, batch * state.size));
    });
    const sequences = this.config.returnSequences;
    const zeroMasked = this.config.zeroMaskedOutputs;
    // d loss / d output of the current step, carried backwards through masked steps that repeat it.
    const carried = sequences ? new Float32Array(batch * size) : dOutput.slice(0, batch * size);
    const valid = instance.valid;
    const accumulators = backward.staticGradients.map((g) => instance.buffer(g.buffer));
    const totals = accumulators.map((a) => new Float64Array(a.length));
    this.staticTotals = totals;
    try {
      for (let s = time - 1; s >= 0; s--) {
        const tau = this.timeOf(s);
        this.markValid(tau);
        seedStep(
          instance.buffer(backward.outputSeed),
          carried,
          sequences ? dOutput : undefined,
          valid,
          batch,
          size,
          time,
          s,
          zeroMasked,
        );
        for (const state of plan.states) instance.buffer(state.gradient!).fill(0);
        this.runStages(backward.stages, tau);
        for (const state of plan.states) {
          // A masked step passes the state's gradient through unchanged.
          const dNext = instance.buffer(state.seed!);
          const dPrevious = instance.buffer(state.gradient!);
          for (let b = 0; b < batch; b++) {
            if (valid[b]) continue;
            const at = b * state.size;
            copyRow(dNext, at, dPrevious, at, state.size);
          }
          instance.swap(state.seed!, state.gradient!);
        }
        for (let i = 0; i < accumulators.length; i++) addAndClear(totals[i]!, accumulators[i]!);
      }
    } finally {
      this.releasePrepared();
    }
  }

  /** d loss / d inputs `[batch * time * inputSize]`, after `backward`. */
  inputGradient(): Float32Array {
    this.checkInstance();
    const { plan, instance, batch, time } = this;
    const backward = plan.backward!;
    const rows = batch * time;
    const out =
      backward.inputGradient === undefined
        ? new Float32Array(rows * plan.inputSize)
        : instance.buffer(backward.inputGradient).slice(0, rows * plan.inputSize);
    plan.inputProducts.forEach((p, j) => {
      const d = backward.inputProductGradients[j];
      if (d === undefined) return;
      this.gemm.multiply(
        this.wholeRows(d),
        false,
        staticMatrix(plan, this.inputs, p.right),
        !p.transposeRight,
        hostMatrix(out, rows, plan.inputSize),
        true,
      );
    });
    return out;
  }

  /** Every row of every step of a sequence buffer, `[batch * time, width]`. */
  private wholeRows(id: number): HostMatrix {
    return hostMatrix(this.instance.buffer(id), this.batch * this.time, this.plan.buffers[id]!.width);
  }

  private productGradients: Map<number, Float32Array> | undefined;

  /**
   * The statics' gradients from the whole-sequence products, computed together on first use: for each gradient
   * buffer dZ, one product `[X | L₁ | L₂ ...]ᵀ·dZ` over every left operand multiplied into it (the inputs for an
   * input product, the kept left operand for a per-step product), so that the (large) dZ is packed once.
   */
  private weightGradients(): Map<number, Float32Array> {
    if (this.productGradients) return this.productGradients;
    this.checkInstance();
    const { plan, inputs } = this;
    const backward = plan.backward!;
    const rows = this.batch * this.time;
    const out = new Map<number, Float32Array>();
    const target = (index: number) => {
      let g = out.get(index);
      if (!g) {
        g = new Float32Array(plan.statics[index]!.shape.reduce((n, d) => n * d, 1));
        out.set(index, g);
      }
      return g;
    };
    const x = hostMatrix(inputs.x, rows, plan.inputSize);
    // Blocks by gradient buffer: left operand and the static it is the gradient of.
    const blocks = new Map<number, { left: HostMatrix; right: number }[]>();
    const add = (dOut: number, left: HostMatrix, right: number) =>
      blocks.set(dOut, [...(blocks.get(dOut) ?? []), { left, right }]);
    plan.inputProducts.forEach((p, j) => {
      const d = backward.inputProductGradients[j];
      if (d === undefined) return;
      const shape = plan.statics[p.right]!.shape;
      // right [n, inputSize] (transposed): dZᵀ·x, on its own.
      if (p.transposeRight) {
        this.gemm.multiply(
          this.wholeRows(d),
          true,
          x,
          false,
          hostMatrix(target(p.right), shape[0]!, shape[1]!),
          true,
        );
      } else add(d, x, p.right);
    });
    for (const p of backward.productGradients) {
      const shape = plan.statics[p.right]!.shape;
      if (p.transposeRight) {
        const matrix = hostMatrix(target(p.right), shape[0]!, shape[1]!);
        this.gemm.multiply(this.wholeRows(p.dOut), true, this.wholeRows(p.left), false, matrix, true);
      } else add(p.dOut, this.wholeRows(p.left), p.right);
    }
    for (const [dOut, list] of blocks) {
      const dZ = this.wholeRows(dOut);
      const height = list.reduce((h, b) => h + b.left.cols, 0);
      let stacked = list[0]!.left;
      if (list.length > 1) {
        const data = new Float32Array(rows * height);
        let column = 0;
        for (const { left } of list) {
          for (let n = 0; n < rows; n++) {
            data.set(left.data.subarray(n * left.cols, (n + 1) * left.cols), n * height + column);
          }
          column += left.cols;
        }
        stacked = hostMatrix(data, rows, height);
      }
      const product = new Float32Array(height * dZ.cols);
      this.gemm.multiply(stacked, true, dZ, false, hostMatrix(product, height, dZ.cols), false);
      let row = 0;
      for (const { left, right } of list) {
        const g = target(right);
        const block = product.subarray(row * dZ.cols, (row + left.cols) * dZ.cols);
        for (let i = 0; i < block.length; i++) g[i] = g[i]! + block[i]!;
        row += left.cols;
      }
    }
    this.productGradients = out;
    return out;
  }

  /** d loss / d static operand `index`, row-major in its shape, after `backward`. */
  staticGradient(index: number): Float32Array {
    const backward = this.plan.backward!;
    const shape = this.plan.statics[index]!.shape;
    const out = new Float32Array(shape.reduce((n, d) => n * d, 1));
    const products = this.weightGradients().get(index);
    if (products) out.set(products);
    backward.staticGradients.forEach((g, i) => {
      if (g.static !== index) return;
      const total = this.staticTotals![i]!;
      if (g.layout === 'scalar') {
        let sum = 0;
        for (const v of total) sum += v;
        out[0] = out[0]! + sum;
      } else {
        for (let j = 0; j < out.length; j++) out[j] = out[j]! + total[j]!;
      }
    });
    return out;
  }
}
