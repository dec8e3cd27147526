/**
 * What the tests of a `GemmProvider` (`JsGemm`, backend-wasm's `XnnpackGemm`, backend-native's `NativeGemm`) compare
 * against: random operands, the product in float64, and a float32 tolerance; and `gemmProviderChecks`, the checks
 * every provider passes.
 */
import { createRng } from '@seqmodel/core';
import { columns, type GemmProvider, type HostMatrix, hostMatrix } from '../fused/gemm.js';

/** `n` standard normal values, seeded. */
export function randomFloats(n: number, seed: string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** A random operand whose op (transposed when asked) is `[rows, cols]`: stored `[cols, rows]` when transposed. */
export function randomOperand(rows: number, cols: number, transpose: boolean, seed: string): HostMatrix {
  const data = randomFloats(rows * cols, seed);
  return transpose ? hostMatrix(data, cols, rows) : hostMatrix(data, rows, cols);
}

function at(m: HostMatrix, i: number, j: number, transpose: boolean): number {
  return transpose ? m.data[m.offset + j * m.stride + i]! : m.data[m.offset + i * m.stride + j]!;
}

/** op(a)·op(b) in float64, row-major `[m, n]`: the reference for the products. */
export function referenceProduct(a: HostMatrix, tA: boolean, b: HostMatrix, tB: boolean): Float64Array {
  const m = tA ? a.cols : a.rows;
  const k = tA ? a.rows : a.cols;
  const n = tB ? b.rows : b.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(a, i, p, tA) * at(b, p, j, tB);
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Throws unless `c` is within float32 rounding of `expected` (`[rows, cols]`, row-major) for inner size `k`. */
export function expectProductClose(c: HostMatrix, expected: ArrayLike<number>, k: number): void {
  // float32 inputs and results (accumulated in float32 or float64): error well under 1e-6 * sqrt(k) per unit
  // magnitude.
  const tolerance = 4e-6 * Math.sqrt(k);
  for (let i = 0; i < c.rows; i++) {
    for (let j = 0; j < c.cols; j++) {
      const actual = c.data[c.offset + i * c.stride + j]!;
      const e = expected[i * c.cols + j]!;
      // Written so that NaN fails too.
      if (!(Math.abs(actual - e) <= tolerance * (1 + Math.abs(e)))) {
        throw new Error(`c[${i}, ${j}] = ${actual}, expected ${e}`);
      }
    }
  }
}

/** One check of a provider: a name for the test and the check itself (it throws on failure). */
export interface GemmCheck {
  readonly name: string;
  run(): void;
}

/**
 * Sizes around common tiles (4 x 4, 4 x 8, 6 x 16) and a 256-deep block, including 1 and sizes that are multiples of
 * none.
 */
export const gemmCheckShapes: readonly (readonly [m: number, k: number, n: number])[] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [5, 9, 13],
  [7, 17, 33],
  [32, 128, 512],
  [13, 300, 17],
  [64, 513, 40],
];

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/**
 * The checks every `GemmProvider` passes: products of every shape in `shapes` with each operand transposed or not,
 * accumulation, a prepared (transposed) operand reused, blocks of columns of wider matrices read and written while
 * the rest of `c` stays as it was, and `multiplyResident`. Each check compares with the float64 product.
 *
 * @example
 * for (const check of gemmProviderChecks(new JsGemm())) it(check.name, check.run);
 */
export function gemmProviderChecks(gemm: GemmProvider, shapes = gemmCheckShapes): GemmCheck[] {
  const checks: GemmCheck[] = [];
  for (const [m, k, n] of shapes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        checks.push({
          name: `multiplies [${m}, ${k}]·[${k}, ${n}] (transposeA ${tA}, transposeB ${tB})`,
          run() {
            const a = randomOperand(m, k, tA, 'a');
            const b = randomOperand(k, n, tB, 'b');
            const c = hostMatrix(new Float32Array(m * n).fill(Number.NaN), m, n);
            gemm.multiply(a, tA, b, tB, c, false);
            expectProductClose(c, referenceProduct(a, tA, b, tB), k);
          },
        });
      }
    }
  }
  checks.push({
    name: 'accumulates into c, and reuses a prepared (transposed) operand',
    run() {
      const [m, k, n] = [6, 270, 11];
      const a = hostMatrix(randomFloats(m * k, 'a'), m, k);
      const bValues = randomFloats(n * k, 'b');
      const prepared = gemm.prepare(hostMatrix(bValues, n, k), true);
      expect(prepared.rows === k && prepared.cols === n, `prepared [${prepared.rows}, ${prepared.cols}]`);
      const start = randomFloats(m * n, 'c');
      const c = hostMatrix(Float32Array.from(start), m, n);
      gemm.multiplyPrepared(a, prepared, c, true);
      gemm.multiplyPrepared(a, prepared, c, true);
      const product = referenceProduct(a, false, hostMatrix(bValues, n, k), true);
      expectProductClose(
        c,
        product.map((v, i) => start[i]! + 2 * v),
        k,
      );
      gemm.release(prepared);
    },
  });
  checks.push({
    name: 'reads and writes blocks of columns (strided rows) and leaves the rest of c alone',
    run() {
      const [m, k, n] = [7, 9, 5];
      const a = columns(hostMatrix(randomFloats(m * 20, 'a'), m, 20), 3, k);
      const b = columns(hostMatrix(randomFloats(k * 12, 'b'), k, 12), 6, n);
      for (const prepared of [false, true]) {
        const cData = new Float32Array(m * 16).fill(7);
        const c = columns(hostMatrix(cData, m, 16), 4, n);
        if (prepared) {
          const p = gemm.prepare(b, false);
          gemm.multiplyPrepared(a, p, c, false);
          gemm.release(p);
        } else gemm.multiply(a, false, b, false, c, false);
        expectProductClose(c, referenceProduct(a, false, b, false), k);
        for (let i = 0; i < m; i++) {
          for (const j of [0, 3, 9, 15]) expect(cData[i * 16 + j] === 7, `c[${i}, ${j}] was written`);
        }
      }
    },
  });
  checks.push({
    name: 'accumulates a product of transposed blocks (rows of a wider matrix) into c',
    run() {
      const [m, k, n] = [6, 11, 9];
      // op(a) = the first m columns of a stored [k, 15] matrix, transposed; op(b) likewise from [n, 14].
      const a = hostMatrix(randomFloats(k * 15, 'a'), k, m, 2, 15);
      const b = hostMatrix(randomFloats(n * 14, 'b'), n, k, 1, 14);
      const start = randomFloats(m * n, 'c');
      const c = hostMatrix(Float32Array.from(start), m, n);
      gemm.multiply(a, true, b, true, c, true);
      expectProductClose(
        c,
        referenceProduct(a, true, b, true).map((v, i) => start[i]! + v),
        k,
      );
    },
  });
  checks.push({
    name: 'empty products: k = 0 sets c to zero (or leaves it, accumulating); m = 0 and n = 0 touch nothing',
    run() {
      const c = hostMatrix(new Float32Array(6).fill(3), 2, 3);
      gemm.multiply(
        hostMatrix(new Float32Array(0), 2, 0),
        false,
        hostMatrix(new Float32Array(0), 0, 3),
        false,
        c,
        true,
      );
      expect(
        c.data.every((v) => v === 3),
        'accumulating an empty product changed c',
      );
      gemm.multiply(
        hostMatrix(new Float32Array(0), 2, 0),
        false,
        hostMatrix(new Float32Array(0), 0, 3),
        false,
        c,
        false,
      );
      expect(
        c.data.every((v) => v === 0),
        'an empty product did not set c to zero',
      );
      const untouched = new Float32Array(4).fill(5);
      gemm.multiply(
        hostMatrix(new Float32Array(0), 0, 4),
        false,
        randomOperand(4, 3, false, 'b'),
        false,
        hostMatrix(untouched, 0, 3),
        false,
      );
      gemm.multiply(
        randomOperand(2, 4, false, 'a'),
        false,
        hostMatrix(new Float32Array(0), 4, 0),
        false,
        hostMatrix(untouched, 2, 0),
        false,
      );
      expect(
        untouched.every((v) => v === 5),
        'an empty c was written',
      );
    },
  });
  checks.push({
    name: 'multiplyResident gives the product',
    run() {
      const [m, k, n] = [40, 6, 9];
      const a = randomOperand(m, k, true, 'a');
      const b = randomOperand(k, n, false, 'b');
      const resident = gemm.multiplyResident(a, true, b, false);
      expect(resident.rows === m && resident.cols === n, `resident [${resident.rows}, ${resident.cols}]`);
      expectProductClose(
        hostMatrix(Float32Array.from(resident.view()), m, n),
        referenceProduct(a, true, b, false),
        k,
      );
      resident.release();
    },
  });
  return checks;
}
