/**
 * Looking inside a model (`model.inspect`): one forward pass in which every recurrent layer keeps its states and
 * gate activations at every step (core's `traceSequence`), and, for a scalar objective (the compiled loss against
 * targets, or any function of the outputs), the gradients with respect to each recurrent layer's hidden state at
 * every step, ∂L/∂h_t, and to its input at every step, ∂L/∂x_t. The first shows vanishing gradients through time;
 * the second is Distill's connectivity ("Memorization in RNNs"): how much an output depends on each earlier input.
 *
 * Gradients come from zero probes added to the recurrent layers' inputs and hidden states in a second pass under the
 * backend's `valueAndGrads`; adding zeros changes nothing, and the gradient with respect to a probe is the total
 * derivative with respect to what it was added to.
 */
import { type Backend, formatShape, invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { StateKey } from '../engine/context.js';
import type { ApplyOptions, CarriedPassOutputs, CarriedStates, PassHooks } from '../engine/pass.js';
import type { RecurrentProbes, RecurrentTraceRecord, RecurrentTracer } from '../engine/recurrent-trace.js';
import { reverseTime } from '../engine/tensor-utils.js';

/** A scalar objective of a pass: its outputs and their masks in, a float32 scalar tensor out. */
export type InspectObjective<T> = (outputs: readonly T[], masks: readonly (T | undefined)[]) => T;

/** Options of `model.inspect`. */
export interface InspectOptions<T> {
  /** Input masks, as `apply` takes them. */
  readonly mask?: ApplyOptions<T>['mask'];
  /** Valid lengths per input, as `apply` takes them. */
  readonly lengths?: ApplyOptions<T>['lengths'];
  /**
   * The targets of the model's outputs: the objective is then the compiled loss (the model must be compiled), with
   * masks and sample weights applied as in training. Give `targets` or `objective`, not both.
   */
  readonly targets?: T | readonly T[];
  /** With `targets`: sample weights, as `trainOnBatch` takes them. */
  readonly sampleWeight?: T;
  /**
   * Any scalar of the outputs to differentiate, e.g. one output unit at one step (Distill's connectivity of that
   * step). Runs inside the backend's `valueAndGrads`: build it from backend ops on the given tensors.
   */
  readonly objective?: InspectObjective<T>;
}

/** One recurrent layer of an inspected pass. Steps are in input order, also for layers that read backwards. */
export interface RecurrentInspection<T> {
  /** The layer's path (`lstm`, `bidirectional/forward_gru`, `stacked/lstm_1`). */
  readonly path: string;
  /** The cell's registry name. */
  readonly cell: string;
  readonly goBackwards: boolean;
  /** Each state (`h`, `c`, ...) after every step, `[batch, time, size]`. */
  readonly states: Readonly<Record<string, T>>;
  /** The cell's gate activations at every step (`CellStepResult.gates`), `[batch, time, size]`; empty for none. */
  readonly gates: Readonly<Record<string, T>>;
  /** With an objective: ∂objective/∂h_t, `[batch, time, outputSize]` (through the output and all later steps). */
  readonly stateGradients?: T;
  /** With an objective: ∂objective/∂x_t for the layer's input sequence, `[batch, time, features]`. */
  readonly inputGradients?: T;
}

/** What `model.inspect` returns; the caller owns every tensor in it (`dispose()` frees them all). */
export interface ModelInspection<T> {
  /** The model's outputs (dropout off), one per output. */
  readonly outputs: T[];
  /** The recurrent layers in the order they ran (a Bidirectional's forward layer, then its backward one). */
  readonly recurrent: RecurrentInspection<T>[];
  /** The objective's value, when there is one. */
  readonly objective?: number;
  dispose(): void;
}

/** What the inspection needs of a model: its backend and a pass that takes a tracer. */
export interface InspectableModel<T> {
  readonly backend: Backend<T>;
  describe(): string;
  runPass(
    inputs: T | readonly T[],
    options: ApplyOptions<T>,
    carried: CarriedStates<T>,
    hooks?: PassHooks<T>,
  ): CarriedPassOutputs<T>;
}

/** Collects the traces of one pass; in the first pass it keeps their tensors out of the pass's `tidy`. */
class Tracer<T> implements RecurrentTracer<T> {
  readonly records = new Map<StateKey, RecurrentTraceRecord<T>>();

  constructor(
    private readonly backend: Backend<T>,
    private readonly what: string,
    private readonly keep: boolean,
    private readonly probes?: ReadonlyMap<StateKey, RecurrentProbes<T>>,
  ) {}

  probesFor(layer: StateKey): RecurrentProbes<T> | undefined {
    return this.probes?.get(layer);
  }

  record(layer: StateKey, record: RecurrentTraceRecord<T>): void {
    if (this.records.has(layer)) {
      throw new SeqmodelError(
        `${this.what}: the recurrent layer ${record.path} runs more than once in one pass (a shared layer); inspecting shared recurrent layers is not supported`,
      );
    }
    if (this.keep) {
      for (const t of [...record.trace.states, ...Object.values(record.trace.gates)]) this.backend.keep(t);
    }
    this.records.set(layer, record);
  }
}

/**
 * Runs the inspection (see the module comment) of `inputs` through `model`. `objective` (or none) is already
 * resolved by the caller (`Model.inspect`).
 */
export function inspectModel<T>(
  model: InspectableModel<T>,
  inputs: T | readonly T[],
  passOptions: ApplyOptions<T>,
  objective: InspectObjective<T> | undefined,
): ModelInspection<T> {
  const backend = model.backend;
  const what = `${model.describe()} inspect`;
  const options: ApplyOptions<T> = { ...passOptions, training: false, updateStates: false };
  const tracer = new Tracer(backend, what, true);
  const owned: T[] = [];
  try {
    const first = model.runPass(inputs, options, {}, { tracer });
    owned.push(...first.outputs);
    for (const record of tracer.records.values()) {
      owned.push(...record.trace.states, ...Object.values(record.trace.gates));
    }
    backend.dispose(first.masks.filter((m): m is T => m !== undefined));
    const gradients =
      objective === undefined ? undefined : probeGradients(model, inputs, options, tracer, objective, what);
    if (gradients !== undefined) owned.push(gradients.value, ...gradients.grads);
    const recurrent = [...tracer.records.values()].map((record, i) => {
      const inTime = (t: T): T => {
        if (!record.goBackwards) return t;
        const reversed = reverseTime(backend, t);
        owned.push(reversed);
        return reversed;
      };
      const states: Record<string, T> = {};
      record.stateNames.forEach((name, k) => {
        states[name] = inTime(record.trace.states[k]!);
      });
      const gates: Record<string, T> = {};
      for (const [name, gate] of Object.entries(record.trace.gates)) gates[name] = inTime(gate);
      const inspection: RecurrentInspection<T> = {
        path: record.path,
        cell: record.cell,
        goBackwards: record.goBackwards,
        states,
        gates,
        ...(gradients === undefined
          ? {}
          : {
              inputGradients: gradients.grads[2 * i]!,
              stateGradients: inTime(gradients.grads[2 * i + 1]!),
            }),
      };
      return inspection;
    });
    const value = gradients === undefined ? undefined : backend.dataSync(gradients.value)[0]!;
    // Free what was reordered away: the processing-order originals of layers that read backwards.
    const kept = new Set<T>([
      ...first.outputs,
      ...recurrent.flatMap((r) => [
        ...Object.values(r.states),
        ...Object.values(r.gates),
        ...(r.stateGradients === undefined ? [] : [r.stateGradients]),
        ...(r.inputGradients === undefined ? [] : [r.inputGradients]),
      ]),
    ]);
    backend.dispose(owned.filter((t) => !kept.has(t)));
    const result = {
      outputs: first.outputs,
      recurrent,
      ...(value === undefined ? {} : { objective: value }),
    };
    return { ...result, dispose: () => backend.dispose([...kept]) };
  } catch (error) {
    // The traces kept so far (a pass that failed half-way kept some of them), and whatever was made after the pass.
    const traced = [...tracer.records.values()].flatMap((r) => [
      ...r.trace.states,
      ...Object.values(r.trace.gates),
    ]);
    backend.dispose([...new Set([...traced, ...owned])]);
    throw error;
  }
}

/**
 * The second pass: zero probes on every traced layer's input and hidden state, the objective differentiated with
 * respect to them. `grads` holds, per traced layer in order, the input gradient then the state gradient.
 */
function probeGradients<T>(
  model: InspectableModel<T>,
  inputs: T | readonly T[],
  options: ApplyOptions<T>,
  traced: Tracer<T>,
  objective: InspectObjective<T>,
  what: string,
): { value: T; grads: T[] } {
  const backend = model.backend;
  if (typeof backend.valueAndGrads !== 'function') {
    throw new SeqmodelError(
      `${what}: backend ${backend.name} cannot compute gradients (it has no valueAndGrads); inspect without targets or objective, or use a backend such as @seqmodel/backend-cpu`,
    );
  }
  if (traced.records.size === 0) {
    throw new SeqmodelError(`${what}: the model has no recurrent layer to take gradients through time of`);
  }
  const layers = [...traced.records.keys()];
  const zeros = layers.flatMap((layer) => {
    const { inputShape, outputSize } = traced.records.get(layer)!;
    const [batch, time] = inputShape;
    return [backend.fill([...inputShape], 0), backend.fill([batch, time, outputSize], 0)];
  });
  try {
    return backend.valueAndGrads((...probes: T[]) => {
      const byLayer = new Map<StateKey, RecurrentProbes<T>>(
        layers.map((layer, i) => [layer, { input: probes[2 * i]!, output: probes[2 * i + 1]! }]),
      );
      const pass = model.runPass(inputs, options, {}, { tracer: new Tracer(backend, what, false, byLayer) });
      const value = objective(pass.outputs, pass.masks);
      // Checked here, so that the message names the objective rather than valueAndGrads' function.
      if (!backend.isTensor(value))
        invalidArgument(`${what} objective's result`, value, 'a float32 scalar tensor');
      const shape = backend.shape(value);
      if (shape.length !== 0) {
        throw new SeqmodelError(
          `${what} objective's result: expected a scalar tensor (shape []), received shape ${formatShape(shape)}; reduce it, e.g. with backend.sum`,
        );
      }
      if (backend.dtype(value) !== 'float32') {
        throw new SeqmodelError(
          `${what} objective's result: expected a float32 scalar tensor, received ${backend.dtype(value)}`,
        );
      }
      return value;
    }, zeros);
  } finally {
    backend.dispose(zeros);
  }
}
