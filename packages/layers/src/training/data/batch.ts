/**
 * The batch a training or test step runs on (`StepBatch`): tensors of the model's backend, one per model input and
 * output, with per-input masks and lengths and the sample weights. In-memory data and dataset batches become one
 * through core's batch contract: their values (tensors, `{ data, shape }` host arrays or nested arrays of numbers)
 * go through core's `batchToTensors`, and this module checks them against the model (one per input and output, the
 * same rows everywhere).
 *
 * Tensors the caller gives stay the caller's; tensors made from host arrays are listed in the batch's `owned` and
 * freed after use.
 *
 * Values are checked where that needs no read back from the device: host masks must hold only 0 and 1, and host
 * inputs go through the checks of the layers that read them (an embedding's token ids). With `backend.checkNumerics`
 * the tensors are read and checked too: inputs, targets and sample weights finite, masks 0 or 1.
 */
import {
  assertFinite,
  type Backend,
  type Batch,
  type BatchField,
  batchToTensors,
  checkMaskValues,
  formatShape,
  invalidArgument,
  isHostTensor,
  isNestedNumbers,
  type Lengths,
  SeqmodelError,
  type TensorLike,
} from '@seqmodel/core';

export type { HostTensor, TensorLike } from '@seqmodel/core';

/** One tensor-like, or one per model input / output. */
export type TensorsLike<T> = TensorLike<T> | readonly TensorLike<T>[];

/** Valid lengths per sequence: an array, an `Int32Array`, or an int tensor `[batch]`. */
export type LengthsLike<T> = Lengths<T>;

/** A batch ready for a step: tensors of the backend, and the tensors made for it (freed after the step). */
export interface StepBatch<T> {
  readonly xs: T[];
  readonly ys: T[];
  readonly masks: (T | undefined)[];
  readonly lengths: (number[] | undefined)[];
  readonly sampleWeight: T | undefined;
  /** Rows in the batch. */
  readonly size: number;
  /** Tensors made for this batch, freed after use. */
  readonly owned: T[];
}

/** Frees the tensors made for a batch. */
export function releaseBatch<T>(backend: Backend<T>, batch: StepBatch<T>): void {
  backend.dispose(batch.owned);
}

/** How errors name a batch's fields: as the user spelled them (`fit(x, y, { sampleWeight })`, a batch's `inputs`). */
export type FieldLabels = Readonly<Record<BatchField, string>>;

/** `fit(x, y, { mask, lengths, sampleWeight })`'s names (Keras' arguments), also those of the deprecated batch spelling. */
export const ARGUMENT_LABELS: FieldLabels = {
  inputs: 'x',
  targets: 'y',
  mask: 'mask',
  lengths: 'lengths',
  sampleWeights: 'sampleWeight',
};

/** The names of core's batch contract. */
export const BATCH_LABELS: FieldLabels = {
  inputs: 'inputs',
  targets: 'targets',
  mask: 'mask',
  lengths: 'lengths',
  sampleWeights: 'sampleWeights',
};

/** Numbers of model inputs and outputs a batch must match; `outputs` 0 takes no targets (`predict`). */
export interface Counts {
  readonly inputs: number;
  readonly outputs: number;
}

/** What the model checks of host input values before they become tensors (see `Layer.checkInputValues`). */
export interface InputValueChecks {
  checkInputValues(
    input: number,
    values: ArrayLike<number>,
    shape: readonly number[],
    argument: string,
  ): void;
}

export interface StepBatchOptions {
  /** An input given both a mask and lengths uses the mask (data sets' batches carry both); otherwise an error. */
  readonly maskOverLengths?: boolean;
  readonly checks?: InputValueChecks;
}

/** A host value's numbers and shape (`{ data, shape }` or nested arrays), or undefined for a tensor. */
export function hostValues(value: unknown): { values: ArrayLike<number>; shape: number[] } | undefined {
  if (isHostTensor(value)) return { values: value.data, shape: [...value.shape] };
  if (!isNestedNumbers(value)) return undefined;
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return { values: (value as unknown[]).flat(Number.POSITIVE_INFINITY) as number[], shape };
}

/**
 * Whether `value` is a list of per-input values rather than one input's: an array that is not nested numbers, or,
 * when `always` (a model of several inputs), any array.
 */
export function isValueList(value: unknown, always: boolean): value is unknown[] {
  return Array.isArray(value) && (always || !isNestedNumbers(value));
}

/**
 * One entry per model input from a value that is one input's or a list of them, as `batchToTensors` reads it: an
 * array is a list when it is not nested numbers, or (`listWhenSeveral`, inputs) whenever the model has several.
 */
function perInputValues(value: unknown, inputs: number, listWhenSeveral: boolean): unknown[] {
  if (!isValueList(value, listWhenSeveral && inputs > 1)) return [value];
  return inputs === 1 && value.length !== 1 ? [value] : value;
}

/**
 * A step batch from core's `Batch` of tensor-likes: converts it with `batchToTensors`, checks one value per model
 * input and output (a list holding one is accepted for one), reads the lengths back to the host, checks that every
 * array has the same rows (at least one) and checks values (see the module comment). Errors name the fields by
 * `labels` after `what`.
 */
export function toStepBatch<T>(
  backend: Backend<T>,
  batch: Batch<unknown>,
  counts: Counts,
  what: string,
  labels: FieldLabels,
  options: StepBatchOptions = {},
): StepBatch<T> {
  const name = (field: BatchField) => `${what} ${labels[field]}`;
  const fields = counts.outputs === 0 ? (['inputs'] as const) : (['inputs', 'targets'] as const);
  for (const field of fields) {
    if (batch[field] === undefined || batch[field] === null)
      invalidArgument(name(field), batch[field], 'tensors');
  }
  const owned: T[] = [];
  try {
    const source = counts.outputs === 0 ? { ...batch, targets: undefined } : batch;
    const t = batchToTensors(backend, source as Batch<TensorLike<T>>, {
      names: {
        inputs: name('inputs'),
        targets: name('targets'),
        mask: name('mask'),
        lengths: name('lengths'),
        sampleWeights: name('sampleWeights'),
      },
      created: owned,
      counts: { inputs: counts.inputs, targets: counts.outputs },
    });
    const xs = perModel(t.inputs, counts.inputs, name('inputs'), 'input');
    const ys = counts.outputs === 0 ? [] : perModel(t.targets!, counts.outputs, name('targets'), 'output');
    const masks = perInput(t.mask, xs.length, name('mask'), 'masks');
    const lengths = perInput(t.lengths, xs.length, name('lengths'), 'lengths arrays').map((l, i) =>
      l === undefined || (options.maskOverLengths && masks[i] !== undefined)
        ? undefined
        : Array.from(backend.dataSync(l)),
    );
    const sampleWeight = t.sampleWeights;
    const size = checkRows(backend, what, labels, xs, ys, masks, lengths, sampleWeight);
    const indexed = (field: BatchField, i: number, count: number) =>
      count > 1 ? `${name(field)}[${i}]` : name(field);
    xs.forEach((x, i) => {
      const shape = backend.shape(x);
      const input = xs.length > 1 ? `${labels.inputs}[${i}]` : labels.inputs;
      const mask = masks[i];
      if (mask !== undefined && lengths[i] !== undefined) {
        throw new SeqmodelError(
          `${indexed('mask', i, xs.length)}: expected either a mask or lengths for ${input}, received both`,
        );
      }
      if (mask !== undefined) {
        const got = backend.shape(mask);
        if (shape.length < 2 || got.length !== 2 || got[1] !== shape[1]) {
          throw new SeqmodelError(
            `${indexed('mask', i, xs.length)}: expected shape [${shape[0]}, ${shape[1] ?? 'time'}] ([batch, time] of ${input} ${formatShape(shape)}), received shape ${formatShape(got)}`,
          );
        }
      }
      const bad = lengths[i]?.findIndex((l) => shape.length < 2 || l > shape[1]!) ?? -1;
      if (bad >= 0) {
        invalidArgument(
          `${indexed('lengths', i, xs.length)}[${bad}]`,
          lengths[i]![bad],
          shape.length < 2
            ? `no lengths: ${input} ${formatShape(shape)} has no time axis`
            : `an integer in [0, ${shape[1]}] (the time steps of ${input} ${formatShape(shape)})`,
        );
      }
    });
    // Host values are checked on the host: no read back from the device.
    perInputValues(batch.inputs, xs.length, true).forEach((value, i) => {
      const host = hostValues(value);
      if (host !== undefined)
        options.checks?.checkInputValues(i, host.values, host.shape, indexed('inputs', i, xs.length));
    });
    if (batch.mask !== undefined) {
      perInputValues(batch.mask, xs.length, false).forEach((value, i) => {
        const host = hostValues(value);
        if (host !== undefined) checkMaskValues(host.values, host.shape, indexed('mask', i, xs.length));
      });
    }
    if (backend.checkNumerics) {
      xs.forEach((x, i) => {
        assertFinite(backend, x, indexed('inputs', i, xs.length));
      });
      ys.forEach((y, i) => {
        assertFinite(backend, y, indexed('targets', i, ys.length));
      });
      if (sampleWeight !== undefined) assertFinite(backend, sampleWeight, name('sampleWeights'));
      masks.forEach((m, i) => {
        if (m !== undefined)
          checkMaskValues(backend.dataSync(m), backend.shape(m), indexed('mask', i, xs.length));
      });
    }
    return { xs, ys, masks, lengths, sampleWeight, size, owned };
  } catch (error) {
    backend.dispose(owned);
    throw error;
  }
}

/**
 * One tensor per model input (or output): `count` 1 takes one value or a list holding one, several take a list of
 * exactly that many.
 */
function perModel<T>(value: T | (T | undefined)[], count: number, argument: string, kind: string): T[] {
  const list = Array.isArray(value) ? value : undefined;
  if (count === 1) {
    if (list === undefined) return [value as T];
    if (list.length === 1) return [list[0]!];
    throw new SeqmodelError(
      `${argument}: expected one tensor (the model has 1 ${kind}), received a list of ${list.length}`,
    );
  }
  if (list === undefined || list.length !== count) {
    throw new SeqmodelError(
      `${argument}: expected a list of ${count} tensors (one per model ${kind}), received ${list === undefined ? 'one tensor' : `a list of ${list.length}`}`,
    );
  }
  return list as T[];
}

/** One value (or none) per model input: a single value is the first input's; a list has one per input. */
function perInput<T>(
  value: T | (T | undefined)[] | undefined,
  inputs: number,
  argument: string,
  what: string,
) {
  const none = Array.from({ length: inputs }, () => undefined as T | undefined);
  if (value === undefined) return none;
  if (!Array.isArray(value)) {
    none[0] = value;
    return none;
  }
  if (value.length !== inputs) {
    throw new SeqmodelError(
      `${argument}: expected ${inputs} ${what} (one per input), received ${value.length}`,
    );
  }
  return value;
}

/** Checks that every array has the same number of rows; returns it. */
function checkRows<T>(
  backend: Backend<T>,
  what: string,
  labels: FieldLabels,
  xs: readonly T[],
  ys: readonly T[],
  masks: readonly (T | undefined)[],
  lengths: readonly (readonly number[] | undefined)[],
  sampleWeight: T | undefined,
): number {
  const rows = (t: T) => backend.shape(t)[0];
  const n = rows(xs[0]!);
  if (n === undefined) {
    throw new SeqmodelError(`${what} ${labels.inputs}: expected a batch axis, received a scalar`);
  }
  if (n === 0) {
    throw new SeqmodelError(
      `${what} ${labels.inputs}: expected at least one sample, received none (shape ${formatShape(backend.shape(xs[0]!))})`,
    );
  }
  const check = (name: string, count: number | undefined, shape?: readonly number[]) => {
    if (count !== n) {
      throw new SeqmodelError(
        `${what} ${name}: expected ${n} rows (as ${labels.inputs}${xs.length > 1 ? '[0]' : ''}), received ${count ?? 'a scalar'}${shape ? ` (shape ${formatShape(shape)})` : ''}`,
      );
    }
  };
  xs.forEach((x, i) => {
    check(xs.length > 1 ? `${labels.inputs}[${i}]` : labels.inputs, rows(x), backend.shape(x));
  });
  ys.forEach((y, i) => {
    check(ys.length > 1 ? `${labels.targets}[${i}]` : labels.targets, rows(y), backend.shape(y));
  });
  masks.forEach((m, i) => {
    if (m !== undefined) check(masks.length > 1 ? `mask[${i}]` : 'mask', rows(m), backend.shape(m));
  });
  lengths.forEach((l, i) => {
    if (l !== undefined) check(lengths.length > 1 ? `lengths[${i}]` : 'lengths', l.length);
  });
  if (sampleWeight !== undefined)
    check(labels.sampleWeights, rows(sampleWeight), backend.shape(sampleWeight));
  return n;
}
