// Sorting with a decoder-only transformer, minGPT's first demo: a sequence of 6 digits over {0, 1, 2} is followed by
// the same digits sorted, and the model learns to write the sorted half. Training is next-token prediction on the
// whole 12 tokens with the loss only on the sorted half (sample weights 0 on the prompt); testing feeds each held-out
// sequence as a prompt and decodes 6 tokens greedily (one token per step, with the key/value cache). Every one of the
// 729 possible sequences is either in the training set or in the test set, never both.
//
//   node packages/attention/examples/sort.mjs [--backend cpu]   (after `npx -y pnpm@12.21.0 build`)
import { fileURLToPath } from 'node:url';
import { generate, transformerLanguageModel } from '@seqmodel/attention';
import { createRng } from '@seqmodel/core';
import { adam, losses } from '@seqmodel/layers';
import { backendFromArgs } from '../../layers/examples/backend.mjs';

export const DEFAULTS = {
  length: 6,
  symbols: 3,
  testFraction: 0.2,
  hiddenDim: 48,
  numLayers: 2,
  numHeads: 4,
  epochs: 30,
  batchSize: 64,
  learningRate: 3e-3,
  seed: 6,
  verbose: 0,
};

/** Every sequence of `length` symbols, shuffled with `seed` and split into train and test. */
export function sortData(s) {
  const all = [];
  for (let n = 0; n < s.symbols ** s.length; n++) {
    all.push(Array.from({ length: s.length }, (_, i) => Math.floor(n / s.symbols ** i) % s.symbols));
  }
  const rng = createRng(s.seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  const testCount = Math.round(all.length * s.testFraction);
  return { test: all.slice(0, testCount), train: all.slice(testCount) };
}

/** Inputs, next-token targets and weights (1 on the sorted half) for next-token training. */
function examples(sequences) {
  const x = [];
  const y = [];
  const w = [];
  for (const seq of sequences) {
    const full = [...seq, ...[...seq].sort((a, b) => a - b)];
    x.push(full.slice(0, -1));
    y.push(full.slice(1));
    w.push(full.slice(1).map((_, t) => (t >= seq.length - 1 ? 1 : 0)));
  }
  return { x, y, w };
}

export async function run(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const { train, test } = sortData(s);
  const model = transformerLanguageModel({
    backend,
    seed: s.seed,
    vocabularySize: s.symbols,
    sequenceLength: 2 * s.length,
    hiddenDim: s.hiddenDim,
    numLayers: s.numLayers,
    numHeads: s.numHeads,
    intermediateDim: 4 * s.hiddenDim,
  });
  model.compile({
    optimizer: adam({ learningRate: s.learningRate, clipnorm: 1 }),
    loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const data = examples(train);
  const started = performance.now();
  const history = await model.fit(data.x, data.y, {
    sampleWeight: data.w,
    epochs: s.epochs,
    batchSize: s.batchSize,
    seed: s.seed,
    verbose: s.verbose,
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const accuracy = (sequences) => {
    const { tokens } = generate(model, { prompt: sequences, maxNewTokens: s.length });
    const right = tokens.filter(
      (row, i) => row.join() === [...sequences[i]].sort((a, b) => a - b).join(),
    ).length;
    return { accuracy: right / sequences.length, tokens };
  };
  const testResult = accuracy(test);
  const trainResult = accuracy(train);
  model.dispose();
  return {
    history: history.history,
    trainSeconds,
    testAccuracy: testResult.accuracy,
    trainAccuracy: trainResult.accuracy,
    testCount: test.length,
    trainCount: train.length,
    example: { input: test[0], output: testResult.tokens[0] },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await backendFromArgs();
  const started = performance.now();
  const r = await run(backend, { verbose: process.stdout.isTTY ? 1 : 2 });
  console.log(`sort ${r.example.input.join(' ')}  ->  ${r.example.output.join(' ')}`);
  console.log(
    `sorting (${backend.name}): ${(r.testAccuracy * 100).toFixed(1)}% of ${r.testCount} held-out sequences sorted exactly (greedy), ` +
      `${(r.trainAccuracy * 100).toFixed(1)}% of ${r.trainCount} training ones; training ${r.trainSeconds.toFixed(0)}s, total ${((performance.now() - started) / 1000).toFixed(0)}s`,
  );
}
