/**
 * The blocks through the layer conformance kit (`@seqmodel/layers/testing`) on `@seqmodel/backend-cpu`: output shapes,
 * config round trip through the registry, masks (padded steps reach no valid output), seeding, leaks, gradients against
 * float64 finite differences and outputs against the float64 reference (1e-5). Each case covers an option that changes
 * the computation: post- and pre-norm, dropout, activation, cross-attention, stacks, learned and sine positions, and
 * each attention of the recurrent decoder.
 */
import type { Rng } from '@seqmodel/core';
import type { HostTensor, LayerConformanceCase, LayerTestInput } from '@seqmodel/layers/testing';
import { layerConformanceChecks } from '@seqmodel/layers/testing';
import { describe, it } from 'vitest';
import '../register.js';
import { cpuBackend } from '../test-helpers.js';
import { attentionDecoder } from './attention-decoder.js';
import { tokenAndPositionEmbedding } from './token-and-position-embedding.js';
import { transformerDecoderBlock } from './transformer-decoder-block.js';
import { transformerDecoderStack } from './transformer-decoder-stack.js';
import { transformerEncoderBlock } from './transformer-encoder-block.js';
import { transformerEncoderStack } from './transformer-encoder-stack.js';

const backend = cpuBackend();

const seq = (time: number, features: number, mask = true): LayerTestInput => ({
  shape: [3, time, features],
  buildShape: [null, null, features],
  mask,
});
const passFirst = { outputs: [{ input: 0 }] } as const;
const block = { numHeads: 2, intermediateDim: 5 };

/** Token ids in [0, vocab), about a quarter of them 0 (padding). */
const ids =
  (vocab: number) =>
  (size: number, rng: Rng): number[] =>
    Array.from({ length: size }, () => (rng.next() < 0.25 ? 0 : 1 + rng.int(vocab - 1)));
const tokens: LayerTestInput = { shape: [3, 4], buildShape: [null, null], dtype: 'int32', values: ids(7) };
const nonZero = ([x]: readonly HostTensor[]): HostTensor => ({
  values: x!.values.map((v) => (v === 0 ? 0 : 1)),
  shape: x!.shape,
  dtype: 'float32',
});

const cases: LayerConformanceCase[] = [
  { factory: transformerEncoderBlock, options: block, inputs: [seq(4, 4)], masks: passFirst },
  {
    factory: transformerEncoderBlock,
    options: { ...block, normalizeFirst: true, dropout: 0.2, activation: 'tanh', layerNormEpsilon: 1e-3 },
    inputs: [seq(4, 4)],
    masks: passFirst,
  },
  { factory: transformerDecoderBlock, options: block, inputs: [seq(4, 4)], masks: passFirst },
  {
    factory: transformerDecoderBlock,
    options: { ...block, normalizeFirst: true, dropout: 0.25 },
    inputs: [seq(3, 4), seq(5, 3)],
    masks: passFirst,
  },
  {
    factory: transformerDecoderBlock,
    options: { numHeads: 3, intermediateDim: 4 },
    inputs: [seq(4, 7, false), seq(2, 5)],
    masks: { outputs: ['none'] },
  },
  {
    factory: transformerEncoderStack,
    options: { ...block, numLayers: 2, normalizeFirst: true },
    inputs: [seq(4, 4)],
    masks: passFirst,
  },
  {
    factory: transformerDecoderStack,
    options: { ...block, numLayers: 2, finalNormalization: true },
    inputs: [seq(3, 4), seq(4, 4)],
    masks: passFirst,
  },
  {
    factory: tokenAndPositionEmbedding,
    options: { vocabularySize: 7, sequenceLength: 6, embeddingDim: 3, maskZero: true },
    inputs: [tokens],
    masks: { outputs: [nonZero] },
  },
  {
    factory: tokenAndPositionEmbedding,
    options: { vocabularySize: 7, embeddingDim: 4, positionEncoding: 'sine' },
    inputs: [tokens],
    masks: { outputs: ['none'] },
  },
  {
    factory: attentionDecoder,
    options: { units: 3, returnAttentionScores: true },
    inputs: [seq(4, 2), seq(5, 3)],
    initialState: [{ shape: [3, 3] }, { shape: [3, 3] }],
    masks: { outputs: [{ input: 0 }, 'none'] },
  },
  {
    factory: attentionDecoder,
    options: { units: 3, scoreMode: 'general', cell: 'gru' },
    inputs: [seq(3, 2), seq(4, 4)],
    masks: passFirst,
  },
  {
    factory: attentionDecoder,
    options: { units: 3, scoreMode: 'concat', attentionUnits: 2, cell: 'simpleRNN' },
    inputs: [seq(3, 2, false), seq(4, 4)],
    masks: { outputs: ['none'] },
  },
  {
    factory: attentionDecoder,
    options: { units: 3, attention: 'bahdanau', attentionUnits: 4, returnAttentionScores: true },
    inputs: [seq(3, 2), seq(4, 5)],
    initialState: [{ shape: [3, 3] }, { shape: [3, 3] }],
    masks: { outputs: [{ input: 0 }, 'none'] },
  },
];

for (const testCase of cases) {
  const checks = layerConformanceChecks(testCase, backend);
  describe(checks[0]!.name.split(':')[0]!, () => {
    for (const check of checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
  });
}
