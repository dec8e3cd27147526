/**
 * The fully connected recurrent cell (Elman network), as Keras `SimpleRNN`:
 *
 *   h_t = activation(x_t·W + b + h_{t-1}·U)
 *
 * Parameters: kernel W `[inputSize, units]`, recurrentKernel U `[units, units]`, bias b `[units]`.
 */
import { getActivation } from '../activations.js';
import type { CellPlugin } from '../cell.js';
import { affine } from '../derived-ops.js';
import {
  type BaseCellOptions,
  baseCellDefaults,
  maskedRecurrentInput,
  validateBaseOptions,
} from './common.js';

export type SimpleRnnOptions = BaseCellOptions;

export const simpleRNN: CellPlugin<SimpleRnnOptions> = {
  specificationVersion: 'v1',
  name: 'simpleRNN',
  description: 'Fully connected recurrent cell: h = activation(x·W + b + h·U)',
  defaultOptions: baseCellDefaults,
  supportsRecurrentDropout: true,

  validateOptions(options) {
    validateBaseOptions('simpleRNN', options);
  },

  params({ inputSize, units, options }) {
    return [
      { name: 'kernel', shape: [inputSize, units], initializer: options.kernelInitializer },
      { name: 'recurrentKernel', shape: [units, units], initializer: options.recurrentInitializer },
      ...(options.useBias ? [{ name: 'bias', shape: [units], initializer: options.biasInitializer }] : []),
    ];
  },

  state({ units }) {
    return [{ name: 'h', size: units }];
  },

  projectInput(ops, x, params) {
    return affine(ops, x, params.kernel!, params.bias);
  },

  step(ops, { input, state, params, dims, recurrentMask }) {
    const h = maskedRecurrentInput(ops, state[0]!, recurrentMask);
    const activation = getActivation(dims.options.activation);
    const next = activation(ops, ops.add(input, ops.matMul(h, params.recurrentKernel!)));
    return { output: next, state: [next] };
  },
};
