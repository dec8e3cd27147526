/**
 * The gate arithmetic of an LSTM step, and of a GRU step without `resetAfter`, with Keras' default activations (σ
 * gates, tanh candidate and cell output) in WebAssembly SIMD: four units per instruction, against one in JavaScript.
 * With the recurrent products on XNNPACK, the JavaScript gates were roughly a third of an LSTM's forward pass; at
 * batch 64 and 256 units, 100 LSTM steps of these gates (copies included, inference) ran 4-5 times faster than
 * backend-tfjs's JavaScript loop (`lstmRowSigmoidTanh`) in interleaved runs on a loaded 2-core machine.
 *
 * The module is small and written here as bytes (a few helpers below emit the instructions), so no toolchain is
 * needed. It has its own memory: the step's rows are copied in, computed, and copied out (copies run at memory
 * speed; the gates were the cost). exp is Cephes' `expf` (range reduction by ln 2, a polynomial, 2^k from the
 * exponent bits), inline, in float32 like tfjs's own kernels: within a few float32 ulps of the exact values.
 */
import type {
  GateStepArgs,
  GruCandidateArgs,
  GruResetArgs,
  LstmStepArgs,
  VectorGates,
} from '@seqmodel/backend-tfjs';

// Encoding helpers (WebAssembly binary format, with the SIMD proposal's final opcodes).

function unsigned(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function signed(n: number): number[] {
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

function section(id: number, body: number[]): number[] {
  return [id, ...unsigned(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

const I32 = 0x7f;
const V128 = 0x7b;

const op = {
  localGet: (i: number) => [0x20, ...unsigned(i)],
  localSet: (i: number) => [0x21, ...unsigned(i)],
  localTee: (i: number) => [0x22, ...unsigned(i)],
  i32Const: (n: number) => [0x41, ...signed(n)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  br: (depth: number) => [0x0c, ...unsigned(depth)],
  brIf: (depth: number) => [0x0d, ...unsigned(depth)],
  end: [0x0b],
  f32Const: (x: number) => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)],
  simd: (code: number) => [0xfd, ...unsigned(code)],
};
// v128 memory access with 4-byte alignment (rows need not be 16-byte aligned) and no constant offset.
const load = [...op.simd(0x00), 2, 0];
const store = [...op.simd(0x0b), 2, 0];
const i32x4Splat = op.simd(0x11);
const f32x4Splat = op.simd(0x13);
const f32x4Nearest = op.simd(0x6a);
const i32x4Shl = op.simd(0xab);
const i32x4Add = op.simd(0xae);
const f32x4Neg = op.simd(0xe1);
const f32x4Add = op.simd(0xe4);
const f32x4Sub = op.simd(0xe5);
const f32x4Mul = op.simd(0xe6);
const f32x4Div = op.simd(0xe7);
const f32x4Min = op.simd(0xe8);
const f32x4Max = op.simd(0xe9);
const i32x4TruncSatF32x4 = op.simd(0xf8);
const splat = (x: number) => [...op.f32Const(x), ...f32x4Splat];

/**
 * e^x for four lanes (Cephes expf), inline: consumes the value on the stack, leaves the result; uses the v128 locals
 * `x` and `k` as scratch. (Emitted inline: a wasm call per four units cost a third of the step.)
 */
function exp(x: number, k: number): number[] {
  // Horner's scheme for the polynomial in r (x holds r after the range reduction).
  const coefficients = [
    1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
  ];
  const poly: number[] = [...splat(coefficients[0]!)];
  for (const c of coefficients.slice(1)) poly.push(...op.localGet(x), ...f32x4Mul, ...splat(c), ...f32x4Add);
  return [
    // x = min(max(x, -87), 88): e^x stays a normal float32 and 2^k below.
    ...splat(-87),
    ...f32x4Max,
    ...splat(88),
    ...f32x4Min,
    ...op.localTee(x),
    // k = nearest(x · log2 e)
    ...splat(Math.LOG2E),
    ...f32x4Mul,
    ...f32x4Nearest,
    ...op.localSet(k),
    // r = x − k · 0.693359375 − k · (−2.12194440e-4)   (ln 2 in two parts)
    ...op.localGet(x),
    ...op.localGet(k),
    ...splat(0.693359375),
    ...f32x4Mul,
    ...f32x4Sub,
    ...op.localGet(k),
    ...splat(-2.1219444e-4),
    ...f32x4Mul,
    ...f32x4Sub,
    ...op.localSet(x),
    // p(r) · r² + r + 1
    ...poly,
    ...op.localGet(x),
    ...f32x4Mul,
    ...op.localGet(x),
    ...f32x4Mul,
    ...op.localGet(x),
    ...f32x4Add,
    ...splat(1),
    ...f32x4Add,
    // · 2^k, built from the exponent bits: (k + 127) << 23
    ...op.localGet(k),
    ...i32x4TruncSatF32x4,
    ...op.i32Const(127),
    ...i32x4Splat,
    ...i32x4Add,
    ...op.i32Const(23),
    ...i32x4Shl,
    ...f32x4Mul,
  ];
}

/** σ(v) = 1 / (1 + e^−v) of the value on the stack; `e` is a third scratch local. */
function sigmoid(x: number, k: number, e: number): number[] {
  return [
    ...f32x4Neg,
    ...exp(x, k),
    ...op.localSet(e),
    ...splat(1),
    ...splat(1),
    ...op.localGet(e),
    ...f32x4Add,
    ...f32x4Div,
  ];
}

/** tanh(v) = 1 − 2 / (1 + e^{2v}) of the value on the stack. */
function tanh(x: number, k: number, e: number): number[] {
  return [
    ...op.localTee(e),
    ...op.localGet(e),
    ...f32x4Add,
    ...exp(x, k),
    ...op.localSet(e),
    ...splat(1),
    ...splat(2),
    ...splat(1),
    ...op.localGet(e),
    ...f32x4Add,
    ...f32x4Div,
    ...f32x4Sub,
  ];
}

/** `for (i = 0; i < limit; i += step) body`, with `i` and `limit` i32 locals. */
function forLoop(i: number, limit: number, step: number, body: number[]): number[] {
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
function sum(locals: number[], scaled?: [number, number]): number[] {
  const out = [...op.localGet(locals[0]!)];
  for (const l of locals.slice(1)) out.push(...op.localGet(l), ...op.i32Add);
  if (scaled) out.push(...op.localGet(scaled[0]), ...op.i32Const(scaled[1]), ...op.i32Mul, ...op.i32Add);
  return out;
}

/** Each `[local, base]` set to `base + j`: where column `j` (bytes) of a row starting at `base` is. */
function columnAddresses(j: number, addresses: [local: number, base: number][]): number[] {
  return addresses.flatMap(([local, base]) => [...sum([base, j]), ...op.localSet(local)]);
}

/** Gate block `part` of a row, at `local + part · width` (`width`: a block's bytes). */
function block(local: number, width: number, part: number): number[] {
  return sum([local], part ? [width, part] : undefined);
}

/** z + r + bias of gate block `part`, each read at its column address (`zj`, `rj`, `bj`), left on the stack. */
function gateInput(zj: number, rj: number, bj: number, width: number, part: number): number[] {
  return [
    ...block(zj, width, part),
    ...load,
    ...block(rj, width, part),
    ...load,
    ...f32x4Add,
    ...block(bj, width, part),
    ...load,
    ...f32x4Add,
  ];
}

/** The i32 locals a function walks its rows and columns with; `units` and `rows` are params. */
interface RowLocals {
  readonly units: number;
  readonly rows: number;
  /** Set to units · 4: the bytes of a `units`-wide row, or of one gate block. */
  readonly width: number;
  /** The row. */
  readonly b: number;
  /** The column, in bytes: four units (16 bytes) at a time. */
  readonly j: number;
  /** Set to b · width at each row: the start of row b of a `units`-wide array. */
  readonly unitRow: number;
}

/**
 * A whole function body: `width = units · 4`, then for each row b below `rows`: `unitRow = b · width`, each
 * `[local, base, blocks]` of `starts` set to `base + unitRow · blocks` (row b of an array `blocks · units` wide), and
 * `column` for each column j below `width`; then the function's end.
 */
function overRows(
  l: RowLocals,
  starts: [local: number, base: number, blocks: number][],
  column: number[],
): number[] {
  const row = [...op.localGet(l.b), ...op.localGet(l.width), ...op.i32Mul, ...op.localTee(l.unitRow)];
  starts.forEach(([local, base, blocks], i) => {
    // The first one multiplies the value the tee left on the stack.
    if (i > 0) row.push(...op.localGet(l.unitRow));
    row.push(...op.i32Const(blocks), ...op.i32Mul, ...op.localGet(base), ...op.i32Add, ...op.localSet(local));
  });
  row.push(...forLoop(l.j, l.width, 16, column));
  return [
    ...op.localGet(l.units),
    ...op.i32Const(2),
    ...op.i32Shl,
    ...op.localSet(l.width),
    ...forLoop(l.b, l.rows, 1, row),
    ...op.end,
  ];
}

/**
 * The one function, exported as `lstm`: params (bias, z, r, c, cNext, hNext, ac, rows, units), byte offsets except the
 * last two. Row b of z and r is 4·units wide at b·16·units bytes, of c, cNext, hNext and ac units wide. Writes the
 * activated gates over z and act(c') into ac. `units` is a multiple of 4.
 */
function lstmBody(): number[] {
  const [bias, z, r, c, cNext, hNext, ac, rows, units] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  // i32 locals
  const [b, j, width, zRow, rRow, cRow, zj, rj, bj] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  // v128 locals: the gates, c', and scratch for the activations
  const [gi, gf, gg, go, cv, sx, sk, se] = [18, 19, 20, 21, 22, 23, 24, 25];
  const activations = { sigmoid: sigmoid(sx, sk, se), tanh: tanh(sx, sk, se) };
  const gate = (part: number, activation: 'sigmoid' | 'tanh', into: number) => [
    ...gateInput(zj, rj, bj, width, part),
    ...activations[activation],
    ...op.localSet(into),
  ];
  const storeGate = (part: number, from: number) => [
    ...block(zj, width, part),
    ...op.localGet(from),
    ...store,
  ];
  const at = (base: number) => sum([base, cRow, j]);
  const column = [
    ...columnAddresses(j, [
      [zj, zRow],
      [rj, rRow],
      [bj, bias],
    ]),
    ...gate(0, 'sigmoid', gi),
    ...gate(1, 'sigmoid', gf),
    ...gate(2, 'tanh', gg),
    ...gate(3, 'sigmoid', go),
    ...storeGate(0, gi),
    ...storeGate(1, gf),
    ...storeGate(2, gg),
    ...storeGate(3, go),
    // c' = f · c + i · g
    ...at(cNext),
    ...op.localGet(gf),
    ...at(c),
    ...load,
    ...f32x4Mul,
    ...op.localGet(gi),
    ...op.localGet(gg),
    ...f32x4Mul,
    ...f32x4Add,
    ...op.localTee(cv),
    ...store,
    // ac = tanh(c'), h' = o · ac
    ...at(ac),
    ...op.localGet(cv),
    ...activations.tanh,
    ...op.localTee(cv),
    ...store,
    ...at(hNext),
    ...op.localGet(go),
    ...op.localGet(cv),
    ...f32x4Mul,
    ...store,
  ];
  // zRow = z + b · 4 · width, rRow likewise, cRow = b · width
  return overRows(
    { units, rows, width, b, j, unitRow: cRow },
    [
      [zRow, z, 4],
      [rRow, r, 4],
    ],
    column,
  );
}

/**
 * Exported as `gruReset`, the first half of a GRU step without `resetAfter`: params (bias, z, r, ht, rht, rows,
 * units). Row b of z is 3·units wide (x·W; the z and r blocks are replaced by σ(x·W + h̃·U + b)), of r (h̃·U_zr)
 * 2·units wide, of ht (h̃) and rht units wide; writes rht = r · h̃.
 */
function gruResetBody(): number[] {
  const [bias, z, r, ht, rht, rows, units] = [0, 1, 2, 3, 4, 5, 6];
  const [b, j, width, zRow, rRow, hRow, zj, rj, bj] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const [g, sx, sk, se] = [16, 17, 18, 19];
  const gate = (part: number) => [
    ...block(zj, width, part),
    ...gateInput(zj, rj, bj, width, part),
    ...sigmoid(sx, sk, se),
    ...op.localTee(g),
    ...store,
  ];
  const column = [
    ...columnAddresses(j, [
      [zj, zRow],
      [rj, rRow],
      [bj, bias],
    ]),
    ...gate(0),
    ...gate(1),
    // rht = r · h̃ (g holds r)
    ...sum([rht, hRow, j]),
    ...op.localGet(g),
    ...sum([ht, hRow, j]),
    ...load,
    ...f32x4Mul,
    ...store,
  ];
  return overRows(
    { units, rows, width, b, j, unitRow: hRow },
    [
      [zRow, z, 3],
      [rRow, r, 2],
    ],
    column,
  );
}

/**
 * Exported as `gruUpdate`, the second half: params (bias, z, rh, ht, hNext, rows, units). ĥ = tanh(x_h + (r·h̃)·U_h
 * + b_h) replaces z's h block (rh holds (r·h̃)·U_h), and h' = z · h̃ + (1 − z) · ĥ.
 */
function gruUpdateBody(): number[] {
  const [bias, z, rh, ht, hNext, rows, units] = [0, 1, 2, 3, 4, 5, 6];
  const [b, j, width, zRow, hRow, zj, hj] = [7, 8, 9, 10, 11, 12, 13];
  const [c, sx, sk, se] = [14, 15, 16, 17];
  const column = [
    ...columnAddresses(j, [
      [zj, zRow],
      [hj, hRow],
    ]),
    // ĥ = tanh(x_h + rh + b_h), stored over x_h
    ...sum([zj], [width, 2]),
    ...sum([zj], [width, 2]),
    ...load,
    ...sum([rh, hj]),
    ...load,
    ...f32x4Add,
    ...sum([bias, j], [width, 2]),
    ...load,
    ...f32x4Add,
    ...tanh(sx, sk, se),
    ...op.localTee(c),
    ...store,
    // h' = ĥ + z · (h̃ − ĥ)
    ...sum([hNext, hj]),
    ...op.localGet(c),
    ...op.localGet(zj),
    ...load,
    ...sum([ht, hj]),
    ...load,
    ...op.localGet(c),
    ...f32x4Sub,
    ...f32x4Mul,
    ...f32x4Add,
    ...store,
  ];
  return overRows({ units, rows, width, b, j, unitRow: hRow }, [[zRow, z, 3]], column);
}

/** A function's code entry: its locals (`i32s` i32 ones, then `v128s` v128 ones, after the params) and body. */
function code(i32s: number, v128s: number, body: number[]): number[] {
  const bytes = [
    ...vector([
      [...unsigned(i32s), I32],
      [...unsigned(v128s), V128],
    ]),
    ...body,
  ];
  return [...unsigned(bytes.length), ...bytes];
}

function moduleBytes(): Uint8Array {
  /** The type of a function of `params` i32 params and no results. */
  const functionType = (params: number) => [
    0x60,
    ...vector(Array.from({ length: params }, () => [I32])),
    ...vector([]),
  ];
  const name = (s: string) => [...unsigned(s.length), ...new TextEncoder().encode(s)];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    // Types: 0 the lstm function's (9 params), 1 the two GRU functions' (7 params).
    ...section(1, vector([functionType(9), functionType(7)])),
    ...section(3, vector([[0], [1], [1]])),
    ...section(5, vector([[0x00, ...unsigned(1)]])),
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('lstm'), 0x00, 0],
        [...name('gruReset'), 0x00, 1],
        [...name('gruUpdate'), 0x00, 2],
      ]),
    ),
    ...section(10, vector([code(9, 8, lstmBody()), code(9, 4, gruResetBody()), code(7, 4, gruUpdateBody())])),
  ]);
}

/** The parts of the WebAssembly JavaScript API used here (the project's `lib` has no DOM or WebAssembly types). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

interface GateExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  lstm(
    bias: number,
    z: number,
    r: number,
    c: number,
    cNext: number,
    hNext: number,
    ac: number,
    rows: number,
    units: number,
  ): void;
  gruReset(bias: number, z: number, r: number, ht: number, rht: number, rows: number, units: number): void;
  gruUpdate(
    bias: number,
    z: number,
    rh: number,
    ht: number,
    hNext: number,
    rows: number,
    units: number,
  ): void;
}

/** The module's bytes (exported for tests). */
export const simdGateModule: Uint8Array = moduleBytes();

/** LSTM and GRU steps on the SIMD module; `create` returns undefined where WebAssembly SIMD is unavailable. */
export class SimdGates implements VectorGates {
  private readonly exports: GateExports;
  private heap: Float32Array;

  private constructor(exports: GateExports) {
    this.exports = exports;
    this.heap = new Float32Array(exports.memory.buffer);
  }

  static create(): SimdGates | undefined {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (api === undefined || !api.validate(simdGateModule)) return undefined;
    // Synchronous compilation is allowed for modules this small (browsers refuse it only above 4 KiB).
    const instance = new api.Instance(new api.Module(simdGateModule), {});
    return new SimdGates(instance.exports as GateExports);
  }

  /** The GRU step between `gruReset` and `gruCandidate`: its arguments (sizes, rows) and the region offsets. */
  private gru: { args: GruResetArgs; offsets: [number, number, number, number, number, number] } | undefined;

  /** Float offsets of consecutive regions of the given sizes, growing the memory when needed. */
  private regions(sizes: number[]): number[] {
    const offsets: number[] = [];
    let at = 0;
    for (const size of sizes) {
      offsets.push(at);
      at += size;
    }
    const bytes = at * 4;
    const memory = this.exports.memory;
    if (memory.buffer.byteLength < bytes) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    }
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return offsets;
  }

  /**
   * Copies the bias (its first `width` floats; zeros without one) to `bias` and the step's `rows` rows of the
   * projection (`width` wide, strided in `args.z`) to consecutive rows at `z` (float offsets in the module's memory).
   */
  private stageGateInputs(args: GateStepArgs, width: number, bias: number, z: number): void {
    const heap = this.heap;
    if (args.bias) heap.set(args.bias.subarray(0, width), bias);
    else heap.fill(0, bias, bias + width);
    for (let b = 0; b < args.rows; b++) {
      const from = args.zOffset + b * args.zStride;
      heap.set(args.z.subarray(from, from + width), z + b * width);
    }
  }

  /** Copies `rows` consecutive rows (`width` wide) at `from` in the module's memory to `to`, row b at `offset + b * stride`. */
  private unstageRows(
    from: number,
    rows: number,
    width: number,
    to: Float32Array,
    offset: number,
    stride: number,
  ): void {
    const heap = this.heap;
    for (let b = 0; b < rows; b++)
      to.set(heap.subarray(from + b * width, from + (b + 1) * width), offset + b * stride);
  }

  lstmStep(args: LstmStepArgs): boolean {
    const { rows, units } = args;
    if (units % 4 !== 0) return false;
    const width = 4 * units;
    const [bias, z, r, c, cNext, hNext, ac] = this.regions([
      width,
      rows * width,
      rows * width,
      rows * units,
      rows * units,
      rows * units,
      rows * units,
    ]) as [number, number, number, number, number, number, number];
    this.stageGateInputs(args, width, bias, z);
    const heap = this.heap;
    heap.set(args.recurrent.subarray(0, rows * width), r);
    heap.set(args.c.subarray(0, rows * units), c);
    this.exports.lstm(bias * 4, z * 4, r * 4, c * 4, cNext * 4, hNext * 4, ac * 4, rows, units);
    args.cNext.set(heap.subarray(cNext, cNext + rows * units));
    args.hNext.set(heap.subarray(hNext, hNext + rows * units));
    if (args.ac) {
      this.unstageRows(z, rows, width, args.z, args.zOffset, args.zStride);
      this.unstageRows(ac, rows, units, args.ac, args.acOffset, args.acStride);
    }
    return true;
  }

  gruReset(args: GruResetArgs): boolean {
    const { rows, units } = args;
    this.gru = undefined;
    if (units % 4 !== 0) return false;
    const width = 3 * units;
    // bias, z rows, h̃·U_zr (later (r·h̃)·U_h), h̃, r·h̃, h'
    const offsets = this.regions([
      width,
      rows * width,
      rows * 2 * units,
      rows * units,
      rows * units,
      rows * units,
    ]) as [number, number, number, number, number, number];
    const [bias, z, r, ht, rht] = offsets;
    this.stageGateInputs(args, width, bias, z);
    const heap = this.heap;
    heap.set(args.recurrent.subarray(0, rows * 2 * units), r);
    heap.set(args.ht.subarray(0, rows * units), ht);
    this.exports.gruReset(bias * 4, z * 4, r * 4, ht * 4, rht * 4, rows, units);
    args.resetH.set(heap.subarray(rht, rht + rows * units));
    this.gru = { args, offsets };
    return true;
  }

  gruCandidate(args: GruCandidateArgs): void {
    const step = this.gru;
    if (!step) throw new Error('SimdGates.gruCandidate without a gruReset before it (internal error)');
    this.gru = undefined;
    const { rows, units, zOffset, zStride } = step.args;
    const [bias, z, rh, ht, , hNext] = step.offsets;
    const width = 3 * units;
    const heap = this.heap;
    heap.set(args.recurrent.subarray(0, rows * units), rh);
    this.exports.gruUpdate(bias * 4, z * 4, rh * 4, ht * 4, hNext * 4, rows, units);
    args.hNext.set(heap.subarray(hNext, hNext + rows * units));
    if (args.gates) this.unstageRows(z, rows, width, args.gates, zOffset, zStride);
  }
}
