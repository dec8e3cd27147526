/**
 * Streaming: feed a model one time step at a time, carrying every recurrent layer's state from step to step, for
 * generation and real-time use. Stepping through a sequence gives the same outputs as the full-sequence forward pass
 * (for models whose layers read time forwards; Bidirectional and `goBackwards` layers need the whole sequence and are
 * refused).
 *
 * @example
 * const stream = model.stream();
 * for (const frame of frames) {          // frame: [batch, features]
 *   const y = stream.step(frame) as T;  // [batch, outputs]
 * }
 * stream.reset();
 */
import {
  type Backend,
  checkMaskValues,
  checkOptions,
  didYouMean,
  formatShape,
  invalidArgument,
  SeqmodelError,
  type TensorLike,
  toBackendTensor,
} from '@seqmodel/core';
import type { StateKey } from '../engine/context.js';
import { Layer } from '../engine/layer.js';
import type { PassModel } from '../engine/pass.js';
import { checkFitsSpec, type ShapeSpec } from '../engine/shape-spec.js';
import { checkStates } from '../engine/tensor-utils.js';
import { allLayers, wholeSequenceLayer } from '../engine/time-order.js';
import { hostValues, type InputValueChecks, isValueList } from '../training/data/batch.js';

/** The layers inside `layer` (itself included) that carry state: recurrent layers without inner layers. */
function stateLeaves(layer: Layer): Layer[] {
  if (layer.sublayers.length > 0) return layer.sublayers.flatMap(stateLeaves);
  return typeof (layer as { stateSizes?: unknown }).stateSizes === 'function' ? [layer] : [];
}

export interface StepOptions<T> {
  /**
   * Which rows are valid at this step (`[batch]`, 1 or 0, as a tensor or an array): masked rows keep their state and
   * repeat their previous output, as masked steps do in a full pass.
   */
  readonly mask?: T | readonly number[];
}

/** What a stream needs of its model (`Model` is one; the model class makes streams, so the stream cannot import it). */
export interface StreamableModel<T> extends PassModel<T>, InputValueChecks {
  /** Builds the model, or explains why it cannot be built yet. */
  countParams(): number;
  /** The model's inputs (after build): their shapes, `[batch, time, ...]` for a sequence. */
  readonly inputs: readonly { readonly shape: ShapeSpec }[];
}

export class ModelStream<T> {
  private readonly states = new Map<StateKey, T[]>();
  /** Each recurrent layer's last output, repeated at masked steps as a full pass does. */
  private readonly outputs = new Map<StateKey, T>();
  private readonly backend: Backend<T>;

  constructor(private readonly model: StreamableModel<T>) {
    this.backend = model.backend;
    model.countParams(); // builds the model or explains why it cannot be
    const whole = wholeSequenceLayer(model.layers);
    if (whole !== undefined) {
      throw new SeqmodelError(
        `${model.describe()} stream: ${whole.layer.describe()} ${whole.says}; it needs the whole sequence and cannot run one step at a time`,
      );
    }
  }

  /**
   * The step's inputs, one per model input, checked against the model's input without its time axis and given that
   * axis back (`[batch, 1, ...]`). `x` is taken as `predict` takes it: a tensor of the backend, `{ data, shape }` host
   * values or nested arrays of numbers, or a list of those (one per input; for a model of several inputs an array is
   * always the list). Every tensor made here is pushed to `created`.
   */
  private stepInputs(x: unknown, created: T[]): T[] {
    const b = this.backend;
    const specs = this.model.inputs.map((input) => input.shape);
    const values = isValueList(x, specs.length > 1) ? [...x] : [x];
    const what = `${this.model.describe()} stream step inputs`;
    if (values.length !== specs.length) {
      throw new SeqmodelError(
        `${what}: expected ${specs.length} (one per model input), received ${values.length}`,
      );
    }
    return values.map((value, i) => {
      const argument = specs.length === 1 ? what : `${what}[${i}]`;
      // Host values are checked before they become a tensor (an embedding's token ids), as predict checks them.
      const host = hostValues(value);
      if (host !== undefined) this.model.checkInputValues(i, host.values, host.shape, argument);
      const t = toBackendTensor(b, value, argument, created);
      const shape = b.shape(t);
      const spec = specs[i]!;
      checkFitsSpec(argument, shape, [spec[0] ?? null, ...spec.slice(2)]);
      const expanded = b.reshape(t, [shape[0]!, 1, ...shape.slice(1)]);
      created.push(expanded);
      return expanded;
    });
  }

  /**
   * Runs one time step. `x` is the step's input without the time axis (`[batch, features]`, or `[batch]` token ids),
   * one per model input: tensors, `{ data, shape }` host values or nested arrays of numbers (`[12, 5]`: one token id
   * per row), as `predict` takes them. Returns the model's outputs for this step, with the time axis removed from
   * outputs of rank 3 or more; the caller owns them.
   */
  step(
    x: T | readonly T[] | TensorLike<T> | readonly TensorLike<T>[],
    options: StepOptions<T> = {},
  ): T | T[] {
    const b = this.backend;
    checkOptions(`${this.model.describe()} stream step options`, options, ['mask']);
    const created: T[] = [];
    try {
      const expanded = this.stepInputs(x, created);
      let mask: T | undefined;
      if (options.mask !== undefined) {
        const batch = b.shape(expanded[0]!)[0]!;
        const m = options.mask;
        if (b.isTensor(m)) {
          const shape = b.shape(m);
          if (shape.length !== 1 || shape[0] !== batch) {
            throw new SeqmodelError(
              `${this.model.describe()} stream step mask: expected shape [${batch}], received shape ${formatShape(shape)}`,
            );
          }
          if (b.checkNumerics)
            checkMaskValues(b.dataSync(m), shape, `${this.model.describe()} stream step mask`);
          mask = b.reshape(m, [batch, 1]);
        } else {
          if (!Array.isArray(m) || m.length !== batch) {
            invalidArgument(
              `${this.model.describe()} stream step mask`,
              m,
              `${batch} values (one per batch row)`,
            );
          }
          checkMaskValues(m as readonly number[], [batch], `${this.model.describe()} stream step mask`);
          mask = b.tensor(Float32Array.from(m as readonly number[]), [batch, 1]);
        }
        created.push(mask);
      }
      const result = this.model.runPass(
        expanded.length === 1 ? expanded[0]! : expanded,
        {
          training: false,
          ...(mask === undefined
            ? {}
            : { mask: expanded.length === 1 ? mask : expanded.map((_, i) => (i === 0 ? mask : undefined)) }),
        },
        { carried: this.states, carriedOutputs: this.outputs },
      );
      b.dispose(result.masks.filter((m): m is T => m !== undefined));
      for (const [layer, states] of result.states) {
        const previous = this.states.get(layer);
        this.states.set(
          layer,
          states.map((s) => b.keep(s)),
        );
        if (previous !== undefined) b.dispose(previous);
      }
      for (const [layer, output] of result.lastOutputs) {
        const previous = this.outputs.get(layer);
        this.outputs.set(layer, b.keep(output));
        if (previous !== undefined) b.dispose(previous);
      }
      const outputs = result.outputs.map((y) => {
        const shape = b.shape(y);
        if (shape.length < 3) return y;
        const squeezed = b.reshape(y, [shape[0]!, ...shape.slice(2)]);
        b.dispose(y);
        return squeezed;
      });
      return outputs.length === 1 ? outputs[0]! : outputs;
    } finally {
      b.dispose(created);
    }
  }

  private resolve(layer: Layer | string): Layer {
    if (layer instanceof Layer) return layer;
    const found = this.model.layers.flatMap(allLayers).find((l) => l.name === layer || l.path === layer);
    if (found === undefined) {
      const names = this.model.layers.flatMap(allLayers).map((l) => l.name);
      throw new SeqmodelError(
        `${this.model.describe()} stream: no layer named ${JSON.stringify(layer)}${didYouMean(String(layer), names)}; expected one of ${names.join(', ')}`,
      );
    }
    return found;
  }

  /**
   * The states carried for `layer` (a recurrent layer, or a stack: its layers' states in order), or undefined before
   * its first step. The tensors stay owned by the stream.
   */
  getStates(layer: Layer | string): readonly T[] | undefined {
    const leaves = stateLeaves(this.resolve(layer));
    const parts = leaves.map((l) => this.states.get(l));
    if (leaves.length === 0 || parts.some((p) => p === undefined)) return undefined;
    return parts.flatMap((p) => p!);
  }

  /**
   * Sets the states `layer` starts the next step from (an encoder's final states for a decoder, say); the tensors are
   * copied. For a stack, give every layer's states in order.
   */
  setStates(layer: Layer | string, states: readonly T[]): void {
    const b = this.backend;
    const target = this.resolve(layer);
    const what = `${this.model.describe()} stream setStates(${target.name})`;
    const leaves = stateLeaves(target);
    const sizes = leaves.map((l) => (l as unknown as { stateSizes(): number[] }).stateSizes());
    // Every state is checked before any changes, so a failed call leaves the stream as it was.
    checkStates(b, what, states, sizes.flat());
    let offset = 0;
    leaves.forEach((leaf, i) => {
      const part = states
        .slice(offset, offset + sizes[i]!.length)
        .map((s) => b.keep(b.reshape(s, b.shape(s))));
      offset += sizes[i]!.length;
      const previous = this.states.get(leaf);
      this.states.set(leaf, part);
      if (previous !== undefined) b.dispose(previous);
      // A new starting state: masked steps before the first valid one output zeros, as a full pass with initialState.
      const output = this.outputs.get(leaf);
      if (output !== undefined) b.dispose(output);
      this.outputs.delete(leaf);
    });
  }

  /** Forgets every carried state; the next step starts from zeros. */
  reset(): void {
    for (const states of this.states.values()) this.backend.dispose(states);
    for (const output of this.outputs.values()) this.backend.dispose(output);
    this.states.clear();
    this.outputs.clear();
  }

  /** Frees the carried states. */
  dispose(): void {
    this.reset();
  }
}
