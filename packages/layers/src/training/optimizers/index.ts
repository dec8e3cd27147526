/** Optimizers by name (case-insensitive Keras names) and the classes behind them. */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import { normalizeName } from '../losses/index.js';
import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { adamW } from './adamw.js';
import { Optimizer } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';

export { Adagrad, type AdagradOptions, adagrad } from './adagrad.js';
export { Adam, type AdamOptions, adam } from './adam.js';
export { AdamW, type AdamWOptions, adamW } from './adamw.js';
export { clipByGlobalNorm, clipByNorm, clipByValue, globalNorm } from './clipping.js';
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

const FACTORIES: Readonly<Record<string, () => Optimizer>> = {
  sgd: () => sgd(),
  adam: () => adam(),
  adamw: () => adamW(),
  rmsprop: () => rmsprop(),
  adagrad: () => adagrad(),
};

/** Optimizer names `getOptimizer` knows. */
export function listOptimizers(): string[] {
  return Object.keys(FACTORIES);
}

/** An optimizer for a name (with Keras' defaults) or the optimizer itself. */
export function getOptimizer(spec: string | Optimizer, argument = 'optimizer'): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'string') {
    const key = normalizeName(spec);
    // Own keys only: 'constructor' or 'toString' must not find Object.prototype's functions.
    const make = Object.hasOwn(FACTORIES, key) ? FACTORIES[key] : undefined;
    if (make === undefined) {
      throw new SeqmodelError(
        `${argument}: unknown optimizer ${JSON.stringify(spec)}; known optimizers: ${listOptimizers().join(', ')}`,
      );
    }
    return make();
  }
  return invalidArgument(argument, spec, 'an optimizer name or an Optimizer object');
}
