/**
 * The `Callback` users subclass: training's callback base class with `this.model` typed as the full `Model`.
 * Training knows models only as `TrainableModel`s (it must not import the model classes, which import it), so its
 * base class is generic in the model type; this module, above both, fixes that type. It is the same class at run
 * time, so `instanceof Callback` holds for every callback, built-in ones included.
 */
import { Callback as TrainingCallback } from '../training/callbacks/callback.js';
import type { Model } from './model.js';

/** Base class for callbacks that need the model (`this.model`) or the run's parameters (`this.params`). */
export type Callback = TrainingCallback<Model<unknown>>;
export const Callback = TrainingCallback as abstract new () => Callback;
