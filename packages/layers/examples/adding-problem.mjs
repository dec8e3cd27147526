// The adding problem (Hochreiter & Schmidhuber 1997): sequences of 50 random numbers, two of them marked; the target
// is the sum of the two marked numbers. Predicting the mean (1) scores MSE 1/6 ≈ 0.167. An LSTM learns to carry the
// first marked number across up to 50 steps and gets far below that; a simple RNN of the same size does not.
//
// Run it after building the packages (`npx -y pnpm@12.21.0 build` at the repository root):
//   node packages/layers/examples/adding-problem.mjs            (wasm backend; --backend cpu for tfjs' CPU backend)
// Deterministic: the same seeds give the same numbers on the same backend.
import { fileURLToPath } from 'node:url';
import { addingProblem } from '@seqmodel/datasets';
import { adam, dense, lstm, sequential, simpleRNN } from '@seqmodel/layers';
import { backendFromArgs } from './backend.mjs';

/** The settings the README's figures come from. */
export const DEFAULTS = {
  length: 50,
  units: 16,
  trainSamples: 6400,
  testSamples: 1000,
  batchSize: 64,
  epochs: 12,
  learningRate: 0.01,
  seed: 42,
};

/**
 * Trains one model (`cell`: 'lstm' or 'simpleRNN') on the adding problem and returns its test MSE, the training
 * history and the time taken.
 */
export async function trainAddingProblem(backend, cell, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const train = addingProblem({ numSamples: s.trainSamples, length: s.length, seed: s.seed });
  const test = addingProblem({ numSamples: s.testSamples, length: s.length, seed: s.seed + 1 });
  const recurrent = cell === 'lstm' ? lstm : simpleRNN;
  const model = sequential([recurrent({ units: s.units, inputShape: [null, 2] }), dense({ units: 1 })], {
    backend,
    seed: s.seed,
  });
  model.compile({ optimizer: adam({ learningRate: s.learningRate, clipnorm: 1 }), loss: 'mse' });
  const started = performance.now();
  const history = await model.fit(train.inputs, train.targets, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    seed: s.seed,
    verbose: s.verbose ?? 'auto',
  });
  const seconds = (performance.now() - started) / 1000;
  const { loss: testMse } = await model.evaluate(test.inputs, test.targets, { batchSize: 500 });
  model.dispose();
  return { cell, testMse, seconds, history: history.history };
}

async function main() {
  const backend = await backendFromArgs();
  const baseline = 1 / 6;
  console.log(`Adding problem, length ${DEFAULTS.length}, ${DEFAULTS.units} units, backend ${backend.name}`);
  const results = [];
  for (const cell of ['lstm', 'simpleRNN']) {
    console.log(`\n${cell}:`);
    // A live progress bar in a terminal, one line per epoch in a log.
    results.push(await trainAddingProblem(backend, cell, { verbose: process.stdout.isTTY ? 1 : 2 }));
  }
  console.log('\nmodel      test MSE   time');
  for (const r of results) {
    console.log(`${r.cell.padEnd(10)} ${r.testMse.toFixed(4).padStart(8)}   ${r.seconds.toFixed(0)}s`);
  }
  console.log(`baseline   ${baseline.toFixed(4).padStart(8)}   (always predict 1)`);
  const [lstmResult, rnnResult] = results;
  const ok = lstmResult.testMse < 0.05 && rnnResult.testMse >= 0.05;
  console.log(
    ok ? '\nThe LSTM learned the task; the simple RNN did not.' : '\nUnexpected result (see above).',
  );
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
