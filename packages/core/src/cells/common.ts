/** Option handling shared by the built-in cells. */
import { type ActivationName, getActivation } from '../activations.js';
import { checkBoolean } from '../errors.js';
import { type InitializerSpec, resolveInitializer } from '../init/initializers.js';
import type { Ops } from '../ops.js';

/** Options every built-in cell has, with Keras' names and defaults. */
export interface BaseCellOptions {
  /** Activation of the candidate / output (default `tanh`). */
  readonly activation: ActivationName;
  /** Whether the cell has a bias (default true). */
  readonly useBias: boolean;
  /** Initializer of `kernel` (default `glorotUniform`). */
  readonly kernelInitializer: InitializerSpec;
  /** Initializer of `recurrentKernel` (default `orthogonal`). */
  readonly recurrentInitializer: InitializerSpec;
  /** Initializer of `bias` (default `zeros`). */
  readonly biasInitializer: InitializerSpec;
}

export const baseCellDefaults: BaseCellOptions = {
  activation: 'tanh',
  useBias: true,
  kernelInitializer: 'glorotUniform',
  recurrentInitializer: 'orthogonal',
  biasInitializer: 'zeros',
};

/**
 * Validates the options in {@link BaseCellOptions} plus `recurrentActivation` when present, naming a bad one as
 * `<cellName>.<option>`. Plugins whose options extend `BaseCellOptions` call it from `validateOptions`.
 */
export function validateBaseOptions(
  cellName: string,
  options: BaseCellOptions & { readonly recurrentActivation?: ActivationName },
): void {
  getActivation(options.activation, `${cellName}.activation`);
  if ('recurrentActivation' in options) {
    getActivation(options.recurrentActivation, `${cellName}.recurrentActivation`);
  }
  checkBoolean(`${cellName}.useBias`, options.useBias);
  for (const key of ['kernelInitializer', 'recurrentInitializer', 'biasInitializer'] as const) {
    resolveInitializer(options[key], `${cellName}.${key}`);
  }
}

/** Applies a recurrent dropout mask when one is given. */
export function maskedRecurrentInput<T>(ops: Ops<T>, h: T, mask: T | undefined): T {
  return mask === undefined ? h : ops.mul(h, mask);
}
