/**
 * A cell plugin from "another package", for the checks that a package can give the tfjs backends a `sequence` kernel
 * of its own without editing them (`registered-kernel-checks.ts`) and for the compiled kernels' checks. Only
 * `@seqmodel/core`'s public API is used. A leaky simple RNN, with the leak `λ` an option (0.5 by default):
 *
 *   a = act(x·W + b + h·U)      h' = (1 − λ) · h + λ · a
 */
import { affine, type CellPlugin, checkNumberInRange, getActivation } from '@seqmodel/core';

export interface LeakyRnnOptions {
  readonly activation: string;
  /** λ in [0, 1]: how much of the new activation enters the state. */
  readonly leak: number;
}

export const leakyRnn: CellPlugin<LeakyRnnOptions> = {
  specificationVersion: 'v1',
  name: 'testLeakyRNN',
  description: 'Leaky simple RNN (test fixture for kernels registered from outside)',
  defaultOptions: { activation: 'tanh', leak: 0.5 },
  validateOptions(options) {
    getActivation(options.activation, 'testLeakyRNN.activation');
    checkNumberInRange('testLeakyRNN.leak', options.leak, 0, 1);
  },
  params: ({ inputSize, units }) => [
    { name: 'kernel', shape: [inputSize, units], initializer: 'glorotUniform' },
    { name: 'recurrentKernel', shape: [units, units], initializer: 'orthogonal' },
    { name: 'bias', shape: [units], initializer: 'zeros' },
  ],
  state: ({ units }) => [{ name: 'h', size: units }],
  projectInput: (ops, x, params) => affine(ops, x, params.kernel!, params.bias),
  step(ops, { input, state, params, dims }) {
    const h = state[0]!;
    const act = getActivation(dims.options.activation, 'testLeakyRNN.activation');
    const a = act(ops, ops.add(input, ops.matMul(h, params.recurrentKernel!)));
    const next = ops.add(ops.mul(h, 1 - dims.options.leak), ops.mul(a, dims.options.leak));
    return { output: next, state: [next] };
  },
};
