/**
 * Callbacks that change the optimizer's learning rate between epochs, as Keras 3's: `reduceLROnPlateau` (divide it
 * when a monitored log stops improving) and `learningRateScheduler` (set it from a function of the epoch). Both add
 * the rate used in the epoch to its logs as `learning_rate`. The optimizer must have been given a number as its
 * learning rate: a schedule decides the rate itself at every step.
 */
import { checkNumberInRange, checkOptions, invalidArgument, SeqmodelError } from '@seqmodel/core';
import { checkCount, checkVerbose } from '../checks.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { Callback, type Logs } from './callback.js';
import { MonitoredLog, type MonitorMode } from './monitor.js';

/** The trained model's optimizer, or an error naming `owner`. */
function optimizerOf(owner: string, model: { readonly optimizer?: Optimizer }): Optimizer {
  const optimizer = model.optimizer;
  if (optimizer === undefined) {
    throw new SeqmodelError(`${owner}: the model has no optimizer to change; compile it before fit`);
  }
  return optimizer;
}

export interface ReduceLROnPlateauOptions {
  /** The log to watch (default `val_loss`). */
  readonly monitor?: string;
  /** What the rate is multiplied by, in [0, 1) (default 0.1). */
  readonly factor?: number;
  /** Epochs without improvement before the rate is reduced (default 10). */
  readonly patience?: number;
  /** Print a line when the rate is reduced (default false; 0 or 1 as in Keras too). */
  readonly verbose?: boolean | 0 | 1;
  /** See `earlyStopping`'s `mode` (default `auto`). */
  readonly mode?: MonitorMode;
  /** The smallest change that counts as an improvement (default 1e-4). */
  readonly minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  readonly cooldown?: number;
  /** The rate is never reduced below this (default 0). */
  readonly minLr?: number;
}

/** Keras 3's `ReduceLROnPlateau`: multiplies the learning rate by `factor` when the monitored log plateaus. */
export class ReduceLROnPlateau extends Callback {
  readonly factor: number;
  readonly patience: number;
  readonly verbose: boolean;
  readonly cooldown: number;
  readonly minLr: number;
  /** Epochs since the last improvement (outside cooldown). */
  wait = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  best: number | undefined;
  private readonly watched: MonitoredLog;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    checkOptions('reduceLROnPlateau options', options, [
      'monitor',
      'factor',
      'patience',
      'verbose',
      'mode',
      'minDelta',
      'cooldown',
      'minLr',
    ]);
    this.factor = checkNumberInRange('reduceLROnPlateau factor', options.factor ?? 0.1, 0, 1);
    if (this.factor === 1) invalidArgument('reduceLROnPlateau factor', this.factor, 'a number in [0, 1)');
    const minDelta = checkNumberInRange(
      'reduceLROnPlateau minDelta',
      options.minDelta ?? 1e-4,
      0,
      Number.MAX_VALUE,
    );
    this.watched = new MonitoredLog(
      'reduceLROnPlateau',
      options.monitor ?? 'val_loss',
      options.mode ?? 'auto',
      minDelta,
    );
    this.patience = checkCount('reduceLROnPlateau patience', options.patience ?? 10);
    this.verbose = checkVerbose('reduceLROnPlateau verbose', options.verbose ?? false);
    this.cooldown = checkCount('reduceLROnPlateau cooldown', options.cooldown ?? 0);
    this.minLr = checkNumberInRange('reduceLROnPlateau minLr', options.minLr ?? 0, 0, Number.MAX_VALUE);
  }

  get monitor(): string {
    return this.watched.monitor;
  }

  get mode(): 'min' | 'max' {
    return this.watched.mode;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = undefined;
    this.watched.reset();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = optimizerOf('reduceLROnPlateau', this.model);
    logs.learning_rate = optimizer.currentLearningRate();
    const current = this.watched.read(logs, this.params);
    if (current === undefined) return;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.watched.isImprovement(current, this.best)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownCounter > 0) return;
    this.wait += 1;
    if (this.wait < this.patience) return;
    const old = optimizer.currentLearningRate();
    // As Keras, in float32 (its rate is a float32 variable): a rate already at minLr is not "reduced" again.
    if (Math.fround(old) > Math.fround(this.minLr)) {
      const next = Math.max(old * this.factor, this.minLr);
      optimizer.learningRate = next;
      if (this.verbose)
        console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next}.`);
      this.cooldownCounter = this.cooldown;
      this.wait = 0;
    }
  }
}

/** Reduces the learning rate when a monitored log plateaus; see `ReduceLROnPlateauOptions`. */
export function reduceLROnPlateau(options?: ReduceLROnPlateauOptions): ReduceLROnPlateau {
  return new ReduceLROnPlateau(options);
}

/** The learning rate of an epoch from its index (from 0) and the current rate. */
export type EpochSchedule = (epoch: number, learningRate: number) => number;

export interface LearningRateSchedulerOptions {
  /** Print the rate set at each epoch (default false; 0 or 1 as in Keras too). */
  readonly verbose?: boolean | 0 | 1;
}

/**
 * Keras 3's `LearningRateScheduler`: at the start of every epoch, sets the rate to `schedule(epoch, rate)`. For a
 * rate that changes within epochs, give the optimizer a schedule (`exponentialDecay`, ...) instead.
 */
export class LearningRateScheduler extends Callback {
  readonly verbose: boolean;

  constructor(
    readonly schedule: EpochSchedule,
    options: LearningRateSchedulerOptions = {},
  ) {
    super();
    if (typeof schedule !== 'function') {
      invalidArgument(
        'learningRateScheduler(schedule)',
        schedule,
        'a function (epoch, learningRate) => learningRate',
      );
    }
    checkOptions('learningRateScheduler options', options, ['verbose']);
    this.verbose = checkVerbose('learningRateScheduler verbose', options.verbose ?? false);
  }

  override onEpochBegin(epoch: number): void {
    const optimizer = optimizerOf('learningRateScheduler', this.model);
    const rate = this.schedule(epoch, optimizer.currentLearningRate());
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
      invalidArgument(`learningRateScheduler schedule(${epoch})`, rate, 'a finite learning rate >= 0');
    }
    optimizer.learningRate = rate;
    if (this.verbose)
      console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${rate}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    logs.learning_rate = optimizerOf('learningRateScheduler', this.model).currentLearningRate();
  }
}

/** Sets the learning rate at the start of every epoch from `schedule(epoch, rate)`. */
export function learningRateScheduler(
  schedule: EpochSchedule,
  options?: LearningRateSchedulerOptions,
): LearningRateScheduler {
  return new LearningRateScheduler(schedule, options);
}
