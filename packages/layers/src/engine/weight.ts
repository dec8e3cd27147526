/**
 * A layer's weight: a named, shaped tensor on the backend the layer was built on, with a trainable flag. Weights are
 * listed in Keras order (per layer as the layer declares them, layers in model order), and their full names
 * (`lstm_1/kernel`, `bidirectional/forward_lstm/recurrent_kernel`) are what saving and Keras import match on.
 */
import { type Backend, checkShape, SeqmodelError, sizeOfShape } from '@seqmodel/core';

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
