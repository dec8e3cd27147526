import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tableColumn } from './io/csv.js';
import {
  loadMobyDick,
  loadSeattleWeather,
  loadUsBirths,
  mobyDickUrl,
  SHIPPED_DATASETS,
  seattleWeatherUrl,
  shippedDataset,
  usBirthsUrl,
} from './real-data.js';

const DAY = 24 * 60 * 60 * 1000;
const dataFile = (file: string) => new URL(`../data/${file}`, import.meta.url);

describe('shipped data files', () => {
  it.each(SHIPPED_DATASETS.map((d) => [d.name, d] as const))(
    '%s matches its recorded size and SHA-256',
    (_, d) => {
      const bytes = readFileSync(dataFile(d.file));
      expect(bytes.length).toBe(d.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(d.sha256);
    },
  );

  it('lists the same checksums in data/README.md', () => {
    const readme = readFileSync(dataFile('README.md'), 'utf8');
    for (const d of SHIPPED_DATASETS) {
      expect(readme).toContain(d.file);
      expect(readme).toContain(d.sha256);
    }
  });

  it('keeps the text under about 1 MB and all data small', () => {
    expect(shippedDataset('moby-dick').bytes).toBeLessThanOrEqual(1_000_000);
    expect(SHIPPED_DATASETS.reduce((s, d) => s + d.bytes, 0)).toBeLessThan(1_200_000);
    expect(() => shippedDataset('nope' as never)).toThrow('name: expected one of "us-births"');
  });

  it('resolves the files next to the module', () => {
    for (const url of [usBirthsUrl(), seattleWeatherUrl(), mobyDickUrl()]) {
      expect(url.protocol).toBe('file:');
      expect(readFileSync(url).length).toBeGreaterThan(0);
    }
  });
});

describe('loaders', () => {
  it('loads US births: 7305 consecutive days', async () => {
    const t = await loadUsBirths();
    expect(t.columns).toEqual(['births']);
    expect(t.values.shape).toEqual([7305, 1]);
    expect(t.dates![0]).toBe(Date.UTC(1969, 0, 1));
    expect(t.dates![7304]).toBe(Date.UTC(1988, 11, 31));
    for (let i = 1; i < 7305; i++)
      if (t.dates![i]! - t.dates![i - 1]! !== DAY) expect.fail(`gap at row ${i}`);
    // First and last rows of the source file.
    expect(t.values.data[0]).toBe(8486);
    expect(t.values.data[7304]).toBe(
      Number(readFileSync(usBirthsUrl(), 'utf8').trim().split('\n').pop()!.split(',')[1]),
    );
    const births = tableColumn(t, 'births');
    expect(Math.min(...births)).toBeGreaterThan(5000);
    expect(Math.max(...births)).toBeLessThan(13000);
  });

  it('shows the weekly cycle in US births (weekends are lower)', async () => {
    const t = await loadUsBirths();
    const byWeekday = new Array<number>(7).fill(0);
    t.values.data.forEach((v, i) => {
      byWeekday[new Date(t.dates![i]!).getUTCDay()]! += v;
    });
    const weekday = (byWeekday[1]! + byWeekday[2]! + byWeekday[3]! + byWeekday[4]! + byWeekday[5]!) / 5;
    expect(byWeekday[0]!).toBeLessThan(0.9 * weekday);
    expect(byWeekday[6]!).toBeLessThan(0.9 * weekday);
  });

  it('loads Seattle weather: 1461 days, four numeric columns', async () => {
    const t = await loadSeattleWeather();
    expect(t.columns).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
    expect(t.values.shape).toEqual([1461, 4]);
    expect(Array.from(t.values.data.slice(0, 4))).toEqual([0, 12.8, 5, 4.7].map(Math.fround));
    expect(t.dates![1460]).toBe(Date.UTC(2015, 11, 31));
    const max = tableColumn(t, 'temp_max');
    const min = tableColumn(t, 'temp_min');
    expect(max.every((v, i) => v >= min[i]!)).toBe(true);
    const only = await loadSeattleWeather({ columns: ['wind'] });
    expect(only.values.shape).toEqual([1461, 1]);
  });

  it('loads Moby-Dick chapters 1–107', async () => {
    const text = await loadMobyDick();
    expect(text.startsWith('CHAPTER 1. Loomings.\n\nCall me Ishmael.')).toBe(true);
    expect(text).toContain('CHAPTER 107. The Carpenter.');
    expect(text).not.toContain('CHAPTER 108.');
    expect(text.endsWith('time to keep himself awake.\n')).toBe(true);
    expect(text.length).toBe(983_375); // the count in loadMobyDick's doc comment
  });

  it('loads from another source when given one (as in a browser)', async () => {
    const blob = new Blob([readFileSync(seattleWeatherUrl())]);
    const t = await loadSeattleWeather({ source: blob, columns: ['temp_min'] });
    expect(t.values.shape).toEqual([1461, 1]);
  });
});
