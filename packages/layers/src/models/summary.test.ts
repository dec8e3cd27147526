import { countParams, type RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { bidirectional } from '../layers/bidirectional.js';
import { dense } from '../layers/dense.js';
import { embedding } from '../layers/embedding.js';
import { gru, lstm } from '../layers/rnn.js';
import { stacked } from '../layers/stacked.js';
import { newBackend } from '../test-helpers.js';
import { model } from './functional.js';
import { sequential } from './sequential.js';

describe('summary', () => {
  it('prints layers, output shapes and parameter counts with totals equal to core countParams', () => {
    const ref = newBackend();
    const m = sequential<RefTensor>(
      [
        embedding({ inputDim: 100, outputDim: 16 }),
        bidirectional(lstm({ units: 32, returnSequences: true })),
        stacked({ cell: 'gru', units: 8, numLayers: 2 }),
        dense({ units: 3, activation: 'softmax' }),
      ],
      { backend: ref, seed: 1, inputShape: [null] },
    );
    const lines: string[] = [];
    const text = m.summary({ printFn: (t) => lines.push(t) });
    expect(lines).toEqual([text]);
    expect(text).toBe(
      [
        'Model: "sequential"',
        '_____________________________________________________________',
        ' Layer (type)                    Output Shape       Param #',
        '=============================================================',
        ' embedding (Embedding)           [null, null, 16]   1,600',
        '_____________________________________________________________',
        ' bidirectional (Bidirectional)   [null, null, 64]   12,544',
        '_____________________________________________________________',
        ' stacked (Stacked)               [null, 8]          2,208',
        '_____________________________________________________________',
        ' dense (Dense)                   [null, 3]          27',
        '=============================================================',
        'Total params: 16,379',
        'Trainable params: 16,379',
        'Non-trainable params: 0',
        '_____________________________________________________________',
      ].join('\n'),
    );
    const recurrent =
      2 * countParams('lstm', { inputSize: 16, units: 32 }) +
      countParams('gru', { inputSize: 64, units: 8 }) +
      countParams('gru', { inputSize: 8, units: 8 });
    expect(12_544 + 2_208).toBe(recurrent);
    expect(m.countParams()).toBe(1_600 + recurrent + 27);
  });

  it('shows inputs and connections of functional models, and frozen weights as non-trainable', () => {
    const ref = newBackend();
    const source = input({ shape: [null, 4], name: 'source' });
    const [, h] = gru({ units: 5, returnState: true, name: 'encoder' }).apply(source) as SymbolicTensor[];
    const target = input({ shape: [null, 2], name: 'target' });
    const decoded = gru({ units: 5, returnSequences: true, name: 'decoder' }).apply(target, {
      initialState: [h!],
    });
    const m = model<RefTensor>({
      inputs: [source, target],
      outputs: decoded as SymbolicTensor,
      backend: ref,
      seed: 1,
    });
    m.layers[0]!.trainable = false;
    const text = m.summary({ print: false });
    expect(text).toContain(' source (InputLayer)   [null, null, 4]');
    expect(text).toMatch(/ encoder \(GRU\)\s+\[\[null, 5\], \[null, 5\]\]\s+165\s+source/);
    expect(text).toMatch(/ decoder \(GRU\)\s+\[null, null, 5\]\s+135\s+target, encoder\[1\]/);
    expect(text).toContain('Total params: 300\nTrainable params: 135\nNon-trainable params: 165');
  });
});
