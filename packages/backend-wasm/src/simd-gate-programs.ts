/**
 * The gate programs of the SIMD module (`simd-gates.ts` runs them): an LSTM step, and a GRU step without
 * `resetAfter` in two halves, with Keras' default activations (σ gates, tanh candidate and cell output), four units
 * per instruction. Each walks its rows and, in each row, four columns at a time; the module has its own memory,
 * into which the runtime copies the step's rows.
 */
import { sigmoid, tanh } from './simd-math.js';
import { encodeModule, forLoop, op, simd, sum } from './wasm-encoder.js';

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
    ...simd.load,
    ...block(rj, width, part),
    ...simd.load,
    ...simd.f32x4Add,
    ...block(bj, width, part),
    ...simd.load,
    ...simd.f32x4Add,
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
 * `column` for each column j below `width`.
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
    ...simd.store,
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
    ...simd.load,
    ...simd.f32x4Mul,
    ...op.localGet(gi),
    ...op.localGet(gg),
    ...simd.f32x4Mul,
    ...simd.f32x4Add,
    ...op.localTee(cv),
    ...simd.store,
    // ac = tanh(c'), h' = o · ac
    ...at(ac),
    ...op.localGet(cv),
    ...activations.tanh,
    ...op.localTee(cv),
    ...simd.store,
    ...at(hNext),
    ...op.localGet(go),
    ...op.localGet(cv),
    ...simd.f32x4Mul,
    ...simd.store,
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
    ...simd.store,
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
    ...simd.load,
    ...simd.f32x4Mul,
    ...simd.store,
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
    ...simd.load,
    ...sum([rh, hj]),
    ...simd.load,
    ...simd.f32x4Add,
    ...sum([bias, j], [width, 2]),
    ...simd.load,
    ...simd.f32x4Add,
    ...tanh(sx, sk, se),
    ...op.localTee(c),
    ...simd.store,
    // h' = ĥ + z · (h̃ − ĥ)
    ...sum([hNext, hj]),
    ...op.localGet(c),
    ...op.localGet(zj),
    ...simd.load,
    ...sum([ht, hj]),
    ...simd.load,
    ...op.localGet(c),
    ...simd.f32x4Sub,
    ...simd.f32x4Mul,
    ...simd.f32x4Add,
    ...simd.store,
  ];
  return overRows({ units, rows, width, b, j, unitRow: hRow }, [[zRow, z, 3]], column);
}

const i32 = 'i32' as const;
const v128 = 'v128' as const;

/** The module: `memory` and the functions `lstm`, `gruReset` and `gruUpdate` (all params i32). */
export const simdGateModule: Uint8Array = encodeModule({
  memoryPages: 1,
  functions: [
    {
      name: 'lstm',
      params: Array(9).fill(i32),
      locals: [
        [9, i32],
        [8, v128],
      ],
      body: lstmBody(),
    },
    {
      name: 'gruReset',
      params: Array(7).fill(i32),
      locals: [
        [9, i32],
        [4, v128],
      ],
      body: gruResetBody(),
    },
    {
      name: 'gruUpdate',
      params: Array(7).fill(i32),
      locals: [
        [7, i32],
        [4, v128],
      ],
      body: gruUpdateBody(),
    },
  ],
});
