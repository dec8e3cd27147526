// Character-level language models on Moby-Dick (the text shipped with @seqmodel/datasets): an LSTM against a small
// decoder-only transformer, each trained for the same wall-clock budget, compared by validation bits per character
// (the last 10% of the text, in 64-character windows, as in training), then each writes 300 characters at two
// temperatures through the same decoding API (`generate` with `sampling`). The LSTM carries its state from character to
// character; the transformer keeps a key/value cache and, past its 64 learned positions, starts again from the last
// 32 characters.
//
//   node packages/attention/examples/char-lm.mjs [--backend cpu] [--budget seconds]
import { fileURLToPath } from 'node:url';
import { generate, sampling, transformerLanguageModel } from '@seqmodel/attention';
import { CharTokenizer, loadMobyDick, nextTokenWindows } from '@seqmodel/datasets';
import { adam, dense, embedding, losses, lstm, sequential } from '@seqmodel/layers';
import { backendFromArgs } from '../../layers/examples/backend.mjs';

export const DEFAULTS = {
  budgetSeconds: 90,
  sequenceLength: 64,
  batchSize: 32,
  validationWindows: 256,
  generateLength: 300,
  temperatures: [0.5, 1.0],
  prompt: 'Call me Ishmael. ',
  lstmUnits: 256,
  transformerDim: 96,
  seed: 7,
  verbose: 0,
};

function lstmModel(backend, vocabularySize, s) {
  return sequential(
    [
      embedding({ inputDim: vocabularySize, outputDim: 32 }),
      lstm({ units: s.lstmUnits, returnSequences: true }),
      dense({ units: vocabularySize }),
    ],
    { backend, seed: s.seed, inputShape: [null], name: 'lstm_lm' },
  );
}

function transformerModel(backend, vocabularySize, s) {
  return transformerLanguageModel({
    backend,
    seed: s.seed,
    vocabularySize,
    sequenceLength: s.sequenceLength,
    hiddenDim: s.transformerDim,
    numLayers: 2,
    numHeads: 4,
    intermediateDim: 4 * s.transformerDim,
    name: 'transformer_lm',
  });
}

/** `n` characters after `prompt`, sampled at `temperature`; a model with `window` positions restarts from its tail. */
function sample(model, tokenizer, prompt, n, temperature, seed, window) {
  let context = Array.from(tokenizer.encode(prompt));
  const out = [];
  for (let round = 0; out.length < n; round++) {
    if (window !== undefined && context.length >= window) context = context.slice(-Math.floor(window / 2));
    const room = window === undefined ? n : window - context.length;
    const { tokens } = generate(model, {
      prompt: [context],
      maxNewTokens: Math.min(room, n - out.length),
      strategy: sampling({ temperature, seed: `${seed}/${round}` }),
    });
    out.push(...tokens[0]);
    context = [...context, ...tokens[0]];
  }
  return { text: tokenizer.decode(out), tokens: out.length };
}

/** Trains `model` on next-character windows until `budgetSeconds` have passed; returns steps and seconds. */
async function trainFor(model, data, s) {
  model.compile({
    optimizer: adam({ learningRate: 3e-3, clipnorm: 1 }),
    loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const started = performance.now();
  let steps = 0;
  const budget = {
    onBatchEnd() {
      steps++;
      if ((performance.now() - started) / 1000 >= s.budgetSeconds) model.stopTraining = true;
    },
  };
  await model.fit(data.inputs, data.targets, {
    epochs: 1000,
    batchSize: s.batchSize,
    seed: s.seed,
    verbose: s.verbose,
    callbacks: [budget],
  });
  return { steps, seconds: (performance.now() - started) / 1000 };
}

export async function run(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const text = s.text ?? (await loadMobyDick());
  const tokenizer = CharTokenizer.fit(text);
  const ids = tokenizer.encode(text);
  const split = Math.floor(ids.length * 0.9);
  const train = nextTokenWindows(ids.subarray(0, split), { sequenceLength: s.sequenceLength });
  const validation = nextTokenWindows(ids.subarray(split), { sequenceLength: s.sequenceLength });
  const count = Math.min(s.validationWindows, validation.inputs.shape[0]);
  const take = (t) => ({
    data: t.data.subarray(0, count * s.sequenceLength),
    shape: [count, s.sequenceLength],
  });
  const results = [];
  for (const [name, make, window] of [
    [`LSTM (${s.lstmUnits} units)`, lstmModel, undefined],
    [`transformer (2 blocks, ${s.transformerDim} wide)`, transformerModel, s.sequenceLength],
  ]) {
    const model = make(backend, tokenizer.vocabularySize, s);
    const trained = await trainFor(model, train, s);
    const { loss } = await model.evaluate(take(validation.inputs), take(validation.targets), {
      batchSize: 64,
    });
    const samples = s.temperatures.map((t) => ({
      temperature: t,
      ...sample(model, tokenizer, s.prompt, s.generateLength, t, s.seed, window),
    }));
    results.push({
      name,
      params: model.countParams(),
      ...trained,
      bitsPerCharacter: loss / Math.LN2,
      samples,
    });
    model.dispose();
  }
  return { vocabularySize: tokenizer.vocabularySize, trainCharacters: split, results };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await backendFromArgs();
  const i = process.argv.indexOf('--budget');
  const budgetSeconds = i === -1 ? DEFAULTS.budgetSeconds : Number(process.argv[i + 1]);
  const r = await run(backend, { budgetSeconds, verbose: process.stdout.isTTY ? 1 : 0 });
  console.log(
    `Moby-Dick, ${r.vocabularySize} characters, ${budgetSeconds}s of training each (${backend.name}):`,
  );
  for (const m of r.results) {
    console.log(
      `\n${m.name}: ${m.params} parameters, ${m.steps} steps in ${m.seconds.toFixed(0)}s, validation ${m.bitsPerCharacter.toFixed(3)} bits/char`,
    );
    for (const { temperature, text } of m.samples)
      console.log(`--- temperature ${temperature}:\n${DEFAULTS.prompt}${text}`);
  }
}
