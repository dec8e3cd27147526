/**
 * Whole-model training steps through `@seqmodel/layers` (`compile` and `trainOnBatch`), for what a user meets
 * beyond the recurrent cell: the Embedding gradient (a scatter-add into a `[vocabulary, dim]` table) and the Dense
 * products. Each workload is a small model with fixed sizes, its data drawn from the run's seed; a step is one
 * `trainOnBatch` with SGD, the loss read back. There is no tfjs-layers side here: these cases watch seqmodel's own
 * path on each backend (`bench compare` flags their regressions like the cells').
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { createRng } from '@seqmodel/core';
import { dense, embedding, lstm, type Sequential, sequential, sgd } from '@seqmodel/layers';
import type * as tf from '@tensorflow/tfjs-core';
import { learningRate } from './workload.js';

/** One built model with its batch, ready to train. */
export interface LayerStep {
  /** One training step; returns the loss. */
  trainStep(): number;
  dispose(): void;
}

export interface LayerWorkload {
  /** `embedding-lstm-v87`, ...: the `--layers` name and the case key's model part. */
  readonly key: string;
  readonly description: string;
  /** The sizes that define it (batch, time, vocabulary, ...). */
  readonly settings: Readonly<Record<string, number>>;
  /** Examples per step (for examples/s). */
  readonly batch: number;
  /** FLOPs of the matrix products in one training step (3 x forward), to weigh the case in the progress ETA. */
  readonly flops: number;
  build(backend: TfjsBackend, seed: number): LayerStep;
}

type Tensor = tf.Tensor;

function trainer(backend: TfjsBackend, model: Sequential<Tensor>, x: Tensor, y: Tensor): LayerStep {
  return {
    trainStep: () => model.trainOnBatch(x, y).loss!,
    dispose() {
      model.dispose();
      backend.dispose([x, y]);
    },
  };
}

/** A character-level language model: Embedding → LSTM (sequences) → Dense softmax over the vocabulary. */
function languageModel(key: string, batch: number, time: number, vocabulary: number): LayerWorkload {
  const embeddingDim = 32;
  const units = 64;
  return {
    key,
    description:
      `embedding(${vocabulary}, ${embeddingDim}) -> lstm(${units}, sequences) -> dense(${vocabulary}, softmax), ` +
      `sparse categorical cross-entropy, ${batch}x${time} token ids`,
    settings: { batch, time, vocabulary, embeddingDim, units },
    batch,
    flops: 3 * 2 * batch * time * (4 * units * (embeddingDim + units) + units * vocabulary),
    build(backend, seed) {
      const rng = createRng(seed).fork(key);
      const ids = Int32Array.from({ length: batch * (time + 1) }, () => rng.int(vocabulary));
      const inputs = Int32Array.from({ length: batch * time }, (_, i) => ids[i + Math.floor(i / time)]!);
      const targets = Int32Array.from({ length: batch * time }, (_, i) => ids[i + Math.floor(i / time) + 1]!);
      const model = sequential<Tensor>(
        [
          embedding({ inputDim: vocabulary, outputDim: embeddingDim }),
          lstm({ units, returnSequences: true }),
          dense({ units: vocabulary, activation: 'softmax' }),
        ],
        { backend, seed, inputShape: [time] },
      );
      model.compile({ optimizer: sgd({ learningRate }), loss: 'sparseCategoricalCrossentropy' });
      return trainer(
        backend,
        model,
        backend.tensor(inputs, [batch, time], 'int32'),
        backend.tensor(targets, [batch, time], 'int32'),
      );
    },
  };
}

/** Two Dense layers applied at every step of a sequence: matrix products and little else. */
function denseModel(
  key: string,
  batch: number,
  time: number,
  features: number,
  hidden: number,
): LayerWorkload {
  return {
    key,
    description: `dense(${hidden}, relu) -> dense(${features}) on [${batch}, ${time}, ${features}], mean squared error`,
    settings: { batch, time, features, hidden },
    batch,
    flops: 3 * 2 * batch * time * 2 * features * hidden,
    build(backend, seed) {
      const rng = createRng(seed).fork(key);
      const values = (n: number) => Float32Array.from({ length: n }, () => rng.normal(0, 1));
      const model = sequential<Tensor>(
        [dense({ units: hidden, activation: 'relu' }), dense({ units: features })],
        { backend, seed, inputShape: [time, features] },
      );
      model.compile({ optimizer: sgd({ learningRate }), loss: 'mse' });
      const shape = [batch, time, features];
      return trainer(
        backend,
        model,
        backend.tensor(values(batch * time * features), shape),
        backend.tensor(values(batch * time * features), shape),
      );
    },
  };
}

/** Every workload, in the order they run. */
export const layerWorkloads: readonly LayerWorkload[] = [
  languageModel('embedding-lstm-v87', 64, 100, 87),
  languageModel('embedding-lstm-v1600', 16, 25, 1600),
  denseModel('dense', 32, 50, 64, 256),
];

export const layerWorkloadNames: readonly string[] = layerWorkloads.map((w) => w.key);

export function layerWorkload(key: string): LayerWorkload {
  const workload = layerWorkloads.find((w) => w.key === key);
  if (!workload) {
    throw new Error(
      `--layers: unknown workload ${JSON.stringify(key)}; expected one of ${layerWorkloadNames.join(', ')}`,
    );
  }
  return workload;
}
