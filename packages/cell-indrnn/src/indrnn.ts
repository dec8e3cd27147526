/**
 * The independently recurrent neural network (Li, Li, Cook, Zhu & Gao, 2018, "Independently recurrent neural
 * network (IndRNN): building a longer and deeper RNN"): every unit has a recurrent weight of its own, a vector
 * instead of a matrix, so the recurrence is elementwise and units meet only through the layer above:
 *
 *   h_t = act(x_t·W + b + u * h_{t-1})
 *
 * Parameters: kernel W `[inputSize, units]`, recurrentKernel u `[units]`, bias b `[units]`. act is relu by default
 * (as in the paper), and u starts uniform in [0, 1], where relu units neither die out nor explode at first.
 * Written only against `@seqmodel/core`'s public API, as any third-party cell would be.
 */
import {
  affine,
  type BaseCellOptions,
  baseCellDefaults,
  type CellPlugin,
  getActivation,
  validateBaseOptions,
} from '@seqmodel/core';

/** The options every built-in cell has (activation, useBias, initializers), with IndRNN's defaults. */
export type IndRnnOptions = BaseCellOptions;

export const indRnn: CellPlugin<IndRnnOptions> = {
  specificationVersion: 'v1',
  name: 'indRnn',
  description: 'Independently recurrent cell: h = act(x·W + b + u * h), one recurrent weight per unit',
  defaultOptions: {
    ...baseCellDefaults,
    activation: 'relu',
    // u is a vector: baseCellDefaults' orthogonal initializer draws matrices only.
    recurrentInitializer: { name: 'uniform', minval: 0, maxval: 1 },
  },
  supportsRecurrentDropout: true,

  validateOptions(options) {
    validateBaseOptions('indRnn', options);
  },

  params({ inputSize, units, options }) {
    return [
      { name: 'kernel', shape: [inputSize, units], initializer: options.kernelInitializer },
      { name: 'recurrentKernel', shape: [units], initializer: options.recurrentInitializer },
      ...(options.useBias ? [{ name: 'bias', shape: [units], initializer: options.biasInitializer }] : []),
    ];
  },

  state({ units }) {
    return [{ name: 'h', size: units }];
  },

  // x·W + b for every time step at once; the step adds only u * h.
  projectInput(ops, x, params) {
    return affine(ops, x, params.kernel!, params.bias);
  },

  step(ops, { input, state, params, dims, recurrentMask }) {
    const h = recurrentMask === undefined ? state[0]! : ops.mul(state[0]!, recurrentMask);
    const next = getActivation(dims.options.activation)(
      ops,
      ops.add(input, ops.mul(params.recurrentKernel!, h)),
    );
    return { output: next, state: [next] };
  },
};
