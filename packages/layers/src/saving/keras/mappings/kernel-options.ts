/**
 * The Keras options of layers with a kernel and a bias (`Dense`, `Conv1D`): `activation`, `use_bias`, the
 * initializers, and the regularizers and constraints (training only: read as ignored, written as null).
 */
import type { KernelLayerOptions } from '../../../layers/kernel-options.js';
import type { KerasExportContext } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';

/** seqmodel's options from the Keras config (initializers only when given). */
export function readKernelLayerOptions(reader: KerasConfigReader): Record<string, unknown> {
  const args: Record<string, unknown> = {
    activation: reader.activation('activation', 'linear'),
    useBias: reader.boolean('use_bias', true),
  };
  const kernel = reader.initializer('kernel_initializer');
  if (kernel !== undefined) args.kernelInitializer = kernel;
  const bias = reader.initializer('bias_initializer');
  if (bias !== undefined) args.biasInitializer = bias;
  reader.ignoreTrainingOnly('kernel', 'bias');
  reader.rejectLoraAndQuantization();
  return args;
}

/** The Keras config fields of the options. */
export function kernelLayerKerasConfig(
  layer: KernelLayerOptions,
  context: KerasExportContext,
): Record<string, unknown> {
  return {
    activation: context.activation('activation', layer.activation),
    use_bias: layer.useBias,
    kernel_initializer: context.initializer('kernelInitializer', layer.kernelInitializer),
    bias_initializer: context.initializer('biasInitializer', layer.biasInitializer),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
}
