/**
 * Optimizers as JSON and back (Keras' `serialize` / `deserialize` of an optimizer): `{ className, config }`, where
 * config holds the constructor options, the learning rate as a number or a schedule's `{ className, config }`. With
 * `getState` / `setState` this is what saving a model with its optimizer needs to resume training exactly.
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import {
  cosineDecay,
  exponentialDecay,
  type LearningRateSchedule,
  piecewiseConstantDecay,
  stepDecay,
} from '../schedules.js';
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import { AdamW } from './adamw.js';
import { Nadam } from './nadam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

/** An optimizer as JSON. */
export interface SerializedOptimizer {
  readonly className: string;
  readonly config: Record<string, unknown>;
}

/** A class that makes an optimizer from its config (its constructor options). */
export type OptimizerClass = new (config: Record<string, unknown>) => Optimizer;

const OPTIMIZERS: Readonly<Record<string, OptimizerClass>> = {
  SGD: SGD as unknown as OptimizerClass,
  Adam: Adam as unknown as OptimizerClass,
  AdamW: AdamW as unknown as OptimizerClass,
  RMSprop: RMSprop as unknown as OptimizerClass,
  Adagrad: Adagrad as unknown as OptimizerClass,
  Adadelta: Adadelta as unknown as OptimizerClass,
  Adamax: Adamax as unknown as OptimizerClass,
  Nadam: Nadam as unknown as OptimizerClass,
};

const SCHEDULES: Readonly<Record<string, (config: never) => LearningRateSchedule>> = {
  ExponentialDecay: exponentialDecay,
  StepDecay: stepDecay,
  PiecewiseConstantDecay: piecewiseConstantDecay,
  CosineDecay: cosineDecay,
};

/** A regular expression of `excludeFromWeightDecay`, as JSON. */
interface SerializedPattern {
  readonly pattern: string;
  readonly flags: string;
}

/**
 * `{ className, config }` of `optimizer`. A learning rate given as a function, or a schedule or optimizer class that
 * `deserializeOptimizer` would not know, cannot be saved and is an error naming it (`argument` says where).
 */
export function serializeOptimizer(optimizer: Optimizer, argument: string): SerializedOptimizer {
  const rate = optimizer.learningRate;
  if (typeof rate === 'function') {
    throw new SeqmodelError(
      `${argument} learningRate: a function cannot be saved; expected a number or a schedule (exponentialDecay, stepDecay, piecewiseConstantDecay, cosineDecay), or save without the optimizer`,
    );
  }
  if (typeof rate === 'object' && !Object.hasOwn(SCHEDULES, rate.className)) {
    throw new SeqmodelError(
      `${argument} learningRate: schedule ${JSON.stringify(rate.className)} cannot be restored; known schedules: ${Object.keys(SCHEDULES).join(', ')}`,
    );
  }
  const exclude = optimizer.excludeFromWeightDecay.map((e): string | SerializedPattern =>
    typeof e === 'string' ? e : { pattern: e.source, flags: e.flags },
  );
  return {
    className: optimizer.className,
    config: {
      ...optimizer.getConfig(),
      learningRate: typeof rate === 'number' ? rate : { className: rate.className, config: rate.getConfig() },
      ...(exclude.length === 0 ? {} : { excludeFromWeightDecay: exclude }),
    },
  };
}

/** Names of the optimizer classes `deserializeOptimizer` knows. */
export function listOptimizerClasses(): string[] {
  return Object.keys(OPTIMIZERS);
}

/**
 * The optimizer `serializeOptimizer` described, with fresh state. `custom` adds classes by name (an optimizer a user
 * wrote); a config the class refuses is an error from its constructor.
 */
export function deserializeOptimizer(
  serialized: SerializedOptimizer,
  argument: string,
  custom: Readonly<Record<string, OptimizerClass>> = {},
): Optimizer {
  if (typeof serialized !== 'object' || serialized === null) {
    invalidArgument(argument, serialized, 'an object { className, config }');
  }
  const { className, config } = serialized;
  const make = Object.hasOwn(custom, className)
    ? custom[className]
    : Object.hasOwn(OPTIMIZERS, className)
      ? OPTIMIZERS[className]
      : undefined;
  if (make === undefined) {
    invalidArgument(`${argument}.className`, className, `one of ${listOptimizerClasses().join(', ')}`);
  }
  if (typeof config !== 'object' || config === null)
    invalidArgument(`${argument}.config`, config, 'an object');
  const options: Record<string, unknown> = { ...config };
  const rate = config.learningRate;
  if (typeof rate === 'object' && rate !== null) {
    const schedule = rate as { className?: unknown; config?: unknown };
    const name = schedule.className;
    if (typeof name !== 'string' || !Object.hasOwn(SCHEDULES, name)) {
      invalidArgument(
        `${argument}.config.learningRate.className`,
        name,
        `one of ${Object.keys(SCHEDULES).join(', ')}`,
      );
    }
    options.learningRate = SCHEDULES[name]!(schedule.config as never);
  }
  const exclude = config.excludeFromWeightDecay;
  if (Array.isArray(exclude)) {
    options.excludeFromWeightDecay = exclude.map((e, i) => {
      if (typeof e === 'string') return e;
      const p = e as Partial<SerializedPattern> | null;
      if (typeof p?.pattern !== 'string' || typeof p.flags !== 'string') {
        invalidArgument(
          `${argument}.config.excludeFromWeightDecay[${i}]`,
          e,
          'a string or { pattern, flags }',
        );
      }
      return new RegExp(p.pattern, p.flags);
    });
  }
  return new make(options);
}
