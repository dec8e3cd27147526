// Reversing long sequences: 20 to 22 digits in, the same digits reversed out. The plain encoder-decoder of
// `packages/layers/examples/encoder-decoder.mjs` must squeeze the whole sequence into the encoder's final LSTM state
// and fails at this length; the same task with Luong attention (the decoder looks back at every encoder step) learns
// it. Both train on the same data for the same number of epochs and decode greedily; exact-match accuracies are
// printed side by side.
//
//   node packages/attention/examples/reverse.mjs [--backend cpu]   (after `npx -y pnpm@12.21.0 build`)
import { fileURLToPath } from 'node:url';
import { generate, rnnEncoderDecoder } from '@seqmodel/attention';
import { adam, cosineDecay, losses } from '@seqmodel/layers';
import { backendFromArgs } from '../../layers/examples/backend.mjs';
import { reversalData, run as runPlain } from '../../layers/examples/encoder-decoder.mjs';

export const DEFAULTS = {
  trainSamples: 2400,
  testSamples: 300,
  digits: 8,
  minLength: 20,
  maxLength: 22,
  units: 48,
  epochs: 14,
  batchSize: 64,
  seed: 9,
  verbose: 0,
};

const GO = 1;
const EOS = 2;

/** The reversal task with attention: an LSTM encoder and a Luong (general) attention decoder. */
export async function runAttention(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const vocabulary = 3 + s.digits;
  const train = reversalData(s.trainSamples, s, s.seed);
  const test = reversalData(s.testSamples, s, s.seed + 1);
  const model = rnnEncoderDecoder({
    backend,
    seed: s.seed,
    sourceVocabularySize: vocabulary,
    targetVocabularySize: vocabulary,
    embeddingDim: 16,
    units: s.units,
    attention: 'luong',
    scoreMode: 'general',
  });
  // A decaying rate: the attention locks onto positions after a few epochs, and smaller steps then keep it there.
  const decaySteps = Math.ceil(s.trainSamples / s.batchSize) * s.epochs;
  model.model.compile({
    optimizer: adam({
      learningRate: cosineDecay({ initialLearningRate: 0.006, decaySteps, alpha: 0.05 }),
      clipnorm: 1,
    }),
    loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const history = await model.model.fit([train.source, train.decoderInput], train.target, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    seed: s.seed,
    verbose: s.verbose,
  });
  const { tokens } = generate(model, {
    source: test.source,
    prompt: test.source.map(() => [GO]),
    maxNewTokens: s.maxLength + 1,
    endToken: EOS,
  });
  const expected = test.target.map((row) => row.slice(0, row.indexOf(EOS) + 1));
  const exactMatch = tokens.filter((row, i) => row.join() === expected[i].join()).length / s.testSamples;
  model.dispose();
  return { history: history.history, exactMatch };
}

export async function run(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  let started = performance.now();
  const plain = await runPlain(backend, { ...s, units: s.units });
  const plainSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const attention = await runAttention(backend, s);
  const attentionSeconds = (performance.now() - started) / 1000;
  return {
    plain: { ...plain, seconds: plainSeconds },
    attention: { ...attention, seconds: attentionSeconds },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await backendFromArgs();
  const s = DEFAULTS;
  const r = await run(backend, { verbose: process.stdout.isTTY ? 1 : 2 });
  console.log(
    `\nreversing ${s.minLength} to ${s.maxLength} digits (${backend.name}), exact match on ${s.testSamples} test sequences (greedy):`,
  );
  console.log(
    `  plain encoder-decoder   ${(r.plain.exactMatch * 100).toFixed(1).padStart(5)}%   (${r.plain.seconds.toFixed(0)}s)`,
  );
  console.log(
    `  with Luong attention    ${(r.attention.exactMatch * 100).toFixed(1).padStart(5)}%   (${r.attention.seconds.toFixed(0)}s)`,
  );
}
