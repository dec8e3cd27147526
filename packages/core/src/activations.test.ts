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
    ['relu6', (x: number) => Math.min(Math.max(x, 0), 6)],
    ['swish', (x: number) => x / (1 + Math.exp(-x))],
    ['mish', (x: number) => x * Math.tanh(Math.log1p(Math.exp(x)))],
  ])('%s matches its formula', (name, f) => {
    const got = apply(name);
    for (const [i, x] of xs.entries()) expect(got[i]).toBeCloseTo(f(x), 12);
  });

  describe('gelu', () => {
    // PyTorch 1.13 in float64 (Debian's /usr/bin/python3):
    //   x = torch.tensor(gx, dtype=torch.float64, requires_grad=True)
    //   F.gelu(x) / F.gelu(x, approximate='tanh'), and x.grad after .sum().backward()
    const gx = [-6, -3, -1.5, -0.5, 0, 0.25, 1, 2, 4];
    const torch = {
      gelu: {
        value: [
          -5.919525869479969e-9, -0.00404969409489031, -0.10021080190328704, -0.15426876936299344, 0,
          0.14967658142073093, 0.841344746068543, 1.9544997361036416, 3.9998733150326675,
        ],
        grad: [
          -3.546870945402639e-8, -0.01194564720418392, -0.1274691922299796, 0.13250487534383712, 0.5,
          0.695373354883636, 1.0833154705876864, 1.085231801078197, 1.0005036496612265,
        ],
      },
      geluNew: {
        value: [
          -8.43964897967453e-11, -0.0036373920817729943, -0.10042842301976707, -0.15428599017485606, 0,
          0.149675350701685, 0.8411919906082768, 1.954597694087775, 3.9999297540518075,
        ],
        grad: [
          -7.709976012836329e-10, -0.011584166630969648, -0.12771079315143308, 0.13263009646535764, 0.5,
          0.6953540951510604, 1.0829640838457826, 1.0860992566236183, 1.000335123197122,
        ],
      },
    };

    it.each(['gelu', 'geluNew'] as const)('%s matches PyTorch within 1e-15', (name) => {
      const got = apply(name, gx);
      for (const [i, expected] of torch[name].value.entries()) {
        expect(Math.abs(got[i]! - expected)).toBeLessThanOrEqual(1e-15);
      }
    });

    it.each(['gelu', 'geluNew'] as const)("%s's central differences match PyTorch's autograd", (name) => {
      // h = 1e-5: truncation error h²·|f'''|/6 < 1e-10, rounding 1e-16/h = 1e-11.
      const h = 1e-5;
      const hi = apply(
        name,
        gx.map((x) => x + h),
      );
      const lo = apply(
        name,
        gx.map((x) => x - h),
      );
      for (const [i, expected] of torch[name].grad.entries()) {
        expect(Math.abs((hi[i]! - lo[i]!) / (2 * h) - expected)).toBeLessThan(1e-9);
      }
    });
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
    expect(() => getActivation('swoosh', 'recurrentActivation')).toThrow(
      `recurrentActivation: unknown activation "swoosh"; known activations: ${listActivations().join(', ')}`,
    );
  });

  it("suggests the name a Keras spelling or a slip stands for, and both hard sigmoids for Keras' hard_sigmoid", () => {
    expect(() => getActivation('soft_plus')).toThrow(
      'unknown activation "soft_plus" (did you mean "softplus"?)',
    );
    expect(() => getActivation('tahn')).toThrow('(did you mean "tanh"?)');
    expect(() => getActivation('hard_sigmoid')).toThrow(
      'unknown activation "hard_sigmoid" (did you mean "hardSigmoid", clip(0.2x + 0.5) as in tfjs-layers and Keras 2, or "hardSigmoidKeras3", clip(x/6 + 0.5) as in Keras 3?)',
    );
    expect(() => getActivation('leaky_relu')).toThrow('unknown activation "leaky_relu"; known activations:');
    expect(() => getActivation('silu')).toThrow('unknown activation "silu" (did you mean "swish"?)');
  });
});
