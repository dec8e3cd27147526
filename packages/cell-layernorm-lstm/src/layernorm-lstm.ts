/**
 * Long short-term memory with layer normalization (Ba, Kiros & Hinton, 2016, "Layer normalization"), as TensorFlow
 * Addons' `LayerNormLSTMCell` and the `LayerNormLSTMCell` of PyTorch's own custom-RNN benchmarks compute it: the
 * input and recurrent contributions to the gates are each normalized over the gates' `4*units` values before they
 * are added, and the new cell state is normalized over its `units` values and carried normalized:
 *
 *   z = LN_k(x_t·W) + LN_r(h_{t-1}·U) + b,    [z_i, z_f, z_c, z_o] = z    (gates i, f, c, o, as `lstm`)
 *   c_t = LN_s(σ(z_f) * c_{t-1} + σ(z_i) * act(z_c))
 *   h_t = σ(z_o) * act(c_t)
 *
 * where LN(v) = (v − mean(v)) / √(var(v) + ε) · γ + β over each row, with its own γ and β. σ is
 * `recurrentActivation`, act is `activation`. Parameters: kernel `[inputSize, 4*units]`, recurrentKernel `[units,
 * 4*units]`, bias `[4*units]`, and γ, β for each normalization (`kernelNormGamma` ... `stateNormBeta`).
 *
 * Its step needs sums along the last axis and per-row values, which the cell compiler records as products with
 * ones: it runs compiled on every backend with a compiled kernel. Written only against `@seqmodel/core`'s public
 * API, as any third-party cell would be.
 */
import {
  type ActivationName,
  type BaseCellOptions,
  baseCellDefaults,
  type CellPlugin,
  checkBoolean,
  getActivation,
  type InitializerSpec,
  invalidArgument,
  lstmBiasInitializer,
  mean,
  type Ops,
  resolveInitializer,
  rsqrt,
  splitLast,
  validateBaseOptions,
} from '@seqmodel/core';

export interface LayerNormLstmOptions extends BaseCellOptions {
  /** Activation of the gates (default `sigmoid`). */
  readonly recurrentActivation: ActivationName;
  /** Start the forget gate's bias at 1 (default true, as Keras). */
  readonly unitForgetBias: boolean;
  /** ε of every normalization, added to the variance (default 1e-3, as TensorFlow Addons). */
  readonly normEpsilon: number;
  /** Initializer of the normalizations' scales γ (default `ones`). */
  readonly normGammaInitializer: InitializerSpec;
  /** Initializer of the normalizations' offsets β (default `zeros`). */
  readonly normBetaInitializer: InitializerSpec;
}

/** The three normalizations, by the prefix of their parameters' names. */
const norms = ['kernelNorm', 'recurrentNorm', 'stateNorm'] as const;

/**
 * `(v − mean(v)) / √(var(v) + ε) · γ + β` over each row of `v` `[batch, width]`. The variance is the mean square of
 * the centered values computed once (core's `variance` would center `v` again: two more row sums a step).
 */
function layerNorm<T>(ops: Ops<T>, v: T, gamma: T, beta: T, epsilon: number): T {
  const centered = ops.sub(v, mean(ops, v, -1, true));
  const spread = mean(ops, ops.mul(centered, centered), -1, true);
  const scale = rsqrt(ops, ops.add(spread, epsilon));
  return ops.add(ops.mul(ops.mul(centered, scale), gamma), beta);
}

export const layerNormLstm: CellPlugin<LayerNormLstmOptions> = {
  specificationVersion: 'v1',
  name: 'layerNormLstm',
  description:
    'LSTM whose input and recurrent gate contributions and cell state are layer-normalized, gates i, f, c, o',
  defaultOptions: {
    ...baseCellDefaults,
    recurrentActivation: 'sigmoid',
    unitForgetBias: true,
    normEpsilon: 1e-3,
    normGammaInitializer: 'ones',
    normBetaInitializer: 'zeros',
  },
  supportsRecurrentDropout: true,

  validateOptions(options) {
    validateBaseOptions('layerNormLstm', options);
    checkBoolean('layerNormLstm.unitForgetBias', options.unitForgetBias);
    const epsilon = options.normEpsilon;
    if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) {
      invalidArgument('layerNormLstm.normEpsilon', epsilon, 'a positive number');
    }
    resolveInitializer(options.normGammaInitializer, 'layerNormLstm.normGammaInitializer');
    resolveInitializer(options.normBetaInitializer, 'layerNormLstm.normBetaInitializer');
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
      ...norms.flatMap((norm) => {
        const width = norm === 'stateNorm' ? units : 4 * units;
        return [
          { name: `${norm}Gamma`, shape: [width], initializer: options.normGammaInitializer },
          { name: `${norm}Beta`, shape: [width], initializer: options.normBetaInitializer },
        ];
      }),
    ];
  },

  state({ units }) {
    return [
      { name: 'h', size: units },
      { name: 'c', size: units },
    ];
  },

  // LN_k(x·W) + b for every time step at once; the step adds LN_r(h·U).
  projectInput(ops, x, params, { options }) {
    const normalized = layerNorm(
      ops,
      ops.matMul(x, params.kernel!),
      params.kernelNormGamma!,
      params.kernelNormBeta!,
      options.normEpsilon,
    );
    return params.bias === undefined ? normalized : ops.add(normalized, params.bias);
  },

  step(ops, { input, state, params, dims, recurrentMask }) {
    type T = typeof input;
    const [hPrev, cPrev] = state as [T, T];
    const { options } = dims;
    const gate = getActivation(options.recurrentActivation);
    const act = getActivation(options.activation);
    const h = recurrentMask === undefined ? hPrev : ops.mul(hPrev, recurrentMask);
    const recurrent = layerNorm(
      ops,
      ops.matMul(h, params.recurrentKernel!),
      params.recurrentNormGamma!,
      params.recurrentNormBeta!,
      options.normEpsilon,
    );
    const [zi, zf, zc, zo] = splitLast(ops, ops.add(input, recurrent), 4) as [T, T, T, T];
    const c = layerNorm(
      ops,
      ops.add(ops.mul(gate(ops, zf), cPrev), ops.mul(gate(ops, zi), act(ops, zc))),
      params.stateNormGamma!,
      params.stateNormBeta!,
      options.normEpsilon,
    );
    const next = ops.mul(gate(ops, zo), act(ops, c));
    return { output: next, state: [next, c] };
  },
};
