// Many to many, unaligned: an encoder-decoder that reverses a sequence of digits (3 to 6 of them). The encoder reads
// the whole source; its final LSTM states start the decoder. Training uses teacher forcing (the decoder reads the
// true previous token); inference decodes greedily one step at a time through the model's streaming API, feeding
// back its own predictions until it emits the end token.
//
//   node packages/layers/examples/encoder-decoder.mjs [--backend cpu]   (after `npx -y pnpm@12.21.0 build`)
import { fileURLToPath } from 'node:url';
import { createRng } from '@seqmodel/core';
import {
  adam,
  dense,
  embedding,
  input,
  losses,
  lstm,
  model,
  sequential,
  timeDistributed,
} from '@seqmodel/layers';
import { backendFromArgs } from './backend.mjs';

export const DEFAULTS = {
  trainSamples: 3000,
  testSamples: 300,
  digits: 8,
  minLength: 3,
  maxLength: 6,
  units: 64,
  epochs: 10,
  batchSize: 64,
  seed: 9,
};

const PAD = 0;
const GO = 1;
const EOS = 2;
const FIRST_DIGIT = 3;

/**
 * Source ids `[n, maxLength]`, decoder inputs `[n, maxLength + 1]` (GO, then the reversed digits) and targets
 * `[n, maxLength + 1]` (the reversed digits, then EOS), all post-padded with 0.
 */
export function reversalData(n, s, seed) {
  const rng = createRng(seed);
  const source = [];
  const decoderInput = [];
  const target = [];
  const pad = (xs, length) => [...xs, ...new Array(length - xs.length).fill(PAD)];
  for (let i = 0; i < n; i++) {
    const length = s.minLength + rng.int(s.maxLength - s.minLength + 1);
    const digits = Array.from({ length }, () => FIRST_DIGIT + rng.int(s.digits));
    const reversed = [...digits].reverse();
    source.push(pad(digits, s.maxLength));
    decoderInput.push(pad([GO, ...reversed], s.maxLength + 1));
    target.push(pad([...reversed, EOS], s.maxLength + 1));
  }
  return { source, decoderInput, target };
}

export async function run(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const vocabulary = FIRST_DIGIT + s.digits;
  const train = reversalData(s.trainSamples, s, s.seed);
  const test = reversalData(s.testSamples, s, s.seed + 1);

  // Training graph: [source, decoder input] -> logits per target step.
  const source = input({ shape: [null], dtype: 'int32', name: 'source' });
  const encoded = embedding({
    inputDim: vocabulary,
    outputDim: 16,
    maskZero: true,
    name: 'source_embedding',
  }).apply(source);
  const [, h, c] = lstm({ units: s.units, returnState: true, name: 'encoder' }).apply(encoded);
  const previous = input({ shape: [null], dtype: 'int32', name: 'previous' });
  const targetEmbedding = embedding({
    inputDim: vocabulary,
    outputDim: 16,
    maskZero: true,
    name: 'target_embedding',
  });
  const decoder = lstm({ units: s.units, returnSequences: true, name: 'decoder' });
  const head = timeDistributed(dense({ units: vocabulary }), { name: 'head' });
  const logits = head.apply(decoder.apply(targetEmbedding.apply(previous), { initialState: [h, c] }));
  const training = model({ inputs: [source, previous], outputs: logits, backend, seed: s.seed });
  training.compile({
    optimizer: adam({ learningRate: 0.005, clipnorm: 1 }),
    loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
    metrics: ['accuracy'],
  });
  const history = await training.fit([train.source, train.decoderInput], train.target, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    validationData: [[test.source, test.decoderInput], test.target],
    seed: s.seed,
    verbose: s.verbose,
  });

  // Inference: the encoder gives the states; the decoder layers run one step at a time from them.
  const encoder = model({ inputs: source, outputs: [h, c], backend });
  const stepper = sequential([targetEmbedding, decoder, head], { backend });
  stepper.build(backend, [null, null]);
  const sourceTensor = backend.tensor(test.source, undefined, 'int32');
  const states = encoder.predict(sourceTensor);
  const stream = stepper.stream();
  stream.setStates('decoder', states);
  let tokens = new Array(s.testSamples).fill(GO);
  const decoded = test.source.map(() => []);
  for (let t = 0; t <= s.maxLength; t++) {
    const step = backend.tensor(tokens, [s.testSamples], 'int32');
    const out = stream.step(step);
    const next = backend.argMax(out, 1);
    tokens = Array.from(backend.dataSync(next));
    backend.dispose([step, out, next]);
    tokens.forEach((token, i) => {
      const row = decoded[i];
      if (row.at(-1) !== EOS) row.push(token);
    });
  }
  stream.dispose();
  backend.dispose([sourceTensor, ...states]);
  const expected = test.target.map((row) => row.slice(0, row.indexOf(EOS) + 1));
  const exact = decoded.filter((row, i) => row.join() === expected[i].join()).length / s.testSamples;
  training.dispose();
  const show = (row) =>
    row
      .filter((v) => v >= FIRST_DIGIT)
      .map((v) => v - FIRST_DIGIT)
      .join(' ');
  return {
    history: history.history,
    exactMatch: exact,
    example: { source: show(test.source[0]), decoded: show(decoded[0]), expected: show(expected[0]) },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await backendFromArgs();
  const started = performance.now();
  const r = await run(backend, { verbose: process.stdout.isTTY ? 1 : 2 });
  console.log(
    `source ${r.example.source}  ->  decoded ${r.example.decoded}  (expected ${r.example.expected})`,
  );
  console.log(
    `encoder-decoder (${backend.name}): ${(r.exactMatch * 100).toFixed(1)}% of test sequences reversed exactly (greedy decoding), ${((performance.now() - started) / 1000).toFixed(0)}s`,
  );
}
