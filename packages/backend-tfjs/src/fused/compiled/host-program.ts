/**
 * What a code generator for a host runtime (tensors in CPU memory: the cpu and wasm backends) produces: a program
 * that, for one run, gets its buffers (`Float32Array`s in JavaScript memory, or views of a WebAssembly memory) and
 * runs the plan's passes on them. `CompiledRun` drives it.
 */
import type { PassGenerator, SequencePlan } from '@seqmodel/core';

/** One run's buffers and passes. */
export interface HostInstance {
  /**
   * The storage of plan buffer `id`: `bufferLength(buffer, batch, time)` floats, zero at first, writable. A wasm
   * instance's views stay valid for the whole run (its memory is sized once, when the instance is made).
   */
  buffer(id: number): Float32Array;
  /**
   * Makes buffer `id` hold `data` (read-only inputs: the raw inputs, statics): an instance in JavaScript memory may
   * use the array itself, a wasm one copies it.
   */
  provide(id: number, data: Float32Array): void;
  /** Exchanges the storage of two buffers of one size (a state and the next state, after each step). */
  swap(a: number, b: number): void;
  /** One flag per batch row: passes skip rows whose flag is 0. All 1 at first. */
  readonly valid: Uint8Array;
  /** Runs pass `index` (in `planPasses` order) at time index `tau`. */
  run(index: number, tau: number): void;
}

export interface HostProgram {
  /** The buffers and passes of one run over `batch` rows and `time` steps. */
  instantiate(batch: number, time: number): HostInstance;
}

/** A generator whose code a host runtime runs. */
export type HostPassGenerator = PassGenerator<HostProgram>;

/** Why generated JavaScript cannot run here (a content security policy without 'unsafe-eval'), or undefined. */
export function functionConstructorRefusal(): string | undefined {
  try {
    if (new Function('return 1')() !== 1) return 'the Function constructor returned a wrong value';
    return undefined;
  } catch (error) {
    return `generated code cannot run here (the page's content security policy forbids new Function: ${(error as Error).message})`;
  }
}

/** `plan`'s buffers as zeroed arrays, for an instance in JavaScript memory. */
export function allocateBuffers(plan: SequencePlan, length: (id: number) => number): Float32Array[] {
  return plan.buffers.map((b) => new Float32Array(length(b.id)));
}
