/**
 * Truncated backpropagation through time: a long batch is cut along time into chunks of `steps`; each chunk is a
 * forward pass, a backward pass and an optimizer update, and every recurrent layer starts the next chunk from the
 * states the previous chunk ended with. Those states are copied through the host first, so they are new tensors
 * with no history: gradients never cross a chunk boundary, whatever the backend's autodiff keeps. Each batch starts
 * from zero states.
 *
 * Targets of sequence outputs (rank 3 or more: `[batch, time, ...]`) are cut with the inputs and count in every
 * chunk. Targets of per-sequence outputs (`[batch, ...]`, many to one) count only in the last chunk; the chunks
 * before it run forwards only, carrying the states.
 */
import {
  type Backend,
  checkOptions,
  checkPositiveInteger,
  formatShape,
  invalidArgument,
  type Rng,
  SeqmodelError,
} from '@seqmodel/core';
import { PendingUpdates, type StateKey } from '../engine/context.js';
import { sliceAxis } from '../engine/tensor-utils.js';
import { wholeSequenceLayer } from '../engine/time-order.js';
import { LossTracker, type StepLosses } from './compile.js';
import { releaseBatch, type StepBatch } from './data/batch.js';
import {
  applyStep,
  beginTrainStep,
  type KeptPass,
  maskOptions,
  passInputs,
  type StepContext,
} from './steps.js';
import type { TrainableModel } from './trainable.js';

export interface TbpttOptions {
  /** Time steps per chunk. */
  readonly steps: number;
}

/** Checks the option and the model: every layer must read time forwards. Returns the chunk length. */
export function checkTbptt<T>(model: TrainableModel<T>, options: unknown, what: string): number {
  if (typeof options !== 'object' || options === null)
    invalidArgument(`${what} tbptt`, options, 'an object { steps }');
  checkOptions(`${what} tbptt`, options, ['steps']);
  const steps = checkPositiveInteger(`${what} tbptt.steps`, (options as TbpttOptions).steps);
  const whole = wholeSequenceLayer(model.layers, true);
  if (whole !== undefined) {
    const why =
      whole.reason === 'readsBackwards'
        ? 'truncated backpropagation through time needs layers that read forwards'
        : 'truncated backpropagation through time cuts the sequence into chunks it would read across';
    throw new SeqmodelError(`${what} tbptt: ${whole.layer.describe()} ${whole.says}; ${why}`);
  }
  return steps;
}

/** The time length shared by the batch's inputs (axis 1). */
export function sequenceLength<T>(backend: Backend<T>, batch: StepBatch<T>, what: string): number {
  const lengths = batch.xs.map((x) => backend.shape(x)[1]);
  const time = lengths[0];
  if (time === undefined || lengths.some((t) => t !== time)) {
    throw new SeqmodelError(
      `${what} tbptt: every input needs the same time axis (axis 1) to be cut into chunks, received shapes ${batch.xs.map((x) => formatShape(backend.shape(x))).join(', ')}`,
    );
  }
  return time;
}

/**
 * The chunk [start, start + size) of `batch`: inputs, masks and lengths cut along time, targets of sequence outputs
 * (`sequenceOutputs[i]`) too, per-step sample weights too. The chunk's tensors are its own (`owned`).
 */
export function chunkOf<T>(
  backend: Backend<T>,
  batch: StepBatch<T>,
  start: number,
  size: number,
  sequenceOutputs: readonly boolean[],
  what: string,
): StepBatch<T> {
  const time = backend.shape(batch.xs[0]!)[1]!;
  const owned: T[] = [];
  const cut = (t: T) => {
    const part = sliceAxis(backend, t, 1, start, size);
    owned.push(part);
    return part;
  };
  try {
    const ys = batch.ys.map((y, i) => {
      if (!sequenceOutputs[i]) return y;
      const shape = backend.shape(y);
      if (shape.length < 2 || shape[1] !== time) {
        throw new SeqmodelError(
          `${what} tbptt: the target of a sequence output must have the inputs' time axis (${time} steps at axis 1) to be cut into chunks, received shape ${formatShape(shape)}`,
        );
      }
      return cut(y);
    });
    let sampleWeight = batch.sampleWeight;
    if (sampleWeight !== undefined && backend.shape(sampleWeight).length >= 2) {
      if (backend.shape(sampleWeight)[1] === time) sampleWeight = cut(sampleWeight);
    }
    return {
      xs: batch.xs.map(cut),
      ys,
      masks: batch.masks.map((m) => (m === undefined ? undefined : cut(m))),
      lengths: batch.lengths.map((l) => l?.map((n) => Math.max(0, Math.min(size, n - start)))),
      sampleWeight,
      size: batch.size,
      owned,
    };
  } catch (error) {
    backend.dispose(owned);
    throw error;
  }
}

/** Carried recurrent states and last outputs between chunks. */
export interface Carry<T> {
  readonly states: Map<StateKey, T[]>;
  readonly outputs: Map<StateKey, T>;
}

/**
 * New tensors holding the values of `fresh`, made from host copies so that they have no autodiff history, after
 * which `fresh` and `previous` (the carry the chunk started from) are freed.
 */
export function detachCarry<T>(backend: Backend<T>, fresh: Carry<T>, previous: Carry<T>): Carry<T> {
  const copy = (t: T) => backend.tensor(backend.dataSync(t), backend.shape(t), backend.dtype(t));
  const states = new Map<StateKey, T[]>();
  const outputs = new Map<StateKey, T>();
  try {
    for (const [key, list] of fresh.states) states.set(key, list.map(copy));
    for (const [key, output] of fresh.outputs) outputs.set(key, copy(output));
  } catch (error) {
    disposeCarry(backend, { states, outputs });
    throw error;
  } finally {
    disposeCarry(backend, fresh);
    disposeCarry(backend, previous);
  }
  return { states, outputs };
}

export function disposeCarry<T>(backend: Backend<T>, carry: Carry<T>): void {
  for (const list of carry.states.values()) backend.dispose(list);
  for (const output of carry.outputs.values()) backend.dispose(output);
}

/**
 * One training step on a batch cut into chunks of `steps` time steps: one update per chunk, the states carried from
 * chunk to chunk without their history; updates the metrics. The batch's losses are the chunks' losses weighted by
 * their time steps.
 */
export function trainStepTbptt<T>(
  context: StepContext<T>,
  batch: StepBatch<T>,
  rng: Rng,
  what: string,
  steps: number,
): StepLosses {
  const { model, compiled } = context;
  const backend = model.backend;
  const { valueAndGrads, variables } = beginTrainStep(context, batch, what);
  const s = compiled.setup();
  const time = sequenceLength(backend, batch, what);
  let carry: Carry<T> = { states: new Map(), outputs: new Map() };
  // The batch's losses: the chunks' losses weighted by their time steps.
  const chunkLosses = new LossTracker();
  try {
    for (let start = 0; start < time; start += steps) {
      const size = Math.min(steps, time - start);
      const last = start + size >= time;
      const counted = s.sequence.map((sequence) => sequence || last);
      const chunk = chunkOf(backend, batch, start, size, s.sequence, what);
      try {
        // Each chunk draws its own dropout masks and noise (the first the step's own stream): one stream for every
        // chunk would repeat the first chunk's draws in the others, as Keras never does when it trains a stateful
        // model on consecutive pieces of a sequence.
        const options = { training: true, rng: start === 0 ? rng : rng.fork(start), ...maskOptions(chunk) };
        const streaming = { carried: carry.states, carriedOutputs: carry.outputs };
        if (!counted.some(Boolean)) {
          // Only per-sequence targets, and this is not the last chunk: run forwards to carry the states on (no
          // update follows, so the weight updates the pass records are assigned at once).
          const pass = model.runPass(passInputs(chunk), options, streaming);
          backend.dispose([...pass.outputs, ...pass.masks.filter((m): m is T => m !== undefined)]);
          carry = detachCarry(backend, { states: pass.states, outputs: pass.lastOutputs }, carry);
          continue;
        }
        let kept: (KeptPass<T> & { carry: Carry<T> }) | undefined;
        // Weight updates the pass records are assigned once the chunk's update has been applied (`applyStep`).
        const pending = new PendingUpdates(backend);
        try {
          const { value, grads } = valueAndGrads(
            (...weights: T[]) => {
              const pass = model.runPass(passInputs(chunk), { ...options, weights }, streaming, {
                pendingUpdates: pending,
              });
              const { total, perOutput } = compiled.lossesOf(pass.outputs, pass.masks, chunk, what, counted);
              const keepAll = <V extends T | undefined>(list: V[]) =>
                list.map((t) => (t === undefined ? t : backend.keep(t as T)));
              const states = new Map<object, T[]>();
              for (const [key, list] of pass.states) states.set(key, keepAll(list) as T[]);
              const outputs = new Map<object, T>();
              for (const [key, output] of pass.lastOutputs) outputs.set(key, backend.keep(output));
              kept = {
                outputs: keepAll(pass.outputs) as T[],
                masks: keepAll(pass.masks),
                perOutput: keepAll(perOutput) as T[],
                carry: { states, outputs },
              };
              return total;
            },
            variables.map((v) => v.read<T>()),
          );
          try {
            chunkLosses.add(
              applyStep(context, chunk, what, value, grads, variables, kept, counted, pending),
              size,
            );
          } finally {
            if (kept !== undefined) carry = detachCarry(backend, kept.carry, carry);
          }
        } finally {
          pending.discard();
        }
      } finally {
        releaseBatch(backend, chunk);
      }
    }
  } finally {
    disposeCarry(backend, carry);
  }
  return chunkLosses.mean();
}
