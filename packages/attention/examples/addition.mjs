// Two-digit addition with a decoder-only transformer, minGPT's adder: "a b" as four digits is followed by the sum
// written as three digits in reverse (least significant first, as people add), and the model learns to write the sum.
// The loss covers only the sum (sample weights 0 on the operands); testing feeds each held-out pair as a prompt and
// decodes 3 digits greedily with the key/value cache. Of the 10,000 pairs, 500 are held out (minGPT's split).
//
//   node packages/attention/examples/addition.mjs [--backend cpu]   (after `npx -y pnpm@12.21.0 build`)
import { fileURLToPath } from 'node:url';
import { generate, transformerLanguageModel } from '@seqmodel/attention';
import { createRng } from '@seqmodel/core';
import { adam, losses } from '@seqmodel/layers';
import { backendFromArgs } from '../../layers/examples/backend.mjs';

export const DEFAULTS = {
  digits: 2,
  testCount: 500,
  trainCount: undefined, // every pair that is not held out
  hiddenDim: 48,
  numLayers: 2,
  numHeads: 4,
  epochs: 8,
  batchSize: 128,
  learningRate: 5e-3,
  seed: 12,
  verbose: 0,
};

/** The digits of `n`, `width` of them, most significant first. */
const digitsOf = (n, width) =>
  Array.from({ length: width }, (_, i) => Math.floor(n / 10 ** (width - 1 - i)) % 10);

/** Prompt (the operands' digits) and answer (the sum's digits reversed) of `a + b`. */
export function encode(a, b, d) {
  return { prompt: [...digitsOf(a, d), ...digitsOf(b, d)], answer: digitsOf(a + b, d + 1).reverse() };
}

export function additionData(s) {
  const pairs = [];
  for (let a = 0; a < 10 ** s.digits; a++) for (let b = 0; b < 10 ** s.digits; b++) pairs.push([a, b]);
  const rng = createRng(s.seed);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
  }
  const train = pairs.slice(s.testCount);
  return {
    test: pairs.slice(0, s.testCount),
    train: s.trainCount === undefined ? train : train.slice(0, s.trainCount),
  };
}

export async function run(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const { train, test } = additionData(s);
  const promptLength = 2 * s.digits;
  const model = transformerLanguageModel({
    backend,
    seed: s.seed,
    vocabularySize: 10,
    sequenceLength: promptLength + s.digits + 1,
    hiddenDim: s.hiddenDim,
    numLayers: s.numLayers,
    numHeads: s.numHeads,
    intermediateDim: 4 * s.hiddenDim,
  });
  model.compile({
    optimizer: adam({ learningRate: s.learningRate, clipnorm: 1 }),
    loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const x = [];
  const y = [];
  const w = [];
  for (const [a, b] of train) {
    const { prompt, answer } = encode(a, b, s.digits);
    const full = [...prompt, ...answer];
    x.push(full.slice(0, -1));
    y.push(full.slice(1));
    w.push(full.slice(1).map((_, t) => (t >= promptLength - 1 ? 1 : 0)));
  }
  const started = performance.now();
  const history = await model.fit(x, y, {
    sampleWeight: w,
    epochs: s.epochs,
    batchSize: s.batchSize,
    seed: s.seed,
    verbose: s.verbose,
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const encoded = test.map(([a, b]) => encode(a, b, s.digits));
  const { tokens } = generate(model, { prompt: encoded.map((e) => e.prompt), maxNewTokens: s.digits + 1 });
  const wrong = test.filter((_, i) => tokens[i].join() !== encoded[i].answer.join());
  model.dispose();
  const sum = (row) => row.reduce((acc, digit, i) => acc + digit * 10 ** i, 0);
  return {
    history: history.history,
    trainSeconds,
    testAccuracy: 1 - wrong.length / test.length,
    testCount: test.length,
    trainCount: train.length,
    wrong: wrong.slice(0, 5).map(([a, b]) => `${a} + ${b}`),
    example: { a: test[0][0], b: test[0][1], answer: sum(tokens[0]) },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await backendFromArgs();
  const started = performance.now();
  const r = await run(backend, { verbose: process.stdout.isTTY ? 1 : 2 });
  console.log(`${r.example.a} + ${r.example.b} = ${r.example.answer}`);
  console.log(
    `addition (${backend.name}): ${(r.testAccuracy * 100).toFixed(1)}% of ${r.testCount} held-out sums exact (greedy, trained on ${r.trainCount}); ` +
      `training ${r.trainSeconds.toFixed(0)}s, total ${((performance.now() - started) / 1000).toFixed(0)}s${r.wrong.length > 0 ? `; wrong: ${r.wrong.join(', ')}` : ''}`,
  );
}
