import { describe, expect, it } from 'vitest';
import { getActivation, listActivations } from './activations.js';
import { createReferenceBackend } from './reference/reference-backend.js';

const ref = createReferenceBackend();
const xs = [-4, -1, 0, 0.5, 3];
const apply = (name: string, values = xs) =>
  ref.toArray(getActivation(name)(ref, ref.tensor(values))) as number[];

describe('activations', () => {
  it.each([
    ['linear', (x: number) => x],
    ['tanh', Math.tanh],
    ['sigmoid', (x: number) => 1 / (1 + Math.exp(-x))],
    ['relu', (x: number) => Math.max(0, x)],
    // tfjs-layers / Keras 2: slope 0.2, saturating at ±2.5
    ['hardSigmoid', (x: number) => Math.min(1, Math.max(0, 0.2 * x + 0.5))],
    // Keras 3 / PyTorch: slope 1/6, saturating at ±3
    ['hardSigmoidKeras3', (x: number) => Math.min(1, Math.max(0, x / 6 + 0.5))],
    ['softplus', (x: number) => Math.log(1 + Math.exp(x))],
    ['softsign', (x: number) => x / (1 + Math.abs(x))],
    ['elu', (x: number) => (x > 0 ? x : Math.exp(x) - 1)],
    ['selu', (x: number) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1))],
    ['exponential', Math.exp],
  ])('%s matches its formula', (name, f) => {
    const got = apply(name);
    for (const [i, x] of xs.entries()) expect(got[i]).toBeCloseTo(f(x), 12);
  });

  it('distinguishes the two hard sigmoids', () => {
    // At x = 2: 0.2·2 + 0.5 = 0.9, but 2/6 + 0.5 = 0.8333...
    expect(apply('hardSigmoid', [2])[0]).toBeCloseTo(0.9, 12);
    expect(apply('hardSigmoidKeras3', [2])[0]).toBeCloseTo(5 / 6, 12);
  });

  it('softmax normalises along the last axis, stably for large inputs', () => {
    const out = ref.toArray(
      getActivation('softmax')(
        ref,
        ref.tensor([
          [1000, 1001],
          [0, 0],
        ]),
      ),
    ) as number[][];
    const e = Math.exp(1);
    expect(out[0]![0]).toBeCloseTo(1 / (1 + e), 12);
    expect(out[1]).toEqual([0.5, 0.5]);
  });

  it('softplus does not overflow', () => {
    expect(apply('softplus', [1000])[0]).toBe(1000);
  });

  it('lists known names in an unknown-name error', () => {
    expect(listActivations()).toContain('hardSigmoidKeras3');
    expect(() => getActivation('gelu', 'recurrentActivation')).toThrow(
      `recurrentActivation: unknown activation "gelu"; known activations: ${listActivations().join(', ')}`,
    );
  });
});
