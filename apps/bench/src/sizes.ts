/**
 * Problem sizes (`batch x time x input x units`) and the presets that bundle sizes with repeat counts. The quick
 * preset is sized so that every cell on cpu and wasm, both modes, with tfjs-layers and warm-up, finishes in under
 * two minutes on a 2-core machine (105 s measured at load average 6-14; the README's first command); default
 * holds the sizes of the CPU backend issue.
 */

/** The sizes of one benchmark case: batch, time steps, input features, units. */
export interface RnnSize {
  readonly batch: number;
  readonly time: number;
  readonly inputSize: number;
  readonly units: number;
}

/** `32x64x32x128` for batch 32, time 64, input 32, units 128. */
export function formatSize(size: RnnSize): string {
  return `${size.batch}x${size.time}x${size.inputSize}x${size.units}`;
}

const sizeHelp = 'batch x time x input x units as four positive integers joined by "x", e.g. 32x64x32x128';

/** Parses `BxTxIxU`; throws naming the flag and the text when it is not four positive integers. */
export function parseSize(text: string, flag = '--sizes'): RnnSize {
  const parts = text.trim().toLowerCase().split('x');
  const numbers = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if (numbers.length !== 4 || !numbers.every((n) => Number.isSafeInteger(n) && n > 0)) {
    throw new Error(`${flag}: size ${JSON.stringify(text)}: expected ${sizeHelp}`);
  }
  const [batch, time, inputSize, units] = numbers as [number, number, number, number];
  return { batch, time, inputSize, units };
}

/** Parses a comma-separated list of sizes, dropping duplicates (first occurrence wins). */
export function parseSizes(text: string, flag = '--sizes'): RnnSize[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) {
    throw new Error(
      `${flag}: expected a comma-separated list of sizes (${sizeHelp}), received ${JSON.stringify(text)}`,
    );
  }
  const seen = new Set<string>();
  const sizes: RnnSize[] = [];
  for (const item of items) {
    const size = parseSize(item, flag);
    const key = formatSize(size);
    if (!seen.has(key)) {
      seen.add(key);
      sizes.push(size);
    }
  }
  return sizes;
}

export const presetNames = ['quick', 'default', 'large'] as const;
export type PresetName = (typeof presetNames)[number];

export interface Preset {
  readonly sizes: readonly RnnSize[];
  /** Timed runs per contender and mode. */
  readonly repeats: number;
  /** Warm-up runs per contender and mode, at least 1 (the first is the correctness check). */
  readonly warmup: number;
  /** Timed runs of the matMul ceiling (after one warm-up). */
  readonly matMulRepeats: number;
}

export const presets: Readonly<Record<PresetName, Preset>> = {
  quick: {
    sizes: parseSizes('8x16x8x32,16x32x16x64'),
    repeats: 5,
    warmup: 2,
    matMulRepeats: 1,
  },
  default: {
    sizes: parseSizes('16x32x16x64,32x64x32x128,64x100x64x256'),
    repeats: 5,
    warmup: 2,
    matMulRepeats: 3,
  },
  large: {
    sizes: parseSizes('64x100x64x256,128x100x128x512,128x200x256x1024'),
    repeats: 3,
    warmup: 1,
    matMulRepeats: 3,
  },
};
