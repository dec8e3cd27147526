/**
 * A cell plugin from "another package", with fused arithmetic of its own, for the checks that a package can give
 * the tfjs backends a `sequence` kernel without editing them (`registered-kernel-checks.ts`). Only what the package
 * exports is used (`@seqmodel/core`, and `FusedCellBase` and the activations from `@seqmodel/backend-tfjs/fused`).
 * A leaky simple RNN, with the leak `λ` an option (0.5 by default):
 *
 *   a = act(x·W + b + h·U)      h' = (1 − λ) · h + λ · a
 *
 * Backward, from d h' (`dNew`): d a = λ · d h', d(x·W + b + h·U) = d a · act'(a) (kept: a, over the projection),
 * and d h = (1 − λ) · d h' directly plus the recurrent product's part.
 */
import { affine, type CellPlugin, checkNumberInRange, getActivation } from '@seqmodel/core';
import { activate, type FusedActivationName, multiplyByDerivative } from '../fused/activations.js';
import type { FusedCellBinding } from '../fused/cell-bindings.js';
import { FusedCellBase } from '../fused/cells/cell-base.js';
import type { SequenceRun } from '../fused/sequence-run.js';

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

/** The leaky RNN's arithmetic for the host sequence runner. */
class LeakyRnnCell extends FusedCellBase {
  readonly gates = 1;
  readonly states = 1;
  private readonly product: Float32Array;

  constructor(
    run: SequenceRun,
    private readonly act: FusedActivationName,
    private readonly leak: number,
  ) {
    super(run);
    this.product = new Float32Array(run.batch * run.units);
  }

  forwardStep(tau: number): void {
    const run = this.run;
    const { batch, time, units } = run;
    const r = this.product;
    this.stepProduct(run.recurrentInput, 0, r);
    const x = run.projection;
    const bias = run.inputs.bias!;
    const h = run.state[0]!;
    const hNext = run.next[0]!;
    for (let b = 0; b < batch; b++) {
      const p = (b * time + tau) * units;
      const row = b * units;
      for (let j = 0; j < units; j++) x[p + j] = x[p + j]! + r[row + j]! + bias[j]!;
      activate(this.act, x, p, p + units);
      for (let j = 0; j < units; j++) {
        hNext[row + j] = (1 - this.leak) * h[row + j]! + this.leak * x[p + j]!;
      }
    }
  }

  backwardStep(tau: number): void {
    const run = this.run;
    const { batch, time, units } = run;
    const x = run.projection;
    const dx = run.dP;
    const dh = run.dPrevious[0]!;
    for (let b = 0; b < batch; b++) {
      if (!run.valid[b]) continue;
      const p = (b * time + tau) * units;
      const row = b * units;
      for (let j = 0; j < units; j++) {
        const dNew = run.dNew[row + j]!;
        dx[p + j] = this.leak * dNew;
        // h enters h' directly, not through the recurrent kernel.
        dh[row + j] = dh[row + j]! + (1 - this.leak) * dNew;
      }
      multiplyByDerivative(this.act, dx, p, x, p, units);
    }
    this.backpropagateRecurrent(dx, tau);
  }
}

/** The binding that `hostSequenceKernel` turns into a fused kernel. */
export const leakyRnnBinding: FusedCellBinding = {
  cell: leakyRnn,
  gates: 1,
  activationOptions: ['activation'],
  create: (run, options) =>
    new LeakyRnnCell(run, options.activation as FusedActivationName, options.leak as number),
};
