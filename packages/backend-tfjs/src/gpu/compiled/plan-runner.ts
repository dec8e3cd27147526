/**
 * The time loop of a compiled plan on a GPU backend: per step, one program launch per elementwise pass of the plan
 * (`plan-programs.ts`), its per-step matrix products computed inline by the passes that read them (a product whose
 * result only the next step reads, such as the gradient of the previous state, is read there). It computes what
 * core's `scanCell` computes, masks, `goBackwards` and `returnSequences` included (see `compiled-run.ts`, the host
 * runtime it mirrors): at a masked step every state keeps its value and the output repeats the previous output (or
 * is zero with `zeroMaskedOutputs`), and gradients flow accordingly.
 *
 * It only binds buffers and launches programs; the tensors are a type parameter, so that `supports` can run it
 * dry (with stand-ins) to check each program's input count against the launcher's limit. What comes before the
 * loop (input products, statics) and after it (gathering, weight gradients) is the kernel's
 * (`gpu-compiled-kernel.ts`).
 */
import type { ElementwisePass, SequencePlan, Stage } from '@seqmodel/core';
import {
  type Binding,
  forEachView,
  mapTensors,
  type Sized,
  type ViewBinding,
  view,
  zero,
} from './bindings.js';
import { closure, gatherSpec, type ProgramSpec, type Segment, type StoreRef } from './plan-programs.js';

export interface RunnerConfig {
  readonly batch: number;
  readonly time: number;
  readonly goBackwards: boolean;
  readonly returnSequences: boolean;
  readonly zeroMaskedOutputs: boolean;
  /** The most tensors one program may read (the launcher's limit): a product is computed apart only within it. */
  readonly maxInputs: number;
}

export interface RunnerInputs<H> {
  /** Bindings for the whole run: the raw inputs, the input products, the statics loops read. */
  readonly constants: ReadonlyMap<number, Binding<H>>;
  /** Each static a product uses, as a `[k, n]` view (undefined for the others). */
  readonly statics: readonly (ViewBinding<H> | undefined)[];
  readonly initialState: readonly (ViewBinding<H> | undefined)[];
  /** `[batch, time]`, nonzero for a valid step. */
  readonly mask?: ViewBinding<H>;
}

/** The uniforms of a launch: the step's time index and processing step. */
export interface StepUniforms {
  readonly tau: number;
  readonly stepIndex: number;
}

/** Launches a program (compiled once per distinct spec) and returns its `[batch, cols]` output. */
export type Launch<H> = (spec: ProgramSpec<H>, uniforms: StepUniforms) => H;

/** d loss / d outputs: of each step (`[batch * time, size]`, row `b * time + s`) or of the last one. */
export type OutputGradient<H> = { readonly sequences: ViewBinding<H> } | { readonly last: ViewBinding<H> };

export class PlanRunner<H extends Sized> {
  /** Per processing step: the bindings of the forward buffers (for the backward pass and the gathering). */
  readonly forwardRecords: Map<number, Binding<H>>[] = [];
  /** Per processing step: the step's output. */
  readonly outputs: ViewBinding<H>[] = [];
  /** The states after the last step. */
  finalStates: Binding<H>[] = [];
  /** Per processing step: the bindings of the buffers the backward step wrote. */
  readonly backwardRecords: Map<number, Binding<H>>[] = [];
  /** d loss / d initial states, after `backward`. */
  initialStateGradients: Binding<H>[] = [];
  private readonly forwardWritten: Set<number>;
  private readonly backwardWritten: Set<number>;
  private uniforms: StepUniforms = { tau: 0, stepIndex: 0 };

  constructor(
    readonly plan: SequencePlan,
    readonly config: RunnerConfig,
    public inputs: RunnerInputs<H>,
    private readonly launch: Launch<H>,
  ) {
    this.forwardWritten = written(plan.forward);
    this.backwardWritten = written(plan.backward?.stages ?? []);
  }

  timeOf(s: number): number {
    return this.config.goBackwards ? this.config.time - 1 - s : s;
  }

  private spec(
    name: string,
    segments: readonly Segment<H>[],
    reads: ReadonlyMap<number, Binding<H>>,
    pass?: ProgramSpec<H>['pass'],
  ): ProgramSpec<H> {
    const { batch, time } = this.config;
    return {
      name,
      batch,
      time,
      ...(pass ? { pass } : {}),
      segments,
      reads,
      ...(this.inputs.mask ? { mask: this.inputs.mask } : {}),
    };
  }

  /** `binding` as a view (a launch unless it already is one), of a `[batch, width]` tensor of its own with `copy`. */
  materialize(binding: Binding<H>, width: number, name: string, copy = false): ViewBinding<H> {
    if (binding.kind === 'view' && !copy) return binding;
    const { batch, time } = this.config;
    const spec = gatherSpec(name, batch, time, [binding], width);
    // The mask only where the binding reads it (a `valid` binding).
    const mask = this.inputs.mask && readsMask(binding) ? { mask: this.inputs.mask } : {};
    const out = this.launch({ ...spec, ...mask }, this.uniforms);
    return view(out, batch, width);
  }

  /**
   * `binding` as processing step `s` reads it (its time index and step as the uniforms, the mask at that time), in a
   * `[batch, width]` tensor of its own: for reading a step's record outside the loop.
   */
  materializeAt(binding: Binding<H>, width: number, name: string, s: number): ViewBinding<H> {
    const current = this.uniforms;
    this.uniforms = { tau: this.timeOf(s), stepIndex: s };
    try {
      return this.materialize(binding, width, name, true);
    } finally {
      this.uniforms = current;
    }
  }

  /**
   * Runs `stages` for one step. `lookup` binds the buffers not yet written in the step; `masked` gives a buffer's
   * value at masked rows; `extra` adds segments (the output with a mask, the carried output gradient) to a pass.
   */
  private runStages(
    stages: readonly Stage[],
    lookup: (id: number) => Binding<H>,
    masked: (id: number) => Binding<H>,
    extra: (pass: number, written: ReadonlyMap<number, Binding<H>>) => Segment<H>[],
    onExtra: (pass: number, views: ViewBinding<H>[]) => void,
  ): Map<number, Binding<H>> {
    const { plan } = this;
    const { batch } = this.config;
    const written = new Map<number, Binding<H>>();
    const get = (id: number) => written.get(id) ?? lookup(id);
    let passIndex = 0;
    for (const stage of stages) {
      if (stage.kind === 'product') {
        const right = this.inputs.statics[stage.right]!;
        const base = stage.accumulate ? written.get(stage.out) : undefined;
        let left = get(stage.left);
        if (left.kind === 'zero') {
          written.set(stage.out, base ?? zero);
          continue;
        }
        left = this.materialize(left, plan.buffers[stage.left]!.width, `${plan.cell} product operand`);
        const baseView =
          base === undefined
            ? undefined
            : this.materialize(base, plan.buffers[stage.out]!.width, `${plan.cell} product base`);
        written.set(stage.out, {
          kind: 'product',
          left,
          right,
          transpose: stage.transposeRight,
          length: plan.buffers[stage.left]!.width,
          ...(baseView ? { base: baseView } : {}),
        });
        continue;
      }
      const pass = stage.pass;
      const order: number[] = [];
      const refs = new Map<number, StoreRef[]>();
      pass.loops.forEach((loop, l) => {
        loop.stores.forEach((store, x) => {
          if (!refs.has(store.buffer)) {
            refs.set(store.buffer, []);
            order.push(store.buffer);
          }
          refs.get(store.buffer)!.push({ loop: l, store: x });
        });
      });
      const segments: Segment<H>[] = order.map((id) => {
        const base = written.get(id);
        return {
          width: plan.buffers[id]!.width,
          stores: refs.get(id)!,
          ...(base ? { base } : {}),
          // Read only at masked rows without a base: bound otherwise, it would be one more input for nothing.
          masked: base || !this.inputs.mask ? zero : masked(id),
        };
      });
      const reads = new Map<number, Binding<H>>();
      for (const loop of pass.loops)
        for (const node of loop.nodes) if (node.op === 'read') reads.set(node.buffer, get(node.buffer));
      // A product the pass would recompute for many more columns than it has is computed once, by a launch of its
      // own, and read in place (see `inlineProductCosts`), where the pass still reads few enough tensors.
      const costs = inlineProductCosts(pass);
      const cost = (id: number) => costs.get(id) ?? 0;
      const costly = [...reads]
        .filter(
          ([id, b]) => b.kind === 'product' && cost(id) > maxInlineRecomputation * plan.buffers[id]!.width,
        )
        .map(([id]) => id)
        .sort((a, b) => cost(b) - cost(a));
      const chosen = new Set<number>();
      if (costly.length > 0) {
        const all = [...segments, ...extra(passIndex, written)];
        for (const id of costly) {
          const count = tensorCount(reads, all, this.inputs.mask, new Set([...chosen, id]));
          if (count <= this.config.maxInputs) chosen.add(id);
        }
      }
      for (const id of chosen) {
        const v = this.materialize(reads.get(id)!, plan.buffers[id]!.width, `${plan.cell} product`);
        reads.set(id, v);
        written.set(id, v);
      }
      const extraSegments = extra(passIndex, written);
      const all = [...segments, ...extraSegments];
      this.packReads(reads, all, `${plan.cell} ${pass.name} inputs`);
      const cols = all.reduce((n, s) => n + s.width, 0);
      const out = this.launch(this.spec(`${plan.cell} ${pass.name}`, all, reads, pass), this.uniforms);
      let offset = 0;
      order.forEach((id, k) => {
        written.set(id, view(out, batch, cols, 'batch', offset));
        offset += segments[k]!.width;
      });
      const extraViews = extraSegments.map((s) => {
        const v = view(out, batch, cols, 'batch', offset);
        offset += s.width;
        return v;
      });
      onExtra(passIndex, extraViews);
      passIndex++;
    }
    return written;
  }

  /**
   * Where a pass would read more tensors than a program may (WebGPU's 7), copies some of what it reads (its reads, and
   * its segments' earlier values and masked rows' values) side by side into one `[batch, Σ widths]` tensor first, by
   * programs of their own (one more launch each) reading at most as many, and points those bindings at it.
   * Packing every binding that reads a tensor frees that input; tensors whose readers read the fewest tensors go
   * first. Leaves the pass as it is where that cannot help; the launch's check (and `supports`' dry run) then
   * declines.
   */
  private packReads(reads: Map<number, Binding<H>>, segments: Segment<H>[], name: string): void {
    const { maxInputs: max, batch } = this.config;
    const mask = this.inputs.mask;
    /** What a pack may copy: a binding, where to put its packed view, and its width. */
    interface Slot {
      readonly binding: Binding<H>;
      readonly replace: (v: ViewBinding<H>) => void;
      readonly width: number;
    }
    const slotsOf = (): Slot[] => [
      ...[...reads].map(([id, binding]) => ({
        binding,
        replace: (v: ViewBinding<H>) => reads.set(id, v),
        width: this.plan.buffers[id]!.width,
      })),
      ...segments.flatMap((segment, i) =>
        (['base', 'value', 'masked'] as const).flatMap((field) => {
          const binding = segment[field];
          if (!binding) return [];
          const replace = (v: ViewBinding<H>) => {
            segments[i] = { ...segments[i]!, [field]: v };
          };
          return [{ binding, replace, width: segment.width }];
        }),
      ),
    ];
    const count = () => tensorCount(reads, segments, mask, new Set());
    while (count() > max) {
      const slots = slotsOf();
      const tensorsBut = (skip: ReadonlySet<Slot>) => {
        const t = tensorsOf(slots.filter((s) => !skip.has(s)).map((s) => s.binding));
        if (mask) t.add(mask.tensor);
        return t;
      };
      // Packing every binding that reads a tensor frees it: tensors whose readers read the fewest tensors first.
      const readers = (t: H) => slots.filter((s) => tensorsOf([s.binding]).has(t));
      const cost = (t: H) => tensorsOf(readers(t).map((s) => s.binding)).size;
      const tensors = [...tensorsBut(new Set())]
        .filter((t) => t !== mask?.tensor)
        .sort((a, b) => cost(a) - cost(b));
      const group = new Set<Slot>();
      const after = () => tensorsBut(group).size + 1;
      for (const t of tensors) {
        const joining = [...group, ...readers(t)];
        const union = tensorsOf(joining.map((s) => s.binding));
        if (mask && joining.some((s) => readsMask(s.binding))) union.add(mask.tensor);
        if (union.size > max) continue;
        for (const s of readers(t)) group.add(s);
        if (after() <= max) break;
      }
      if (group.size === 0 || after() >= count()) return;
      // One copy of a binding several slots hold (a read that is also a segment's earlier value).
      const copies = new Map<Binding<H>, { width: number; offset: number }>();
      let cols = 0;
      for (const s of group) {
        if (copies.has(s.binding)) continue;
        copies.set(s.binding, { width: s.width, offset: cols });
        cols += s.width;
      }
      const needsMask = mask !== undefined && [...copies.keys()].some(readsMask);
      const out = this.launch(
        {
          name,
          batch,
          time: this.config.time,
          segments: [...copies].map(([value, { width }]) => ({ width, stores: [], value, masked: value })),
          reads: new Map(),
          ...(needsMask ? { mask } : {}),
        },
        this.uniforms,
      );
      for (const s of group) s.replace(view(out, batch, cols, 'batch', copies.get(s.binding)!.offset));
    }
  }

  /** The output's stores in `pass` (with a mask, they are stored a second time as the step's output). */
  private outputStores(stage: Stage | undefined): StoreRef[] {
    if (stage?.kind !== 'pass') return [];
    const refs: StoreRef[] = [];
    stage.pass.loops.forEach((loop, l) => {
      loop.stores.forEach((store, x) => {
        if (store.buffer === this.plan.output.buffer) refs.push({ loop: l, store: x });
      });
    });
    return refs;
  }

  /**
   * Runs every step. `afterStep`, when given, is called after each step with the tensors the next one can read (the
   * states and the output so far): a caller that needs no other step's values (inference of the last step) frees
   * the rest as it goes.
   */
  forward(afterStep?: (live: ReadonlySet<H>) => void): void {
    const { plan, inputs, config } = this;
    const { time } = config;
    const size = plan.output.size;
    let states: Binding<H>[] = plan.states.map((_, k) => inputs.initialState[k] ?? zero);
    let previousOutput: Binding<H> = zero;
    const passes = plan.forward.filter((s) => s.kind === 'pass');
    for (let s = 0; s < time; s++) {
      this.uniforms = { tau: this.timeOf(s), stepIndex: s };
      const current = states;
      const lookup = (id: number): Binding<H> => {
        const constant = inputs.constants.get(id);
        if (constant) return constant;
        for (let k = 0; k < plan.states.length; k++) {
          const state = plan.states[k]!;
          if (id === state.current || id === state.saved) return current[k]!;
        }
        if (this.forwardWritten.has(id)) return zero;
        throw new Error(`compiled GPU kernel: ${plan.cell} reads buffer ${id} unbound (internal error)`);
      };
      const maskedValue = (id: number): Binding<H> => {
        const k = plan.states.findIndex((state) => state.next === id);
        return k >= 0 ? current[k]! : zero;
      };
      let outputView: ViewBinding<H> | undefined;
      const savedViews = new Map<number, ViewBinding<H>>();
      // Extra columns: the output with a mask (where the output is stored), and in the first pass a copy of each
      // state the backward pass reads, so that a backward step reads this forward step's outputs only.
      let tags: (number | 'output')[] = [];
      const written = this.runStages(
        plan.forward,
        lookup,
        maskedValue,
        (p) => {
          const segments: Segment<H>[] = [];
          tags = [];
          const stores = this.outputStores(passes[p]);
          if (inputs.mask && stores.length > 0) {
            // Columns an earlier pass stored come from its copy of the output (output = concat([x·W, h']): x·W is
            // stored before the pass that needs h·U).
            // With a base, masked rows read it (it holds their previous output, or zero, already).
            segments.push({
              width: size,
              stores,
              ...(outputView ? { base: outputView } : {}),
              masked: outputView || config.zeroMaskedOutputs ? zero : previousOutput,
            });
            tags.push('output');
          }
          if (p === 0) {
            plan.states.forEach((state, k) => {
              const value = current[k]!;
              if (state.saved === undefined || value.kind === 'zero') return;
              segments.push({ width: state.size, stores: [], value, masked: value });
              tags.push(k);
            });
          }
          return segments;
        },
        (_p, views) => {
          views.forEach((v, i) => {
            const tag = tags[i]!;
            if (tag === 'output') outputView = v;
            else savedViews.set(tag, v);
          });
        },
      );
      const record = new Map(written);
      plan.states.forEach((state, k) => {
        record.set(state.current, current[k]!);
        if (state.saved !== undefined) record.set(state.saved, savedViews.get(k) ?? current[k]!);
      });
      this.forwardRecords.push(record);
      const output = outputView ?? written.get(plan.output.buffer);
      if (output?.kind !== 'view') {
        throw new Error(
          `compiled GPU kernel: ${plan.cell}'s output is not written by a pass (internal error)`,
        );
      }
      this.outputs.push(output);
      previousOutput = output;
      states = plan.states.map((state) => written.get(state.next) ?? zero);
      afterStep?.(tensorsOf([...states, previousOutput]));
    }
    this.finalStates = states;
  }

  /** The forward pass's bindings with their tensors replaced (by the copies tfjs keeps for the backward pass). */
  remapForward(f: (tensor: H) => H): void {
    for (const record of this.forwardRecords) for (const [id, b] of record) record.set(id, mapTensors(b, f));
    const { constants, statics, initialState, mask } = this.inputs;
    const v = (x: ViewBinding<H>) => mapTensors(x, f) as ViewBinding<H>;
    this.inputs = {
      constants: new Map([...constants].map(([id, b]) => [id, mapTensors(b, f)])),
      statics: statics.map((x) => (x ? v(x) : x)),
      initialState: initialState.map((x) => (x ? v(x) : x)),
      ...(mask ? { mask: v(mask) } : {}),
    };
  }

  /** Every tensor the forward pass's bindings read (what the backward pass needs kept). */
  forwardTensors(): Set<H> {
    const { constants, statics, initialState, mask } = this.inputs;
    const all: Binding<H>[] = [...constants.values()];
    for (const x of [...statics, ...initialState, mask]) if (x) all.push(x);
    for (const record of this.forwardRecords) all.push(...record.values());
    return tensorsOf(all);
  }

  backward(dOutput: OutputGradient<H>, dStates: readonly (ViewBinding<H> | undefined)[]): void {
    const { plan, inputs, config } = this;
    const backward = plan.backward;
    if (!backward) throw new Error('compiled GPU kernel: backward on a plan without it (internal error)');
    const { time } = config;
    const size = plan.output.size;
    const mask = inputs.mask;
    let seeds: Binding<H>[] = plan.states.map((_, k) => dStates[k] ?? zero);
    let carried: Binding<H> = zero;
    const passes = backward.stages.filter((stage) => stage.kind === 'pass');
    const seedReadLater = passes
      .slice(1)
      .some((stage) =>
        stage.pass.loops.some((loop) =>
          loop.nodes.some((n) => n.op === 'read' && n.buffer === backward.outputSeed),
        ),
      );
    // States whose gradient only products write: with a mask, the first pass writes the masked rows' values (the
    // gradient passed through, zero elsewhere) as the products' base, instead of a launch of their own.
    const storedByPasses = new Set<number>();
    for (const stage of passes)
      for (const loop of stage.pass.loops) for (const st of loop.stores) storedByPasses.add(st.buffer);
    const passThrough = mask
      ? plan.states.flatMap((state, k) => (storedByPasses.has(state.gradient!) ? [] : [k]))
      : [];
    this.backwardRecords.length = time;
    for (let s = time - 1; s >= 0; s--) {
      this.uniforms = { tau: this.timeOf(s), stepIndex: s };
      const record = this.forwardRecords[s]!;
      const dOut: Binding<H> =
        'sequences' in dOutput ? dOutput.sequences : s === time - 1 ? dOutput.last : zero;
      const incoming: Binding<H> = carried.kind === 'zero' ? dOut : { kind: 'sum', parts: [carried, dOut] };
      let outputSeed: Binding<H> = mask ? { kind: 'valid', valid: incoming, masked: zero } : dOut;
      // A seed that is a sum or reads the mask: computed once, in the first pass, for the later passes to read.
      const seedColumns = seedReadLater && outputSeed.kind !== 'view' && outputSeed.kind !== 'zero';
      const current = seeds;
      const lookup = (id: number): Binding<H> => {
        if (id === backward.outputSeed) return outputSeed;
        for (let k = 0; k < plan.states.length; k++) {
          const state = plan.states[k]!;
          if (id === state.seed) return current[k]!;
          if (id === state.gradient) return zero;
        }
        if (this.backwardWritten.has(id)) return zero;
        const forward = record.get(id) ?? inputs.constants.get(id);
        if (forward) return forward;
        throw new Error(
          `compiled GPU kernel: ${plan.cell} backward reads buffer ${id} unbound (internal error)`,
        );
      };
      const maskedValue = (id: number): Binding<H> => {
        const k = plan.states.findIndex((state) => state.gradient === id);
        return k >= 0 ? current[k]! : zero;
      };
      let carriedView: ViewBinding<H> | undefined;
      const passViews = new Map<number, ViewBinding<H>>();
      const written = this.runStages(
        backward.stages,
        lookup,
        maskedValue,
        (p) => {
          if (p !== 0) return [];
          const segments: Segment<H>[] = [];
          if (mask) {
            const masked = config.zeroMaskedOutputs ? zero : incoming;
            segments.push({ width: size, stores: [], value: zero, masked });
          }
          if (seedColumns) segments.push({ width: size, stores: [], value: outputSeed, masked: outputSeed });
          for (const k of passThrough) {
            segments.push({ width: plan.states[k]!.size, stores: [], value: zero, masked: current[k]! });
          }
          return segments;
        },
        (p, views) => {
          if (p !== 0) return;
          if (mask) carriedView = views[0];
          if (seedColumns) outputSeed = views[mask ? 1 : 0]!;
          const first = (mask ? 1 : 0) + (seedColumns ? 1 : 0);
          passThrough.forEach((k, i) => {
            passViews.set(k, views[first + i]!);
          });
        },
      );
      if (mask) {
        // A step whose results depend on nothing (a constant next state) has no backward pass, and nothing reads the
        // output gradient it would carry (only passes read it).
        carried = carriedView ?? zero;
      }
      this.backwardRecords[s] = written;
      seeds = plan.states.map((state, k) => {
        let g = written.get(state.gradient!) ?? zero;
        const base = passViews.get(k);
        if (base && g.kind === 'product' && g.base === undefined) g = { ...g, base };
        if (!mask || passesMaskedRows(g)) return g;
        // Masked rows pass the state's gradient through: a launch where no pass of the step wrote it.
        const width = state.size;
        return this.materialize(
          { kind: 'valid', valid: g, masked: current[k]! },
          width,
          `${plan.cell} state gradient`,
        );
      });
    }
    this.initialStateGradients = seeds;
  }
}

/** True when `b` already holds the masked rows' values: written by a pass (possibly plus a product). */
function passesMaskedRows<H>(b: Binding<H>): boolean {
  return b.kind === 'view' || (b.kind === 'product' && b.base !== undefined);
}

function readsMask<H>(b: Binding<H>): boolean {
  if (b.kind === 'valid') return true;
  return b.kind === 'sum' && b.parts.some(readsMask);
}

/** The buffers `stages` write. */
function written(stages: readonly Stage[]): Set<number> {
  const ids = new Set<number>();
  for (const stage of stages) {
    if (stage.kind === 'product') ids.add(stage.out);
    else for (const loop of stage.pass.loops) for (const s of loop.stores) ids.add(s.buffer);
  }
  return ids;
}

/** The tensors `bindings` read. */
export function tensorsOf<H>(bindings: Iterable<Binding<H>>): Set<H> {
  const out = new Set<H>();
  for (const b of bindings) forEachView(b, (v) => out.add(v.tensor));
  return out;
}

/**
 * How many times a product is read inline per batch row is what a pass pays for it: each read of buffer `id` in the
 * closure of a store is one sum over the product's length, and a store computes its closure once per column. A
 * product made by a launch of its own costs its width sums. Recomputing a product up to this many times its width
 * saves a launch (what small sequences on a GPU wait for); beyond it, the recomputation costs more than the launch
 * (the peephole LSTM's backward pass read its `[batch, units]` product from 12 x units columns).
 */
export const maxInlineRecomputation = 4;

const productCosts = new WeakMap<ElementwisePass, ReadonlyMap<number, number>>();

/**
 * The number of inline sums of each buffer one batch row of `pass` computes (see `maxInlineRecomputation`), by
 * buffer; counted once per pass (the runner asks at every step).
 */
export function inlineProductCosts(pass: ElementwisePass): ReadonlyMap<number, number> {
  let sums = productCosts.get(pass);
  if (sums) return sums;
  const counted = new Map<number, number>();
  for (const loop of pass.loops) {
    for (const store of loop.stores) {
      for (const i of closure(loop, store.node)) {
        const node = loop.nodes[i]!;
        if (node.op === 'read') counted.set(node.buffer, (counted.get(node.buffer) ?? 0) + loop.width);
      }
    }
  }
  sums = counted;
  productCosts.set(pass, sums);
  return sums;
}

/**
 * The distinct tensors a pass reads with its bindings `reads` (those in `apart` replaced by one tensor each, computed
 * by launches of their own), its `segments` and the step mask.
 */
function tensorCount<H>(
  reads: ReadonlyMap<number, Binding<H>>,
  segments: readonly Segment<H>[],
  mask: ViewBinding<H> | undefined,
  apart: ReadonlySet<number>,
): number {
  const tensors = new Set<H>();
  const add = (b: Binding<H> | undefined) => {
    if (b) forEachView(b, (v) => tensors.add(v.tensor));
  };
  for (const [id, b] of reads) if (!apart.has(id)) add(b);
  for (const s of segments) {
    add(s.base);
    add(s.value);
    add(s.masked);
  }
  if (mask) tensors.add(mask.tensor);
  return tensors.size + apart.size;
}
