/**
 * The JavaScript code generator (`backend-cpu`'s): each loop of a pass becomes a small function of plain loops over
 * rows and columns, every node a local `const` (so the whole elementwise part of a step is one sweep, with no
 * intermediate arrays), σ and tanh through the gate approximations the hand-written kernels use (`gateSigmoid`,
 * `gateTanh`: within 6e-10 of the exact values, three to four times as fast as `Math.exp`/`Math.tanh` in V8).
 * Loops stay small functions so that V8 inlines the activations into them (see `activations.ts`). Code is
 * compiled with `new Function` once per distinct program text.
 *
 * An instance keeps all the buffers the passes touch in one `Float32Array` (the arena), at offsets the passes read
 * from an `Int32Array`. V8 checks an array's map and loads its length and data pointer once per array and loop
 * iteration: with one array for all buffers that is done once, not once per buffer, and the passes of an MGU step
 * (16 x 64 units) took 0.80 ms instead of 1.01 (Node 20).
 */
import {
  bufferLength,
  type ElementwiseLoop,
  type LoopNode,
  nodeClosure,
  operandsOf,
  type PlanBuffer,
  planPasses,
  type SequencePlan,
} from '@seqmodel/core';
import { gateSigmoid, gateTanh } from '../activations.js';
import {
  checkLoopColumns,
  functionConstructorRefusal,
  type HostInstance,
  type HostPassGenerator,
  type HostProgram,
  InstancePool,
} from './host-program.js';

type PassFunction = (
  arena: Float32Array,
  offsets: Int32Array,
  valid: Uint8Array,
  rows: number,
  tau: number,
  time: number,
) => void;

function literal(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (Object.is(value, -0)) return '-0';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return `(${value})`;
}

function expression(
  node: LoopNode,
  v: (i: number) => string,
  read: (n: LoopNode & { op: 'read' }) => string,
): string {
  switch (node.op) {
    case 'read':
      return read(node);
    case 'const':
      return literal(node.value);
    case 'neg':
      return `-${v(node.x)}`;
    case 'exp':
      return `Math.exp(${v(node.x)})`;
    case 'log':
      return `Math.log(${v(node.x)})`;
    case 'sqrt':
      return `Math.sqrt(${v(node.x)})`;
    case 'abs':
      return `Math.abs(${v(node.x)})`;
    case 'sigmoid':
      return `gateSigmoid(${v(node.x)})`;
    case 'tanh':
      return `gateTanh(${v(node.x)})`;
    case 'relu':
      return `Math.max(${v(node.x)}, 0)`;
    case 'add':
      return `${v(node.a)} + ${v(node.b)}`;
    case 'sub':
      return `${v(node.a)} - ${v(node.b)}`;
    case 'mul':
      return `${v(node.a)} * ${v(node.b)}`;
    case 'div':
      return `${v(node.a)} / ${v(node.b)}`;
    case 'maximum':
      return `Math.max(${v(node.a)}, ${v(node.b)})`;
    case 'minimum':
      return `Math.min(${v(node.a)}, ${v(node.b)})`;
    case 'greater':
      return `${v(node.a)} > ${v(node.b)} ? 1 : 0`;
    case 'equal':
      return `${v(node.a)} === ${v(node.b)} ? 1 : 0`;
    case 'where':
      return `${v(node.condition)} !== 0 ? ${v(node.a)} : ${v(node.b)}`;
    case 'clip':
      return `Math.min(Math.max(${v(node.x)}, ${literal(node.min)}), ${literal(node.max)})`;
  }
}

/** The operations whose float64 result of float32 operands can differ from the float32 one. */
const inexactOps: ReadonlySet<LoopNode['op']> = new Set([
  'exp',
  'log',
  'sqrt',
  'sigmoid',
  'tanh',
  'add',
  'sub',
  'mul',
  'div',
]);

/** The operands of `node` at which a float32 tie or zero decides the result (a comparison, a pole, a domain edge). */
function decidingOperands(node: LoopNode): number[] {
  switch (node.op) {
    case 'greater':
    case 'equal':
    case 'div':
      return [node.a, node.b];
    case 'where':
      return [node.condition];
    case 'log':
    case 'sqrt':
      return [node.x];
    default:
      return [];
  }
}

/**
 * For each loop of `plan`, the nodes computed in float32 (`Math.fround` after each): those a decision depends on.
 * Elsewhere a pass computes in float64 and rounds once, at the store, within float32 rounding of tfjs's float32 ops;
 * but where a float32 tie or zero decides, float64 went the other way: a comparison (`x + 0.1 == 0.3` at `x = 0.2`
 * is true in float32, false in float64), so the gradients of `relu`, `maximum`, `minimum`, `clip` and `abs` that
 * route by one, a `where` condition, a division by a difference that is 0 in float32. Rounded after each operation,
 * +, −, ·, / and √ of float32 values are exactly tfjs's; the other nodes give one of their float32 operands, 0 or 1.
 * A decision may read a value another loop stored (kept by the forward pass for the backward one, a state from the
 * last step): the stores into the buffers a decision reads are decided too, until nothing changes. Rounding every
 * operation instead made a cpu MGU training step at 16x32x16x64 (no decisions) ~5% slower (2026-12-05, 2.6 GHz EPYC,
 * ten alternating runs each of a 400-step training loop: medians 8.26 against 7.87 ms).
 */
function decidedNodes(plan: SequencePlan): Map<ElementwiseLoop, Set<number>> {
  // A state's buffers hold one value (the runtime swaps and copies them), as do its gradient's.
  const same = new Map<number, number>();
  for (const state of plan.states) {
    for (const id of [state.current, state.next, state.saved]) if (id !== undefined) same.set(id, state.next);
    for (const id of [state.seed, state.gradient]) if (id !== undefined) same.set(id, state.gradient!);
  }
  const valueKey = (buffer: number) => same.get(buffer) ?? buffer;
  const loops = planPasses(plan).flatMap((pass) => pass.loops);
  const read = new Set<number>();
  const cones = new Map<ElementwiseLoop, number[]>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const loop of loops) {
      const roots = loop.nodes.flatMap(decidingOperands);
      for (const store of loop.stores) if (read.has(valueKey(store.buffer))) roots.push(store.node);
      const cone = nodeClosure(loop.nodes, roots);
      for (const i of cone) {
        const node = loop.nodes[i]!;
        if (node.op === 'read' && !read.has(valueKey(node.buffer))) {
          read.add(valueKey(node.buffer));
          changed = true;
        }
      }
      cones.set(loop, cone);
    }
  }
  return new Map(
    [...cones].map(([loop, cone]) => [loop, new Set(cone.filter((i) => inexactOps.has(loop.nodes[i]!.op)))]),
  );
}

/**
 * Where row b of `buffer` starts in the arena, as a JavaScript expression (`O<id>`, the buffer's offset, and `b`,
 * `tau`, `time` in scope).
 */
function rowStart(buffer: PlanBuffer): string {
  switch (buffer.rows) {
    case 'single':
      return `O${buffer.id}`;
    case 'batch':
      return `O${buffer.id} + b * ${buffer.width}`;
    case 'sequence':
      return `O${buffer.id} + (b * time + tau) * ${buffer.width}`;
  }
}

/** The buffers `loop` reads or stores, in increasing order. */
function loopBuffers(loop: ElementwiseLoop): number[] {
  const used = new Set<number>();
  for (const n of loop.nodes) if (n.op === 'read') used.add(n.buffer);
  for (const s of loop.stores) used.add(s.buffer);
  return [...used].sort((a, b) => a - b);
}

/** One loop as a function `name(arena, offsets, valid, rows, tau, time)`. */
function loopFunction(
  name: string,
  loop: ElementwiseLoop,
  buffers: readonly PlanBuffer[],
  rounded: ReadonlySet<number>,
): string {
  const ids = loopBuffers(loop);
  const lines = [`function ${name}(arena, offsets, valid, rows, tau, time) {`];
  lines.push(`  const ${ids.map((id) => `O${id} = offsets[${id}]`).join(', ')};`);
  lines.push('  for (let b = 0; b < rows; b++) {');
  lines.push('    if (valid[b] === 0) continue;');
  lines.push(`    const ${ids.map((id) => `R${id} = ${rowStart(buffers[id]!)}`).join(', ')};`);
  // What does not depend on the column, once per row: broadcast reads, work on them and constants alone (a row's
  // normalization factor), and the constants that work uses (the others stay in the column loop, as literals).
  const invariant = new Set<number>();
  const hoisted = new Set<number>();
  loop.nodes.forEach((n, i) => {
    if (n.op === 'const') invariant.add(i);
    else if (n.op === 'read' ? n.broadcast : operandsOf(n).every((k) => invariant.has(k))) {
      invariant.add(i);
      hoisted.add(i);
      for (const k of operandsOf(n)) hoisted.add(k);
    }
  });
  const rowRead = (n: LoopNode & { op: 'read' }) => `arena[R${n.buffer} + ${n.column}]`;
  loop.nodes.forEach((n, i) => {
    if (!hoisted.has(i)) return;
    const e = expression(n, (k) => `v${k}`, rowRead);
    lines.push(`    const v${i} = ${rounded.has(i) ? `Math.fround(${e})` : e};`);
  });
  lines.push(`    for (let j = 0; j < ${loop.width}; j++) {`);
  const read = (n: LoopNode & { op: 'read' }) => `arena[R${n.buffer} + ${n.column} + j]`;
  loop.nodes.forEach((n, i) => {
    if (hoisted.has(i)) return;
    const e = expression(n, (k) => `v${k}`, read);
    lines.push(`      const v${i} = ${rounded.has(i) ? `Math.fround(${e})` : e};`);
  });
  for (const s of loop.stores) {
    const at = `arena[R${s.buffer} + ${s.column} + j]`;
    lines.push(s.accumulate ? `      ${at} += v${s.node};` : `      ${at} = v${s.node};`);
  }
  lines.push('    }', '  }', '}');
  return lines.join('\n');
}

/** The module's source: a function per loop, and an array of pass functions (in `planPasses` order). */
function programSource(plan: SequencePlan): string {
  const parts: string[] = [];
  const decided = decidedNodes(plan);
  const passes = planPasses(plan).map((pass, p) => {
    const names = pass.loops.map((loop, l) => {
      const name = `pass${p}loop${l}`;
      parts.push(
        `// ${pass.name}, loop ${l} (width ${loop.width})\n${loopFunction(name, loop, plan.buffers, decided.get(loop)!)}`,
      );
      return name;
    });
    const call = (n: string) => `    ${n}(arena, offsets, valid, rows, tau, time);`;
    return `  (arena, offsets, valid, rows, tau, time) => {\n${names.map(call).join('\n')}\n  }`;
  });
  parts.push(`return [\n${passes.join(',\n')}\n];`);
  return parts.join('\n\n');
}

class JavaScriptInstance implements HostInstance {
  readonly valid: Uint8Array;
  generation = 0;
  /** The storage of every buffer (see the module comment). */
  private readonly arena: Float32Array;
  /** Each buffer's storage now: a view of the arena, or an array `provide` handed over. */
  private readonly buffers: Float32Array[];
  /** Where each arena view in `buffers` starts, for the passes (set with it by `place`). */
  private readonly offsets: Int32Array;
  /** Each buffer's own view of the arena, put back by `reset`. */
  private readonly own: readonly Float32Array[];

  constructor(
    private readonly plan: SequencePlan,
    private readonly passes: readonly PassFunction[],
    /** The buffers the passes read or store: `provide` copies these into the arena. */
    private readonly passBuffers: ReadonlySet<number>,
    private readonly rows: number,
    private readonly time: number,
    private readonly pool: InstancePool<JavaScriptInstance>,
  ) {
    this.valid = new Uint8Array(rows).fill(1);
    const lengths = plan.buffers.map((b) => bufferLength(b, rows, time));
    const total = lengths.reduce((n, l) => n + l, 0);
    if (total > 2 ** 31 - 1) {
      throw new RangeError(
        `compiled kernel: ${rows} rows x ${time} steps need ${total} floats of buffers, more than the ` +
          `2^31 - 1 that one JavaScript instance addresses; use smaller batches or shorter sequences`,
      );
    }
    this.arena = new Float32Array(total);
    let at = 0;
    this.own = lengths.map((length) => {
      at += length;
      return this.arena.subarray(at - length, at);
    });
    this.buffers = [];
    this.offsets = new Int32Array(lengths.length);
    this.placeOwnViews();
  }

  /** Every buffer back on its own view of the arena. */
  private placeOwnViews(): void {
    this.own.forEach((view, id) => {
      this.place(id, view);
    });
  }

  /** Makes `view`, a view of the arena, the storage of buffer `id`, for `buffer()` and for the passes. */
  private place(id: number, view: Float32Array): void {
    this.buffers[id] = view;
    this.offsets[id] = view.byteOffset / Float32Array.BYTES_PER_ELEMENT;
  }

  /** Made ready for another run: its own views back in place, every row valid. */
  reset(): this {
    this.generation++;
    this.placeOwnViews();
    this.valid.fill(1);
    return this;
  }

  release(): void {
    this.pool.put(this.rows, this.time, this);
  }

  /** The bytes of its arena. */
  get bytes(): number {
    return this.arena.byteLength;
  }

  buffer(id: number): Float32Array {
    return this.buffers[id]!;
  }

  /** Copies `data` into the arena where the passes use the buffer; other buffers (products only) use `data` itself. */
  provide(id: number, data: Float32Array): void {
    const length = bufferLength(this.plan.buffers[id]!, this.rows, this.time);
    if (data.length < length) {
      throw new Error(
        `compiled kernel: buffer ${id} needs ${length} floats, received ${data.length} (internal error)`,
      );
    }
    if (this.passBuffers.has(id)) this.buffers[id]!.set(data.subarray(0, length));
    else this.buffers[id] = data;
  }

  swap(a: number, b: number): void {
    const x = this.buffers[a]!;
    const y = this.buffers[b]!;
    if (x.buffer !== this.arena.buffer || y.buffer !== this.arena.buffer) {
      throw new Error(
        `compiled kernel: buffers ${a} and ${b} are swapped, but one was provided (internal error)`,
      );
    }
    this.place(a, y);
    this.place(b, x);
  }

  run(index: number, tau: number): void {
    this.passes[index]!(this.arena, this.offsets, this.valid, this.rows, tau, this.time);
  }
}

const compiled = new Map<string, readonly PassFunction[]>();

/** The JavaScript generator: `new Function` code, cached per program text. */
export const javascriptGenerator: HostPassGenerator = {
  name: 'javascript',
  unavailable: functionConstructorRefusal,
  generate(plan) {
    checkLoopColumns(plan);
    const source = programSource(plan);
    let passes = compiled.get(source);
    if (!passes) {
      passes = new Function('gateSigmoid', 'gateTanh', `"use strict";\n${source}`)(
        gateSigmoid,
        gateTanh,
      ) as PassFunction[];
      compiled.set(source, passes);
    }
    const functions = passes;
    const passBuffers = new Set(planPasses(plan).flatMap((pass) => pass.loops.flatMap(loopBuffers)));
    const pool = new InstancePool<JavaScriptInstance>((i) => i.bytes);
    const program: HostProgram = {
      instantiate: (batch, time) =>
        pool
          .take(batch, time, () => new JavaScriptInstance(plan, functions, passBuffers, batch, time, pool))
          .reset(),
    };
    return { source, program };
  },
};
