import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { deserializeLayer } from '../engine/registry.js';
import { sequential } from '../models/sequential.js';
import { expectClose, newBackend, randomTensor, values } from '../test-helpers.js';
import { dense } from './dense.js';
import { masking } from './masking.js';
import { type TimeDistributed, timeDistributed } from './time-distributed.js';

describe('TimeDistributed', () => {
  it('applies the wrapped layer to every step with shared weights, passing the mask on', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([masking(), timeDistributed(dense({ units: 2 }))], {
      backend: ref,
      seed: 2,
      inputShape: [null, 3],
    });
    expect(model.weights.map((w) => w.name)).toEqual([
      'time_distributed/dense/kernel',
      'time_distributed/dense/bias',
    ]);
    const x = randomTensor(ref, [2, 4, 3], 1);
    const { outputs, masks } = model.applyWithMasks(x);
    const inner = (model.layers[1] as TimeDistributed).layer;
    for (let t = 0; t < 4; t++) {
      const step = inner.apply(ref.reshape(ref.slice(x, [0, t, 0], [-1, 1, -1]), [2, 3])) as RefTensor;
      expectClose(
        `step ${t}`,
        values(ref, ref.slice(outputs[0]!, [0, t, 0], [-1, 1, -1])),
        values(ref, step),
        {
          atol: 1e-12,
          rtol: 0,
        },
      );
    }
    expect(ref.toArray(masks[0]!)).toEqual([
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
    expect(model.outputs[0]!.shape).toEqual([null, null, 2]);
  });

  it('round-trips its config and rejects rank-2 inputs', () => {
    const ref = newBackend();
    const layer = timeDistributed(dense({ units: 3 }));
    const again = deserializeLayer(JSON.parse(JSON.stringify(layer.serialize())));
    expect(again.serialize()).toEqual(layer.serialize());
    expect(() => layer.build(ref, [null, 3])).toThrow(
      'time_distributed (TimeDistributed) inputs: expected rank 3 or more [batch, time, ...], received shape [null, 3] (rank 2)',
    );
  });
});
