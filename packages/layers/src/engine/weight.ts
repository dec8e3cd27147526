/**
 * A layer's weight: a named, shaped tensor on the backend the layer was built on, with a trainable flag. Weights are
 * listed in Keras order (per layer as the layer declares them, layers in model order), and their full names
 * (`lstm_1/kernel`, `bidirectional/forward_lstm/recurrent_kernel`) are what saving and Keras import match on.
 */
import {
  assertFinite,
  type Backend,
  checkShape,
  describeValue,
  formatShape,
  type HostTensor,
  invalidArgument,
  isHostTensor,
  isNestedNumbers,
  type NestedArray,
  SeqmodelError,
  sizeOfShape,
  tensorFromNested,
} from '@seqmodel/core';

export class LayerWeight {
  private value: unknown;
  private disposed = false;

  /**
   * @param name - full name, `<layer path>/<weight name>`, unique within a model.
   * @param shortName - the name within its layer (`kernel`, `recurrent_kernel`, `bias`, `embeddings`).
   * @param key - the key the layer reads it by (for recurrent layers: the cell's parameter name, `recurrentKernel`).
   */
  constructor(
    readonly name: string,
    readonly shortName: string,
    readonly key: string,
    readonly shape: readonly number[],
    /** Whether training may change it (also off when its layer is frozen; see `Layer.trainable`). */
    public trainable: boolean,
    private readonly backend: Backend<unknown>,
    value: unknown,
  ) {
    this.value = backend.keep(value);
  }

  /** Number of entries. */
  get size(): number {
    return sizeOfShape(this.shape);
  }

  /** The stored tensor itself (not a copy): do not dispose it. */
  read<T>(): T {
    if (this.disposed)
      throw new SeqmodelError(`weight ${this.name}: it was disposed (its model was disposed)`);
    return this.value as T;
  }

  /**
   * Replaces the value: takes ownership of `tensor` (it must be a tensor of this weight's backend, with its shape) and
   * frees the previous one.
   */
  assign<T>(tensor: T): void {
    checkShape(`weight ${this.name}`, this.backend.shape(tensor), this.shape);
    if (tensor === this.value) return;
    const previous = this.value;
    this.value = this.backend.keep(tensor);
    this.backend.dispose(previous);
  }

  dispose(): void {
    if (this.disposed) return;
    this.backend.dispose(this.value);
    this.disposed = true;
  }
}

/**
 * A value for `setWeights`: a tensor of the weight's backend, host values (row-major, the weight's size), or nested
 * arrays in the weight's shape.
 */
export type WeightValue<T> =
  | T
  | ArrayLike<number>
  | NestedArray[]
  | HostTensor
  | { readonly values: ArrayLike<number> };

/** One weight read back to the host. */
export interface WeightData {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  readonly values: Float32Array;
}

/** Copies of `weights` as tensors (the caller owns them), in order. */
export function copyWeights<T>(backend: Backend<T>, weights: readonly LayerWeight[]): T[] {
  return weights.map((w) => backend.reshape(w.read<T>(), w.shape));
}

/** `weights` read back to the host, with names, shapes and whether each is in `trainable`. */
export function readWeightData<T>(
  backend: Backend<T>,
  weights: readonly LayerWeight[],
  trainable: readonly LayerWeight[],
): WeightData[] {
  const trainableSet = new Set(trainable);
  return weights.map((w) => ({
    name: w.name,
    shape: [...w.shape],
    trainable: trainableSet.has(w),
    values: Float32Array.from(backend.dataSync(w.read<T>())),
  }));
}

/** The host numbers of a `WeightValue` that is not a tensor, or undefined when it has none. */
function hostNumbers(value: unknown): { values: ArrayLike<number>; shape?: readonly number[] } | undefined {
  if (isHostTensor(value)) return { values: value.data, shape: value.shape };
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return { values: value as ArrayLike<number> };
  if (typeof value === 'object' && value !== null && 'values' in value) {
    const values = (value as { values: unknown }).values;
    if (Array.isArray(values) || ArrayBuffer.isView(values)) return { values: values as ArrayLike<number> };
  }
  return undefined;
}

/**
 * Sets `weights` from `values` (one per weight, in order) as one transaction: every value is checked and converted
 * before any weight changes, and when one is wrong the tensors made so far are freed and nothing changes. Tensors of
 * the backend are copied (as float32); host values must hold the weight's size in numbers (finite ones when
 * `backend.checkNumerics`). `what` names the call in errors (`lstm (LSTM) setWeights`).
 */
export function setWeightValues<T>(
  backend: Backend<T>,
  weights: readonly LayerWeight[],
  values: unknown,
  what: string,
): void {
  if (!Array.isArray(values) || values.length !== weights.length) {
    throw new SeqmodelError(
      `${what}: expected an array of ${weights.length} values (${weights.map((w) => w.name).join(', ') || 'the layer has no weights'}), received ${Array.isArray(values) ? `${values.length} values` : describeValue(values)}`,
    );
  }
  const prepared: T[] = [];
  try {
    weights.forEach((w, i) => {
      prepared.push(toWeightTensor(backend, w, values[i], `${what}[${i}] (${w.name})`));
    });
  } catch (error) {
    backend.dispose(prepared);
    throw error;
  }
  weights.forEach((w, i) => {
    w.assign(prepared[i]!);
  });
}

function toWeightTensor<T>(backend: Backend<T>, w: LayerWeight, value: unknown, argument: string): T {
  if (backend.isTensor(value)) {
    checkShape(argument, backend.shape(value), w.shape);
    if (backend.checkNumerics) assertFinite(backend, value, argument);
    return backend.dtype(value) === 'float32'
      ? backend.reshape(value, w.shape)
      : backend.cast(value, 'float32');
  }
  if (Array.isArray(value) && value.some((row) => Array.isArray(row))) {
    // Nested arrays in the weight's shape (`[[1, 2], [3, 4]]` for a [2, 2] kernel), as Keras' set_weights takes them.
    if (!isNestedNumbers(value))
      invalidArgument(argument, value, "nested arrays of numbers in the weight's shape");
    const nested = tensorFromNested(backend, value, argument);
    try {
      checkShape(argument, backend.shape(nested), w.shape);
      if (backend.checkNumerics) assertFinite(backend, nested, argument);
    } catch (error) {
      backend.dispose(nested);
      throw error;
    }
    return nested;
  }
  const host = hostNumbers(value);
  if (host === undefined) {
    invalidArgument(
      argument,
      value,
      `a tensor of backend ${backend.name}, an array of numbers, or { data, shape } host values`,
    );
  }
  if (host.shape !== undefined) checkShape(argument, host.shape, w.shape);
  if (host.values.length !== w.size) {
    throw new SeqmodelError(
      `${argument}: expected ${w.size} values (shape ${formatShape(w.shape)}), received ${host.values.length}`,
    );
  }
  for (let k = 0; k < host.values.length; k++) {
    const v = host.values[k];
    if (typeof v !== 'number' || (backend.checkNumerics && !Number.isFinite(v))) {
      invalidArgument(`${argument} value ${k}`, v, backend.checkNumerics ? 'a finite number' : 'a number');
    }
  }
  return backend.tensor(Float32Array.from(host.values), w.shape);
}
