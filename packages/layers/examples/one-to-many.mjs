// One to many: generate a 24-step wave from one vector (its frequency and phase). The vector is encoded, repeated at
// every step (repeatVector) and unrolled by an LSTM into the sequence.
//
//   node packages/layers/examples/one-to-many.mjs [--backend cpu|wasm]      (after `npx -y pnpm@12.21.0 build`)
import { fileURLToPath } from 'node:url';
import { createRng } from '@seqmodel/core';
import { adam, dense, lstm, repeatVector, sequential, timeDistributed } from '@seqmodel/layers';
import { backendFromArgs } from './backend.mjs';

export const DEFAULTS = {
  trainSamples: 1024,
  testSamples: 256,
  steps: 24,
  units: 32,
  epochs: 30,
  batchSize: 32,
  seed: 3,
};

/** x: [n, 2] (frequency in cycles per sequence, phase / π); y: [n, steps, 1] the wave. */
export function waves(n, steps, seed) {
  const rng = createRng(seed);
  const x = [];
  const y = [];
  for (let i = 0; i < n; i++) {
    const cycles = rng.uniform(0.5, 2);
    const phase = rng.uniform(-1, 1);
    x.push([cycles, phase]);
    y.push(
      Array.from({ length: steps }, (_, t) => [
        Math.sin((2 * Math.PI * cycles * t) / steps + Math.PI * phase),
      ]),
    );
  }
  return { x, y };
}

export async function run(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const train = waves(s.trainSamples, s.steps, s.seed);
  const test = waves(s.testSamples, s.steps, s.seed + 1);
  const model = sequential(
    [
      dense({ units: s.units, activation: 'tanh', inputShape: [2] }),
      repeatVector({ n: s.steps }),
      lstm({ units: s.units, returnSequences: true }),
      timeDistributed(dense({ units: 1 })),
    ],
    { backend, seed: s.seed },
  );
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'mse', metrics: ['mae'] });
  const history = await model.fit(train.x, train.y, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    validationSplit: 0.1,
    seed: s.seed,
    verbose: s.verbose,
  });
  const result = await model.evaluate(test.x, test.y);
  // One generated wave next to the truth.
  const input = backend.tensor([test.x[0]]);
  const generated = backend.dataSync(model.predict(input));
  model.dispose();
  // Predicting 0 everywhere scores the mean of sin², about 0.5.
  return {
    history: history.history,
    testMse: result.loss,
    baseline: 0.5,
    example: { x: test.x[0], truth: test.y[0].map((v) => v[0]), generated: Array.from(generated) },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await backendFromArgs();
  const started = performance.now();
  const r = await run(backend, { verbose: process.stdout.isTTY ? 1 : 2 });
  const fmt = (xs) => xs.map((v) => v.toFixed(2).padStart(5)).join(' ');
  console.log(`input (cycles, phase/π): ${fmt(r.example.x)}`);
  console.log(`truth:     ${fmt(r.example.truth)}`);
  console.log(`generated: ${fmt(r.example.generated)}`);
  console.log(
    `one to many (${backend.name}): test MSE ${r.testMse.toFixed(4)} (predicting 0: ${r.baseline.toFixed(2)}), ${((performance.now() - started) / 1000).toFixed(0)}s`,
  );
}
