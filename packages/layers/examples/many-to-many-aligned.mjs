// Many to many, aligned: tag every word of a sentence (@seqmodel/datasets' toy tagging task, shaped like
// part-of-speech tagging). Ambiguous words take the tag of the word before them, so the tagger needs context; a
// memoryless tagger tops out near 85% (0.872 on this test set). Padding (id 0) is masked by the embedding, and
// masked steps count neither in the loss nor in the accuracy.
//
//   node packages/layers/examples/many-to-many-aligned.mjs [--backend cpu]   (after `npx -y pnpm@12.21.0 build`)
import { fileURLToPath } from 'node:url';
import { toyTaggingTask } from '@seqmodel/datasets';
import { adam, dense, embedding, losses, lstm, sequential, timeDistributed } from '@seqmodel/layers';
import { backendFromArgs } from './backend.mjs';

export const DEFAULTS = {
  trainSamples: 1000,
  testSamples: 300,
  units: 32,
  epochs: 8,
  batchSize: 32,
  seed: 5,
};

export async function run(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const train = toyTaggingTask({ numSamples: s.trainSamples, seed: s.seed });
  const test = toyTaggingTask({ numSamples: s.testSamples, seed: s.seed + 1 });
  const vocabulary = train.info.inputVocabularySize;
  const tags = train.info.numClasses;
  const model = sequential(
    [
      embedding({ inputDim: vocabulary, outputDim: 16, maskZero: true }),
      lstm({ units: s.units, returnSequences: true }),
      timeDistributed(dense({ units: tags })),
    ],
    { backend, seed: s.seed, inputShape: [null] },
  );
  model.compile({
    optimizer: adam({ learningRate: 0.01 }),
    loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
    metrics: ['accuracy'],
  });
  const history = await model.fit(train.inputs, train.targets, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    validationData: [test.inputs, test.targets],
    seed: s.seed,
    verbose: s.verbose,
  });
  const result = await model.evaluate(test.inputs, test.targets);
  model.dispose();
  return { history: history.history, testAccuracy: result.accuracy, baseline: test.info.baselines[0].value };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await backendFromArgs();
  const started = performance.now();
  const r = await run(backend, { verbose: process.stdout.isTTY ? 1 : 2 });
  console.log(
    `many to many, aligned (${backend.name}): test accuracy ${r.testAccuracy.toFixed(3)} over real words (memoryless tagger: ${r.baseline.toFixed(3)}), ${((performance.now() - started) / 1000).toFixed(0)}s`,
  );
}
