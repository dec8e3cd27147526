import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { computeFans, initialize, listInitializers } from './initializers.js';
import { orthogonalMatrix } from './orthogonal.js';

function stats(values: ArrayLike<number>) {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let sq = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    sq += (values[i]! - mean) ** 2;
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  return { mean, variance: sq / values.length, min, max };
}

const rng = () => createRng(2024);
// [400, 600]: fanIn 400, fanOut 600, 240 000 draws. Sampling error of a variance estimate is about
// variance·sqrt(2/n) ≈ 0.3 % of it; the tests allow 2 %.
const shape = [400, 600];
const n = 400 * 600;

describe('initializers', () => {
  it('fill constants', () => {
    expect(Array.from(initialize('zeros', [2, 2], rng()))).toEqual([0, 0, 0, 0]);
    expect(Array.from(initialize('ones', [3], rng()))).toEqual([1, 1, 1]);
    expect(Array.from(initialize({ name: 'constant', value: -0.5 }, [2], rng()))).toEqual([-0.5, -0.5]);
    expect(Array.from(initialize({ name: 'identity', gain: 2 }, [2, 3], rng()))).toEqual([2, 0, 0, 0, 2, 0]);
  });

  it.each([
    ['uniform (Keras default ±0.05)', 'uniform' as const, 0, 0.05 ** 2 / 3, 0.05],
    ['glorotUniform', 'glorotUniform' as const, 0, 2 / (400 + 600), Math.sqrt(6 / 1000)],
    ['heUniform', 'heUniform' as const, 0, 2 / 400, Math.sqrt(6 / 400)],
    ['lecunUniform', 'lecunUniform' as const, 0, 1 / 400, Math.sqrt(3 / 400)],
  ])('%s has the expected mean, variance and bounds', (_label, name, mean, variance, limit) => {
    const s = stats(initialize(name, shape, rng()));
    expect(Math.abs(s.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
    expect(Math.abs(s.variance / variance - 1)).toBeLessThan(0.02);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThanOrEqual(limit);
  });

  it.each([
    ['normal (stddev 0.05)', 'normal' as const, 0.05 ** 2, Number.POSITIVE_INFINITY],
    // Truncated at 2 stddev: variance of a unit normal truncated to [-2, 2] is 0.77374.
    ['truncatedNormal (stddev 0.05)', 'truncatedNormal' as const, 0.05 ** 2 * 0.77374, 0.1],
    // Variance-scaling normals correct for the truncation, so the variance is exactly scale / fan.
    ['glorotNormal', 'glorotNormal' as const, 2 / 1000, (2 * Math.sqrt(2 / 1000)) / 0.8796256610342398],
    ['heNormal', 'heNormal' as const, 2 / 400, (2 * Math.sqrt(2 / 400)) / 0.8796256610342398],
    ['lecunNormal', 'lecunNormal' as const, 1 / 400, (2 * Math.sqrt(1 / 400)) / 0.8796256610342398],
  ])('%s has the expected variance and truncation', (_label, name, variance, limit) => {
    const s = stats(initialize(name, shape, rng()));
    expect(Math.abs(s.mean)).toBeLessThan(5 * Math.sqrt(variance / n));
    expect(Math.abs(s.variance / variance - 1)).toBeLessThan(0.02);
    expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(limit * (1 + 1e-6));
  });

  it('honours custom parameters', () => {
    const s = stats(initialize({ name: 'normal', mean: 1, stddev: 0.5 }, [100_000], rng()));
    expect(Math.abs(s.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(s.variance - 0.25)).toBeLessThan(0.01);
    const u = stats(initialize({ name: 'uniform', minval: 2, maxval: 3 }, [100_000], rng()));
    expect(u.min).toBeGreaterThanOrEqual(2);
    expect(u.max).toBeLessThan(3);
  });

  it('is deterministic for a seed', () => {
    for (const name of listInitializers().filter((x) => x !== 'concat' && x !== 'constant')) {
      expect(initialize(name, [6, 4], createRng(1))).toEqual(initialize(name, [6, 4], createRng(1)));
    }
  });

  it('concatenates blocks along the last axis', () => {
    const v = initialize(
      {
        name: 'concat',
        parts: [
          [1, 'zeros'],
          [2, 'ones'],
          [1, { name: 'constant', value: 3 }],
        ],
      },
      [2, 4],
      rng(),
    );
    expect(Array.from(v)).toEqual([0, 1, 1, 3, 0, 1, 1, 3]);
    expect(() => initialize({ name: 'concat', parts: [[1, 'zeros']] }, [4], rng())).toThrow(
      'initializer: "concat" parts cover 1 entries of the last axis, but the shape [4] has 4',
    );
  });

  it('rejects unknown names and bad configs, naming them', () => {
    expect(() => initialize('xavier' as never, [2], rng())).toThrow(
      /initializer: unknown initializer "xavier"; known initializers: zeros, ones, constant/,
    );
    // Keras' and tfjs-layers' spellings get the name to use.
    expect(() => initialize('glorot_uniform' as never, [2], rng())).toThrow(
      'unknown initializer "glorot_uniform" (did you mean "glorotUniform"?)',
    );
    expect(() => initialize('random_normal' as never, [2], rng())).toThrow(
      'unknown initializer "random_normal" (did you mean "normal"?)',
    );
    expect(() => initialize('randomUniform' as never, [2], rng())).toThrow('(did you mean "uniform"?)');
    expect(() => initialize('leCunNormal' as never, [2], rng())).toThrow('(did you mean "lecunNormal"?)');
    expect(() =>
      initialize({ className: 'RandomNormal', config: { stddev: 0.1 } } as never, [2], rng()),
    ).toThrow(
      'initializer: expected an initializer name or { name, ...options } (Keras\' { className, config } form is read from model files by loadKerasModel), e.g. { name: "normal", stddev: 0.1 }',
    );
    expect(() => initialize({ name: 'constant' } as never, [2], rng())).toThrow(
      'initializer.value: expected a number for "constant", received undefined',
    );
    expect(() => initialize('orthogonal', [5], rng())).toThrow(
      'initializer shape: expected rank >= 2 for "orthogonal" (it draws a matrix; give a parameter of rank 0 or 1 ' +
        'another initializer',
    );
  });

  it('computes fans like Keras', () => {
    expect(computeFans([3, 5])).toEqual({ fanIn: 3, fanOut: 5 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(computeFans([2, 3, 4, 5])).toEqual({ fanIn: 24, fanOut: 30 });
  });
});

describe('orthogonal', () => {
  function gram(m: Float64Array | Float32Array, rows: number, cols: number, byRows: boolean): number {
    // Largest |(Q·Qᵀ − I)| entry over rows (byRows) or |(Qᵀ·Q − I)| over columns.
    const count = byRows ? rows : cols;
    let worst = 0;
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < count; b++) {
        let dot = 0;
        const len = byRows ? cols : rows;
        for (let k = 0; k < len; k++) {
          dot += byRows ? m[a * cols + k]! * m[b * cols + k]! : m[k * cols + a]! * m[k * cols + b]!;
        }
        worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
      }
    }
    return worst;
  }

  it('has orthonormal rows when rows <= cols (Q·Qᵀ ≈ I), as an LSTM recurrent kernel [units, 4·units]', () => {
    const q = orthogonalMatrix(64, 256, createRng(1));
    expect(gram(q, 64, 256, true)).toBeLessThan(1e-12);
  });

  it('has orthonormal columns when rows > cols (Qᵀ·Q ≈ I)', () => {
    const q = orthogonalMatrix(50, 20, createRng(2));
    expect(gram(q, 50, 20, false)).toBeLessThan(1e-12);
  });

  it('is a square orthogonal matrix scaled by the gain, in float32', () => {
    const w = initialize({ name: 'orthogonal', gain: 2 }, [32, 32], createRng(3));
    const scaled = Float64Array.from(w, (v) => v / 2);
    // float32 storage limits the accuracy to ~1e-7 per entry.
    expect(gram(scaled, 32, 32, true)).toBeLessThan(1e-5);
  });

  it('handles the 256-unit LSTM recurrent kernel [256, 1024]', () => {
    const w = initialize('orthogonal', [256, 1024], createRng(4));
    expect(gram(w, 256, 1024, true)).toBeLessThan(1e-5);
  });
});
