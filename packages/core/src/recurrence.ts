/**
 * Running a cell over a sequence. `scanCell` is the generic loop: always correct, written only against `Ops`, and
 * the definition that backends' fused kernels are tested against. `runSequence` picks a backend's fused kernel
 * (kind `sequence`) when it has one that supports the arguments, and otherwise runs `scanCell`, logging why.
 */
import type { Backend } from './backend.js';
import type { CellDims, StateSpec } from './cell.js';
import { checkPositiveInteger, invalidArgument, SeqmodelError } from './errors.js';
import { type FusedPolicy, selectKernel } from './kernel-table.js';
import { assertSequenceFinite } from './numerics.js';
import type { Ops } from './ops.js';
import { checkParams, outputSizeOf, resolveCellOptions } from './params.js';
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
  checkPositiveInteger('units', args.units);
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

/**
 * The generic loop over time. Computes the cell's input projection for all steps in one call, then runs `step` once
 * per time step, keeping the previous state (and output) at masked steps.
 */
export function scanCell<T>(backend: Backend<T>, args: SequenceArgs<T>): SequenceResult<T> {
  checkBackendSpecification(backend, 'scanCell(backend)');
  const { cell, params } = args;
  const info = checkSequenceArgs(backend, args);
  const { dims, batch, time } = info;
  return backend.tidy(() => {
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
    const prepared = cell.prepare?.(backend, params, dims);
    let state: T[] = args.initialState
      ? [...args.initialState]
      : info.states.map((s) => backend.fill([batch, s.size], 0));
    let previousOutput = stepMasks ? backend.fill([batch, info.outputSize], 0) : undefined;
    const outputs: T[] = [];
    for (let t = 0; t < time; t++) {
      const m = stepMasks?.[t];
      const result = backend.tidy(() => {
        const next = cell.step(backend, {
          input: stepInputs[t]!,
          state,
          params,
          dims,
          prepared,
          ...(args.recurrentMask === undefined ? {} : { recurrentMask: args.recurrentMask }),
        });
        if (m === undefined) return { output: next.output, state: [...next.state] };
        return {
          output: backend.where(m, next.output, args.zeroMaskedOutputs ? 0 : previousOutput!),
          state: next.state.map((s, i) => backend.where(m, s, state[i]!)),
        };
      });
      state = result.state;
      previousOutput = result.output;
      outputs.push(result.output);
    }
    const output = args.returnSequences ? backend.stack(outputs, 1) : outputs[time - 1]!;
    return { output, state };
  });
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
  return kernel ? kernel.run(args) : scanCell(backend, args);
}
