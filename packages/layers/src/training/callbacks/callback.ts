/**
 * Callbacks: hooks that `fit` calls as training goes (Keras' names in camelCase). A callback is a `Callback`
 * subclass, or any object with some of the hook methods; hooks may return promises, which `fit` awaits. Logs hold
 * the numbers so far: `onBatchBegin` gets `{ batch, size }`, `onBatchEnd` the running means of the epoch (`loss`,
 * metrics), `onEpochEnd` the epoch's results with validation results as `val_loss`, `val_<metric>`, `onTrainEnd` the
 * last epoch's.
 */
import { didYouMean, SeqmodelError } from '@seqmodel/core';
import type { TrainableModel } from '../trainable.js';

/** Loss and metric values by name. */
export type Logs = Record<string, number>;

/** What a callback learns about the run before it starts. */
export interface TrainingParams {
  readonly epochs: number;
  readonly initialEpoch: number;
  /** Batches per epoch, when known (in-memory data, or `stepsPerEpoch`). */
  readonly steps: number | undefined;
  /** Examples per batch for in-memory data. */
  readonly batchSize: number | undefined;
  /** Examples per epoch for in-memory data. */
  readonly samples: number | undefined;
  readonly verbose: 0 | 1 | 2;
  readonly doValidation: boolean;
  /** Log names: `loss`, metrics, and their `val_` versions when validating. */
  readonly metrics: readonly string[];
}

/** The hooks; every one optional. */
export interface CallbackHooks {
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
}

/**
 * Base class for callbacks that need the model (`this.model`) or the run's parameters (`this.params`).
 *
 * `M` is the model's type. Training knows models only as `TrainableModel`s; the package exports this same class
 * with `M` set to the full `Model` class (`models/callback.ts`), so that a user's callback sees the model it trains.
 */
export abstract class Callback<M = TrainableModel<unknown>> implements CallbackHooks {
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  private boundModel: M | undefined;
  private boundParams: TrainingParams | undefined;

  /** The model being trained (set by `fit` before `onTrainBegin`). */
  get model(): M {
    if (this.boundModel === undefined)
      throw new SeqmodelError('callback: no model yet (fit sets it before onTrainBegin)');
    return this.boundModel;
  }

  get params(): TrainingParams {
    if (this.boundParams === undefined)
      throw new SeqmodelError('callback: no params yet (fit sets them before onTrainBegin)');
    return this.boundParams;
  }

  setModel(model: M): void {
    this.boundModel = model;
  }

  setParams(params: TrainingParams): void {
    this.boundParams = params;
  }
}

/** Either a `Callback` or a plain object of hooks. */
export type CallbackLike = Callback | CallbackHooks;

const HOOKS = [
  'onTrainBegin',
  'onTrainEnd',
  'onEpochBegin',
  'onEpochEnd',
  'onBatchBegin',
  'onBatchEnd',
] as const;

/** Checks that `value` is a callback: an object whose known hook names hold functions. */
export function checkCallback(argument: string, value: unknown): CallbackLike {
  if (typeof value !== 'object' || value === null) {
    throw new SeqmodelError(
      `${argument}: expected a callback (an object with hooks such as onEpochEnd), received ${value === null ? 'null' : typeof value}`,
    );
  }
  const record = value as Record<string, unknown>;
  for (const hook of HOOKS) {
    if (record[hook] !== undefined && typeof record[hook] !== 'function') {
      throw new SeqmodelError(`${argument}.${hook}: expected a function, received ${typeof record[hook]}`);
    }
  }
  // A misspelt hook (`onEpochEnds`) would never be called: a function named like a hook must be one.
  for (const key of Object.keys(record)) {
    if (
      /^on[A-Z]/.test(key) &&
      typeof record[key] === 'function' &&
      !(HOOKS as readonly string[]).includes(key)
    ) {
      throw new SeqmodelError(
        `${argument}.${key}: not a callback hook${didYouMean(key, HOOKS)}; expected one of ${HOOKS.join(', ')}`,
      );
    }
  }
  if (!(value instanceof Callback) && !HOOKS.some((h) => typeof record[h] === 'function')) {
    throw new SeqmodelError(`${argument}: expected a callback with at least one of ${HOOKS.join(', ')}`);
  }
  return value as CallbackLike;
}

/** Calls every callback's hook in order, awaiting each. */
export class CallbackList {
  constructor(readonly callbacks: readonly CallbackLike[]) {}

  setModel(model: TrainableModel<unknown>): void {
    for (const c of this.callbacks) if (c instanceof Callback) c.setModel(model);
  }

  setParams(params: TrainingParams): void {
    for (const c of this.callbacks) if (c instanceof Callback) c.setParams(params);
  }

  async trainBegin(logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainBegin?.(logs);
  }

  async trainEnd(logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainEnd?.(logs);
  }

  async epochBegin(epoch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onEpochBegin?.(epoch, logs);
  }

  async epochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onEpochEnd?.(epoch, logs);
  }

  async batchBegin(batch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onBatchBegin?.(batch, logs);
  }

  async batchEnd(batch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onBatchEnd?.(batch, logs);
  }
}
