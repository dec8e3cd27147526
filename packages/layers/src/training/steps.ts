/**
 * The steps (Keras' `train_step` and `test_step`). A training step is one `backend.valueAndGrads` over
 * the model's pass `(x, { training: true, weights, rng })` and the compiled losses (each output's mask excludes its
 * masked steps), followed by the optimizer's update and the metric updates; a test step is the forward pass (dropout
 * off), the losses and the metrics. Truncated BPTT cuts a training step into chunks (`tbptt.ts`).
 */
import { assertFinite, type Backend, type Rng, SeqmodelError } from '@seqmodel/core';
import { PendingUpdates } from '../engine/context.js';
import type { ApplyOptions } from '../engine/pass.js';
import type { Compiled, StepLosses } from './compile.js';
import type { StepBatch } from './data/batch.js';
import type { OptimizerVariable } from './optimizers/index.js';
import type { TrainableModel } from './trainable.js';

/** What a step works on: the model and what it was compiled with. */
export interface StepContext<T> {
  readonly model: TrainableModel<T>;
  readonly compiled: Compiled<T>;
}

/** What a training step's forward pass keeps out of the gradient tape for the update and the metrics. */
export interface KeptPass<T> {
  readonly outputs: T[];
  readonly masks: (T | undefined)[];
  readonly perOutput: T[];
}

/** The batch's masks and lengths as a pass's options (one model input: the value itself, several: a list). */
export function maskOptions<T>(batch: StepBatch<T>): Pick<ApplyOptions<T>, 'mask' | 'lengths'> {
  const single = batch.xs.length === 1;
  const out: { mask?: ApplyOptions<T>['mask']; lengths?: ApplyOptions<T>['lengths'] } = {};
  if (batch.masks.some((m) => m !== undefined)) out.mask = single ? batch.masks[0] : batch.masks;
  if (batch.lengths.some((l) => l !== undefined)) out.lengths = single ? batch.lengths[0] : batch.lengths;
  return out;
}

/** The batch's inputs as a pass takes them. */
export function passInputs<T>(batch: StepBatch<T>): T | T[] {
  return batch.xs.length === 1 ? batch.xs[0]! : batch.xs;
}

/**
 * What every training step starts with: the backend's gradients (or an error saying it has none), the model built
 * for the batch, the compiled setup resolved, and the trainable weights (or an error when there are none).
 */
export function beginTrainStep<T>(
  { model, compiled }: StepContext<T>,
  batch: StepBatch<T>,
  what: string,
): { valueAndGrads: NonNullable<Backend<T>['valueAndGrads']>; variables: readonly OptimizerVariable[] } {
  const backend = model.backend;
  if (typeof backend.valueAndGrads !== 'function') {
    throw new SeqmodelError(
      `${what}: backend ${backend.name} cannot compute gradients (it has no valueAndGrads; the float64 reference is forward-only); train on a backend such as @seqmodel/backend-cpu`,
    );
  }
  const valueAndGrads = backend.valueAndGrads.bind(backend);
  model.buildFor(batch.xs);
  compiled.setup();
  const variables = model.trainableWeights;
  if (variables.length === 0) throw new SeqmodelError(`${what}: the model has no trainable weights`);
  return { valueAndGrads, variables };
}

/** One training step on a batch: one update; updates the metrics. */
export function trainStep<T>(
  context: StepContext<T>,
  batch: StepBatch<T>,
  rng: Rng,
  what: string,
): StepLosses {
  const { model, compiled } = context;
  const backend = model.backend;
  const { valueAndGrads, variables } = beginTrainStep(context, batch, what);
  let kept: KeptPass<T> | undefined;
  // Moving statistics the pass records are assigned only once the update has been applied (`applyStep`).
  const pending = new PendingUpdates(backend);
  try {
    const { value, grads } = valueAndGrads(
      (...weights: T[]) => {
        const { outputs, masks } = model.runPass(
          passInputs(batch),
          { training: true, weights, rng, ...maskOptions(batch) },
          {},
          { pendingUpdates: pending },
        );
        const { total, perOutput } = compiled.lossesOf(outputs, masks, batch, what);
        kept = {
          outputs: outputs.map((o) => backend.keep(o)),
          masks: masks.map((m) => (m === undefined ? undefined : backend.keep(m))),
          perOutput: perOutput.map((l) => backend.keep(l)),
        };
        return total;
      },
      variables.map((v) => v.read<T>()),
    );
    return applyStep(context, batch, what, value, grads, variables, kept, undefined, pending);
  } finally {
    pending.discard();
  }
}

/**
 * The end of a training step (or of a tbptt chunk): applies `grads` to `variables` (with `backend.checkNumerics`,
 * only once the loss and every gradient are found finite) and then the pass's `pending` weight updates (moving
 * statistics; a step that fails before leaves them unassigned), reads the losses and updates the metrics of outputs
 * `counted` (all by default) from the forward pass's `kept` tensors, then frees the loss, the gradients and those
 * tensors.
 */
export function applyStep<T>(
  { model, compiled }: StepContext<T>,
  batch: StepBatch<T>,
  what: string,
  value: T,
  grads: T[],
  variables: readonly OptimizerVariable[],
  kept: KeptPass<T> | undefined,
  counted?: readonly boolean[],
  pending?: PendingUpdates<T>,
): StepLosses {
  const backend = model.backend;
  try {
    if (backend.checkNumerics) {
      // Before the update, so that a bad step leaves the weights as they were.
      assertFinite(backend, value, `${what} loss`);
      grads.forEach((g, i) => {
        assertFinite(backend, g, `${what} gradient of ${variables[i]!.name}`);
      });
    }
    compiled.optimizer.applyGradients(backend, grads, variables);
    pending?.commit();
    const losses = compiled.readLosses(value, kept!.perOutput);
    compiled.updateMetrics(kept!.outputs, kept!.masks, batch, what, counted);
    return losses;
  } finally {
    backend.dispose([value, ...grads]);
    if (kept !== undefined) {
      backend.dispose([
        ...kept.outputs,
        ...kept.perOutput,
        ...kept.masks.filter((m): m is T => m !== undefined),
      ]);
    }
  }
}

/** Loss and metrics of a batch without training (dropout off). */
export function testStep<T>(
  { model, compiled }: StepContext<T>,
  batch: StepBatch<T>,
  what: string,
): StepLosses {
  const backend = model.backend;
  model.buildFor(batch.xs);
  compiled.setup();
  const { outputs, masks } = model.applyWithMasks(passInputs(batch), {
    training: false,
    ...maskOptions(batch),
  });
  try {
    const losses = backend.tidy(() => {
      const { total, perOutput } = compiled.lossesOf(outputs, masks, batch, what);
      return compiled.readLosses(total, perOutput);
    });
    compiled.updateMetrics(outputs, masks, batch, what);
    return losses;
  } finally {
    backend.dispose([...outputs, ...masks.filter((m): m is T => m !== undefined)]);
  }
}
