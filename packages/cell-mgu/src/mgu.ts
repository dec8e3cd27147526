/**
 * The minimal gated unit (Zhou, Wu, Zhang & Zhou, 2016, "Minimal gated unit for recurrent neural networks"): a GRU
 * with the update and reset gates merged into one forget gate f. Gates are stacked f, h along the last axis:
 *
 *   f_t = σ(x_t·W_f + b_f + h_{t-1}·U_f)
 *   ĥ_t = act(x_t·W_h + b_h + (f_t * h_{t-1})·U_h)
 *   h_t = (1 − f_t) * h_{t-1} + f_t * ĥ_t
 *
 * Parameters: kernel `[inputSize, 2*units]`, recurrentKernel `[units, 2*units]`, bias `[2*units]`.
 * Written only against `@seqmodel/core`'s public API, as any third-party cell would be.
 */
import {
  type ActivationName,
  affine,
  type BaseCellOptions,
  baseCellDefaults,
  type CellPlugin,
  getActivation,
  sliceLast,
  splitLast,
  validateBaseOptions,
} from '@seqmodel/core';

/** The options every built-in cell has (activation, useBias, initializers) plus the forget gate's activation. */
export interface MguOptions extends BaseCellOptions {
  /** Activation of the forget gate (default `sigmoid`). */
  readonly recurrentActivation: ActivationName;
}

export const mgu: CellPlugin<MguOptions> = {
  // The CellPlugin contract this cell is written against (core refuses a version it does not implement).
  specificationVersion: 'v1',
  name: 'mgu',
  description: 'Minimal gated unit: one forget gate, gates f, h',
  defaultOptions: { ...baseCellDefaults, recurrentActivation: 'sigmoid' },

  validateOptions(options) {
    validateBaseOptions('mgu', options);
  },

  params({ inputSize, units, options }) {
    return [
      { name: 'kernel', shape: [inputSize, 2 * units], initializer: options.kernelInitializer, gates: 2 },
      {
        name: 'recurrentKernel',
        shape: [units, 2 * units],
        initializer: options.recurrentInitializer,
        gates: 2,
      },
      ...(options.useBias
        ? [{ name: 'bias', shape: [2 * units], initializer: options.biasInitializer, gates: 2 }]
        : []),
    ];
  },

  state({ units }) {
    return [{ name: 'h', size: units }];
  },

  // x·W + b for every time step at once; the step adds only the recurrent terms.
  projectInput(ops, x, params) {
    return affine(ops, x, params.kernel!, params.bias);
  },

  // Split U once per sequence instead of once per step.
  prepare(ops, params, { units }) {
    const u = params.recurrentKernel!;
    return { uF: sliceLast(ops, u, 0, units), uH: sliceLast(ops, u, units, units) };
  },

  step(ops, { input, state, dims, prepared }) {
    type T = typeof input;
    const { uF, uH } = prepared as { uF: T; uH: T };
    const h = state[0]!;
    const [xf, xh] = splitLast(ops, input, 2) as [T, T];
    const f = getActivation(dims.options.recurrentActivation)(ops, ops.add(xf, ops.matMul(h, uF)));
    const candidate = getActivation(dims.options.activation)(ops, ops.add(xh, ops.matMul(ops.mul(f, h), uH)));
    const next = ops.add(ops.mul(ops.sub(1, f), h), ops.mul(f, candidate));
    // The activated gates, for traceSequence (visualizations); the loops that only need h ignore them.
    return { output: next, state: [next], gates: { forget: f, candidate } };
  },
};
