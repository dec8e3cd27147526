/**
 * A small WebAssembly binary encoder: LEB128 numbers, the instructions seqmodel's kernels use (with the SIMD
 * proposal's final opcodes), structured loops, and a module assembler. Programs are plain arrays of bytes built by
 * spreading these pieces, so a kernel is written in TypeScript and compiled at run time without a toolchain.
 * The compiled kernels' code generator (`compiled/wasm-generator.ts`) is written with it.
 */

/** Unsigned LEB128. */
export function unsigned(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128. */
export function signed(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A section: its id, then its body's size and the body. */
export function section(id: number, body: number[]): number[] {
  return [id, ...unsigned(body.length), ...body];
}

/** A vector: the count, then the items. */
export function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

export const valueTypes = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValueType = keyof typeof valueTypes;

/** A memory argument: alignment (as a power of two) and a constant offset added to the address. */
export function memarg(alignPower: number, offset = 0): number[] {
  return [alignPower, ...unsigned(offset)];
}

/** Scalar and control instructions. */
export const op = {
  localGet: (i: number) => [0x20, ...unsigned(i)],
  localSet: (i: number) => [0x21, ...unsigned(i)],
  localTee: (i: number) => [0x22, ...unsigned(i)],
  i32Const: (n: number) => [0x41, ...signed(n)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32Eqz: [0x45],
  /** i32 from memory, 4-byte aligned, at the address on the stack plus `offset`. */
  i32Load: (offset = 0) => [0x28, ...memarg(2, offset)],
  /** A byte from memory, zero-extended. */
  i32Load8U: (offset = 0) => [0x2d, ...memarg(0, offset)],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  br: (depth: number) => [0x0c, ...unsigned(depth)],
  brIf: (depth: number) => [0x0d, ...unsigned(depth)],
  end: [0x0b],
  f32Const: (x: number) => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)],
  simd: (code: number) => [0xfd, ...unsigned(code)],
};

/** SIMD instructions on four float32 (or int32) lanes. */
export const simd = {
  // v128 memory access with 4-byte alignment (rows need not be 16-byte aligned) and no constant offset.
  load: [...op.simd(0x00), 2, 0],
  store: [...op.simd(0x0b), 2, 0],
  /** v128 load and store at the address on the stack plus a constant `offset`. */
  loadAt: (offset: number) => [...op.simd(0x00), ...memarg(2, offset)],
  storeAt: (offset: number) => [...op.simd(0x0b), ...memarg(2, offset)],
  /** One float32 from memory into all four lanes. */
  load32Splat: (offset: number) => [...op.simd(0x09), ...memarg(2, offset)],
  /** Lane 0 to memory (a float32). */
  store32Lane0: (offset: number) => [...op.simd(0x5a), ...memarg(2, offset), 0],
  f32x4Eq: op.simd(0x41),
  f32x4Ne: op.simd(0x42),
  f32x4Lt: op.simd(0x43),
  f32x4Gt: op.simd(0x44),
  v128And: op.simd(0x4e),
  v128Or: op.simd(0x50),
  /** v1 where the mask's bits are set, else v2 (stack: v1, v2, mask). */
  v128Bitselect: op.simd(0x52),
  i32x4ShrU: op.simd(0xad),
  i32x4Sub: op.simd(0xb1),
  /** Signed maximum per lane: on float bits, `max(x, +0)` is XNNPACK's relu (a sign-bit test: −0 and −NaN give +0). */
  i32x4MaxS: op.simd(0xb8),
  f32x4Abs: op.simd(0xe0),
  f32x4Sqrt: op.simd(0xe3),
  f32x4ConvertI32x4: op.simd(0xfa),
  i32x4Splat: op.simd(0x11),
  f32x4Splat: op.simd(0x13),
  f32x4Nearest: op.simd(0x6a),
  i32x4Shl: op.simd(0xab),
  i32x4Add: op.simd(0xae),
  f32x4Neg: op.simd(0xe1),
  f32x4Add: op.simd(0xe4),
  f32x4Sub: op.simd(0xe5),
  f32x4Mul: op.simd(0xe6),
  f32x4Div: op.simd(0xe7),
  f32x4Min: op.simd(0xe8),
  f32x4Max: op.simd(0xe9),
  /** `b < a ? b : a` per lane: the first operand where either is NaN (C++'s `std::min`). */
  f32x4Pmin: op.simd(0xea),
  /** `a < b ? b : a` per lane: the first operand where either is NaN (C++'s `std::max`). */
  f32x4Pmax: op.simd(0xeb),
  i32x4TruncSatF32x4: op.simd(0xf8),
  /** `x` in all four lanes. */
  splat: (x: number) => [...op.f32Const(x), ...op.simd(0x13)],
};

/** `for (i = 0; i < limit; i += step) body`, with `i` and `limit` i32 locals. */
export function forLoop(i: number, limit: number, step: number, body: number[]): number[] {
  return [
    ...op.i32Const(0),
    ...op.localSet(i),
    ...op.block,
    ...op.loop,
    ...op.localGet(i),
    ...op.localGet(limit),
    ...op.i32GeU,
    ...op.brIf(1),
    ...body,
    ...op.localGet(i),
    ...op.i32Const(step),
    ...op.i32Add,
    ...op.localSet(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

/** The i32 sum of locals (and a multiple of another: `scaled` = [local, factor]). */
export function sum(locals: number[], scaled?: [number, number]): number[] {
  const out = [...op.localGet(locals[0]!)];
  for (const l of locals.slice(1)) out.push(...op.localGet(l), ...op.i32Add);
  if (scaled) out.push(...op.localGet(scaled[0]), ...op.i32Const(scaled[1]), ...op.i32Mul, ...op.i32Add);
  return out;
}

/** One exported function: its parameters, its locals (counts by type, numbered after the params) and its body. */
export interface FunctionDefinition {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly results?: readonly ValueType[];
  readonly locals: readonly (readonly [count: number, type: ValueType])[];
  /** The instructions, without the function's final `end` (the encoder adds it). */
  readonly body: number[];
}

export interface ModuleDefinition {
  readonly functions: readonly FunctionDefinition[];
  /** A memory of this many 64 KiB pages (growable), exported as `memory`; none when absent. */
  readonly memoryPages?: number;
  /** Import the memory instead, as `env.memory`, of at least this many pages (exclusive with `memoryPages`). */
  readonly importedMemoryPages?: number;
}

/** The bytes of a module exporting `functions` (and its memory). Functions with one signature share a type. */
export function encodeModule(definition: ModuleDefinition): Uint8Array {
  const signature = (f: FunctionDefinition) => [
    0x60,
    ...vector(f.params.map((t) => [valueTypes[t]])),
    ...vector((f.results ?? []).map((t) => [valueTypes[t]])),
  ];
  const types: number[][] = [];
  const typeIndex = definition.functions.map((f) => {
    const bytes = signature(f);
    const found = types.findIndex((t) => t.length === bytes.length && t.every((b, i) => b === bytes[i]));
    if (found >= 0) return found;
    types.push(bytes);
    return types.length - 1;
  });
  const name = (s: string) => [...unsigned(s.length), ...new TextEncoder().encode(s)];
  const exports: number[][] = definition.functions.map((f, i) => [...name(f.name), 0x00, ...unsigned(i)]);
  const memory = definition.memoryPages === undefined ? [] : [[0x00, ...unsigned(definition.memoryPages)]];
  if (memory.length > 0) exports.unshift([...name('memory'), 0x02, 0]);
  const code = definition.functions.map((f) => {
    const bytes = [
      ...vector(f.locals.map(([count, type]) => [...unsigned(count), valueTypes[type]])),
      ...f.body,
      ...op.end,
    ];
    return [...unsigned(bytes.length), ...bytes];
  });
  const imported =
    definition.importedMemoryPages === undefined
      ? []
      : [[...name('env'), ...name('memory'), 0x02, 0x00, ...unsigned(definition.importedMemoryPages)]];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...(imported.length > 0 ? section(2, vector(imported)) : []),
    ...section(3, vector(typeIndex.map((t) => unsigned(t)))),
    ...(memory.length > 0 ? section(5, vector(memory)) : []),
    ...section(7, vector(exports)),
    ...section(10, vector(code)),
  ]);
}
