/**
 * One token at a time from any model kind: the step decoder runs a model on new tokens only, carrying what each layer
 * needs from the earlier ones in a `DecoderState` (a key/value cache per transformer decoder block, the states of
 * recurrent layers, the position count of the embeddings): each call costs O(steps so far), and the logits equal
 * those of a full pass over the whole prefix. Two kinds of model:
 *
 * - a causal language model `[tokens] → logits [batch, time, vocabulary]` (`transformerLanguageModel`, or a
 *   `sequential([embedding, lstm, dense])` character model): `stepDecoder(model)`;
 * - an `EncoderDecoderModel` (`transformerEncoderDecoder`, `rnnEncoderDecoder`): `start` runs the encoder once on the
 *   source, and every step feeds its outputs (with their padding mask) to the decoder model beside the new tokens.
 *
 * The decoding strategies (`generate.ts`) are written against this module only.
 */
import {
  type Backend,
  formatShape,
  invalidArgument,
  SeqmodelError,
  type TensorLike,
  toBackendTensor,
} from '@seqmodel/core';
import type { Model, StateKey } from '@seqmodel/layers';
import { EncoderDecoderModel } from '../models/encoder-decoder-model.js';

/** What a model's last output holds: logits (default) or probabilities (a softmax head). */
export type OutputKind = 'logits' | 'probabilities';

export interface StepDecoderOptions {
  /** What the model outputs (default `logits`); probabilities are turned into log-probabilities. */
  readonly outputs?: OutputKind;
}

/** What carries a decoding from one step to the next. Free it with `dispose` (or `decoder.dispose(state)`). */
export class DecoderState<T> {
  /** @internal */
  constructor(
    readonly decoder: StepDecoder<T>,
    /** Rows being decoded. */
    readonly batch: number,
    /** Tokens fed so far (per row). */
    readonly length: number,
    /** @internal Each layer's carried state (key/value caches, recurrent states, position counts). */
    readonly carried: ReadonlyMap<StateKey, readonly T[]>,
    /** @internal Inputs fed beside the tokens at every step (an encoder's outputs and states). */
    readonly context: readonly T[],
    /** @internal Their masks. */
    readonly contextMasks: readonly (T | undefined)[],
  ) {}

  /** Every tensor the state holds. */
  tensors(): T[] {
    return [
      ...[...this.carried.values()].flat(),
      ...this.context,
      ...this.contextMasks.filter((m): m is T => m !== undefined),
    ];
  }

  dispose(): void {
    this.decoder.backend.dispose(this.tensors());
  }
}

/** The result of one step: the next-token scores of the last position and the state after it. */
export interface StepResult<T> {
  /** `[batch, vocabulary]` log-probabilities up to a constant per row (logits, or the log of probabilities). */
  readonly logits: T;
  readonly state: DecoderState<T>;
}

export class StepDecoder<T> {
  readonly backend: Backend<T>;
  private readonly stepModel: Model<T>;
  private readonly encoder: Model<T> | undefined;
  private readonly outputs: OutputKind;

  constructor(model: Model<T> | EncoderDecoderModel<T>, options: StepDecoderOptions = {}) {
    if (model instanceof EncoderDecoderModel) {
      this.stepModel = model.decoder;
      this.encoder = model.encoder;
    } else if (
      typeof model === 'object' &&
      model !== null &&
      typeof (model as Model<T>).runPass === 'function'
    ) {
      this.stepModel = model as Model<T>;
      this.encoder = undefined;
    } else {
      invalidArgument(
        'stepDecoder(model)',
        model,
        'a model (a causal language model) or an EncoderDecoderModel',
      );
    }
    this.backend = this.stepModel.backend;
    this.outputs = options.outputs ?? 'logits';
    if (this.outputs !== 'logits' && this.outputs !== 'probabilities') {
      invalidArgument('stepDecoder outputs', this.outputs, '"logits" or "probabilities"');
    }
  }

  /** Whether `start` needs a source (an encoder-decoder). */
  get needsSource(): boolean {
    return this.encoder !== undefined;
  }

  /**
   * An empty state for `batch` rows; for an encoder-decoder, the encoder's outputs for `source` (`[batch, S]` ids, 0
   * for padding), which every step then attends to.
   */
  start(batch: number, source?: TensorLike<T>): DecoderState<T> {
    const b = this.backend;
    if (!Number.isInteger(batch) || batch < 1) invalidArgument('start batch', batch, 'a positive integer');
    if (this.encoder === undefined) {
      if (source !== undefined) {
        invalidArgument('start source', source, 'nothing: a language model decodes from its prompt alone');
      }
      return new DecoderState(this, batch, 0, new Map(), [], []);
    }
    if (source === undefined) invalidArgument('start source', source, `the source ids [${batch}, length]`);
    const created: T[] = [];
    const ids = toBackendTensor(b, source, 'start source', created);
    try {
      const shape = b.shape(ids);
      if (shape.length !== 2 || shape[0] !== batch) {
        throw new SeqmodelError(
          `start source: expected shape [${batch}, length] (one row per decoded row), received shape ${formatShape(shape)}`,
        );
      }
      const { outputs, masks } = this.encoder.applyWithMasks(ids);
      return new DecoderState(
        this,
        batch,
        0,
        new Map(),
        outputs.map((x) => b.keep(x)),
        masks.map((m) => (m === undefined ? undefined : b.keep(m))),
      );
    } finally {
      b.dispose(created);
    }
  }

  /**
   * Feeds `tokens` (`[batch, steps]` ids following what `state` has seen) and returns the scores of the next token
   * after the last of them, with the new state. `state` stays valid (and owned by the caller).
   */
  step(state: DecoderState<T>, tokens: TensorLike<T>): StepResult<T> {
    const b = this.backend;
    if (!(state instanceof DecoderState) || state.decoder !== this) {
      invalidArgument('step state', state, 'a DecoderState made by this decoder (start, step or select)');
    }
    const created: T[] = [];
    const ids = toBackendTensor(b, tokens, 'step tokens', created);
    try {
      const shape = b.shape(ids);
      if (shape.length !== 2 || shape[0] !== state.batch || shape[1]! < 1) {
        throw new SeqmodelError(
          `step tokens: expected shape [${state.batch}, steps] (the batch of the decoding state), received shape ${formatShape(shape)}`,
        );
      }
      const inputs = state.context.length === 0 ? ids : [ids, ...state.context];
      const pass = this.stepModel.runPass(
        inputs,
        {
          training: false,
          ...(state.context.length === 0 ? {} : { mask: [undefined, ...state.contextMasks] }),
        },
        { carried: state.carried, carriedOutputs: new Map() },
      );
      b.dispose([...pass.masks.filter((m): m is T => m !== undefined), ...pass.lastOutputs.values()]);
      b.dispose(pass.outputs.slice(1));
      const logits = b.tidy(() => {
        const y = pass.outputs[0]!;
        const [batch, time, vocabulary] = b.shape(y) as [number, number, number];
        const last = b.reshape(b.slice(y, [0, time - 1, 0], [batch, 1, vocabulary]), [batch, vocabulary]);
        return this.outputs === 'logits' ? last : b.log(b.maximum(last, 1e-30));
      });
      b.dispose(pass.outputs[0]!);
      const carried = new Map(state.carried);
      for (const [layer, tensors] of pass.states)
        carried.set(
          layer,
          tensors.map((t) => b.keep(t)),
        );
      // States no layer updated this time are shared with the previous state: copy them so each state owns its own.
      for (const [layer, tensors] of state.carried) {
        if (!pass.states.has(layer))
          carried.set(
            layer,
            tensors.map((t) => b.keep(b.reshape(t, b.shape(t)))),
          );
      }
      const context = state.context.map((t) => b.keep(b.reshape(t, b.shape(t))));
      const masks = state.contextMasks.map((m) =>
        m === undefined ? undefined : b.keep(b.reshape(m, b.shape(m))),
      );
      return {
        logits,
        state: new DecoderState(this, state.batch, state.length + shape[1]!, carried, context, masks),
      };
    } finally {
      b.dispose(created);
    }
  }

  /**
   * A new state whose row `i` is row `rows[i]` of `state` (rows may repeat): beam search keeps the rows of the beams
   * it extends. `state` stays valid.
   */
  select(state: DecoderState<T>, rows: readonly number[]): DecoderState<T> {
    const b = this.backend;
    if (!(state instanceof DecoderState) || state.decoder !== this) {
      invalidArgument('select state', state, 'a DecoderState made by this decoder');
    }
    if (
      !Array.isArray(rows) ||
      rows.length === 0 ||
      rows.some((r) => !Number.isInteger(r) || r < 0 || r >= state.batch)
    ) {
      invalidArgument('select rows', rows, `a non-empty array of row indices in [0, ${state.batch})`);
    }
    const index = b.tensor(Int32Array.from(rows), [rows.length], 'int32');
    try {
      const pick = (t: T) => b.keep(b.gather(t, index, 0));
      const carried = new Map<StateKey, T[]>();
      for (const [layer, tensors] of state.carried) carried.set(layer, tensors.map(pick));
      return new DecoderState(
        this,
        rows.length,
        state.length,
        carried,
        state.context.map(pick),
        state.contextMasks.map((m) => (m === undefined ? undefined : pick(m))),
      );
    } finally {
      b.dispose(index);
    }
  }
}

/**
 * A step decoder for a causal language model or an encoder-decoder.
 *
 * @example
 * const decoder = stepDecoder(lm);
 * const empty = decoder.start(1);
 * const { logits, state } = decoder.step(empty, [[3, 5, 7]]);  // the prompt at once
 * const next = decoder.step(state, [[argmax]]);                // then one token at a time
 */
export function stepDecoder<T>(
  model: Model<T> | EncoderDecoderModel<T>,
  options: StepDecoderOptions = {},
): StepDecoder<T> {
  return new StepDecoder(model, options);
}
