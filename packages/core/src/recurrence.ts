/**
 * Running a cell over a sequence. `scanCell` is the generic loop: always correct, written only against `Ops`, and
 * the definition that backends' fused kernels are tested against. `runSequence` picks a backend's fused kernel
 * (kind `sequence`) when it has one that supports the arguments, and otherwise runs `scanCell`, logging why.
 */
import type { Backend } from './backend.js';
import type { AnyCellPlugin, CellDims, StateSpec } from './cell.js';
import { checkPositiveInteger, invalidArgument, SeqmodelError } from './errors.js';
import { type FusedPolicy, selectKernel } from './kernel-table.js';
import { assertSequenceFinite, namedSequenceTensors } from './numerics.js';
import type { Ops } from './ops.js';
import { optionKeys } from './option-keys.js';
import { checkOptions, isPlainObject } from './options.js';
import { ParamReads } from './param-reads.js';
import { checkParams, outputSizeOf, resolveCellOptions } from './params.js';
import { checkPlugin } from './registry.js';
import type { SequenceArgs, SequenceResult } from './sequence.js';
import { checkRank, checkShape, formatShape } from './shape.js';
import { checkBackendSpecification, checkCellSpecification } from './specification.js';

/** What {@link checkSequenceArgs} derives from valid arguments. */
export interface SequenceInfo {
  readonly dims: CellDims;
  readonly batch: number;
  readonly time: number;
  readonly states: readonly StateSpec[];
  readonly outputSize: number;
}

/**
 * Validates sequence arguments and derives their sizes. Fused kernels call it too, so both paths reject the same
 * inputs with the same messages.
 */
export function checkSequenceArgs<T>(ops: Ops<T>, args: SequenceArgs<T>): SequenceInfo {
  const { cell } = args;
  checkCellSpecification(cell, `args.cell (${cell.name})`);
  const inputShape = ops.shape(args.inputs);
  checkRank(`${cell.name} inputs`, inputShape, 3, '[batch, time, features]');
  const [batch, time, inputSize] = inputShape as [number, number, number];
  if (batch < 1 || time < 1 || inputSize < 1) {
    invalidArgument(`${cell.name} inputs shape`, inputShape, 'batch, time and features of at least 1');
  }
  checkPositiveInteger(`${cell.name} units`, args.units);
  const dims: CellDims = { inputSize, units: args.units, options: resolveCellOptions(cell, args.options) };
  checkParams(ops, cell, dims, args.params, `inputSize ${inputSize} from inputs ${formatShape(inputShape)}`);
  const states = cell.state(dims);
  if (args.initialState !== undefined) {
    if (args.initialState.length !== states.length) {
      throw new SeqmodelError(
        `${cell.name} initialState: expected ${states.length} tensors (${states.map((s) => s.name).join(', ')}), ` +
          `received ${args.initialState.length}`,
      );
    }
    states.forEach((s, i) => {
      checkShape(`${cell.name} initialState[${i}] (${s.name})`, ops.shape(args.initialState![i]!), [
        batch,
        s.size,
      ]);
    });
  }
  if (args.mask !== undefined) checkShape(`${cell.name} mask`, ops.shape(args.mask), [batch, time]);
  if (args.recurrentMask !== undefined) {
    if (!cell.supportsRecurrentDropout) {
      throw new SeqmodelError(`${cell.name} recurrentMask: this cell does not support recurrent dropout`);
    }
    checkShape(`${cell.name} recurrentMask`, ops.shape(args.recurrentMask), [batch, states[0]?.size ?? 0]);
  }
  return { dims, batch, time, states, outputSize: outputSizeOf(cell, dims) };
}

/** The keys of {@link SequenceArgs}; the compiler checks the list against the interface. */
const sequenceArgKeys = optionKeys<SequenceArgs<unknown>>({
  cell: true,
  options: true,
  units: true,
  inputs: true,
  params: true,
  initialState: true,
  mask: true,
  goBackwards: true,
  returnSequences: true,
  zeroMaskedOutputs: true,
  recurrentMask: true,
});

/**
 * Throws a `SeqmodelError` naming `argument` unless `x` is a live tensor of `backend`: the backend's own reason (a
 * disposed tensor, one of another backend) with `argument` in place of the name its `shape` gives the tensor.
 */
function checkTensorArgument<T>(backend: Backend<T>, x: unknown, argument: string): void {
  // `shape` checks its argument as the backend checks any (`isTensor` need not refuse a disposed tensor).
  const probe = 'shape(x): ';
  try {
    backend.shape(x as T);
  } catch (error) {
    if (error instanceof SeqmodelError && error.message.startsWith(probe)) {
      throw new SeqmodelError(`${argument}: ${error.message.slice(probe.length)}`);
    }
    throw error;
  }
  if (!backend.isTensor(x)) invalidArgument(argument, x, `a tensor of backend ${backend.name}`);
}

/**
 * What every entry point checks before a kernel or the loop reads `args`, so that both paths refuse the same mistakes
 * with the same messages: an object of known keys (a misspelt `goBackward` would otherwise be ignored), a cell plugin
 * object (not a name), flags that are booleans (`goBackwards: "false"` would run backwards), and params and initial
 * states in their containers. All of it reads no tensor: the tensors are checked by {@link namingTensors}, and shapes
 * by `checkSequenceArgs`.
 */
function checkSequenceCall<T>(args: SequenceArgs<T>, what: string, more: readonly string[] = []): void {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    invalidArgument(`${what}(args)`, args, 'an object { cell, units, inputs, params, ... }');
  }
  // An object of another class is read by its own keys, as a plain one.
  checkOptions(`${what} args`, isPlainObject(args) ? args : { ...args }, [...sequenceArgKeys, ...more]);
  const cell: unknown = args.cell;
  if (typeof cell === 'string') {
    invalidArgument(
      `${what} args.cell`,
      cell,
      `a cell plugin object (getCell(${JSON.stringify(cell)}) gives the registered cell of that name)`,
    );
  }
  // The registry's check of a plugin object, but any name: this one is not looked up by it.
  const named = typeof (cell as { name?: unknown } | null)?.name === 'string';
  checkPlugin(
    cell,
    named ? `args.cell (${(cell as AnyCellPlugin).name})` : `${what} args.cell`,
    undefined,
    true,
  );
  const name = cell.name;
  for (const flag of ['goBackwards', 'returnSequences', 'zeroMaskedOutputs'] as const) {
    const value = args[flag];
    if (value !== undefined && typeof value !== 'boolean')
      invalidArgument(`${name} ${flag}`, value, 'true or false');
  }
  if (typeof args.params !== 'object' || args.params === null || Array.isArray(args.params)) {
    invalidArgument(`${name} params`, args.params, 'an object of tensors by parameter name');
  }
  if (args.initialState !== undefined && !Array.isArray(args.initialState)) {
    invalidArgument(`${name} initialState`, args.initialState, 'an array of tensors, one per state');
  }
}

/**
 * Runs `run`; when it throws, first checks that every tensor of `args` is a live tensor of `backend` and, if one is
 * not, throws that instead, named as the argument it is (`gru mask`, `gru params.kernel`): a kernel or the loop
 * would otherwise name it by the op that met it (`shape(x)`). The tensors are read only then, so that a call that
 * succeeds pays nothing for the names.
 */
function namingTensors<T, R>(backend: Backend<T>, args: TraceSequenceArgs<T>, run: () => R): R {
  try {
    return run();
  } catch (error) {
    for (const [tensor, argument] of namedSequenceTensors(args, { outputProbe: args.outputProbe })) {
      checkTensorArgument(backend, tensor, argument);
    }
    throw error;
  }
}

/**
 * The generic loop over time. Computes the cell's input projection for all steps in one call, then runs `step` once
 * per time step, keeping the previous state (and output) at masked steps.
 */
export function scanCell<T>(backend: Backend<T>, args: SequenceArgs<T>): SequenceResult<T> {
  checkBackendSpecification(backend, 'scanCell(backend)');
  checkSequenceCall(args, 'scanCell');
  return namingTensors(backend, args, () => scanChecked(backend, args));
}

/** {@link scanCell} once `checkSequenceCall` has passed (`runSequence` falls back to it). */
function scanChecked<T>(backend: Backend<T>, args: SequenceArgs<T>): SequenceResult<T> {
  const info = checkSequenceArgs(backend, args);
  return backend.tidy(() => {
    const { outputs, state } = loopOverTime(backend, args, info, undefined);
    return sequenceResult(backend, args, outputs, state);
  });
}

/**
 * The output (every step's, stacked, or the last) and the final states, as tensors of their own: a step may return a
 * state unchanged (or its first state as the output), so the loop can end on one of the caller's tensors (an
 * initial state), which the caller would otherwise free with the results, or on one tensor for two results. Those
 * are copied (a reshape to the same shape, which shares the data), as a fused kernel's results are new tensors too.
 */
function sequenceResult<T>(
  backend: Backend<T>,
  args: SequenceArgs<T>,
  outputs: readonly T[],
  state: readonly T[],
): SequenceResult<T> {
  const output = args.returnSequences ? backend.stack(outputs, 1) : outputs[outputs.length - 1]!;
  const callers = new Set<T>([
    args.inputs,
    ...(args.initialState ?? []),
    ...Object.values(args.params),
    ...(args.mask === undefined ? [] : [args.mask]),
    ...(args.recurrentMask === undefined ? [] : [args.recurrentMask]),
  ]);
  // Each result its own tensor too: a step that returns its new state as its output (every built-in cell) would
  // otherwise give the last step's output as `output` and `state[0]` both, so that freeing the states freed the output.
  const given = new Set<T>();
  const own = (t: T) => {
    const copy = callers.has(t) || given.has(t) ? backend.reshape(t, backend.shape(t)) : t;
    given.add(copy);
    return copy;
  };
  return { output: own(output), state: state.map(own) };
}

/** Arguments of {@link traceSequence}: a sequence, and optionally a probe to differentiate with respect to. */
export interface TraceSequenceArgs<T> extends SequenceArgs<T> {
  /**
   * `[batch, time, outputSize]`, added to each step's output before the mask applies; zeros change nothing. When
   * the cell returns its output as its first state (`h`, as every built-in cell does), the sum is carried as that
   * state into the next step too, so the gradient of a loss with respect to the probe is ∂L/∂h_t at every step: the
   * total derivative, through that step's output and through every later step. Row t is the t-th step processed
   * (reversed with `goBackwards`, like the outputs); at masked steps the sum is discarded, so its gradient is 0.
   */
  readonly outputProbe?: T;
}

/** What {@link traceSequence} returns: `runSequence`'s result and every step's states and gate activations. */
export interface SequenceTrace<T> extends SequenceResult<T> {
  /** Each declared state (in the cell's order: `h`, `c`, ...) after every step, `[batch, time, size]`. */
  readonly states: T[];
  /**
   * The gate activations the cell reports (`CellStepResult.gates`) at every step, by name, `[batch, time, size]`;
   * empty for cells that report none (the simple RNN). At masked steps they are what the cell computed there,
   * although the step's result was discarded.
   */
  readonly gates: Record<string, T>;
}

/**
 * Runs a cell over a sequence through the generic loop, as {@link scanCell}, and also returns the states after every
 * step and the cell's gate activations at every step, for visualizations and for studying a model (how saturated
 * are the gates, which units carry memory). With `outputProbe` it gives ∂L/∂h_t per step under the backend's
 * `valueAndGrads` (see {@link TraceSequenceArgs}). Steps are in processing order, as the outputs; never a fused
 * kernel, since those keep no per-step values.
 *
 * @example
 * const trace = traceSequence(backend, { cell: getCell('lstm'), units: 8, inputs, params, returnSequences: true });
 * backend.shape(trace.gates.forget); // [batch, time, 8]: σ(f) at every step
 * backend.shape(trace.states[1]!); // [batch, time, 8]: the cell state c after every step
 */
export function traceSequence<T>(backend: Backend<T>, args: TraceSequenceArgs<T>): SequenceTrace<T> {
  checkBackendSpecification(backend, 'traceSequence(backend)');
  checkSequenceCall(args, 'traceSequence', ['outputProbe']);
  return namingTensors(backend, args, () => {
    const info = checkSequenceArgs(backend, args);
    if (args.outputProbe !== undefined) {
      checkShape(`${args.cell.name} outputProbe`, backend.shape(args.outputProbe), [
        info.batch,
        info.time,
        info.outputSize,
      ]);
    }
    return backend.tidy(() => {
      const trace: StepRecord<T> = { states: info.states.map(() => []), gates: new Map() };
      const loop = loopOverTime(backend, args, info, trace, args.outputProbe);
      const { output, state } = sequenceResult(backend, args, loop.outputs, loop.state);
      const states = trace.states.map((steps) => backend.stack(steps, 1));
      const gates: Record<string, T> = {};
      for (const [name, steps] of trace.gates) {
        if (steps.length !== info.time) {
          throw new SeqmodelError(
            `traceSequence: the cell ${args.cell.name} reported gate ${JSON.stringify(name)} at ${steps.length} of ${info.time} steps; a cell reports the same gates at every step`,
          );
        }
        gates[name] = backend.stack(steps, 1);
      }
      return { output, state, states, gates };
    });
  });
}

/** Per-step values collected by the traced loop. */
interface StepRecord<T> {
  readonly states: T[][];
  readonly gates: Map<string, T[]>;
}

/**
 * The loop shared by {@link scanCell} and {@link traceSequence}; runs inside the caller's `tidy`. Returns every
 * step's output (in processing order) and the final state; with `record`, also collects each step's states and gates.
 */
function loopOverTime<T>(
  backend: Backend<T>,
  args: TraceSequenceArgs<T>,
  info: SequenceInfo,
  record: StepRecord<T> | undefined,
  outputProbe?: T,
): { outputs: T[]; state: T[] } {
  const reads = new ParamReads(args.params);
  let result: { outputs: T[]; state: T[] };
  try {
    result = runLoop(backend, { ...args, params: reads.params }, info, record, outputProbe);
  } catch (error) {
    throw reads.explain(error, args.cell.name);
  }
  // Thrown inside the caller's tidy, which frees what the loop made.
  reads.checkMisspelled(args.cell.name);
  return result;
}

/** {@link loopOverTime}, its `args.params` being those the cell's code reads (see `ParamReads`). */
function runLoop<T>(
  backend: Backend<T>,
  args: TraceSequenceArgs<T>,
  info: SequenceInfo,
  record: StepRecord<T> | undefined,
  outputProbe?: T,
): { outputs: T[]; state: T[] } {
  const { cell, params } = args;
  const { dims, batch, time } = info;
  let stepInputs: T[];
  if (cell.projectInput) {
    const flat = backend.reshape(args.inputs, [batch * time, dims.inputSize]);
    const projected = cell.projectInput(backend, flat, params, dims);
    const width = backend.shape(projected)[1]!;
    stepInputs = backend.unstack(backend.reshape(projected, [batch, time, width]), 1);
  } else {
    stepInputs = backend.unstack(args.inputs, 1);
  }
  let stepMasks =
    args.mask === undefined ? undefined : backend.unstack(backend.reshape(args.mask, [batch, time, 1]), 1);
  if (args.goBackwards) {
    // Reverse copies: a backend's autodiff tape may hold the very array `unstack` returned (tfjs does), and
    // reversing it in place would send each step's gradient to the mirrored step.
    stepInputs = [...stepInputs].reverse();
    stepMasks = stepMasks === undefined ? undefined : [...stepMasks].reverse();
  }
  // The probe is already in processing order (see TraceSequenceArgs), so it is not reversed.
  const probes = outputProbe === undefined ? undefined : backend.unstack(outputProbe, 1);
  const prepared = cell.prepare?.(backend, params, dims);
  let state: T[] = args.initialState
    ? [...args.initialState]
    : info.states.map((s) => backend.fill([batch, s.size], 0));
  let previousOutput = stepMasks ? backend.fill([batch, info.outputSize], 0) : undefined;
  const outputs: T[] = [];
  for (let t = 0; t < time; t++) {
    const m = stepMasks?.[t];
    const probe = probes?.[t];
    const result = backend.tidy(() => {
      const next = cell.step(backend, {
        input: stepInputs[t]!,
        state,
        params,
        dims,
        prepared,
        ...(args.recurrentMask === undefined ? {} : { recurrentMask: args.recurrentMask }),
      });
      let output = next.output;
      const nextState = [...next.state];
      if (probe !== undefined) {
        const probed = backend.add(output, probe);
        if (nextState[0] === output) nextState[0] = probed;
        output = probed;
      }
      const gates = record === undefined ? {} : { ...next.gates };
      if (m === undefined) return { output, state: nextState, gates };
      return {
        output: backend.where(m, output, args.zeroMaskedOutputs ? 0 : previousOutput!),
        state: nextState.map((s, i) => backend.where(m, s, state[i]!)),
        gates,
      };
    });
    state = result.state;
    previousOutput = result.output;
    outputs.push(result.output);
    if (record !== undefined) {
      state.forEach((s, i) => {
        record.states[i]!.push(s);
      });
      for (const [name, gate] of Object.entries(result.gates)) {
        const steps = record.gates.get(name) ?? [];
        steps.push(gate);
        record.gates.set(name, steps);
      }
    }
  }
  return { outputs, state };
}

/**
 * Runs a cell over a sequence on `backend`: through the first of the backend's `sequence` kernels for this cell
 * that supports the arguments (policy `auto`, the default; see `selectKernel`), else through {@link scanCell}.
 * `never` always runs the generic loop; `require` throws instead of falling back. With `backend.checkNumerics`,
 * every tensor argument is first checked for NaN and ±Infinity (see `assertSequenceFinite`).
 */
export function runSequence<T>(
  backend: Backend<T>,
  args: SequenceArgs<T>,
  policy: FusedPolicy = 'auto',
): SequenceResult<T> {
  checkBackendSpecification(backend, 'runSequence(backend)');
  checkSequenceCall(args, 'runSequence');
  return namingTensors(backend, args, () => {
    if (backend.checkNumerics) {
      checkSequenceArgs(backend, args);
      assertSequenceFinite(backend, args);
    }
    const kernel = selectKernel<T, SequenceArgs<T>, SequenceResult<T>>(
      backend,
      'sequence',
      args.cell.name,
      args,
      policy,
    );
    return kernel ? kernel.run(args) : scanChecked(backend, args);
  });
}
