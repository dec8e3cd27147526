import { expect, it } from 'vitest';
import { type GemmMethod, type HostMatrix, hostMatrix, interceptGemm } from './gemm.js';
import { JsGemm } from './js-gemm.js';

it('interceptGemm passes every method through around, with its arguments, result and error', () => {
  const seen: GemmMethod[] = [];
  let failNext = false;
  const gemm = interceptGemm(new JsGemm(), (method, call) => {
    seen.push(method);
    if (failNext) throw new Error(`refused ${method}`);
    return call();
  });
  expect(gemm.name).toBe('js');
  const a = hostMatrix(Float32Array.from([1, 2, 3, 4]), 2, 2);
  const b = hostMatrix(Float32Array.from([5, 6, 7, 8]), 2, 2);
  const c: HostMatrix = hostMatrix(new Float32Array(4), 2, 2);
  const prepared = gemm.prepare(b, true);
  expect([prepared.rows, prepared.cols]).toEqual([2, 2]);
  // a·bᵀ, then accumulating a·b on it.
  gemm.multiplyPrepared(a, prepared, c, false);
  expect([...c.data]).toEqual([17, 23, 39, 53]);
  gemm.multiply(a, false, b, false, c, true);
  expect([...c.data]).toEqual([36, 45, 82, 103]);
  gemm.release(prepared);
  expect([...gemm.multiplyResident(a, true, b, false).view()]).toEqual([26, 30, 38, 44]);
  expect(seen).toEqual(['prepare', 'multiplyPrepared', 'multiply', 'release', 'multiplyResident']);
  // What around throws reaches the caller, and the inner provider is not called.
  failNext = true;
  c.data.fill(0);
  expect(() => gemm.multiply(a, false, b, false, c, false)).toThrow('refused multiply');
  expect([...c.data]).toEqual([0, 0, 0, 0]);
});
