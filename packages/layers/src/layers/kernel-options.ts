/**
 * What Keras' layers with a kernel and a bias share (`Dense`, `Conv1D`): the `activation`, `useBias` and initializer
 * options, checked and named by the layer's factory; their config fields; and the output's `activation(y + bias)`.
 */
import {
  type ActivationName,
  type Backend,
  checkBoolean,
  getActivation,
  type InitializerSpec,
  resolveInitializer,
} from '@seqmodel/core';

export interface KernelLayerArgs {
  /** Default `linear`. */
  readonly activation?: ActivationName;
  /** Default true. */
  readonly useBias?: boolean;
  /** Default `glorotUniform`. */
  readonly kernelInitializer?: InitializerSpec;
  /** Default `zeros`. */
  readonly biasInitializer?: InitializerSpec;
}

export interface KernelLayerOptions {
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
}

export const kernelLayerOptionKeys: readonly string[] = [
  'activation',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
];

/** The options with their defaults, each checked; errors name `<factory> <option>` (`dense activation`). */
export function kernelLayerOptions(factory: string, args: KernelLayerArgs): KernelLayerOptions {
  const activation = args.activation ?? 'linear';
  getActivation(activation, `${factory} activation`);
  const kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
  const biasInitializer = args.biasInitializer ?? 'zeros';
  resolveInitializer(kernelInitializer, `${factory} kernelInitializer`);
  resolveInitializer(biasInitializer, `${factory} biasInitializer`);
  return {
    activation,
    useBias: checkBoolean(`${factory} useBias`, args.useBias ?? true),
    kernelInitializer,
    biasInitializer,
  };
}

/** The config fields of the options. */
export function kernelLayerConfig(o: KernelLayerOptions): Record<string, unknown> {
  return {
    activation: o.activation,
    useBias: o.useBias,
    kernelInitializer: o.kernelInitializer,
    biasInitializer: o.biasInitializer,
  };
}

/** `activation(y + bias)`, the bias left out when undefined. */
export function biasAndActivation<T>(
  b: Backend<T>,
  y: T,
  bias: T | undefined,
  activation: ActivationName,
): T {
  return getActivation(activation)(b, bias === undefined ? y : b.add(y, bias));
}
