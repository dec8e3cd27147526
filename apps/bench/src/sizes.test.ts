import { describe, expect, it } from 'vitest';
import { formatSize, parseSize, parseSizes, presetNames, presets } from './sizes.js';

describe('sizes', () => {
  it('parses and formats batch x time x input x units', () => {
    expect(parseSize('1x2x3x4')).toEqual({ batch: 1, time: 2, inputSize: 3, units: 4 });
    expect(parseSize(' 32X64x32x128 ')).toEqual({ batch: 32, time: 64, inputSize: 32, units: 128 });
    expect(formatSize(parseSize('32x64x32x128'))).toBe('32x64x32x128');
  });

  it('refuses malformed sizes, naming the flag and the text', () => {
    for (const bad of [
      '32x64x32',
      '32x64x32x128x1',
      '0x1x1x1',
      '1x-1x1x1',
      '1.5x1x1x1',
      'ax1x1x1',
      '1e2x1x1x1',
      '',
    ]) {
      expect(() => parseSize(bad), bad).toThrow(
        `--sizes: size ${JSON.stringify(bad)}: expected batch x time x input x units as four positive integers`,
      );
    }
    expect(() => parseSize('1x2', '--size')).toThrow('--size: size "1x2"');
  });

  it('parses lists, dropping duplicates and refusing empty items', () => {
    expect(parseSizes('32x64x32x128,64x100x64x256,32x64x32x128').map(formatSize)).toEqual([
      '32x64x32x128',
      '64x100x64x256',
    ]);
    expect(() => parseSizes('32x64x32x128,')).toThrow('--sizes: expected a comma-separated list of sizes');
    expect(() => parseSizes('32x64x32x128,3x3')).toThrow('--sizes: size "3x3"');
  });

  it('has three presets; default holds the sizes of the CPU backend issue', () => {
    expect(presetNames).toEqual(['quick', 'default', 'large']);
    const defaults = presets.default.sizes.map(formatSize);
    expect(defaults).toContain('32x64x32x128');
    expect(defaults).toContain('64x100x64x256');
    for (const name of presetNames) {
      expect(presets[name].warmup).toBeGreaterThanOrEqual(1);
      expect(presets[name].repeats).toBeGreaterThanOrEqual(1);
    }
    // quick is no bigger than default's smallest size, large goes beyond default's largest.
    const work = (s: { batch: number; time: number; inputSize: number; units: number }) =>
      s.batch * s.time * s.units * (s.inputSize + s.units);
    expect(Math.max(...presets.quick.sizes.map(work))).toBeLessThanOrEqual(
      Math.min(...presets.default.sizes.map(work)),
    );
    expect(Math.max(...presets.large.sizes.map(work))).toBeGreaterThan(
      Math.max(...presets.default.sizes.map(work)),
    );
  });
});
