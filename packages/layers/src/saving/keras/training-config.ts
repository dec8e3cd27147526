/**
 * The optimizer in Keras / tfjs-layers files. tfjs-layers' `model.save(handler, { includeOptimizer: true })` writes a
 * `trainingConfig` (`{ loss, metrics, optimizer_config: { class_name, config } }`) and appends the optimizer's weights
 * to the manifest in the `optimizer` group: first `iter` (the step count, int32), then one array per slot kind and
 * trainable weight (`<weight>/m` for every weight, then `<weight>/v`, ...), in the model's trainable-weight order.
 * `loadLayersModel` compiles the model with that optimizer and restores those weights. This module writes and reads
 * that layout for the optimizers both libraries have:
 *
 * | seqmodel                         | tfjs-layers       | slots (tfjs order)                        |
 * | -------------------------------- | ----------------- | ----------------------------------------- |
 * | `sgd()`                          | `SGD`             | none                                      |
 * | `sgd({ momentum, nesterov })`    | `Momentum`        | `momentum` (tfjs: `−m / lr`)              |
 * | `adam()` (no amsgrad)            | `Adam`            | `m`, `v`                                  |
 * | `rmsprop()`                      | `RMSProp`         | `rms`, `momentum`, `mg` (centered)        |
 * | `adagrad()` (ε = 1e-7)           | `Adagrad`         | `accumulator`                             |
 * | `adadelta()`                     | `Adadelta`        | `accum_grad`, `accum_var`                 |
 *
 * The state is the same quantity in both (tfjs keeps SGD momentum as `−m / lr`, converted here), so either library
 * resumes where the other stopped; each then applies its own update rule, and tfjs' differ slightly from Keras 3's
 * (its Adam adds ε after the bias correction, its centered RMSProp subtracts ε, its Adadelta divides by the
 * accumulator before the step's gradient). What tfjs-layers has no place for is refused when saving: AdamW, Adamax
 * (tfjs-layers has it but cannot save its state), Nadam, amsgrad, weight decay, gradient clipping, learning-rate
 * schedules, losses other than its own with default options, custom losses and metrics, loss weights.
 */
import { SeqmodelError } from '@seqmodel/core';
import type { Model } from '../../models/model.js';
import type { CompileArgs } from '../../training/compile.js';
import { getLoss, type LossSpec } from '../../training/losses/index.js';
import { Loss } from '../../training/losses/loss.js';
import type { MetricSpec } from '../../training/metrics/index.js';
import { Adadelta, adadelta } from '../../training/optimizers/adadelta.js';
import { adagrad } from '../../training/optimizers/adagrad.js';
import { Adam, adam } from '../../training/optimizers/adam.js';
import type { Optimizer, OptimizerSlotValue } from '../../training/optimizers/optimizer.js';
import { RMSprop, rmsprop } from '../../training/optimizers/rmsprop.js';
import { SGD, sgd } from '../../training/optimizers/sgd.js';
import { isObject } from '../files.js';
import type { KerasWeightSpec } from './artifacts.js';
import type { DecodedWeight } from './weights.js';

/** tfjs-layers' `TrainingConfig`, as `model.json` holds it. */
export interface KerasTrainingConfig {
  readonly loss: string | readonly string[] | Readonly<Record<string, string>>;
  readonly metrics?: readonly string[] | Readonly<Record<string, readonly string[]>>;
  readonly optimizer_config: { readonly class_name: string; readonly config: Record<string, unknown> };
  readonly [key: string]: unknown;
}

/** Our slot names per tfjs slot kind, in tfjs' order; `undefined` where tfjs keeps a slot we do not. */
interface Layout {
  readonly className: string;
  readonly config: Record<string, unknown>;
  readonly kinds: readonly { readonly tfjs: string; readonly ours: string | undefined }[];
  /** Our slot value from tfjs' (and back): identity except for SGD momentum. */
  readonly toTfjs?: (values: ArrayLike<number>) => Float32Array;
  readonly fromTfjs?: (values: Float32Array) => Float32Array;
}

const LOSS_NAMES: Readonly<Record<string, string>> = {
  MeanSquaredError: 'mean_squared_error',
  MeanAbsoluteError: 'mean_absolute_error',
  BinaryCrossentropy: 'binary_crossentropy',
  CategoricalCrossentropy: 'categorical_crossentropy',
  SparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
};

const METRIC_NAMES: Readonly<Record<string, string>> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  binaryaccuracy: 'binary_accuracy',
  categoricalaccuracy: 'categorical_accuracy',
  meansquarederror: 'mse',
  mse: 'mse',
  meanabsoluteerror: 'mae',
  mae: 'mae',
};

function refuse(what: string, reason: string): never {
  throw new SeqmodelError(
    `saveKerasModel options.includeOptimizer: ${what} ${reason}; tfjs-layers has no place for it (save with saveModel, which keeps everything, or leave includeOptimizer out)`,
  );
}

/** How `optimizer` is written for tfjs-layers; anything tfjs-layers would not reproduce is refused. */
function layoutOf(optimizer: Optimizer): Layout {
  const what = `${optimizer.className} optimizer ${JSON.stringify(optimizer.name)}`;
  const lr = optimizer.learningRate;
  if (typeof lr !== 'number') refuse(what, 'has a learning-rate schedule');
  for (const key of ['clipnorm', 'globalClipnorm', 'clipvalue'] as const) {
    if (optimizer[key] !== undefined) refuse(what, `clips gradients (${key})`);
  }
  if (optimizer.weightDecay !== undefined && optimizer.weightDecay !== 0) refuse(what, 'decays weights');
  if (optimizer instanceof SGD && optimizer.className === 'SGD') {
    if (optimizer.momentum === 0) return { className: 'SGD', config: { learningRate: lr }, kinds: [] };
    if (lr === 0) refuse(what, 'has momentum with learning rate 0 (tfjs keeps momentum divided by the rate)');
    return {
      className: 'Momentum',
      config: { learningRate: lr, momentum: optimizer.momentum, useNesterov: optimizer.nesterov },
      kinds: [{ tfjs: 'momentum', ours: 'momentum' }],
      toTfjs: (m) => Float32Array.from(m, (v) => -v / lr),
      fromTfjs: (acc) => acc.map((v) => -v * lr),
    };
  }
  if (optimizer instanceof Adam && optimizer.className === 'Adam') {
    if (optimizer.amsgrad) refuse(what, 'uses amsgrad');
    return {
      className: 'Adam',
      config: {
        learningRate: lr,
        beta1: optimizer.beta1,
        beta2: optimizer.beta2,
        epsilon: optimizer.epsilon,
      },
      kinds: [
        { tfjs: 'm', ours: 'm' },
        { tfjs: 'v', ours: 'v' },
      ],
    };
  }
  if (optimizer instanceof RMSprop) {
    return {
      className: 'RMSProp',
      config: {
        learningRate: lr,
        decay: optimizer.rho,
        momentum: optimizer.momentum,
        epsilon: optimizer.epsilon,
        centered: optimizer.centered,
      },
      kinds: [
        { tfjs: 'rms', ours: 'velocity' },
        { tfjs: 'momentum', ours: optimizer.momentum > 0 ? 'momentum' : undefined },
        ...(optimizer.centered ? [{ tfjs: 'mg', ours: 'averageGradient' }] : []),
      ],
    };
  }
  if (optimizer.className === 'Adagrad') {
    const config = optimizer.getConfig();
    if (config.epsilon !== 1e-7) refuse(what, `has epsilon ${config.epsilon} (tfjs' Adagrad uses 1e-7)`);
    return {
      className: 'Adagrad',
      config: { learningRate: lr, initialAccumulatorValue: config.initialAccumulatorValue },
      kinds: [{ tfjs: 'accumulator', ours: 'accumulator' }],
    };
  }
  if (optimizer instanceof Adadelta) {
    return {
      className: 'Adadelta',
      config: { learningRate: lr, rho: optimizer.rho, epsilon: optimizer.epsilon },
      kinds: [
        { tfjs: 'accum_grad', ours: 'accumulatedGrad' },
        { tfjs: 'accum_var', ours: 'accumulatedDeltaVar' },
      ],
    };
  }
  return refuse(
    what,
    'is not one of the optimizers whose state tfjs-layers saves (SGD, Adam, RMSprop, Adagrad, Adadelta)',
  );
}

function lossName(spec: LossSpec, where: string): string {
  const loss = getLoss(spec, where);
  const name = LOSS_NAMES[loss.className];
  if (name === undefined || (spec instanceof Loss && !sameConfig(loss, getLoss(name)))) {
    refuse(
      `the loss ${where}`,
      `(${loss.className} ${JSON.stringify(loss.getConfig())}) is not a tfjs-layers loss with its default options`,
    );
  }
  return name;
}

function sameConfig(a: Loss, b: Loss): boolean {
  const { name: _a, ...x } = a.getConfig();
  const { name: _b, ...y } = b.getConfig();
  return JSON.stringify(x) === JSON.stringify(y);
}

function metricName(spec: MetricSpec, where: string): string {
  const name = typeof spec === 'string' ? METRIC_NAMES[spec.replace(/_/g, '').toLowerCase()] : undefined;
  if (name === undefined) {
    refuse(
      `the metric ${where}`,
      `(${typeof spec === 'string' ? JSON.stringify(spec) : 'an object or function'}) is not one tfjs-layers knows by name (${[...new Set(Object.values(METRIC_NAMES))].join(', ')})`,
    );
  }
  return name;
}

function mapPerOutput<A, B>(
  spec: A | readonly A[] | Readonly<Record<string, A>>,
  one: (a: A, where: string) => B,
  isOne: (a: unknown) => boolean,
): B | B[] | Record<string, B> {
  if (Array.isArray(spec)) return spec.map((s, i) => one(s, `[${i}]`));
  if (isOne(spec)) return one(spec as A, '');
  return Object.fromEntries(Object.entries(spec as Record<string, A>).map(([k, s]) => [k, one(s, `.${k}`)]));
}

/**
 * The `trainingConfig` and the `optimizer`-group weights (specs and float32 / int32 data) of a compiled model, in
 * tfjs-layers' layout; `names` are the Keras names of the model's weights (in `model.weights` order).
 */
export function kerasOptimizerArtifacts<T>(
  model: Model<T>,
  names: readonly string[],
): { trainingConfig: KerasTrainingConfig; specs: KerasWeightSpec[]; data: ArrayBuffer } {
  if (!model.compiled) {
    throw new SeqmodelError(
      `saveKerasModel options.includeOptimizer: ${model.describe()} is not compiled, so it has no optimizer to save (expected a compiled model)`,
    );
  }
  const optimizer = model.optimizer;
  const layout = layoutOf(optimizer);
  const args = model.compileArgs!;
  if (args.lossWeights !== undefined) refuse('the compile option lossWeights', 'is set');
  const loss = mapPerOutput(
    args.loss as LossSpec,
    (s, w) => lossName(s, `loss${w}`),
    (x) => typeof x !== 'object' || x instanceof Loss,
  );
  const metrics =
    args.metrics === undefined
      ? undefined
      : Array.isArray(args.metrics)
        ? args.metrics.map((m, i) => metricName(m, `metrics[${i}]`))
        : Object.fromEntries(
            Object.entries(args.metrics as Record<string, readonly MetricSpec[]>).map(([k, list]) => [
              k,
              list.map((m, i) => metricName(m, `metrics.${k}[${i}]`)),
            ]),
          );
  const trainable = model.trainableWeights;
  const nameOf = new Map(model.weights.map((w, i) => [w, names[i]!]));
  const state = optimizer.getState(trainable);
  const byKey = new Map(state.slots.map((s) => [`${s.variable}:${s.slot}`, s]));
  const arrays: { spec: KerasWeightSpec; values: ArrayLike<number>; int?: boolean }[] = [
    {
      spec: { name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' },
      values: [state.iterations],
      int: true,
    },
  ];
  if (state.slots.length > 0) {
    for (const kind of layout.kinds) {
      for (const w of trainable) {
        const slot = kind.ours === undefined ? undefined : byKey.get(`${w.name}:${kind.ours}`);
        const values =
          slot === undefined ? new Float32Array(w.size) : (layout.toTfjs?.(slot.values) ?? slot.values);
        arrays.push({
          spec: {
            name: `${nameOf.get(w)}/${kind.tfjs}`,
            shape: [...w.shape],
            dtype: 'float32',
            group: 'optimizer',
          },
          values,
        });
      }
    }
  }
  const bytes = arrays.reduce((n, a) => n + 4 * a.values.length, 0);
  const data = new ArrayBuffer(bytes);
  const view = new DataView(data);
  let at = 0;
  for (const a of arrays) {
    for (let k = 0; k < a.values.length; k++, at += 4) {
      if (a.int) view.setInt32(at, a.values[k]!, true);
      else view.setFloat32(at, a.values[k]!, true);
    }
  }
  return {
    trainingConfig: {
      loss: loss as KerasTrainingConfig['loss'],
      ...(metrics === undefined ? {} : { metrics }),
      optimizer_config: { class_name: layout.className, config: layout.config },
    },
    specs: arrays.map((a) => a.spec),
    data,
  };
}

const CONFIG_KEYS: Readonly<Record<string, string>> = {
  learning_rate: 'learningRate',
  beta_1: 'beta1',
  beta_2: 'beta2',
  initial_accumulator_value: 'initialAccumulatorValue',
  use_nesterov: 'useNesterov',
  nesterov: 'useNesterov',
};

/** An optimizer from `optimizer_config` (tfjs-layers' camelCase keys, or Keras' snake_case ones). */
function optimizerFrom(config: unknown, where: string): { optimizer: Optimizer; layout: Layout } {
  if (!isObject(config) || typeof config.class_name !== 'string' || !isObject(config.config)) {
    throw new SeqmodelError(
      `${where}.optimizer_config: expected { class_name, config }, received ${JSON.stringify(config)}`,
    );
  }
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.config)) c[CONFIG_KEYS[k] ?? k] = v;
  const rate = (c.learningRate as number | undefined) ?? undefined;
  const num = (key: string) => (typeof c[key] === 'number' ? (c[key] as number) : undefined);
  const opt = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  let optimizer: Optimizer;
  switch (config.class_name) {
    case 'SGD':
      optimizer = sgd(opt({ learningRate: rate }));
      break;
    case 'Momentum':
      optimizer = sgd(
        opt({ learningRate: rate, momentum: num('momentum'), nesterov: c.useNesterov === true }),
      );
      break;
    case 'Adam':
      optimizer = adam(
        opt({ learningRate: rate, beta1: num('beta1'), beta2: num('beta2'), epsilon: num('epsilon') }),
      );
      break;
    case 'RMSProp':
    case 'RMSprop':
      optimizer = rmsprop(
        opt({
          learningRate: rate,
          rho: num('decay') ?? num('rho'),
          momentum: num('momentum'),
          epsilon: num('epsilon'),
          centered: c.centered === true,
        }),
      );
      break;
    case 'Adagrad':
      optimizer = adagrad(
        opt({ learningRate: rate, initialAccumulatorValue: num('initialAccumulatorValue') }),
      );
      break;
    case 'Adadelta':
      optimizer = adadelta(opt({ learningRate: rate, rho: num('rho'), epsilon: num('epsilon') }));
      break;
    default:
      throw new SeqmodelError(
        `${where}.optimizer_config.class_name: expected one of SGD, Momentum, Adam, RMSProp, Adagrad, Adadelta, received ${JSON.stringify(config.class_name)}`,
      );
  }
  return { optimizer, layout: layoutOf(optimizer) };
}

/**
 * Compiles a loaded model from a tfjs-layers `trainingConfig` and restores its optimizer's state from the `optimizer`
 * group's weights (see the module comment). `where` names the file in errors.
 */
export function restoreKerasTraining<T>(
  model: Model<T>,
  trainingConfig: unknown,
  weights: readonly DecodedWeight[],
  where: string,
): void {
  if (!isObject(trainingConfig)) {
    throw new SeqmodelError(
      `${where}: trainingConfig: expected an object, received ${typeof trainingConfig}`,
    );
  }
  for (const key of ['loss_weights', 'weighted_metrics', 'sample_weight_mode']) {
    if (trainingConfig[key] !== undefined && trainingConfig[key] !== null) {
      throw new SeqmodelError(`${where}: trainingConfig.${key} is not supported (as in tfjs-layers)`);
    }
  }
  const { optimizer, layout } = optimizerFrom(trainingConfig.optimizer_config, `${where}: trainingConfig`);
  // The state is checked before compiling, so that a file that cannot be restored leaves the model uncompiled.
  const trainable = model.trainableWeights;
  const slots: OptimizerSlotValue[] = [];
  let iterations = 0;
  if (weights.length > 0) {
    const [iter, ...rest] = weights;
    if (iter!.name !== 'iter' || iter!.values.length !== 1) {
      throw new SeqmodelError(
        `${where}: the optimizer weights start with ${iter!.name}, expected iter (the step count)`,
      );
    }
    iterations = iter!.values[0]!;
    const expected = rest.length === 0 ? 0 : layout.kinds.length * trainable.length;
    if (rest.length !== expected) {
      throw new SeqmodelError(
        `${where}: ${layout.className} keeps ${layout.kinds.length} slot${layout.kinds.length === 1 ? '' : 's'} (${layout.kinds.map((k) => k.tfjs).join(', ')}) for each of ${trainable.length} trainable weights, so ${expected} optimizer weights after iter; the file has ${rest.length}`,
      );
    }
    layout.kinds.forEach((kind, k) => {
      trainable.forEach((w, i) => {
        const saved = rest[k * trainable.length + i]!;
        if (saved.values.length !== w.size) {
          throw new SeqmodelError(
            `${where}: optimizer weight ${saved.name}: received shape [${saved.shape.join(', ')}], expected [${w.shape.join(', ')}] (the shape of ${w.name})`,
          );
        }
        if (kind.ours === undefined) return;
        slots.push({
          variable: w.name,
          slot: kind.ours,
          shape: w.shape,
          values: layout.fromTfjs?.(saved.values) ?? saved.values,
        });
      });
    });
  }
  const loss = trainingConfig.loss as CompileArgs['loss'];
  const metrics = (trainingConfig.metrics ?? undefined) as CompileArgs['metrics'];
  model.compile({ optimizer, loss, ...(metrics === undefined ? {} : { metrics }) });
  optimizer.setState(model.backend, trainable, { iterations, slots });
}
