import { describe, expect, it } from 'vitest';
import { formatSize, forwardFlops, gflops, matMulFlops, parseSize, trainingFlops } from './flops.js';

describe('FLOP formulas', () => {
  it('counts the products of one LSTM step by hand', () => {
    // batch 2, one step, input 3, units 5: x·W is [2,3]·[3,20] (2·2·3·20 = 240 FLOPs), h·U is [2,5]·[5,20] (400).
    expect(forwardFlops('lstm', { batch: 2, time: 1, inputSize: 3, units: 5 })).toBe(240 + 400);
  });

  it('counts GRU and simple RNN with 3 and 1 gates, and scales with time', () => {
    const size = { batch: 4, time: 10, inputSize: 6, units: 8 };
    expect(forwardFlops('gru', size)).toBe(10 * (2 * 4 * 6 * 24 + 2 * 4 * 8 * 24));
    expect(forwardFlops('simpleRNN', size)).toBe(10 * (2 * 4 * 6 * 8 + 2 * 4 * 8 * 8));
  });

  it('gives the issue sizes', () => {
    expect(forwardFlops('lstm', parseSize('32x64x32x128'))).toBe(2 * 32 * 64 * 4 * 128 * 160);
    expect(forwardFlops('lstm', parseSize('64x100x64x256'))).toBe(4_194_304_000);
    expect(trainingFlops('gru', parseSize('64x100x64x256'))).toBe(3 * 3_145_728_000);
  });

  it('counts a square matMul and converts to GFLOP/s', () => {
    expect(matMulFlops(1024)).toBe(2 * 1024 ** 3);
    expect(matMulFlops(2, 3, 4)).toBe(48);
    expect(gflops(2e9, 1000)).toBe(2);
  });

  it('parses and formats sizes', () => {
    expect(parseSize('1x2x3x4')).toEqual({ batch: 1, time: 2, inputSize: 3, units: 4 });
    expect(formatSize(parseSize('32x64x32x128'))).toBe('32x64x32x128');
    expect(() => parseSize('32x64x32')).toThrow('size "32x64x32": expected batch x time x input x units');
    expect(() => parseSize('0x1x1x1')).toThrow('expected batch x time x input x units');
  });
});
