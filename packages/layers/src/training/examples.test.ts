/**
 * Smoke runs of the runnable examples in `examples/` with tiny settings (a few steps each, on the CPU backend): they
 * run end to end and their training loss falls. The full runs, with the figures quoted in the README, are too slow
 * for unit tests: run them with `node packages/layers/examples/<name>.mjs`.
 */
import { describe, expect, it } from 'vitest';
import { cpuBackend } from './test-helpers.js';

const backend = cpuBackend();

// A path in a variable keeps the type checker out of the plain JavaScript examples.
async function example(name: string) {
  const url = new URL(`../../examples/${name}`, import.meta.url).href;
  return import(/* @vite-ignore */ url);
}

function falls(history: Record<string, number[]>): void {
  const loss = history.loss!;
  expect(loss.at(-1)!).toBeLessThan(loss[0]!);
}

/** A fraction such as an accuracy: a number in [0, 1] (NaN and undefined fail). */
function fraction(value: number): void {
  expect(value).toBeGreaterThanOrEqual(0);
  expect(value).toBeLessThanOrEqual(1);
}

describe('examples (smoke runs)', () => {
  it('adding-problem.mjs: LSTM and SimpleRNN train a few steps', async () => {
    const { trainAddingProblem } = await example('adding-problem.mjs');
    const tiny = {
      length: 10,
      units: 4,
      trainSamples: 128,
      testSamples: 32,
      batchSize: 32,
      epochs: 3,
      verbose: 0,
    };
    for (const cell of ['lstm', 'simpleRNN']) {
      const r = await trainAddingProblem(backend, cell, tiny);
      falls(r.history);
      expect(r.testMse).toBeGreaterThan(0);
    }
  });

  it('many-to-one.mjs', async () => {
    const { run } = await example('many-to-one.mjs');
    const r = await run(backend, { trainSamples: 64, testSamples: 16, units: 4, epochs: 2, verbose: 0 });
    falls(r.history);
    fraction(r.testAccuracy);
  });

  it('one-to-many.mjs', async () => {
    const { run } = await example('one-to-many.mjs');
    const r = await run(backend, {
      trainSamples: 64,
      testSamples: 8,
      steps: 8,
      units: 4,
      epochs: 3,
      verbose: 0,
    });
    falls(r.history);
    expect(r.example.generated).toHaveLength(8);
  });

  it('many-to-many-aligned.mjs', async () => {
    const { run } = await example('many-to-many-aligned.mjs');
    const r = await run(backend, { trainSamples: 64, testSamples: 16, units: 4, epochs: 3, verbose: 0 });
    falls(r.history);
    fraction(r.testAccuracy);
  });

  it('encoder-decoder.mjs', async () => {
    const { run } = await example('encoder-decoder.mjs');
    const r = await run(backend, { trainSamples: 64, testSamples: 8, units: 4, epochs: 3, verbose: 0 });
    falls(r.history);
    fraction(r.exactMatch);
  });
});
