/**
 * Activations by name, for cell and layer options. Names are camelCase as in tfjs-layers. Two hard sigmoids exist
 * because the frameworks disagree:
 * - `hardSigmoid`: clip(0.2·x + 0.5, 0, 1), as tfjs-layers and Keras 2;
 * - `hardSigmoidKeras3`: clip(x/6 + 0.5, 0, 1), as Keras 3 (`hard_sigmoid`) and PyTorch (`Hardsigmoid`).
 * `gelu` is the exact x·Φ(x) (PyTorch's and Keras' default); `geluNew` its tanh approximation, named as tfjs-layers
 * names it (`gelu_new`; Keras `approximate=True`, PyTorch `approximate='tanh'`). `swish` is x·σ(x) (Keras 3 and
 * PyTorch also call it `silu`).
 */
import {
  elu,
  gelu,
  geluNew,
  hardSigmoid,
  hardSigmoidKeras3,
  mish,
  relu6,
  selu,
  softmax,
  softplus,
  softsign,
  swish,
} from './derived-ops.js';
import { SeqmodelError } from './errors.js';
import type { Ops, OptionalOps } from './ops.js';
import { didYouMean } from './options.js';

/** An activation applied elementwise (softmax: along the last axis). */
export type Activation = <T>(ops: Ops<T> & OptionalOps<T>, x: T) => T;

const activations = {
  linear: (_ops, x) => x,
  tanh: (ops, x) => ops.tanh(x),
  sigmoid: (ops, x) => ops.sigmoid(x),
  relu: (ops, x) => ops.relu(x),
  relu6: (ops, x) => relu6(ops, x),
  hardSigmoid: (ops, x) => hardSigmoid(ops, x),
  hardSigmoidKeras3: (ops, x) => hardSigmoidKeras3(ops, x),
  softmax: (ops, x) => softmax(ops, x),
  softplus: (ops, x) => softplus(ops, x),
  softsign: (ops, x) => softsign(ops, x),
  elu: (ops, x) => elu(ops, x),
  selu: (ops, x) => selu(ops, x),
  exponential: (ops, x) => ops.exp(x),
  gelu: (ops, x) => gelu(ops, x),
  geluNew: (ops, x) => geluNew(ops, x),
  swish: (ops, x) => swish(ops, x),
  mish: (ops, x) => mish(ops, x),
} satisfies Record<string, Activation>;

/** The name of a built-in activation. */
export type ActivationName = keyof typeof activations;

/** Every activation name, for listings and error messages. */
export function listActivations(): ActivationName[] {
  return Object.keys(activations) as ActivationName[];
}

export function isActivationName(name: unknown): name is ActivationName {
  return typeof name === 'string' && Object.hasOwn(activations, name);
}

/**
 * The activation called `name`; `argument` names the option for the error message (`activation`,
 * `recurrentActivation`, ...).
 */
export function getActivation(name: unknown, argument = 'activation'): Activation {
  if (!isActivationName(name)) {
    throw new SeqmodelError(
      `${argument}: unknown activation ${JSON.stringify(name)}${activationHint(name)}; known activations: ${listActivations().join(', ')}`,
    );
  }
  return activations[name];
}

/**
 * ` (did you mean ...?)` for a misspelt or Keras-spelt name (`leaky_relu` has none). Keras' `hard_sigmoid` names
 * both hard sigmoids, since Keras 2 and Keras 3 define it differently.
 */
function activationHint(name: unknown): string {
  if (typeof name !== 'string') return '';
  if (name.toLowerCase().replace(/[_-]/g, '') === 'hardsigmoid') {
    return ' (did you mean "hardSigmoid", clip(0.2x + 0.5) as in tfjs-layers and Keras 2, or "hardSigmoidKeras3", clip(x/6 + 0.5) as in Keras 3?)';
  }
  // Keras 3 and PyTorch call swish silu.
  if (name.toLowerCase() === 'silu') return ' (did you mean "swish"?)';
  return didYouMean(name, listActivations());
}
