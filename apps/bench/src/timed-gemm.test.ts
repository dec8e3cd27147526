import {
  type GemmProvider,
  type HostMatrix,
  hostMatrix,
  interceptGemm,
  JsGemm,
} from '@seqmodel/backend-tfjs';
import { expect, it } from 'vitest';
import { ProductTimer } from './timed-gemm.js';

it('adds the time of every call to the wrapped providers, and passes calls and results through', () => {
  let clock = 0;
  const timer = new ProductTimer(() => clock);
  // Each inner call advances the clock by a different amount, so a call left untimed changes the total.
  const advancing = (inner: GemmProvider, steps: Record<string, number>): GemmProvider =>
    interceptGemm(inner, (method, call) => {
      clock += steps[method] ?? 1000;
      return call();
    });
  const steps = { prepare: 1, multiplyPrepared: 2, multiply: 4, release: 8, multiplyResident: 16 };
  const a = hostMatrix(Float32Array.from([1, 2, 3, 4]), 2, 2);
  const b = hostMatrix(Float32Array.from([5, 6, 7, 8]), 2, 2);
  const expected = [19, 22, 43, 50];
  const one = timer.wrap(advancing(new JsGemm(), steps));
  const two = timer.wrap(advancing(new JsGemm(), steps));
  expect(one.name).toBe('js');
  const c: HostMatrix = hostMatrix(new Float32Array(4), 2, 2);
  const prepared = one.prepare(b, false);
  one.multiplyPrepared(a, prepared, c, false);
  expect([...c.data]).toEqual(expected);
  two.multiply(a, false, b, false, c, false);
  expect([...c.data]).toEqual(expected);
  one.release(prepared);
  const resident = two.multiplyResident(a, false, b, false);
  expect([...resident.view()]).toEqual(expected);
  expect(timer.ms).toBe(1 + 2 + 4 + 8 + 16);
  // A call that throws is counted too, and the error reaches the caller.
  const failing = timer.wrap(
    interceptGemm(new JsGemm(), (method, call) => {
      if (method !== 'multiply') return call();
      clock += 32;
      throw new Error('boom');
    }),
  );
  expect(() => failing.multiply(a, false, b, false, c, false)).toThrow('boom');
  expect(timer.ms).toBe(31 + 32);
});
