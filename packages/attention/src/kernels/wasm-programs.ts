/**
 * The WebAssembly SIMD programs of the flash attention engine (`wasm-engine.ts` runs them), written with
 * `@seqmodel/backend-wasm`'s encoder: a block product with a 4 x 8 register tile (eight v128 accumulators, the left
 * operand read one float at a time into all four lanes, so that it may be transposed for free), and the online
 * softmax's row operations four floats per instruction, with Cephes' `expf` inlined (`simd-math.ts`). Every width is
 * a multiple of 8 floats and every height of 4 (the driver pads), so there are no scalar tails. Pointers and strides
 * are in bytes; the module has its own memory.
 */
import {
  encodeModule,
  exp,
  type FunctionDefinition,
  forLoop,
  op,
  simd,
  unsigned,
  type ValueType,
} from '@seqmodel/backend-wasm/encoder';

/** A memory argument: 4-byte alignment (rows need not be 16-byte aligned), constant offset. */
const memarg = (offset: number) => [2, ...unsigned(offset)];

/** SIMD and scalar instructions the encoder does not name, by their opcodes in the WebAssembly specification. */
const v128 = {
  load: (offset = 0) => [...op.simd(0x00), ...memarg(offset)],
  store: (offset = 0) => [...op.simd(0x0b), ...memarg(offset)],
  /** One float32 from memory into all four lanes. */
  loadSplat: [...op.simd(0x09), ...memarg(0)],
  extractLane: (lane: number) => [...op.simd(0x1f), lane],
  f32x4Ge: op.simd(0x46),
  and: op.simd(0x4e),
};
const f32 = {
  load: [0x2a, ...memarg(0)],
  store: [0x38, ...memarg(0)],
  add: [0x92],
  sub: [0x93],
  mul: [0x94],
  max: [0x97],
  eq: [0x5b],
};
const select = [0x1b];
const i32Eqz = [0x45];
const ifThen = [0x04, 0x40];
const orElse = [0x05];

/** Ten local indices (a tuple, so that destructuring gives numbers). */
type Ten = [number, number, number, number, number, number, number, number, number, number];

/** Local indices after `params` parameters: i32s, then f32s, then v128s, and their declarations. */
function frame(params: number, counts: { i32?: number; f32?: number; v128?: number }) {
  let next = params;
  const take = (n = 0) => Array.from({ length: n }, () => next++);
  const i32 = take(counts.i32);
  const f32s = take(counts.f32);
  const v128s = take(counts.v128);
  const locals = (
    [
      [i32.length, 'i32'],
      [f32s.length, 'f32'],
      [v128s.length, 'v128'],
    ] as [number, ValueType][]
  ).filter(([n]) => n > 0);
  return { i32, f32: f32s, v128: v128s, locals };
}

const get = op.localGet;
const set = op.localSet;
const tee = op.localTee;
const add = (a: number, b: number) => [...get(a), ...get(b), ...op.i32Add];

/** `local = base + r · stride` for each `[local, base, stride]`. */
function rowStarts(r: number, pointers: readonly (readonly [number, number, number])[]): number[] {
  return pointers.flatMap(([local, base, stride]) => [
    ...get(r),
    ...get(stride),
    ...op.i32Mul,
    ...get(base),
    ...op.i32Add,
    ...set(local),
  ]);
}

/** `bytes = cols · 4`. */
const widthInBytes = (cols: number, bytes: number) => [
  ...get(cols),
  ...op.i32Const(2),
  ...op.i32Shl,
  ...set(bytes),
];

/** The f32 at `base + r · 4` on the stack (`r4` holds r · 4). */
const rowScalar = (base: number, r4: number) => [...add(base, r4), ...f32.load];

/** e^x of the v128 on the stack, exactly 0 below -87 (so -Infinity gives 0, not e^-87); `x`, `s`, `k` scratch. */
function expOrZero(x: number, s: number, k: number): number[] {
  return [...tee(x), ...exp(s, k), ...get(x), ...simd.splat(-87), ...v128.f32x4Ge, ...v128.and];
}

/** The four lanes of the v128 in `v` combined with the scalar instruction `combine`. */
function across(v: number, combine: number[]): number[] {
  return [
    ...get(v),
    ...v128.extractLane(0),
    ...get(v),
    ...v128.extractLane(1),
    ...combine,
    ...get(v),
    ...v128.extractLane(2),
    ...get(v),
    ...v128.extractLane(3),
    ...combine,
    ...combine,
  ];
}

/**
 * `gemm(a, ars, acs, b, ldb, c, ldc, m, n, k, accumulate)`: `c (+)= A·B`, A `[m, k]` with element (i, p) at
 * `a + i·ars + p·acs` (a transposed A just swaps the strides), B `[k, n]` and C `[m, n]` row-major.
 */
function gemm(): FunctionDefinition {
  const [a, ars, acs, b, ldb, c, ldc, m, n, k, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const f = frame(11, { i32: 10, v128: 11 });
  const [i, j, p, pa0, pa1, pa2, pa3, pb, pc, nBytes] = f.i32 as Ten;
  const acc = f.v128.slice(0, 8) as Ten;
  const [b0, b1, av] = f.v128.slice(8) as [number, number, number];
  const rowPointers = [pa0!, pa1!, pa2!, pa3!];
  const step = [
    ...get(pb),
    ...v128.load(0),
    ...set(b0),
    ...get(pb),
    ...v128.load(16),
    ...set(b1),
    ...rowPointers.flatMap((pa, r) => [
      ...get(pa),
      ...v128.loadSplat,
      ...set(av),
      ...get(acc[2 * r]!),
      ...get(av),
      ...get(b0),
      ...simd.f32x4Mul,
      ...simd.f32x4Add,
      ...set(acc[2 * r]!),
      ...get(acc[2 * r + 1]!),
      ...get(av),
      ...get(b1),
      ...simd.f32x4Mul,
      ...simd.f32x4Add,
      ...set(acc[2 * r + 1]!),
      ...add(pa, acs),
      ...set(pa),
    ]),
    ...add(pb!, ldb),
    ...set(pb!),
  ];
  // Row r of the tile: at pc + r·ldc; with `accumulate`, C's values are added.
  const stores = (withC: boolean) =>
    [0, 1, 2, 3].flatMap((r) => [
      ...[0, 16].flatMap((offset, half) => [
        ...get(pc!),
        ...get(acc[2 * r + half]!),
        ...(withC ? [...get(pc!), ...v128.load(offset), ...simd.f32x4Add] : []),
        ...v128.store(offset),
      ]),
      ...add(pc!, ldc),
      ...set(pc!),
    ]);
  const tile = [
    ...acc.flatMap((x) => [...simd.splat(0), ...set(x)]),
    // pa0 = a + i·ars, pa(r+1) = pa(r) + ars
    ...get(i!),
    ...get(ars),
    ...op.i32Mul,
    ...get(a),
    ...op.i32Add,
    ...set(pa0!),
    ...[pa1!, pa2!, pa3!].flatMap((pa, r) => [...add(rowPointers[r]!, ars), ...set(pa)]),
    ...add(b, j!),
    ...set(pb!),
    ...forLoop(p!, k, 1, step),
    // pc = c + i·ldc + j
    ...get(i!),
    ...get(ldc),
    ...op.i32Mul,
    ...get(c),
    ...op.i32Add,
    ...get(j!),
    ...op.i32Add,
    ...set(pc!),
    ...get(accumulate),
    ...ifThen,
    ...stores(true),
    ...orElse,
    ...stores(false),
    ...op.end,
  ];
  return {
    name: 'gemm',
    params: Array<ValueType>(11).fill('i32'),
    locals: f.locals,
    body: [...widthInBytes(n, nBytes!), ...forLoop(i!, m, 4, forLoop(j!, nBytes!, 32, tile))],
  };
}

/** What an elementwise function's builder gets: its loop variables and locals, and the column loop. */
interface RowCode {
  readonly r: number;
  /** r · 4: the byte offset of row r's scalar in a vector of per-row values. */
  readonly r4: number;
  /** The column, in bytes (16 per step). */
  readonly c: number;
  readonly i32: readonly number[];
  readonly f32: readonly number[];
  readonly v128: readonly number[];
  /** `body` for each 16-byte column `c` of the row. */
  columns(body: number[]): number[];
}

/**
 * An elementwise function over `rows x cols` blocks, exported as `name`: `params` i32 parameters, the last two
 * `rows` and `cols`; each `[local, base, stride]` pointer set to the row's start, then the row's code.
 */
function elementwise(
  name: string,
  params: number,
  counts: { i32: number; f32?: number; v128?: number },
  build: (code: RowCode) => { pointers: (readonly [number, number, number])[]; row: number[] },
): FunctionDefinition {
  const f = frame(params, { ...counts, i32: counts.i32 + 4 });
  const [r, r4, c, bytes, ...i32s] = f.i32 as [number, number, number, number, ...number[]];
  const columns = (body: number[]) => forLoop(c, bytes, 16, body);
  const { pointers, row } = build({ r, r4, c, i32: i32s, f32: f.f32, v128: f.v128, columns });
  return {
    name,
    params: Array<ValueType>(params).fill('i32'),
    locals: f.locals,
    body: [
      ...widthInBytes(params - 1, bytes),
      ...forLoop(params - 2, 0, 0, []).slice(0, 0),
      ...forLoop(r, params - 2, 1, [
        ...rowStarts(r, pointers),
        ...get(r),
        ...op.i32Const(2),
        ...op.i32Shl,
        ...set(r4),
        ...row,
      ]),
    ],
  };
}

/** `*at = *at <op> operand` for the v128 at `row + c`, with the operand's code. */
function update(row: number, c: number, at: number, operand: number[], combine: number[]): number[] {
  return [...add(row, c), ...tee(at), ...get(at), ...v128.load(), ...operand, ...combine, ...v128.store()];
}

/** `addToRows(s, stride, vector, rows, cols)`: `s[r, :] += vector`. */
const addToRows = elementwise('addToRows', 5, { i32: 2 }, ({ c, i32: [row, at], columns }) => ({
  pointers: [[row!, 0, 1]],
  row: columns(update(row!, c, at!, [...add(2, c), ...v128.load()], simd.f32x4Add)),
}));

/** `add(s, sStride, t, tStride, rows, cols)`: `s += t`. */
const addBlocks = elementwise('add', 6, { i32: 3 }, ({ c, i32: [rowS, rowT, at], columns }) => ({
  pointers: [
    [rowS!, 0, 1],
    [rowT!, 2, 3],
  ],
  row: columns(update(rowS!, c, at!, [...add(rowT!, c), ...v128.load()], simd.f32x4Add)),
}));

/** `multiply(out, outStride, a, aStride, b, bStride, rows, cols)`: `out = a ⊙ b`. */
const multiplyBlocks = elementwise('multiply', 8, { i32: 3 }, ({ c, i32: [rowO, rowA, rowB], columns }) => ({
  pointers: [
    [rowO!, 0, 1],
    [rowA!, 2, 3],
    [rowB!, 4, 5],
  ],
  row: columns([
    ...add(rowO!, c),
    ...add(rowA!, c),
    ...v128.load(),
    ...add(rowB!, c),
    ...v128.load(),
    ...simd.f32x4Mul,
    ...v128.store(),
  ]),
}));

/** `scaleRows(s, stride, factors, rows, cols)`: `s[r, :] *= factors[r]`. */
const scaleRows = elementwise(
  'scaleRows',
  5,
  { i32: 2, v128: 1 },
  ({ r4, c, i32: [row, at], v128: [factor], columns }) => ({
    pointers: [[row!, 0, 1]],
    row: [
      ...rowScalar(2, r4),
      ...simd.f32x4Splat,
      ...set(factor!),
      ...columns(update(row!, c, at!, get(factor!), simd.f32x4Mul)),
    ],
  }),
);

/** `expShifted(s, stride, shifts, rows, cols)`: `s[r, :] = exp(s[r, :] − shifts[r])`, -Infinity giving 0. */
const expShifted = elementwise(
  'expShifted',
  5,
  { i32: 2, v128: 4 },
  ({ r4, c, i32: [row, at], v128: [shift, x, s, k], columns }) => ({
    pointers: [[row!, 0, 1]],
    row: [
      ...rowScalar(2, r4),
      ...simd.f32x4Splat,
      ...set(shift!),
      ...columns([
        ...add(row!, c),
        ...tee(at!),
        ...get(at!),
        ...v128.load(),
        ...get(shift!),
        ...simd.f32x4Sub,
        ...expOrZero(x!, s!, k!),
        ...v128.store(),
      ]),
    ],
  }),
);

/**
 * `softmaxStep(s, stride, m, l, alpha, rows, cols)`: per row, `m' = max(m, max s)`, `s = exp(s − m')` (m' taken as
 * 0 while the row has no finite score, so that nothing is NaN), `alpha = exp(m − m')`, `l = alpha·l + sum s`, `m = m'`.
 */
const softmaxStep = elementwise(
  'softmaxStep',
  7,
  { i32: 2, f32: 3, v128: 6 },
  ({ r4, c, i32: [row, at], f32: [old, max, shift], v128: [vmax, vshift, vsum, x, s, k], columns }) => {
    const [m, l, alpha] = [2, 3, 4];
    return {
      pointers: [[row!, 0, 1]],
      row: [
        // vmax = the row's maximum in each lane, then across lanes and with the running maximum
        ...op.f32Const(Number.NEGATIVE_INFINITY),
        ...simd.f32x4Splat,
        ...set(vmax!),
        ...columns([...get(vmax!), ...add(row!, c), ...v128.load(), ...simd.f32x4Max, ...set(vmax!)]),
        ...rowScalar(m, r4),
        ...tee(old!),
        ...across(vmax!, f32.max),
        ...f32.max,
        ...set(max!),
        // shift = max, or 0 while max is -Infinity
        ...op.f32Const(0),
        ...get(max!),
        ...get(max!),
        ...op.f32Const(Number.NEGATIVE_INFINITY),
        ...f32.eq,
        ...select,
        ...tee(shift!),
        ...simd.f32x4Splat,
        ...set(vshift!),
        ...simd.splat(0),
        ...set(vsum!),
        ...columns([
          ...add(row!, c),
          ...tee(at!),
          ...get(at!),
          ...v128.load(),
          ...get(vshift!),
          ...simd.f32x4Sub,
          ...expOrZero(x!, s!, k!),
          ...tee(vmax!),
          ...v128.store(),
          ...get(vsum!),
          ...get(vmax!),
          ...simd.f32x4Add,
          ...set(vsum!),
        ]),
        // alpha = exp(old − shift) (0 for old = -Infinity), kept in `old`
        ...add(alpha, r4),
        ...get(old!),
        ...get(shift!),
        ...f32.sub,
        ...simd.f32x4Splat,
        ...expOrZero(x!, s!, k!),
        ...v128.extractLane(0),
        ...tee(old!),
        ...f32.store,
        // l = alpha·l + sum, m = max
        ...add(l, r4),
        ...get(old!),
        ...rowScalar(l, r4),
        ...f32.mul,
        ...across(vsum!, f32.add),
        ...f32.add,
        ...f32.store,
        ...add(m, r4),
        ...get(max!),
        ...f32.store,
      ],
    };
  },
);

/**
 * `softmaxGradient(dp, dpStride, p, pStride, keep, keepStride, d, rows, cols)`: `dp = p ⊙ (dp ⊙ keep − d[r])` per
 * row, or `p ⊙ (dp − d[r])` when `keep` is 0.
 */
function softmaxGradient(): FunctionDefinition {
  const variant = (withKeep: boolean) =>
    elementwise(
      'softmaxGradient',
      9,
      { i32: 4, v128: 1 },
      ({ r4, c, i32: [rowD, rowP, rowK, at], v128: [d], columns }) => ({
        pointers: [
          [rowD!, 0, 1],
          [rowP!, 2, 3],
          [rowK!, 4, 5],
        ],
        row: [
          ...rowScalar(6, r4),
          ...simd.f32x4Splat,
          ...set(d!),
          ...columns([
            ...add(rowD!, c),
            ...tee(at!),
            ...add(rowP!, c),
            ...v128.load(),
            ...get(at!),
            ...v128.load(),
            ...(withKeep ? [...add(rowK!, c), ...v128.load(), ...simd.f32x4Mul] : []),
            ...get(d!),
            ...simd.f32x4Sub,
            ...simd.f32x4Mul,
            ...v128.store(),
          ]),
        ],
      }),
    );
  const withKeep = variant(true);
  const withoutKeep = variant(false);
  return {
    ...withKeep,
    body: [...get(4), ...i32Eqz, ...ifThen, ...withoutKeep.body, ...orElse, ...withKeep.body, ...op.end],
  };
}

/** The module: `memory` and the engine's functions. */
export const flashModule: Uint8Array = encodeModule({
  memoryPages: 1,
  functions: [
    gemm(),
    addToRows,
    addBlocks,
    multiplyBlocks,
    scaleRows,
    expShifted,
    softmaxStep,
    softmaxGradient(),
  ],
});
