// Many to one: classify variable-length noisy waves by their frequency (@seqmodel/datasets' toy classification
// task). The sequences are post-padded; the padding is masked, so the LSTM's answer comes from each sequence's last
// real step. Trained from a dataset of shuffled batches, with early stopping on the validation accuracy.
//
//   node packages/layers/examples/many-to-one.mjs [--backend cpu|wasm]      (after `npx -y pnpm@12.21.0 build`)
import { fileURLToPath } from 'node:url';
import { batches, toyClassificationTask } from '@seqmodel/datasets';
import { adam, dense, earlyStopping, losses, lstm, sequential } from '@seqmodel/layers';
import { backendFromArgs } from './backend.mjs';

export const DEFAULTS = {
  trainSamples: 1200,
  testSamples: 400,
  units: 16,
  epochs: 10,
  batchSize: 32,
  seed: 1,
};

export async function run(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const train = toyClassificationTask({ numSamples: s.trainSamples, seed: s.seed });
  const test = toyClassificationTask({ numSamples: s.testSamples, seed: s.seed + 1 });
  const classes = train.info.numClasses;
  const model = sequential([lstm({ units: s.units, inputShape: [null, 1] }), dense({ units: classes })], {
    backend,
    seed: s.seed,
  });
  model.compile({
    optimizer: adam({ learningRate: 0.01 }),
    loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
    metrics: ['accuracy'],
  });
  // A new shuffle every epoch: datasets' batches() of typed arrays, with their masks.
  const history = await model.fit(
    (epoch) => batches(train, { batchSize: s.batchSize, shuffle: true, seed: s.seed, epoch }),
    {
      epochs: s.epochs,
      validationData: { x: test.inputs, y: test.targets, lengths: test.lengths },
      callbacks: [earlyStopping({ monitor: 'val_accuracy', patience: 3, restoreBestWeights: true })],
      seed: s.seed,
      verbose: s.verbose,
    },
  );
  const result = await model.evaluate(test.inputs, test.targets, { lengths: test.lengths });
  model.dispose();
  return {
    history: history.history,
    testAccuracy: result.accuracy,
    testLoss: result.loss,
    baseline: 1 / classes,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await backendFromArgs();
  const started = performance.now();
  const r = await run(backend, { verbose: process.stdout.isTTY ? 1 : 2 });
  console.log(
    `many to one (${backend.name}): test accuracy ${r.testAccuracy.toFixed(3)} (guessing: ${r.baseline.toFixed(3)}), ${((performance.now() - started) / 1000).toFixed(0)}s`,
  );
}
