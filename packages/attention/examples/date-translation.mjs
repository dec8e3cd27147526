// Date-format translation with a recurrent encoder-decoder and Luong attention: "Saturday, March 7, 2026",
// "7 Mar 2026", "03/07/2026" and other human spellings in, ISO "2026-03-07" out, one character at a time. An LSTM
// reads the source characters; the decoder (an LSTM cell with Luong's general score and input feeding) attends over
// the encoder's outputs at every step. Training uses teacher forcing; testing decodes greedily (one character per
// step, the decoder's state carried) and counts exact matches. The attention weights of one test date are drawn as
// an SVG (`date-attention.svg`): each output character looks at the source characters that spell it.
//
//   node packages/attention/examples/date-translation.mjs [--backend cpu] [--svg path]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate, rnnEncoderDecoder } from '@seqmodel/attention';
import { createRng } from '@seqmodel/core';
import { adam, losses } from '@seqmodel/layers';
import { backendFromArgs } from '../../layers/examples/backend.mjs';

export const DEFAULTS = {
  trainSamples: 5000,
  testSamples: 1000,
  embeddingDim: 24,
  units: 64,
  epochs: 5,
  batchSize: 64,
  learningRate: 5e-3,
  seed: 3,
  verbose: 0,
  /** The date whose attention weights are drawn. */
  shownDate: 'Saturday, March 7, 2026',
};

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad2 = (n) => String(n).padStart(2, '0');

/** The human spellings of one date (UTC). */
const FORMATS = [
  (d, m, y, w) => `${DAYS[w]}, ${MONTHS[m]} ${d}, ${y}`,
  (d, m, y) => `${MONTHS[m]} ${d}, ${y}`,
  (d, m, y) => `${d} ${MONTHS[m]} ${y}`,
  (d, m, y) => `${MONTHS[m].slice(0, 3)} ${d}, ${y}`,
  (d, m, y, w) => `${DAYS[w].slice(0, 3)} ${d} ${MONTHS[m].slice(0, 3)} ${y}`,
  (d, m, y) => `${pad2(m + 1)}/${pad2(d)}/${y}`,
  (d, m, y) => `${d}.${m + 1}.${y}`,
  (d, m, y) => `${MONTHS[m].toLowerCase()} ${d} ${y}`,
];

/** `n` random dates from 1950 to 2049 in random spellings, with their ISO forms. */
export function dates(n, seed) {
  const rng = createRng(seed);
  const start = Date.UTC(1950, 0, 1);
  const days = (Date.UTC(2050, 0, 1) - start) / 86400000;
  return Array.from({ length: n }, () => {
    const date = new Date(start + rng.int(days) * 86400000);
    const [d, m, y, w] = [date.getUTCDate(), date.getUTCMonth(), date.getUTCFullYear(), date.getUTCDay()];
    return { source: FORMATS[rng.int(FORMATS.length)](d, m, y, w), target: `${y}-${pad2(m + 1)}-${pad2(d)}` };
  });
}

const PAD = 0;
const GO = 1;
const EOS = 2;
const TARGET_CHARS = '0123456789-';
const targetId = (c) => 3 + TARGET_CHARS.indexOf(c);
const targetChar = (id) => TARGET_CHARS[id - 3] ?? '';

/** Character ids of the sources (0 is padding) and the teacher-forcing arrays of the targets. */
function encodeAll(samples, sourceChars, sourceLength) {
  const source = samples.map(({ source: s }) => {
    const ids = [...s].map((c) => 1 + sourceChars.indexOf(c));
    return [...ids, ...new Array(sourceLength - ids.length).fill(PAD)];
  });
  const previous = samples.map(({ target }) => [GO, ...[...target].map(targetId)]);
  const next = samples.map(({ target }) => [...[...target].map(targetId), EOS]);
  return { source, previous, next };
}

/** An SVG heat map of attention weights `[outputs][sources]`, darker for more weight. */
export function attentionSvg(weights, sourceText, outputText) {
  const cell = 16;
  const [left, top] = [28, 24];
  const width = left + sourceText.length * cell + 8;
  const height = top + outputText.length * cell + 8;
  const esc = (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', ' ': '␣' })[c] ?? c;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">`,
    `<title>Attention weights while translating "${sourceText}" (columns) into "${outputText}" (rows)</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  [...sourceText].forEach((c, j) => {
    parts.push(
      `<text x="${left + j * cell + cell / 2}" y="${top - 8}" text-anchor="middle">${esc(c)}</text>`,
    );
  });
  [...outputText].forEach((c, i) => {
    parts.push(`<text x="${left - 8}" y="${top + i * cell + 12}" text-anchor="end">${esc(c)}</text>`);
    weights[i].slice(0, sourceText.length).forEach((w, j) => {
      if (w >= 0.01) {
        parts.push(
          `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="#1f4e9c" fill-opacity="${w.toFixed(2)}"/>`,
        );
      }
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export async function run(backend, settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  const train = dates(s.trainSamples, s.seed);
  const test = dates(s.testSamples, s.seed + 1);
  const sourceChars = [...new Set([...train, ...test].flatMap((x) => [...x.source]))].sort();
  const sourceLength = Math.max(...[...train, ...test].map((x) => x.source.length));
  const model = rnnEncoderDecoder({
    backend,
    seed: s.seed,
    sourceVocabularySize: sourceChars.length + 1,
    targetVocabularySize: 3 + TARGET_CHARS.length,
    embeddingDim: s.embeddingDim,
    units: s.units,
    attention: 'luong',
    scoreMode: 'general',
  });
  model.model.compile({
    optimizer: adam({ learningRate: s.learningRate, clipnorm: 1 }),
    loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const data = encodeAll(train, sourceChars, sourceLength);
  const started = performance.now();
  const history = await model.model.fit([data.source, data.previous], data.next, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    seed: s.seed,
    verbose: s.verbose,
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const testData = encodeAll(test, sourceChars, sourceLength);
  const { tokens } = generate(model, {
    source: testData.source,
    prompt: test.map(() => [GO]),
    maxNewTokens: 11,
    endToken: EOS,
  });
  const decoded = tokens.map((row) => row.map(targetChar).join(''));
  const exact = decoded.filter((text, i) => text === test[i].target).length / test.length;
  // The attention weights over one date while the model translates it.
  const shown = { source: s.shownDate, target: '' };
  const shownSource = encodeAll([shown], sourceChars, sourceLength).source;
  const shownTokens = generate(model, {
    source: shownSource,
    prompt: [[GO]],
    maxNewTokens: 11,
    endToken: EOS,
  }).tokens[0];
  const previous = [GO, ...shownTokens.slice(0, -1)];
  const inputs = [backend.tensor(shownSource), backend.tensor([previous])];
  const weightsTensor = model.attention.apply(inputs);
  const flat = Array.from(backend.dataSync(weightsTensor));
  backend.dispose([weightsTensor, ...inputs]);
  const weights = previous.map((_, i) => flat.slice(i * sourceLength, (i + 1) * sourceLength));
  const shownText = shownTokens.map(targetChar).join('');
  const rowLabels = shownTokens.map((id) => (id === EOS ? '⏎' : targetChar(id) || '?')).join('');
  const svg = attentionSvg(weights, s.shownDate, rowLabels);
  model.dispose();
  return {
    history: history.history,
    trainSeconds,
    exactMatch: exact,
    examples: test.slice(0, 4).map((x, i) => ({ source: x.source, decoded: decoded[i], expected: x.target })),
    shown: { source: s.shownDate, decoded: shownText },
    svg,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await backendFromArgs();
  const started = performance.now();
  const r = await run(backend, { verbose: process.stdout.isTTY ? 1 : 2 });
  console.log(`${r.shown.source.padEnd(30)} -> ${r.shown.decoded}`);
  for (const e of r.examples)
    console.log(
      `${e.source.padEnd(30)} -> ${e.decoded}${e.decoded === e.expected ? '' : `  (expected ${e.expected})`}`,
    );
  const i = process.argv.indexOf('--svg');
  const path =
    i === -1 ? fileURLToPath(new URL('./date-attention.svg', import.meta.url)) : process.argv[i + 1];
  writeFileSync(path, r.svg);
  console.log(
    `date translation (${backend.name}): ${(r.exactMatch * 100).toFixed(1)}% of test dates exactly right (greedy); ` +
      `training ${r.trainSeconds.toFixed(0)}s, total ${((performance.now() - started) / 1000).toFixed(0)}s; attention weights in ${path}`,
  );
}
