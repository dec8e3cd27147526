/**
 * What training needs from a model. Keras' trainer is a mixin of its model; here the model hands itself to the
 * trainer (`model.compile`) through this interface, so that `training/` never imports the model classes: models
 * depend on training, not the other way round. `Model` implements it, and so can anything else that offers a forward
 * pass over weights (the test trains a hand-written linear model).
 */

import type { SymbolicTensor } from '../engine/layer.js';
import type { PassModel } from '../engine/pass.js';
import type { LayerWeight } from '../engine/weight.js';
import type { Optimizer } from './optimizers/optimizer.js';

export interface TrainableModel<T> extends PassModel<T> {
  /** The seed `fit` and `trainOnBatch` derive their shuffles and dropout streams from when given none. */
  readonly seed: number | string;
  /** Whether the graph is built: inputs, outputs and weights are known. */
  readonly built: boolean;
  /** Set to true (by a callback, say) to stop `fit` after the current batch; `fit` resets it when it starts. */
  stopTraining: boolean;
  /** The compiled optimizer, for callbacks that change its learning rate (`Model` has one once compiled). */
  readonly optimizer?: Optimizer;
  /** Symbolic inputs (once built): training reads their count. */
  readonly inputs: readonly SymbolicTensor[];
  /** Symbolic outputs (once built): their count, names (the layers that make them) and ranks (time axis or not). */
  readonly outputs: readonly SymbolicTensor[];
  /** The weights the optimizer updates, in the order a pass's `weights` option takes them. */
  readonly trainableWeights: readonly LayerWeight[];
  /** Builds the model for these inputs if it is not built yet (a model may defer its build to the first batch). */
  buildFor(inputs: T | readonly T[]): void;
  /** Copies of every weight, owned by the caller (callbacks such as `EarlyStopping` keep the best ones). */
  getWeights(): T[];
  /** Sets every weight from tensors, in `getWeights` order. */
  setWeights(values: readonly T[]): void;
  /**
   * Checks host values of model input `input` before they become tensors (the layers reading it say what they
   * accept: an embedding's token ids); absent, nothing is checked.
   */
  checkInputValues?(
    input: number,
    values: ArrayLike<number>,
    shape: readonly number[],
    argument: string,
  ): void;
}
