/**
 * What a code generator for a host runtime (tensors in CPU memory: the cpu and wasm backends) produces: a program
 * that, for one run, gets its buffers (`Float32Array`s in JavaScript memory, or views of a WebAssembly memory) and
 * runs the plan's passes on them. `CompiledRun` drives it.
 */
import { type PassGenerator, planPasses, type SequencePlan } from '@seqmodel/core';

/**
 * One run's buffers and passes. Programs recycle instances (`release`), so that a training loop does not allocate
 * (and the garbage collector free) its buffers at every step: a buffer's contents at first are unspecified (zeros,
 * or what the instance's last run left), and the runtime clears what it reads before writing.
 */
export interface HostInstance {
  /**
   * The storage of plan buffer `id`: `bufferLength(buffer, batch, time)` floats, writable. A wasm instance's views
   * stay valid as long as it is held (its memory is sized once, when the instance is made).
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
  /**
   * Hands the instance back to its program for a later run. Its buffers keep their values until it is handed out
   * again (and `generation` changes): a run may still read its results after releasing it, until then.
   */
  release(): void;
  /** How many times it was handed out: a holder that sees it change knows the instance went to another run. */
  readonly generation: number;
}

/**
 * Released instances by size, a few of each, for `instantiate` to hand out again. It holds at most `budget` bytes:
 * an instance that would not fit is left to the garbage collector (a large model's training buffers are not kept
 * alive once it is done).
 */
export class InstancePool<I extends HostInstance> {
  private readonly free = new Map<string, I[]>();

  constructor(
    /** The bytes an instance holds. */
    private readonly bytes: (instance: I) => number,
    private readonly budget = 64 * 2 ** 20,
    private readonly perSize = 2,
    private readonly sizes = 4,
  ) {}

  private held(): number {
    let total = 0;
    for (const list of this.free.values()) for (const i of list) total += this.bytes(i);
    return total;
  }

  /** A released instance for `batch` rows and `time` steps, or a new one from `create`. */
  take(batch: number, time: number, create: () => I): I {
    const key = `${batch}x${time}`;
    const list = this.free.get(key);
    const reused = list?.pop();
    if (list && list.length === 0) this.free.delete(key);
    return reused ?? create();
  }

  put(batch: number, time: number, instance: I): void {
    const key = `${batch}x${time}`;
    const list = this.free.get(key) ?? [];
    if (list.length >= this.perSize || this.held() + this.bytes(instance) > this.budget) return;
    // The most recently used sizes stay; the oldest one goes.
    this.free.delete(key);
    this.free.set(key, [...list, instance]);
    while (this.free.size > this.sizes) this.free.delete(this.free.keys().next().value!);
  }
}

export interface HostProgram {
  /** The buffers and passes of one run over `batch` rows and `time` steps. */
  instantiate(batch: number, time: number): HostInstance;
}

/** A generator whose code a host runtime runs. */
export type HostPassGenerator = PassGenerator<HostProgram>;

/** {@link functionConstructorRefusal}'s answer, found once: a page's content security policy does not change. */
let functionRefusal: { readonly reason: string | undefined } | undefined;

/**
 * Why generated JavaScript cannot run here (a content security policy without 'unsafe-eval'), or undefined. Probed
 * once per process or page: the compiled kernel asks at every call, and a `new Function` at every call cost a small
 * model's training step a few percent.
 */
export function functionConstructorRefusal(): string | undefined {
  if (!functionRefusal) functionRefusal = { reason: probeFunctionConstructor() };
  return functionRefusal.reason;
}

function probeFunctionConstructor(): string | undefined {
  try {
    if (new Function('return 1')() !== 1) return 'the Function constructor returned a wrong value';
    return undefined;
  } catch (error) {
    return `generated code cannot run here (the page's content security policy forbids new Function: ${(error as Error).message})`;
  }
}

/**
 * Throws unless every read and store of `plan`'s passes stays inside its buffer's width (an internal error of the
 * compiler if not). The host generators keep all buffers in one memory (the JavaScript arena, the wasm memory), so a
 * column past a buffer's width would silently read or overwrite the next buffer; a generator checks once per plan.
 */
export function checkLoopColumns(plan: SequencePlan): void {
  for (const pass of planPasses(plan)) {
    for (const loop of pass.loops) {
      const check = (buffer: number, column: number, span: number, what: string) => {
        const width = plan.buffers[buffer]!.width;
        if (column < 0 || column + span > width) {
          throw new Error(
            `compiled kernel: pass "${pass.name}" ${what} columns [${column}, ${column + span}) of buffer ${buffer}, which has ${width} (internal error)`,
          );
        }
      };
      for (const n of loop.nodes)
        if (n.op === 'read') check(n.buffer, n.column, n.broadcast ? 1 : loop.width, 'reads');
      for (const st of loop.stores) check(st.buffer, st.column, loop.width, 'stores');
    }
  }
}
