/**
 * The WebAssembly SIMD code generator (`backend-wasm`'s): each loop of a plan's passes becomes a small module (one
 * exported function, a few hundred bytes, so that browsers compile it synchronously: they refuse modules over
 * 4 KiB on the main thread) that walks its rows and, in each row, four columns per instruction, with a scalar tail
 * for widths that are not a multiple of 4. Activations are inlined (`simd-math.ts`: Cephes' expf and logf, in
 * float32 like tfjs's own kernels). Every buffer of a run lives in one WebAssembly memory that the modules import:
 * at address 0 a table of each buffer's byte address (a state and the next state trade places by swapping two
 * entries), then the batch's valid flags, then the buffers, each aligned to 16 bytes. A run's memory is sized once,
 * when its instance is made, so views of it stay valid for the whole run.
 */
import {
  checkLoopColumns,
  type HostInstance,
  type HostPassGenerator,
  type HostProgram,
  InstancePool,
} from '@seqmodel/backend-tfjs';
import {
  bufferLength,
  type ElementwiseLoop,
  formatPass,
  type LoopNode,
  operandsOf,
  type PlanBuffer,
  planPasses,
  type SequencePlan,
} from '@seqmodel/core';
import { exp, log, sigmoid, tanh } from '../simd-math.js';
import { encodeModule, op, simd } from '../wasm-encoder.js';

/** The parts of the WebAssembly JavaScript API used here (the project's `lib` has no WebAssembly types). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
}

type LoopFunction = (rows: number, tau: number, time: number) => void;

const PAGE = 65536;

/** Where a run's table, flags and buffers are, in bytes. */
interface Layout {
  readonly validOffset: number;
  readonly offsets: readonly number[];
  readonly bytes: number;
}

function layoutOf(plan: SequencePlan, batch: number, time: number): Layout {
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const validOffset = 4 * plan.buffers.length;
  let at = align(validOffset + batch);
  const offsets = plan.buffers.map((b) => {
    const offset = at;
    at = align(at + 4 * bufferLength(b, batch, time));
    return offset;
  });
  return { validOffset, offsets, bytes: at };
}

/** The i32 constant `validOffset` is read from the table's end: the flags follow the table. */
function loopModule(loop: ElementwiseLoop, buffers: readonly PlanBuffer[]): Uint8Array {
  const [rows, tau, time] = [0, 1, 2];
  const used = [
    ...new Set([
      ...loop.nodes.flatMap((n) => (n.op === 'read' ? [n.buffer] : [])),
      ...loop.stores.map((s) => s.buffer),
    ]),
  ];
  let next = 3;
  const b = next++;
  const j = next++;
  const base = new Map<number, number>();
  const row = new Map<number, number>();
  for (const id of used) {
    base.set(id, next++);
    row.set(id, next++);
  }
  const i32Count = next - 3;
  const value = (i: number) => next + i;
  const scratch = [
    next + loop.nodes.length,
    next + loop.nodes.length + 1,
    next + loop.nodes.length + 2,
    next + loop.nodes.length + 3,
  ] as const;
  const [s0, s1, s2, s3] = scratch;
  const validOffset = 4 * buffers.length;

  const address = (buffer: number) => [...op.localGet(row.get(buffer)!), ...op.localGet(j), ...op.i32Add];
  const emit = (node: LoopNode, vector: boolean): number[] => {
    const get = (k: number) => op.localGet(value(k));
    switch (node.op) {
      case 'read':
        return [
          ...address(node.buffer),
          ...(vector ? simd.loadAt(4 * node.column) : simd.load32Splat(4 * node.column)),
        ];
      case 'const':
        return simd.splat(node.value);
      case 'neg':
        return [...get(node.x), ...simd.f32x4Neg];
      case 'abs':
        return [...get(node.x), ...simd.f32x4Abs];
      case 'sqrt':
        return [...get(node.x), ...simd.f32x4Sqrt];
      case 'relu':
        // tfjs-wasm's Relu is XNNPACK's: the float's bits as a signed integer, at least 0. Negative values, −0 and a
        // NaN with its sign bit set (what x86 arithmetic makes) give +0; a positive NaN stays.
        return [...get(node.x), ...simd.splat(0), ...simd.i32x4MaxS];
      case 'exp':
        // Cephes' expf clamps its argument; above ln(float32 max) the exact result is +∞.
        return [
          ...get(node.x),
          ...op.localTee(s3),
          ...exp(s0, s1),
          ...op.localSet(s2),
          ...simd.splat(Number.POSITIVE_INFINITY),
          ...op.localGet(s2),
          ...op.localGet(s3),
          ...simd.splat(88.72284),
          ...simd.f32x4Gt,
          ...simd.v128Bitselect,
        ];
      case 'log':
        return [...get(node.x), ...log(s0, s1, s2, s3)];
      case 'sigmoid':
        return [...get(node.x), ...sigmoid(s0, s1, s2)];
      case 'tanh':
        return [...get(node.x), ...tanh(s0, s1, s2, s3)];
      case 'add':
        return [...get(node.a), ...get(node.b), ...simd.f32x4Add];
      case 'sub':
        return [...get(node.a), ...get(node.b), ...simd.f32x4Sub];
      case 'mul':
        return [...get(node.a), ...get(node.b), ...simd.f32x4Mul];
      case 'div':
        return [...get(node.a), ...get(node.b), ...simd.f32x4Div];
      // tfjs-wasm's Maximum and Minimum (the generic loop here) give the first operand where either is NaN (C++'s
      // std::max, std::min): the pseudo-max and -min, not f32x4.max and min, which give NaN. Its ClipByValue is
      // XNNPACK's clamp, min(max, max(min, x)), the bounds first: a NaN clips to the lower bound, and
      // clip(−0, −1, 0) is +0.
      case 'maximum':
        return [...get(node.a), ...get(node.b), ...simd.f32x4Pmax];
      case 'minimum':
        return [...get(node.a), ...get(node.b), ...simd.f32x4Pmin];
      case 'greater':
        return [...get(node.a), ...get(node.b), ...simd.f32x4Gt, ...simd.splat(1), ...simd.v128And];
      case 'equal':
        return [...get(node.a), ...get(node.b), ...simd.f32x4Eq, ...simd.splat(1), ...simd.v128And];
      case 'where':
        return [
          ...get(node.a),
          ...get(node.b),
          ...get(node.condition),
          ...simd.splat(0),
          ...simd.f32x4Ne,
          ...simd.v128Bitselect,
        ];
      case 'clip':
        return [
          ...simd.splat(node.max),
          ...simd.splat(node.min),
          ...get(node.x),
          ...simd.f32x4Pmax,
          ...simd.f32x4Pmin,
        ];
    }
  };
  // Constants are set once per function; what does not depend on the column (broadcast reads, and work on them and
  // constants alone: a row's normalization factor) once per row.
  const isConst = (n: LoopNode) => n.op === 'const';
  const invariant = new Set<number>();
  loop.nodes.forEach((n, i) => {
    const fixed =
      n.op === 'read'
        ? n.broadcast
        : !isConst(n) && operandsOf(n).every((k) => invariant.has(k) || isConst(loop.nodes[k]!));
    if (fixed) invariant.add(i);
  });
  const body = (vector: boolean): number[] => {
    const out: number[] = [];
    loop.nodes.forEach((n, i) => {
      if (!isConst(n) && !invariant.has(i)) out.push(...emit(n, vector), ...op.localSet(value(i)));
    });
    for (const s of loop.stores) {
      const offset = 4 * s.column;
      const store = vector ? simd.storeAt(offset) : simd.store32Lane0(offset);
      const load = vector ? simd.loadAt(offset) : simd.load32Splat(offset);
      out.push(...address(s.buffer));
      if (s.accumulate)
        out.push(...address(s.buffer), ...load, ...op.localGet(value(s.node)), ...simd.f32x4Add);
      else out.push(...op.localGet(value(s.node)));
      out.push(...store);
    }
    return out;
  };
  /** `for (i = start; i < end; i += step) body` with constant bounds. */
  const range = (i: number, start: number, end: number, step: number, inner: number[]): number[] =>
    start >= end
      ? []
      : [
          ...op.i32Const(start),
          ...op.localSet(i),
          ...op.loop,
          ...inner,
          ...op.localGet(i),
          ...op.i32Const(step),
          ...op.i32Add,
          ...op.localTee(i),
          ...op.i32Const(end),
          ...op.i32Sub,
          ...op.i32Eqz,
          ...op.i32Eqz,
          ...op.brIf(0),
          ...op.end,
        ];
  const width = loop.width;
  const vectorBytes = 16 * Math.floor(width / 4);
  const rowCode: number[] = [
    ...op.block,
    // Masked rows are skipped.
    ...op.i32Const(validOffset),
    ...op.localGet(b),
    ...op.i32Add,
    ...op.i32Load8U(),
    ...op.i32Eqz,
    ...op.brIf(0),
  ];
  for (const id of used) {
    const buffer = buffers[id]!;
    const bytes = 4 * buffer.width;
    if (buffer.rows === 'single') rowCode.push(...op.localGet(base.get(id)!));
    else if (buffer.rows === 'batch') {
      rowCode.push(
        ...op.localGet(b),
        ...op.i32Const(bytes),
        ...op.i32Mul,
        ...op.localGet(base.get(id)!),
        ...op.i32Add,
      );
    } else {
      rowCode.push(
        ...op.localGet(b),
        ...op.localGet(time),
        ...op.i32Mul,
        ...op.localGet(tau),
        ...op.i32Add,
        ...op.i32Const(bytes),
        ...op.i32Mul,
        ...op.localGet(base.get(id)!),
        ...op.i32Add,
      );
    }
    rowCode.push(...op.localSet(row.get(id)!));
  }
  loop.nodes.forEach((n, i) => {
    if (n.op === 'read' && n.broadcast) {
      rowCode.push(
        ...op.localGet(row.get(n.buffer)!),
        ...simd.load32Splat(4 * n.column),
        ...op.localSet(value(i)),
      );
    } else if (invariant.has(i)) {
      rowCode.push(...emit(n, true), ...op.localSet(value(i)));
    }
  });
  rowCode.push(
    ...range(j, 0, vectorBytes, 16, body(true)),
    ...range(j, vectorBytes, 4 * width, 4, body(false)),
    ...op.end,
  );
  const prologue: number[] = [];
  for (const id of used)
    prologue.push(...op.i32Const(4 * id), ...op.i32Load(), ...op.localSet(base.get(id)!));
  loop.nodes.forEach((n, i) => {
    if (isConst(n)) prologue.push(...emit(n, true), ...op.localSet(value(i)));
  });
  // for (b = 0; b < rows; b++) row
  const rowLoop = [
    ...op.i32Const(0),
    ...op.localSet(b),
    ...op.block,
    ...op.loop,
    ...op.localGet(b),
    ...op.localGet(rows),
    ...op.i32GeU,
    ...op.brIf(1),
    ...rowCode,
    ...op.localGet(b),
    ...op.i32Const(1),
    ...op.i32Add,
    ...op.localSet(b),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  return encodeModule({
    importedMemoryPages: 1,
    functions: [
      {
        name: 'run',
        params: ['i32', 'i32', 'i32'],
        locals: [
          [i32Count, 'i32'],
          [loop.nodes.length + scratch.length, 'v128'],
        ],
        body: [...prologue, ...rowLoop],
      },
    ],
  });
}

function api(): WebAssemblyApi | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}

let refusal: string | undefined | null = null;

/** Why generated WebAssembly SIMD cannot run here, or undefined (tested once). */
function wasmRefusal(): string | undefined {
  if (refusal !== null) return refusal;
  const wasm = api();
  if (!wasm) {
    refusal = 'this JavaScript engine has no WebAssembly';
    return refusal;
  }
  try {
    const probe = loopModule(
      {
        width: 4,
        nodes: [
          { op: 'const', value: 1 },
          { op: 'sigmoid', x: 0 },
        ],
        stores: [],
      },
      [],
    );
    if (!wasm.validate(probe)) refusal = 'this engine has no WebAssembly SIMD';
    else {
      new wasm.Module(probe);
      refusal = undefined;
    }
  } catch (error) {
    refusal = `generated WebAssembly cannot be compiled here (a content security policy without 'wasm-unsafe-eval'?): ${(error as Error).message}`;
  }
  return refusal;
}

const modules = new Map<string, object>();

function compile(bytes: Uint8Array): object {
  let key = '';
  for (let i = 0; i < bytes.length; i += 4096) key += String.fromCharCode(...bytes.subarray(i, i + 4096));
  let module = modules.get(key);
  if (!module) {
    module = new (api()!.Module)(bytes);
    modules.set(key, module);
  }
  return module;
}

class WasmInstance implements HostInstance {
  readonly valid: Uint8Array;
  generation = 0;
  private readonly heap: ArrayBuffer;
  private readonly table: Int32Array;
  private readonly offsets: readonly number[];
  private readonly own: readonly Float32Array[];
  private readonly views: Float32Array[];
  private readonly passes: LoopFunction[][];

  constructor(
    plan: SequencePlan,
    passModules: readonly (readonly object[])[],
    private readonly rows: number,
    private readonly time: number,
    private readonly pool: InstancePool<WasmInstance>,
  ) {
    const layout = layoutOf(plan, rows, time);
    const wasm = api()!;
    const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil(layout.bytes / PAGE)) });
    this.heap = memory.buffer;
    this.offsets = layout.offsets;
    this.table = new Int32Array(this.heap, 0, plan.buffers.length);
    this.valid = new Uint8Array(this.heap, layout.validOffset, rows);
    this.own = plan.buffers.map(
      (b, i) => new Float32Array(this.heap, layout.offsets[i]!, bufferLength(b, rows, time)),
    );
    this.views = [...this.own];
    this.passes = passModules.map((loops) =>
      loops.map((m) => new wasm.Instance(m, { env: { memory } }).exports.run as LoopFunction),
    );
  }

  /** Made ready for another run: buffers back in their places (undoing swaps), every row valid. */
  reset(): this {
    this.generation++;
    this.table.set(this.offsets);
    this.own.forEach((v, i) => {
      this.views[i] = v;
    });
    this.valid.fill(1);
    return this;
  }

  release(): void {
    this.pool.put(this.rows, this.time, this);
  }

  /** The bytes of its memory. */
  get bytes(): number {
    return this.heap.byteLength;
  }

  buffer(id: number): Float32Array {
    return this.views[id]!;
  }

  provide(id: number, data: Float32Array): void {
    const view = this.views[id]!;
    view.set(data.subarray(0, view.length));
  }

  swap(a: number, b: number): void {
    const t = this.table;
    const x = t[a]!;
    t[a] = t[b]!;
    t[b] = x;
    const v = this.views[a]!;
    this.views[a] = this.views[b]!;
    this.views[b] = v;
  }

  run(index: number, tau: number): void {
    for (const loop of this.passes[index]!) loop(this.rows, tau, this.time);
  }
}

/** The WebAssembly SIMD generator; modules are compiled once per distinct loop. */
export const wasmSimdGenerator: HostPassGenerator = {
  name: 'wasm-simd',
  unavailable: wasmRefusal,
  // As tfjs-wasm's kernels (see `loopModule`'s maximum, minimum and clip).
  nanMinMax: 'first',
  generate(plan) {
    checkLoopColumns(plan);
    const passes = planPasses(plan);
    const bytes = passes.map((pass) => pass.loops.map((loop) => loopModule(loop, plan.buffers)));
    const passModules = bytes.map((loops) => loops.map(compile));
    const source = passes
      .map((pass, p) => {
        const sizes = bytes[p]!.map((m, l) => `loop ${l}: ${m.length} bytes`).join(', ');
        return `${formatPass(pass, plan.buffers)}\n  (WebAssembly SIMD, four columns per instruction; ${sizes})`;
      })
      .join('\n');
    const pool = new InstancePool<WasmInstance>((i) => i.bytes);
    const program: HostProgram = {
      instantiate: (batch, time) =>
        pool.take(batch, time, () => new WasmInstance(plan, passModules, batch, time, pool)).reset(),
    };
    return { source, program };
  },
};
