/**
 * Layer names. A layer named by its user keeps that name; an unnamed one is named when a model first takes it, after
 * its class (`lstm`, `lstm_1`, ...), unique within the model, as Keras does. Names become weight names
 * (`lstm_1/kernel`), which saving and Keras import rely on.
 */
import { SeqmodelError } from '@seqmodel/core';

/**
 * Keras' `to_snake_case`: `SimpleRNN` -> `simple_rnn`, `TimeDistributed` -> `time_distributed`, `GlobalMaxPooling1D`
 * -> `global_max_pooling1d` (no break after a digit), `recurrentKernel` -> `recurrent_kernel`.
 */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Hands out unique names within one scope (a model, or the inside of a wrapper layer). */
export class NameScope {
  private readonly used = new Set<string>();

  /** Claims a name given by the user; the same name twice in one scope is an error. */
  reserve(name: string, what: string): void {
    if (this.used.has(name)) {
      throw new SeqmodelError(
        `${what}: two different layers are named ${JSON.stringify(name)}; names must be unique`,
      );
    }
    this.used.add(name);
  }

  /** `base`, or `base_1`, `base_2`, ... when taken. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** Checks a user-given layer or model name: letters, digits, `_`, `-` and `.`; no `/` (it separates weight paths). */
export function checkName(argument: string, name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new SeqmodelError(
      `${argument}: expected a name of letters, digits, "_", "-" or ".", received ${JSON.stringify(name)}`,
    );
  }
  return name;
}
