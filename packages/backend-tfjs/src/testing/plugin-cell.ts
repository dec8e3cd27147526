/**
 * A cell plugin written only against core's public API, used to check that any such cell trains on a tfjs
 * backend: the minimal gated unit (Zhou et al., 2016), one forget gate f shared by the update and the reset:
 *
 *   f = σ(x·W_f + h·U_f + b_f)      ĥ = tanh(x·W_h + (f * h)·U_h + b_h)      h' = (1 − f) * h + f * ĥ
 */
import { affine, type CellPlugin, sliceLast, splitLast } from '@seqmodel/core';

export const minimalGatedUnit: CellPlugin<Record<string, never>> = {
  name: 'testMinimalGatedUnit',
  description: 'Minimal gated unit (test fixture for the tfjs binding)',
  defaultOptions: {},
  params: ({ inputSize, units }) => [
    { name: 'kernel', shape: [inputSize, 2 * units], initializer: 'glorotUniform', gates: 2 },
    { name: 'recurrentKernel', shape: [units, 2 * units], initializer: 'orthogonal', gates: 2 },
    { name: 'bias', shape: [2 * units], initializer: 'zeros', gates: 2 },
  ],
  state: ({ units }) => [{ name: 'h', size: units }],
  projectInput: (ops, x, params) => affine(ops, x, params.kernel!, params.bias),
  step(ops, { input, state, params, dims }) {
    const h = state[0]!;
    const [xf, xh] = splitLast(ops, input, 2) as [typeof h, typeof h];
    const u = params.recurrentKernel!;
    const f = ops.sigmoid(ops.add(xf, ops.matMul(h, sliceLast(ops, u, 0, dims.units))));
    const candidate = ops.tanh(
      ops.add(xh, ops.matMul(ops.mul(f, h), sliceLast(ops, u, dims.units, dims.units))),
    );
    const next = ops.add(ops.mul(ops.sub(1, f), h), ops.mul(f, candidate));
    return { output: next, state: [next] };
  },
};
