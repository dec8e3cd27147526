/**
 * Long short-term memory with peephole connections (Gers & Schmidhuber, 2000, "Recurrent nets that time and
 * count"), as Keras' `PeepholeLSTMCell`: the gates also see the cell state, through one weight per unit. Gates are
 * stacked i, f, c, o along the last axis of the kernels and the bias, as in `lstm`:
 *
 *   [x_i, x_f, x_c, x_o] = x_t·W + b + h_{t-1}·U
 *   i = σ(x_i + p_i * c_{t-1})      f = σ(x_f + p_f * c_{t-1})
 *   c_t = f * c_{t-1} + i * act(x_c)
 *   o = σ(x_o + p_o * c_t)          h_t = o * act(c_t)
 *
 * Parameters: kernel `[inputSize, 4*units]`, recurrentKernel `[units, 4*units]`, bias `[4*units]`, and the peephole
 * weights p_i, p_f, p_o `[units]` each (Keras' names). σ is `recurrentActivation`, act is `activation`.
 * Written only against `@seqmodel/core`'s public API, as any third-party cell would be.
 */
import {
  type ActivationName,
  affine,
  type BaseCellOptions,
  baseCellDefaults,
  type CellPlugin,
  checkBoolean,
  getActivation,
  type InitializerSpec,
  lstmBiasInitializer,
  resolveInitializer,
  splitLast,
  validateBaseOptions,
} from '@seqmodel/core';

export interface PeepholeLstmOptions extends BaseCellOptions {
  /** Activation of the gates (default `sigmoid`). */
  readonly recurrentActivation: ActivationName;
  /** Start the forget gate's bias at 1 (default true, as Keras). */
  readonly unitForgetBias: boolean;
  /** Initializer of the three peephole weight vectors (default `glorotUniform`, Keras' kernel initializer). */
  readonly peepholeInitializer: InitializerSpec;
}

const peepholes = [
  'inputGatePeepholeWeights',
  'forgetGatePeepholeWeights',
  'outputGatePeepholeWeights',
] as const;

export const peepholeLstm: CellPlugin<PeepholeLstmOptions> = {
  specificationVersion: 'v1',
  name: 'peepholeLstm',
  description: 'LSTM whose gates also see the cell state (peephole connections), gates i, f, c, o',
  defaultOptions: {
    ...baseCellDefaults,
    recurrentActivation: 'sigmoid',
    unitForgetBias: true,
    peepholeInitializer: 'glorotUniform',
  },
  supportsRecurrentDropout: true,

  validateOptions(options) {
    validateBaseOptions('peepholeLstm', options);
    checkBoolean('peepholeLstm.unitForgetBias', options.unitForgetBias);
    resolveInitializer(options.peepholeInitializer, 'peepholeLstm.peepholeInitializer');
  },

  params({ inputSize, units, options }) {
    const bias = lstmBiasInitializer(units, options.biasInitializer, options.unitForgetBias);
    return [
      { name: 'kernel', shape: [inputSize, 4 * units], initializer: options.kernelInitializer, gates: 4 },
      {
        name: 'recurrentKernel',
        shape: [units, 4 * units],
        initializer: options.recurrentInitializer,
        gates: 4,
      },
      ...peepholes.map((name) => ({ name, shape: [units], initializer: options.peepholeInitializer })),
      ...(options.useBias ? [{ name: 'bias', shape: [4 * units], initializer: bias, gates: 4 }] : []),
    ];
  },

  state({ units }) {
    return [
      { name: 'h', size: units },
      { name: 'c', size: units },
    ];
  },

  projectInput(ops, x, params) {
    return affine(ops, x, params.kernel!, params.bias);
  },

  step(ops, { input, state, params, dims, recurrentMask }) {
    type T = typeof input;
    const [hPrev, cPrev] = state as [T, T];
    const gate = getActivation(dims.options.recurrentActivation);
    const act = getActivation(dims.options.activation);
    const h = recurrentMask === undefined ? hPrev : ops.mul(hPrev, recurrentMask);
    const [zi, zf, zc, zo] = splitLast(ops, ops.add(input, ops.matMul(h, params.recurrentKernel!)), 4) as [
      T,
      T,
      T,
      T,
    ];
    const i = gate(ops, ops.add(zi, ops.mul(params.inputGatePeepholeWeights!, cPrev)));
    const f = gate(ops, ops.add(zf, ops.mul(params.forgetGatePeepholeWeights!, cPrev)));
    const c = ops.add(ops.mul(f, cPrev), ops.mul(i, act(ops, zc)));
    const o = gate(ops, ops.add(zo, ops.mul(params.outputGatePeepholeWeights!, c)));
    const next = ops.mul(o, act(ops, c));
    return { output: next, state: [next, c] };
  },
};
