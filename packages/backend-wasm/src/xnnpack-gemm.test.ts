import {
  anyCell,
  columns,
  compiledSequenceKernel,
  createTfjsBackend,
  type HostMatrix,
  hostMatrix,
  type PreparedMatrix,
} from '@seqmodel/backend-tfjs';
import {
  expectProductClose,
  randomFloats,
  randomOperand,
  referenceProduct,
} from '@seqmodel/backend-tfjs/testing';
import { gru, initParamTensors, lstm, resolveCellOptions, runSequence, scanCell } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { wasmSimdGenerator } from './compiled/wasm-generator.js';
import { createWasmBackend } from './wasm-backend.js';
import { XnnpackGemm } from './xnnpack-gemm.js';

await createWasmBackend();
const wasm = tf.engine().findBackend('wasm')!;

describe('XnnpackGemm', () => {
  const gemm = new XnnpackGemm(wasm);
  // Both orientations (more rows than columns, and fewer: computed transposed), odd sizes, and a split inner
  // dimension (a small limit on the right-hand operand).
  const splitting = new XnnpackGemm(wasm, { maxRightOperand: 100 });
  const cases: [string, XnnpackGemm, number, number, number][] = [
    ['', gemm, 1, 1, 1],
    ['', gemm, 13, 7, 5],
    ['', gemm, 5, 7, 13],
    ['', gemm, 32, 128, 512],
    [' split into blocks', splitting, 9, 61, 4],
    [' split into blocks', splitting, 4, 61, 9],
  ];
  for (const [label, provider, m, k, n] of cases) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`multiplies [${m}, ${k}]·[${k}, ${n}] (transposeA ${tA}, transposeB ${tB})${label}`, () => {
          const before = wasm.numDataIds();
          const a = randomOperand(m, k, tA, 'a');
          const b = randomOperand(k, n, tB, 'b');
          const c = hostMatrix(new Float32Array(m * n).fill(Number.NaN), m, n);
          provider.multiply(a, tA, b, tB, c, false);
          expectProductClose(c, referenceProduct(a, tA, b, tB), k);
          expect(wasm.numDataIds()).toBe(before);
        });
      }
    }
  }

  it('accumulates a product computed transposed (fewer rows than columns) into a block of columns', () => {
    // [7, 10]·[10, 21] runs as ([10, 21]ᵀ·[7, 10]ᵀ)ᵀ, and its transpose is added into c: whole 4 x 4 blocks and
    // the edges (7 and 21 are not multiples of 4).
    const before = wasm.numDataIds();
    const [m, k, n] = [7, 10, 21];
    for (const tA of [false, true]) {
      const a = randomOperand(m, k, tA, 'a');
      const b = randomOperand(k, n, false, 'b');
      const start = randomFloats(m * 25, 'c');
      const cData = Float32Array.from(start);
      const c = columns(hostMatrix(cData, m, 25), 2, n);
      gemm.multiply(a, tA, b, false, c, true);
      const product = referenceProduct(a, tA, b, false);
      for (let i = 0; i < m; i++) {
        expect(cData[i * 25 + 1]).toBe(start[i * 25 + 1]);
        expect(cData[i * 25 + 2 + n]).toBe(start[i * 25 + 2 + n]);
        for (let j = 0; j < n; j++) {
          expect(cData[i * 25 + 2 + j]).toBeCloseTo(start[i * 25 + 2 + j]! + product[i * n + j]!, 4);
        }
      }
    }
    expect(wasm.numDataIds()).toBe(before);
  });

  it('accumulates, reads and writes blocks of columns, and frees a prepared operand', () => {
    const before = wasm.numDataIds();
    const [m, k, n] = [6, 9, 5];
    const a = columns(hostMatrix(randomFloats(m * 20, 'a'), m, 20), 2, k);
    const b = columns(hostMatrix(randomFloats(k * 11, 'b'), k, 11), 3, n);
    const start = randomFloats(m * 8, 'c');
    const cData = Float32Array.from(start);
    const c = columns(hostMatrix(cData, m, 8), 1, n);
    const prepared = gemm.prepare(b, false);
    gemm.multiplyPrepared(a, prepared, c, true);
    const product = referenceProduct(a, false, b, false);
    for (let i = 0; i < m; i++) {
      expect(cData[i * 8]).toBe(start[i * 8]);
      expect(cData[i * 8 + 7]).toBe(start[i * 8 + 7]);
      for (let j = 0; j < n; j++) {
        expect(cData[i * 8 + 1 + j]).toBeCloseTo(start[i * 8 + 1 + j]! + product[i * n + j]!, 4);
      }
    }
    gemm.release(prepared);
    expect(wasm.numDataIds()).toBe(before);
  });

  it('keeps a prepared operand valid while the wasm heap grows', () => {
    const [m, k, n] = [4, 8, 16];
    const a = hostMatrix(randomFloats(m * k, 'a'), m, k);
    const b = hostMatrix(randomFloats(k * n, 'b'), k, n);
    const prepared = gemm.prepare(b, false);
    // A product whose left operand is larger than the whole heap, so the heap must grow between two uses of the
    // prepared operand (detaching every earlier view of it).
    const heap = () => (wasm as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const heapBefore = heap();
    const rows = Math.ceil(heapBefore / 4 / 256) + 16;
    gemm.multiply(
      hostMatrix(new Float32Array(rows * 256), rows, 256),
      false,
      hostMatrix(new Float32Array(256), 256, 1),
      false,
      hostMatrix(new Float32Array(rows), rows, 1),
      false,
    );
    expect(heap()).toBeGreaterThan(heapBefore);
    const c = hostMatrix(new Float32Array(m * n), m, n);
    gemm.multiplyPrepared(a, prepared, c, false);
    expectProductClose(c, referenceProduct(a, false, b, false), k);
    gemm.release(prepared);
  });

  it('relies on what tfjs-backend-wasm 4.22 offers (a heap view, null writes, the BatchMatMul kernel and export)', () => {
    expect(typeof (wasm as unknown as { typedArrayFromHeap: unknown }).typedArrayFromHeap).toBe('function');
    const dataId = wasm.write(null as unknown as Float32Array, [2, 3], 'float32');
    const view = (
      wasm as unknown as { typedArrayFromHeap(info: tf.TensorInfo): Float32Array }
    ).typedArrayFromHeap({ dataId, shape: [2, 3], dtype: 'float32' });
    expect(view.length).toBe(6);
    wasm.disposeData(dataId);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBeDefined();
    // The module: BatchMatMul called directly with its shapes in the heap (cwrap with numbers only), _malloc, HEAP32.
    const module = (wasm as unknown as { wasm: Record<string, unknown> }).wasm;
    expect(typeof module._malloc).toBe('function');
    expect(module.HEAP32).toBeInstanceOf(Int32Array);
    expect(typeof module._BatchMatMul).toBe('function');
    expect(() => new XnnpackGemm(tf.engine().findBackend('cpu') ?? ({} as tf.KernelBackend))).toThrow(
      'XnnpackGemm: expected tfjs-backend-wasm 4.22',
    );
  });

  it('leaves nothing on the heap per provider: the shapes block is one per module', () => {
    const module = (wasm as unknown as { wasm: { _malloc(bytes: number): number } }).wasm;
    const malloc = module._malloc;
    let calls = 0;
    module._malloc = (bytes: number) => {
      calls++;
      return malloc.call(module, bytes);
    };
    try {
      // Providers made after the first (above) allocate nothing, and still multiply correctly.
      const providers = Array.from({ length: 5 }, () => new XnnpackGemm(wasm));
      expect(calls).toBe(0);
      const a = randomOperand(3, 4, false, 'shapes a');
      const b = randomOperand(4, 5, false, 'shapes b');
      for (const p of providers) {
        const c = hostMatrix(new Float32Array(15), 3, 5);
        p.multiply(a, false, b, false, c, false);
        expectProductClose(c, referenceProduct(a, false, b, false), 4);
      }
    } finally {
      module._malloc = malloc;
    }
  });
});

/** XnnpackGemm that makes the wasm heap grow inside chosen per-step products (detaching every view of it). */
class GrowingGemm extends XnnpackGemm {
  calls = 0;
  growths = 0;
  override multiplyPrepared(a: HostMatrix, b: PreparedMatrix, c: HostMatrix, accumulate: boolean): void {
    this.calls++;
    if (this.calls === 2 || this.calls === 5) {
      const heap = () => (wasm as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
      const before = heap();
      const id = wasm.write(null as unknown as Float32Array, [before / 4 + 1024], 'float32');
      wasm.disposeData(id);
      if (heap() > before) this.growths++;
    }
    super.multiplyPrepared(a, b, c, accumulate);
  }
}

describe('fused kernels on a wasm heap that grows mid-sequence', () => {
  for (const [cell, options] of [
    [lstm, {}],
    [gru, { resetAfter: false }],
    [gru, { resetAfter: true }],
  ] as const) {
    it(`${cell.name} ${JSON.stringify(options)}: the compiled kernel is unaffected by the heap moving`, () => {
      const gemm = new GrowingGemm(wasm);
      const backend = createTfjsBackend({
        name: 'wasm-growing',
        tfjsBackendName: 'wasm',
        kernels: [
          {
            kind: 'sequence',
            name: anyCell,
            kernel: (b) => compiledSequenceKernel(b, { gemm, generator: wasmSimdGenerator }),
          },
        ],
      });
      const [batch, time, inputSize, units] = [3, 6, 4, 5];
      const params = initParamTensors(backend, cell, { inputSize, units, ...options }, 5);
      const inputs = backend.tensor(randomFloats(batch * time * inputSize, 'x'), [batch, time, inputSize]);
      const args = {
        cell,
        options: resolveCellOptions(cell, options),
        units,
        inputs,
        params,
        returnSequences: true,
      };
      const fused = runSequence(backend, args, 'require');
      const generic = scanCell(backend, args);
      expect(gemm.growths).toBe(2);
      const actual = backend.dataSync(fused.output);
      const expected = backend.dataSync(generic.output);
      expected.forEach((v, i) => {
        expect(Math.abs(actual[i]! - v)).toBeLessThan(1e-5);
      });
      backend.dispose([
        fused.output,
        ...fused.state,
        generic.output,
        ...generic.state,
        inputs,
        ...Object.values(params),
      ]);
    });
  }
});
