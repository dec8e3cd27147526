import { describe, expect, it } from 'vitest';
import { encodeModule, forLoop, op, signed, simd, sum, unsigned } from './wasm-encoder.js';

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly!;

function instantiate<E>(bytes: Uint8Array): E {
  expect(api.validate(bytes)).toBe(true);
  return new api.Instance(new api.Module(bytes), {}).exports as E;
}

describe('wasm-encoder', () => {
  it('writes LEB128 numbers as the WebAssembly specification examples do', () => {
    expect(unsigned(0)).toEqual([0x00]);
    expect(unsigned(127)).toEqual([0x7f]);
    expect(unsigned(128)).toEqual([0x80, 0x01]);
    expect(unsigned(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(signed(-1)).toEqual([0x7f]);
    expect(signed(63)).toEqual([0x3f]);
    expect(signed(64)).toEqual([0xc0, 0x00]);
    expect(signed(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('assembles functions with results and shared signatures that run', () => {
    const exports = instantiate<{
      add(a: number, b: number): number;
      addScaled(a: number, b: number): number;
    }>(
      encodeModule({
        functions: [
          { name: 'add', params: ['i32', 'i32'], results: ['i32'], locals: [], body: sum([0, 1]) },
          // a + 3·b, through the `scaled` term
          { name: 'addScaled', params: ['i32', 'i32'], results: ['i32'], locals: [], body: sum([0], [1, 3]) },
        ],
      }),
    );
    expect(exports.add(2, 40)).toBe(42);
    expect(exports.addScaled(2, 5)).toBe(17);
  });

  it('runs a SIMD loop over its exported memory', () => {
    // scale(offset, bytes): doubles the float32 values in [offset, offset + bytes), four at a time.
    const [offset, bytes, i, at] = [0, 1, 2, 3];
    const body = forLoop(i, bytes, 16, [
      ...sum([offset, i]),
      ...op.localTee(at),
      ...op.localGet(at),
      ...simd.load,
      ...simd.splat(2),
      ...simd.f32x4Mul,
      ...simd.store,
    ]);
    const exports = instantiate<{
      memory: { buffer: ArrayBuffer };
      scale(offset: number, bytes: number): void;
    }>(
      encodeModule({
        memoryPages: 1,
        functions: [{ name: 'scale', params: ['i32', 'i32'], locals: [[2, 'i32']], body }],
      }),
    );
    const heap = new Float32Array(exports.memory.buffer);
    heap.set([1, 2, 3, 4, 5, 6, 7, 8, 9], 4);
    exports.scale(16, 32);
    expect([...heap.subarray(4, 13)]).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 9]);
  });
});
