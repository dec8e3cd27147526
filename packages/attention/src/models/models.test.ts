/**
 * The model builders: their layers and parameter counts (counted by hand from the architecture), weights shared by
 * the training, encoder and decoder models, training that lowers the loss, and a language model saved, loaded and
 * decoded again.
 */
import { createReferenceBackend, type RefTensor } from '@seqmodel/core';
import { adam, loadModel, losses, saveModel } from '@seqmodel/layers';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { generate } from '../decoding/generate.js';
import { cpuBackend, values } from '../test-helpers.js';
import { rnnEncoderDecoder } from './rnn-encoder-decoder.js';
import { transformerEncoderDecoder } from './transformer-encoder-decoder.js';
import { transformerLanguageModel } from './transformer-language-model.js';

/** Parameters of one block of hidden size E: four biased projections, two or three norms, the feed-forward net. */
const blockParams = (E: number, I: number, attentions: number) =>
  attentions * (4 * (E * E + E) + 2 * E) + (E * I + I + I * E + E) + 2 * E;

describe('model builders', () => {
  it('a decoder-only language model: its layers, parameters, a save and load round trip, decoding after it', async () => {
    const backend = createReferenceBackend();
    const [V, L, E, I] = [11, 16, 8, 12];
    const lm = transformerLanguageModel({
      backend,
      seed: 1,
      vocabularySize: V,
      sequenceLength: L,
      hiddenDim: E,
      numLayers: 2,
      numHeads: 2,
      intermediateDim: I,
    });
    expect(lm.layers.map((l) => l.name)).toEqual(['embedding', 'decoder', 'logits']);
    expect(lm.countParams()).toBe(V * E + L * E + 2 * blockParams(E, I, 1) + 2 * E + E * V + V);
    expect(lm.weights.slice(0, 3).map((w) => w.name)).toEqual([
      'embedding/token_embedding/embeddings',
      'embedding/position_embedding/embeddings',
      'decoder/layer_0/self_attention/query/kernel',
    ]);
    const again = await loadModel<RefTensor>(await saveModel(lm), { backend });
    const x = backend.tensor([[1, 2, 3, 4]]);
    expect(values(backend, again.apply(x) as RefTensor)).toEqual(values(backend, lm.apply(x) as RefTensor));
    const options = { prompt: [[1, 2, 3]], maxNewTokens: 6 };
    expect(generate(again, options)).toEqual(generate(lm, options));
  });

  it('encoder-decoders share their weights between the training, encoder and decoder models', () => {
    const backend = createReferenceBackend();
    const transformer = transformerEncoderDecoder({
      backend,
      seed: 2,
      sourceVocabularySize: 9,
      targetVocabularySize: 7,
      sourceSequenceLength: 10,
      targetSequenceLength: 6,
      hiddenDim: 8,
      numHeads: 2,
      intermediateDim: 12,
      numEncoderLayers: 1,
      numDecoderLayers: 2,
    });
    const E = 8;
    expect(transformer.model.countParams()).toBe(
      9 * E + 10 * E + blockParams(E, 12, 1) + 7 * E + 6 * E + 2 * blockParams(E, 12, 2) + E * 7 + 7,
    );
    const rnn = rnnEncoderDecoder({
      backend,
      seed: 3,
      sourceVocabularySize: 9,
      targetVocabularySize: 7,
      embeddingDim: 4,
      units: 5,
    });
    for (const m of [transformer, rnn]) {
      const all = new Set(m.model.weights);
      expect([...m.encoder.weights, ...m.decoder.weights].every((w) => all.has(w))).toBe(true);
      expect(m.encoder.weights.length + m.decoder.weights.length).toBe(m.model.weights.length);
    }
    // The attention model reads the decoder's weights [batch, Tt, Ts]; rows of valid steps sum to 1.
    const weights = rnn.attention!.apply([
      backend.tensor([[3, 4, 5, 0]]),
      backend.tensor([[1, 2]]),
    ]) as RefTensor;
    expect(backend.shape(weights)).toEqual([1, 2, 4]);
    const w = values(backend, weights);
    expect(w[3]).toBe(0);
    expect(w.slice(0, 4).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
  });

  it('trains: the loss of each model halves on a copy task (cpu)', async () => {
    const backend = cpuBackend();
    const source = [
      [3, 4, 5, 0],
      [5, 6, 3, 4],
      [4, 4, 6, 0],
    ];
    const previous = source.map((row) =>
      [1, ...row.filter((v) => v > 0)].concat(new Array(5).fill(0)).slice(0, 5),
    );
    const next = source.map((row) =>
      [...row.filter((v) => v > 0), 2].concat(new Array(5).fill(0)).slice(0, 5),
    );
    const common = { backend, seed: 4, sourceVocabularySize: 7, targetVocabularySize: 7 };
    const models = [
      transformerEncoderDecoder({
        ...common,
        sourceSequenceLength: 4,
        targetSequenceLength: 5,
        hiddenDim: 8,
        numHeads: 2,
        intermediateDim: 16,
        numEncoderLayers: 1,
        numDecoderLayers: 1,
      }),
      rnnEncoderDecoder({ ...common, embeddingDim: 4, units: 8 }),
      rnnEncoderDecoder({ ...common, embeddingDim: 4, units: 8, attention: 'bahdanau' }),
    ];
    for (const m of models) {
      m.model.compile({
        optimizer: adam({ learningRate: 0.02 }),
        loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
      });
      const history = await m.model.fit([source, previous], next, {
        epochs: 30,
        batchSize: 3,
        verbose: 0,
        seed: 1,
      });
      const loss = history.history.loss as number[];
      expect(loss.at(-1)!).toBeLessThan(loss[0]! / 2);
      m.dispose();
    }
  });
});
