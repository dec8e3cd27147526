import { describe, expect, it } from 'vitest';
import { benchCell, gatesOf } from './cells.js';
import { forwardFlops, gflops, matMulFlops, trainingFlops } from './flops.js';
import { parseSize } from './sizes.js';

describe('FLOP formulas', () => {
  it('counts the products of one LSTM step by hand', () => {
    // batch 2, one step, input 3, units 5: x·W is [2,3]·[3,20] (2·2·3·20 = 240 FLOPs), h·U is [2,5]·[5,20] (400).
    expect(forwardFlops(4, { batch: 2, time: 1, inputSize: 3, units: 5 })).toBe(240 + 400);
  });

  it('counts GRU and simple RNN with 3 and 1 gates, and scales with time', () => {
    const size = { batch: 4, time: 10, inputSize: 6, units: 8 };
    expect(forwardFlops(3, size)).toBe(10 * (2 * 4 * 6 * 24 + 2 * 4 * 8 * 24));
    expect(forwardFlops(1, size)).toBe(10 * (2 * 4 * 6 * 8 + 2 * 4 * 8 * 8));
  });

  it('gives the issue sizes', () => {
    // 2·32·64·4·128·(32+128) = 335,544,320; 2·64·100·4·256·(64+256) = 4,194,304,000.
    expect(forwardFlops(4, parseSize('32x64x32x128'))).toBe(335_544_320);
    expect(forwardFlops(4, parseSize('64x100x64x256'))).toBe(4_194_304_000);
    // GRU: 3/4 of the LSTM figure, times 3 for a training step.
    expect(trainingFlops(3, parseSize('64x100x64x256'))).toBe(3 * 3_145_728_000);
  });

  it('counts a square matMul and converts to GFLOP/s', () => {
    expect(matMulFlops(1024)).toBe(2 * 1024 ** 3);
    expect(matMulFlops(2, 3, 4)).toBe(48);
    expect(gflops(2e9, 1000)).toBe(2);
    expect(gflops(335_544_320, 100)).toBeCloseTo(3.3554432, 12);
  });
});

describe('gates read from the cells', () => {
  const size = parseSize('2x3x5x7');
  it('finds G for the built-in variants and the MGU plugin', () => {
    expect(gatesOf(benchCell('simpleRNN'), size)).toBe(1);
    expect(gatesOf(benchCell('lstm'), size)).toBe(4);
    expect(gatesOf(benchCell('gru'), size)).toBe(3);
    // resetAfter: true has a [2, 3U] bias, but the same products.
    expect(gatesOf(benchCell('gruResetAfter'), size)).toBe(3);
    expect(gatesOf(benchCell('mgu'), size)).toBe(2);
  });
});
