/**
 * Long short-term memory (Hochreiter & Schmidhuber, 1997, with the forget gate of Gers et al.), as Keras `LSTM`.
 * Gates are stacked in the order i, f, c, o along the last axis of every parameter:
 *
 *   [i, f, g, o] = x_t·W + b + h_{t-1}·U
 *   c_t = σ(f) * c_{t-1} + σ(i) * act(g)
 *   h_t = σ(o) * act(c_t)
 *
 * σ is `recurrentActivation` (sigmoid by default, as Keras 3; tfjs-layers defaults to `hardSigmoid`), act is
 * `activation` (tanh). With `unitForgetBias` (default true) the forget part of the bias starts at 1.
 * Parameters: kernel `[inputSize, 4*units]`, recurrentKernel `[units, 4*units]`, bias `[4*units]`.
 * Gates reported per step (`CellStepResult.gates`): `input` σ(i), `forget` σ(f), `candidate` act(g), `output` σ(o).
 */
import { type ActivationName, getActivation } from '../activations.js';
import type { CellPlugin } from '../cell.js';
import { affine, splitLast } from '../derived-ops.js';
import { checkBoolean } from '../errors.js';
import type { InitializerSpec } from '../init/initializers.js';
import {
  type BaseCellOptions,
  baseCellDefaults,
  maskedRecurrentInput,
  validateBaseOptions,
} from './common.js';

/**
 * The initializer of an LSTM's bias `[4*units]` (gates i, f, c, o): `biasInitializer`, with the forget gate's quarter
 * at 1 when `unitForgetBias` (as Keras). For cells built on the LSTM's gates (peephole, layer-normalized).
 */
export function lstmBiasInitializer(
  units: number,
  biasInitializer: InitializerSpec,
  unitForgetBias: boolean,
): InitializerSpec {
  if (!unitForgetBias) return biasInitializer;
  return {
    name: 'concat',
    parts: [
      [units, biasInitializer],
      [units, 'ones'],
      [2 * units, biasInitializer],
    ],
  };
}

export interface LstmOptions extends BaseCellOptions {
  /** Activation of the gates (default `sigmoid`). */
  readonly recurrentActivation: ActivationName;
  /** Start the forget gate's bias at 1 (default true, as Keras). */
  readonly unitForgetBias: boolean;
}

export const lstm: CellPlugin<LstmOptions> = {
  specificationVersion: 'v1',
  name: 'lstm',
  description: 'Long short-term memory, gates i, f, c, o',
  defaultOptions: { ...baseCellDefaults, recurrentActivation: 'sigmoid', unitForgetBias: true },
  supportsRecurrentDropout: true,

  validateOptions(options) {
    validateBaseOptions('lstm', options);
    checkBoolean('lstm.unitForgetBias', options.unitForgetBias);
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
    const [hPrev, cPrev] = state as [typeof input, typeof input];
    const gateActivation = getActivation(dims.options.recurrentActivation);
    const activation = getActivation(dims.options.activation);
    const z = ops.add(
      input,
      ops.matMul(maskedRecurrentInput(ops, hPrev, recurrentMask), params.recurrentKernel!),
    );
    const [zi, zf, zg, zo] = splitLast(ops, z, 4) as [typeof z, typeof z, typeof z, typeof z];
    const i = gateActivation(ops, zi);
    const f = gateActivation(ops, zf);
    const g = activation(ops, zg);
    const o = gateActivation(ops, zo);
    const c = ops.add(ops.mul(f, cPrev), ops.mul(i, g));
    const h = ops.mul(o, activation(ops, c));
    return { output: h, state: [h, c], gates: { input: i, forget: f, candidate: g, output: o } };
  },
};
