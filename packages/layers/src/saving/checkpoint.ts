/**
 * `ModelCheckpoint`: training's checkpoint callback (`training/callbacks/model-checkpoint.ts`) writing through
 * `saveModel` (the whole model with its optimizer, so that training can resume from a checkpoint) or `saveWeights`.
 * Both write atomically: a checkpoint directory always holds one whole model, also when a save fails midway.
 */
import type { Model } from '../models/model.js';
import { CheckpointCallback, type ModelCheckpointOptions } from '../training/callbacks/model-checkpoint.js';
import { saveModel, saveWeights } from './native/save-load.js';

export type { ModelCheckpointOptions };

/**
 * Saves the model (or its weights) during `fit`, every epoch or every `saveFreq` batches, or only when the monitored
 * log improves (Keras' `ModelCheckpoint`; see `ModelCheckpointOptions`).
 *
 * @example
 * await model.fit(x, y, {
 *   epochs: 20,
 *   validationSplit: 0.2,
 *   callbacks: [modelCheckpoint({ filepath: './ckpt/{epoch:02d}-{val_loss:.3f}', saveBestOnly: true })],
 * });
 */
export class ModelCheckpoint extends CheckpointCallback<Model<unknown>> {
  constructor(options: ModelCheckpointOptions) {
    super(options, (model, filepath, weightsOnly) =>
      weightsOnly ? saveWeights(model, filepath) : saveModel(model, filepath),
    );
  }
}

/** A `ModelCheckpoint`. */
export function modelCheckpoint(options: ModelCheckpointOptions): ModelCheckpoint {
  return new ModelCheckpoint(options);
}
