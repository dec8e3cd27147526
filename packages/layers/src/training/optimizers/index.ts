/** Optimizers by name (case-insensitive Keras names) and the classes behind them. */
import { checkOptions, didYouMean, invalidArgument, isPlainObject, SeqmodelError } from '@seqmodel/core';
import { normalizeName } from '../losses/index.js';
import { learningRateFromConfig } from '../schedules.js';
import { adadelta } from './adadelta.js';
import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { adamax } from './adamax.js';
import { adamW } from './adamw.js';
import { nadam } from './nadam.js';
import { Optimizer } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';

export { Adadelta, type AdadeltaOptions, adadelta } from './adadelta.js';
export { Adagrad, type AdagradOptions, adagrad } from './adagrad.js';
export { Adam, type AdamOptions, adam } from './adam.js';
export { Adamax, type AdamaxOptions, adamax } from './adamax.js';
export { AdamW, type AdamWOptions, adamW } from './adamw.js';
export { clipByGlobalNorm, clipByNorm, clipByValue, globalNorm } from './clipping.js';
export { Nadam, type NadamOptions, nadam } from './nadam.js';
export {
  Optimizer,
  type OptimizerOptions,
  type OptimizerSlotValue,
  type OptimizerState,
  type OptimizerVariable,
  type SlotSpec,
  type UpdateArgs,
  type UpdateResult,
} from './optimizer.js';
export { RMSprop, type RmspropOptions, rmsprop } from './rmsprop.js';
export {
  deserializeOptimizer,
  listOptimizerClasses,
  type OptimizerClass,
  type SerializedOptimizer,
  serializeOptimizer,
} from './serialization.js';
export { SGD, type SgdOptions, sgd } from './sgd.js';

const FACTORIES: Readonly<Record<string, (options?: Record<string, unknown>) => Optimizer>> = {
  sgd: (o) => sgd(o),
  adam: (o) => adam(o),
  adamw: (o) => adamW(o),
  rmsprop: (o) => rmsprop(o),
  adagrad: (o) => adagrad(o),
  adadelta: (o) => adadelta(o),
  adamax: (o) => adamax(o),
  nadam: (o) => nadam(o),
};

/** An optimizer's config as `{ className, config }` (Keras' serialized form, fields in camelCase). */
export interface OptimizerConfig {
  /** `SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`, `Adadelta`, `Adamax`, `Nadam` (any case), or the names `getOptimizer` takes. */
  readonly className: string;
  /** The optimizer's options, as its factory takes them or its `getConfig()` writes them. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** Optimizer names `getOptimizer` knows. */
export function listOptimizers(): string[] {
  return Object.keys(FACTORIES);
}

/** The factory for an optimizer name (case and `_` ignored), or an error naming the closest known one. */
function factoryFor(name: string, argument: string): (options?: Record<string, unknown>) => Optimizer {
  const key = normalizeName(name);
  // Own keys only: 'constructor' or 'toString' must not find Object.prototype's functions.
  const make = Object.hasOwn(FACTORIES, key) ? FACTORIES[key] : undefined;
  if (make === undefined) {
    throw new SeqmodelError(
      `${argument}: unknown optimizer ${JSON.stringify(name)}${didYouMean(name, listOptimizers())}; known optimizers: ${listOptimizers().join(', ')}`,
    );
  }
  return make;
}

/**
 * An optimizer for a name (with Keras' defaults), a config `{ className, config }` (options checked as the factory
 * checks them; `getConfig()`'s output, schedules included, is accepted), or the optimizer itself.
 *
 * @example
 * getOptimizer({ className: 'Adam', config: { learningRate: 0.01, beta1: 0.8 } });
 */
export function getOptimizer(spec: string | Optimizer | OptimizerConfig, argument = 'optimizer'): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'string') return factoryFor(spec, argument)();
  if (isPlainObject(spec)) {
    checkOptions(argument, spec, ['className', 'config']);
    if (typeof spec.className !== 'string')
      invalidArgument(`${argument}.className`, spec.className, 'an optimizer class name such as "Adam"');
    const make = factoryFor(spec.className, `${argument}.className`);
    const config = spec.config ?? {};
    if (!isPlainObject(config)) invalidArgument(`${argument}.config`, config, 'an options object');
    const { learningRate, ...rest } = config;
    return make({
      ...rest,
      ...(learningRate === undefined
        ? {}
        : { learningRate: learningRateFromConfig(learningRate, `${argument}.config.learningRate`) }),
    });
  }
  return invalidArgument(argument, spec, 'an optimizer name, { className, config } or an Optimizer object');
}
