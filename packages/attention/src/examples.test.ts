/**
 * Smoke runs of the runnable examples in `examples/` with tiny settings (a few steps each, on the CPU backend): they
 * run end to end, train, decode and report their figures. The full runs, with the figures quoted in the README, are too
 * slow for unit tests: run them with `node packages/attention/examples/<name>.mjs`.
 */
import { describe, expect, it } from 'vitest';
import { cpuBackend } from './test-helpers.js';

const backend = cpuBackend();

// A path in a variable keeps the type checker out of the plain JavaScript examples.
async function example(name: string) {
  const url = new URL(`../examples/${name}`, import.meta.url).href;
  return import(/* @vite-ignore */ url);
}

/** A fraction such as an accuracy: a number in [0, 1] (NaN and undefined fail). */
function fraction(value: number): void {
  expect(value).toBeGreaterThanOrEqual(0);
  expect(value).toBeLessThanOrEqual(1);
}

function trained(history: Record<string, number[]>): void {
  expect(history.loss!.length).toBeGreaterThan(0);
  expect(history.loss!.every(Number.isFinite)).toBe(true);
}

describe('examples (smoke runs)', () => {
  it('sort.mjs', async () => {
    const { run } = await example('sort.mjs');
    const r = await run(backend, { epochs: 1, hiddenDim: 8, numHeads: 2, numLayers: 1, batchSize: 128 });
    trained(r.history);
    fraction(r.testAccuracy);
    expect(r.testCount + r.trainCount).toBe(729);
    expect(r.example.output).toHaveLength(6);
  });

  it('addition.mjs', async () => {
    const { run, encode } = await example('addition.mjs');
    expect(encode(47, 85, 2)).toEqual({ prompt: [4, 7, 8, 5], answer: [2, 3, 1] });
    const r = await run(backend, {
      testCount: 20,
      trainCount: 64,
      epochs: 1,
      hiddenDim: 8,
      numHeads: 2,
      numLayers: 1,
    });
    trained(r.history);
    fraction(r.testAccuracy);
  });

  it('date-translation.mjs', async () => {
    const { run, dates } = await example('date-translation.mjs');
    expect(dates(50, 1).every((d: { target: string }) => /^\d{4}-\d{2}-\d{2}$/.test(d.target))).toBe(true);
    const r = await run(backend, { trainSamples: 32, testSamples: 4, epochs: 1, units: 8, embeddingDim: 4 });
    trained(r.history);
    fraction(r.exactMatch);
    expect(r.svg).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
  });

  it('reverse.mjs (the plain encoder-decoder and the one with attention)', async () => {
    const { run } = await example('reverse.mjs');
    const r = await run(backend, {
      trainSamples: 32,
      testSamples: 4,
      epochs: 1,
      units: 8,
      minLength: 20,
      maxLength: 20,
    });
    trained(r.plain.history);
    trained(r.attention.history);
    fraction(r.plain.exactMatch);
    fraction(r.attention.exactMatch);
  });

  it('char-lm.mjs', async () => {
    const { run } = await example('char-lm.mjs');
    const text =
      'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money. '.repeat(8);
    const r = await run(backend, {
      text,
      budgetSeconds: 0,
      sequenceLength: 16,
      validationWindows: 4,
      generateLength: 20,
      lstmUnits: 8,
      transformerDim: 8,
    });
    expect(r.results).toHaveLength(2);
    for (const m of r.results) {
      expect(m.steps).toBe(1);
      expect(m.bitsPerCharacter).toBeGreaterThan(0);
      for (const s of m.samples) expect(s.tokens).toBe(20);
    }
  });
});
