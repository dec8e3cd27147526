/**
 * What a traced forward pass asks of its recurrent layers (`model.inspect`): each recurrent layer runs core's
 * `traceSequence` instead of `runSequence`, adds the probes it is given (zeros, so that gradients with respect to
 * them are the gradients with respect to its inputs and hidden states) and hands over every step's states and gate
 * activations.
 */
import type { SequenceTrace } from '@seqmodel/core';

/** Zero tensors a recurrent layer adds in a traced pass, so that gradients with respect to them can be taken. */
export interface RecurrentProbes<T> {
  /** `[batch, time, inputSize]`, added to the layer's input sequence: its gradient is ∂objective/∂x_t. */
  readonly input?: T;
  /** `[batch, time, outputSize]` in processing order (core's `outputProbe`): its gradient is ∂objective/∂h_t. */
  readonly output?: T;
}

/** What one recurrent layer reports of a traced pass. */
export interface RecurrentTraceRecord<T> {
  /** The layer's path (`lstm`, `bidirectional/backward_gru`, `stacked/lstm_1`). */
  readonly path: string;
  /** The cell's registry name. */
  readonly cell: string;
  /** The cell's state names, in the order of `trace.states`. */
  readonly stateNames: readonly string[];
  /** Whether the layer reads its input from the last step to the first (the trace is then in that order). */
  readonly goBackwards: boolean;
  /** The input sequence's shape `[batch, time, features]` and the size of each step's output. */
  readonly inputShape: readonly [number, number, number];
  readonly outputSize: number;
  /** Core's trace, in processing order, owned by the tracer. */
  readonly trace: SequenceTrace<T>;
}

/** The receiver of a traced pass, given to recurrent layers through the call context; layers are keyed by object. */
export interface RecurrentTracer<T> {
  /** The probes `layer` adds in this pass, if any. */
  probesFor(layer: object): RecurrentProbes<T> | undefined;
  /** Receives `layer`'s trace; the tracer owns its tensors from then on. */
  record(layer: object, record: RecurrentTraceRecord<T>): void;
}
