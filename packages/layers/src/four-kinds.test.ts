/**
 * The four kinds of sequence model, forward only (training is tested under `training/`): many to one, one to
 * many, many to many aligned, and many to many unaligned (an encoder-decoder with greedy decoding through a stream).
 * These double as smoke examples of the API.
 */
import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { input, type SymbolicTensor } from './engine/symbolic.js';
import { bidirectional } from './layers/bidirectional.js';
import { dense } from './layers/dense.js';
import { embedding } from './layers/embedding.js';
import { repeatVector } from './layers/repeat-vector.js';
import { gru, lstm } from './layers/rnn.js';
import { timeDistributed } from './layers/time-distributed.js';
import { model } from './models/functional.js';
import { sequential } from './models/sequential.js';
import { newBackend, randomTensor } from './test-helpers.js';

describe('the four kinds of sequence model', () => {
  it('many to one: classify variable-length token sequences', () => {
    const backend = newBackend();
    const classifier = sequential<RefTensor>(
      [
        embedding({ inputDim: 50, outputDim: 8, maskZero: true }),
        lstm({ units: 16 }),
        dense({ units: 3, activation: 'softmax' }),
      ],
      { backend, seed: 1, inputShape: [null] },
    );
    const tokens = backend.tensor([
      [5, 9, 2, 0, 0],
      [7, 1, 3, 4, 8],
    ]);
    const probs = classifier.predict(tokens) as RefTensor;
    expect(backend.shape(probs)).toEqual([2, 3]);
    for (const row of backend.toArray(probs) as number[][])
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
  });

  it('one to many: a sequence from one vector', () => {
    const backend = newBackend();
    const generator = sequential<RefTensor>(
      [
        dense({ units: 16, activation: 'tanh' }),
        repeatVector({ n: 7 }),
        gru({ units: 16, returnSequences: true }),
        timeDistributed(dense({ units: 2 })),
      ],
      { backend, seed: 2, inputShape: [4] },
    );
    expect(backend.shape(generator.predict(randomTensor(backend, [3, 4], 1)) as RefTensor)).toEqual([
      3, 7, 2,
    ]);
  });

  it('many to many, aligned: tag every step, reading both directions', () => {
    const backend = newBackend();
    const tagger = sequential<RefTensor>(
      [
        embedding({ inputDim: 30, outputDim: 8, maskZero: true }),
        bidirectional(lstm({ units: 8, returnSequences: true })),
        timeDistributed(dense({ units: 5, activation: 'softmax' })),
      ],
      { backend, seed: 3, inputShape: [null] },
    );
    const { outputs, masks } = tagger.applyWithMasks(
      backend.tensor([
        [3, 4, 5, 0],
        [6, 7, 0, 0],
      ]),
    );
    expect(backend.shape(outputs[0]!)).toEqual([2, 4, 5]);
    // The mask comes out with the tags, for a masked loss.
    expect(backend.toArray(masks[0]!)).toEqual([
      [1, 1, 1, 0],
      [1, 1, 0, 0],
    ]);
  });

  it('many to many, unaligned: an encoder-decoder, decoded greedily one step at a time', () => {
    const backend = newBackend();
    const vocabulary = 6;
    const source = input({ shape: [null, 3] });
    const [, h, c] = lstm({ units: 8, returnState: true }).apply(source) as SymbolicTensor[];
    const target = input({ shape: [null, vocabulary] });
    const decoder = lstm({ units: 8, returnSequences: true, name: 'decoder' });
    const head = timeDistributed(dense({ units: vocabulary, activation: 'softmax' }), { name: 'head' });
    const probs = head.apply(
      decoder.apply(target, { initialState: [h!, c!] }) as SymbolicTensor,
    ) as SymbolicTensor;
    const training = model<RefTensor>({ inputs: [source, target], outputs: probs, backend, seed: 4 });
    // Teacher forcing: 5 source steps in, 3 target steps out.
    const x = randomTensor(backend, [1, 5, 3], 1);
    const teacher = backend.oneHot(backend.tensor([[0, 2, 4]], undefined, 'int32'), vocabulary);
    expect(backend.shape(training.predict([x, teacher]) as RefTensor)).toEqual([1, 3, vocabulary]);

    // Inference: the encoder's states start a stream over the same decoder layers.
    const encoder = model<RefTensor>({ inputs: source, outputs: [h!, c!], backend });
    const stepper = sequential<RefTensor>([decoder, head], { backend });
    stepper.build(backend, [null, null, vocabulary]);
    const stream = stepper.stream();
    stream.setStates('decoder', encoder.predict(x) as RefTensor[]);
    let token = 0;
    const decoded: number[] = [];
    for (let t = 0; t < 4; t++) {
      const step = backend.oneHot(backend.tensor([token], undefined, 'int32'), vocabulary);
      const p = stream.step(step) as RefTensor;
      token = (backend.toArray(backend.argMax(p, 1)) as number[])[0]!;
      decoded.push(token);
    }
    expect(decoded).toHaveLength(4);
    // Stepping reproduces teacher forcing on the decoded prefix.
    const forced = backend.oneHot(
      backend.tensor([[0, ...decoded.slice(0, 3)]], undefined, 'int32'),
      vocabulary,
    );
    const full = backend.argMax(training.predict([x, forced]) as RefTensor, 2);
    expect(backend.toArray(full)).toEqual([decoded]);
  });
});
