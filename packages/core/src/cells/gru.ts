/**
 * Gated recurrent unit (Cho et al., 2014), as Keras `GRU`. Gates are stacked in the order z (update), r (reset),
 * h (candidate) along the last axis of every parameter. Two variants differ in where the reset gate applies:
 *
 * `resetAfter: true` (default; Keras 3, PyTorch and cuDNN), bias `[2, 3*units]` = [input bias; recurrent bias]:
 *   [xz, xr, xh] = x_t·W + b_in          [rz, rr, rh] = h_{t-1}·U + b_rec
 *   z = σ(xz + rz)    r = σ(xr + rr)    ĥ = act(xh + r * rh)
 *
 * `resetAfter: false` (tfjs-layers, Keras 2's original), bias `[3*units]`:
 *   [xz, xr, xh] = x_t·W + b
 *   z = σ(xz + h_{t-1}·U_z)    r = σ(xr + h_{t-1}·U_r)    ĥ = act(xh + (r * h_{t-1})·U_h)
 *
 * and in both: h_t = z * h_{t-1} + (1 − z) * ĥ.
 * σ is `recurrentActivation` (sigmoid by default, as Keras 3; tfjs-layers defaults to `hardSigmoid`).
 * Gates reported per step (`CellStepResult.gates`): `update` z, `reset` r, `candidate` ĥ.
 */
import { type ActivationName, getActivation } from '../activations.js';
import type { CellPlugin } from '../cell.js';
import { affine, sliceLast, splitLast } from '../derived-ops.js';
import { checkBoolean } from '../errors.js';
import type { Ops } from '../ops.js';
import {
  type BaseCellOptions,
  baseCellDefaults,
  maskedRecurrentInput,
  validateBaseOptions,
} from './common.js';

export interface GruOptions extends BaseCellOptions {
  /** Activation of the gates (default `sigmoid`). */
  readonly recurrentActivation: ActivationName;
  /** Apply the reset gate after the recurrent matrix product (default true; see the module comment). */
  readonly resetAfter: boolean;
}

/** Row `row` of a `[2, n]` bias, as `[n]`. */
function biasRow<T>(ops: Ops<T>, bias: T, row: number): T {
  return ops.reshape(ops.slice(bias, [row, 0], [1, -1]), [-1]);
}

interface GruPrepared<T> {
  /** resetAfter: the recurrent bias `[3*units]`, or undefined without bias. */
  readonly recurrentBias?: T;
  /** !resetAfter: the z and r columns of U `[units, 2*units]` and the h columns `[units, units]`. */
  readonly uZr?: T;
  readonly uH?: T;
}

export const gru: CellPlugin<GruOptions> = {
  specificationVersion: 'v1',
  name: 'gru',
  description:
    'Gated recurrent unit, gates z, r, h; resetAfter true (Keras 3/PyTorch) or false (tfjs-layers)',
  defaultOptions: { ...baseCellDefaults, recurrentActivation: 'sigmoid', resetAfter: true },
  supportsRecurrentDropout: true,

  validateOptions(options) {
    validateBaseOptions('gru', options);
    checkBoolean('gru.resetAfter', options.resetAfter);
  },

  params({ inputSize, units, options }) {
    const biasShape = options.resetAfter ? [2, 3 * units] : [3 * units];
    return [
      { name: 'kernel', shape: [inputSize, 3 * units], initializer: options.kernelInitializer, gates: 3 },
      {
        name: 'recurrentKernel',
        shape: [units, 3 * units],
        initializer: options.recurrentInitializer,
        gates: 3,
      },
      ...(options.useBias
        ? [{ name: 'bias', shape: biasShape, initializer: options.biasInitializer, gates: 3 }]
        : []),
    ];
  },

  state({ units }) {
    return [{ name: 'h', size: units }];
  },

  projectInput(ops, x, params, { options }) {
    const bias = params.bias;
    const inputBias = bias !== undefined && options.resetAfter ? biasRow(ops, bias, 0) : bias;
    return affine(ops, x, params.kernel!, inputBias);
  },

  prepare(ops, params, { units, options }): GruPrepared<unknown> {
    if (options.resetAfter) {
      return params.bias === undefined ? {} : { recurrentBias: biasRow(ops, params.bias, 1) };
    }
    const u = params.recurrentKernel!;
    return { uZr: sliceLast(ops, u, 0, 2 * units), uH: sliceLast(ops, u, 2 * units, units) };
  },

  step(ops, { input, state, params, dims, prepared, recurrentMask }) {
    type T = typeof input;
    const { recurrentBias, uZr, uH } = prepared as GruPrepared<T>;
    const gateActivation = getActivation(dims.options.recurrentActivation);
    const activation = getActivation(dims.options.activation);
    // Keras and tfjs-layers apply recurrent dropout to h_{t-1} everywhere in the step, the interpolation included.
    const h = maskedRecurrentInput(ops, state[0]!, recurrentMask);
    const [xz, xr, xh] = splitLast(ops, input, 3) as [T, T, T];
    let z: T;
    let r: T;
    let candidate: T;
    if (dims.options.resetAfter) {
      const hu = ops.matMul(h, params.recurrentKernel!);
      const inner = recurrentBias === undefined ? hu : ops.add(hu, recurrentBias);
      const [rz, rr, rh] = splitLast(ops, inner, 3) as [T, T, T];
      z = gateActivation(ops, ops.add(xz, rz));
      r = gateActivation(ops, ops.add(xr, rr));
      candidate = activation(ops, ops.add(xh, ops.mul(r, rh)));
    } else {
      const [rz, rr] = splitLast(ops, ops.matMul(h, uZr!), 2) as [T, T];
      z = gateActivation(ops, ops.add(xz, rz));
      r = gateActivation(ops, ops.add(xr, rr));
      candidate = activation(ops, ops.add(xh, ops.matMul(ops.mul(r, h), uH!)));
    }
    const next = ops.add(ops.mul(z, h), ops.mul(ops.sub(1, z), candidate));
    return { output: next, state: [next], gates: { update: z, reset: r, candidate } };
  },
};
