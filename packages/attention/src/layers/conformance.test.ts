/**
 * Every layer of the package through the layer conformance kit (`@seqmodel/layers/testing`) on
 * `@seqmodel/backend-cpu`: output shapes, config round trip through the registry, masks, seeding, leaks, gradients
 * against float64 finite differences and outputs against the float64 reference (1e-5). Each case covers an option
 * that changes the computation.
 */
import type { LayerConformanceCase, LayerTestInput } from '@seqmodel/layers/testing';
import { layerConformanceChecks } from '@seqmodel/layers/testing';
import { describe, it } from 'vitest';
import '../register.js';
import { cpuBackend } from '../test-helpers.js';
import { additiveAttention } from './additive-attention.js';
import { attention } from './attention.js';
import { bahdanauAttention } from './bahdanau-attention.js';
import { layerNormalization } from './layer-normalization.js';
import { luongAttention } from './luong-attention.js';
import { multiHeadAttention } from './multi-head-attention.js';
import { positionEmbedding } from './position-embedding.js';
import { rmsNormalization } from './rms-normalization.js';
import { rotaryEmbedding } from './rotary-embedding.js';
import { sinePositionEncoding } from './sine-position-encoding.js';

const backend = cpuBackend();

const seq = (time: number, features: number, mask = true): LayerTestInput => ({
  shape: [3, time, features],
  buildShape: [null, null, features],
  mask,
});
const query = seq(3, 4);
const value = seq(5, 4);
const passQuery = { outputs: [{ input: 0 }] } as const;
const queryThenNone = { outputs: [{ input: 0 }, 'none'] } as const;

const cases: LayerConformanceCase[] = [
  { factory: layerNormalization, options: {}, inputs: [seq(4, 5)], masks: passQuery },
  {
    factory: layerNormalization,
    options: { axis: [-2, -1], epsilon: 1e-5 },
    inputs: [{ shape: [3, 4, 5] }],
    masks: passQuery,
  },
  {
    factory: layerNormalization,
    options: { center: false, scale: false },
    inputs: [seq(4, 5)],
    masks: passQuery,
  },
  { factory: rmsNormalization, options: {}, inputs: [seq(4, 5)], masks: passQuery },
  { factory: attention, options: {}, inputs: [query, value], masks: passQuery },
  {
    factory: attention,
    options: { useScale: true, useCausalMask: true, dropout: 0.3 },
    inputs: [seq(4, 4), seq(4, 4)],
    masks: passQuery,
  },
  {
    factory: attention,
    options: { scoreMode: 'concat', useScale: true },
    inputs: [query, seq(5, 3), seq(5, 4, false)],
    masks: passQuery,
  },
  {
    // Keras returns the weights of masked query rows unchanged, so only the value is masked here.
    factory: attention,
    options: { returnAttentionScores: true },
    inputs: [seq(3, 4, false), value],
    masks: queryThenNone,
  },
  { factory: additiveAttention, options: {}, inputs: [query, value], masks: passQuery },
  {
    factory: additiveAttention,
    options: { useScale: false, useCausalMask: true, returnAttentionScores: true },
    inputs: [seq(4, 4, false), seq(4, 4)],
    masks: queryThenNone,
  },
  {
    factory: multiHeadAttention,
    options: { numHeads: 2, keyDim: 3 },
    inputs: [query, value],
    masks: passQuery,
  },
  {
    factory: multiHeadAttention,
    options: { numHeads: 2, keyDim: 2, valueDim: 3, outputShape: 5, useCausalMask: true, dropout: 0.25 },
    inputs: [seq(4, 4), seq(4, 3)],
    masks: passQuery,
  },
  {
    factory: multiHeadAttention,
    options: { numHeads: 4, keyDim: 2, numKeyValueHeads: 2, useBias: false, returnAttentionScores: true },
    inputs: [query, seq(5, 3), seq(5, 2)],
    masks: queryThenNone,
  },
  {
    factory: bahdanauAttention,
    options: { units: 3, returnAttentionScores: true },
    inputs: [{ shape: [3, 4] }, seq(5, 3)],
    masks: { outputs: ['none', 'none'] },
  },
  {
    factory: bahdanauAttention,
    options: { units: 3, useBias: false },
    inputs: [seq(2, 4), seq(5, 3)],
    masks: passQuery,
  },
  {
    factory: luongAttention,
    options: {},
    inputs: [{ shape: [3, 3] }, seq(5, 3)],
    masks: { outputs: ['none'] },
  },
  {
    factory: luongAttention,
    options: { scoreMode: 'general', returnAttentionScores: true },
    inputs: [seq(2, 4, false), seq(5, 3)],
    masks: queryThenNone,
  },
  {
    factory: luongAttention,
    options: { scoreMode: 'concat', units: 3 },
    inputs: [seq(2, 4), seq(5, 3)],
    masks: passQuery,
  },
  { factory: sinePositionEncoding, options: {}, inputs: [seq(4, 6)], masks: passQuery },
  { factory: positionEmbedding, options: { sequenceLength: 6 }, inputs: [seq(4, 3)], masks: passQuery },
  {
    factory: rotaryEmbedding,
    options: { scalingFactor: 2 },
    inputs: [{ shape: [3, 4, 2, 6], buildShape: [null, null, 2, 6], mask: true }],
    masks: passQuery,
  },
];

for (const testCase of cases) {
  const checks = layerConformanceChecks(testCase, backend);
  describe(checks[0]!.name.split(':')[0]!, () => {
    for (const check of checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
  });
}
