/**
 * The optimizer base class, with Keras 3's order of work for every `applyGradients`:
 * 1. clip the gradients (`clipnorm` per variable, or `globalClipnorm` over all of them, or `clipvalue`; at most one);
 * 2. decay the weights when `weightDecay` is set (decoupled, `w ← w − w · weightDecay · lr`, before the update);
 * 3. run the optimizer's update rule with the learning rate at step `iterations`, creating its slots (moments,
 *    accumulators) as backend tensors on first use;
 * 4. count the step (`iterations += 1`).
 *
 * Slots are kept out of any enclosing `tidy` and replaced (the old tensor freed) at every step; `reset()` frees them
 * and starts counting again, `dispose()` frees them for good.
 */
import {
  type Backend,
  checkBoolean,
  checkNumberInRange,
  checkOptions,
  formatShape,
  invalidArgument,
  SeqmodelError,
  shapesEqual,
} from '@seqmodel/core';
import { checkLearningRate, type LearningRate, learningRateAt } from '../schedules.js';
import { clipByGlobalNorm, clipByNorm, clipByValue } from './clipping.js';

/** What an optimizer updates: a model's `LayerWeight`, or anything with a name, a shape, `read` and `assign`. */
export interface OptimizerVariable {
  readonly name: string;
  readonly shape: readonly number[];
  read<T>(): T;
  /** Takes ownership of `tensor` and frees the previous value. */
  assign<T>(tensor: T): void;
}

export interface OptimizerOptions {
  /** A number, a schedule, or a function of the step. */
  readonly learningRate?: LearningRate;
  /** Clip each gradient to this L2 norm (Keras' `clipnorm`, per variable). */
  readonly clipnorm?: number;
  /** Scale all gradients together so that their joint L2 norm is at most this (Keras' `global_clipnorm`). */
  readonly globalClipnorm?: number;
  /** Clip every gradient entry into [-clipvalue, clipvalue]. */
  readonly clipvalue?: number;
  /** Decoupled weight decay (`w ← w − w · weightDecay · lr` before each update); off by default except in AdamW. */
  readonly weightDecay?: number;
  /** Variables whose names contain one of these strings (or match one of these patterns) are not decayed. */
  readonly excludeFromWeightDecay?: readonly (string | RegExp)[];
  readonly name?: string;
}

/** A slot's name and the value it starts from. */
export interface SlotSpec {
  readonly name: string;
  readonly initialValue: number;
}

/** What an update rule receives for one variable. */
export interface UpdateArgs<T> {
  readonly backend: Backend<T>;
  /** The variable's value (after weight decay). */
  readonly value: T;
  /** Its gradient (after clipping). */
  readonly gradient: T;
  /** Its slots, by name. */
  readonly slots: Readonly<Record<string, T>>;
  /** The learning rate of this step. */
  readonly learningRate: number;
  /** The step being taken, counting from 1 (Keras' `iterations + 1`). */
  readonly step: number;
}

/** What an update rule returns: the new value and the new slots (new tensors). */
export interface UpdateResult<T> {
  readonly value: T;
  readonly slots: Readonly<Record<string, T>>;
}

/** One slot of one variable, read back to the host (see `Optimizer.getState`). */
export interface OptimizerSlotValue {
  /** The variable's name (a model weight's full name, `lstm/kernel`). */
  readonly variable: string;
  /** The slot's name (`m`, `v`, `velocity`, ...: see `Optimizer.slotNames`). */
  readonly slot: string;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** What an optimizer has learnt so far: its step count and its slots (Keras' `optimizer.variables`). */
export interface OptimizerState {
  /** Updates applied so far (schedules and bias corrections read it). */
  readonly iterations: number;
  /** Every slot of every variable updated so far. */
  readonly slots: readonly OptimizerSlotValue[];
}

/** The options of `OptimizerOptions`, which every optimizer takes. */
const optimizerOptionKeys = [
  'learningRate',
  'clipnorm',
  'globalClipnorm',
  'clipvalue',
  'weightDecay',
  'excludeFromWeightDecay',
  'name',
];

export abstract class Optimizer {
  /** Keras' class name: `SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`, `Adadelta`, `Adamax`, `Nadam`. */
  abstract readonly className: string;
  readonly name: string;
  private rate: LearningRate;
  readonly clipnorm: number | undefined;
  readonly globalClipnorm: number | undefined;
  readonly clipvalue: number | undefined;
  readonly weightDecay: number | undefined;
  readonly excludeFromWeightDecay: readonly (string | RegExp)[];
  /** Updates applied so far (Keras' `iterations`); schedules read the learning rate at this step. */
  iterations = 0;
  private readonly slotsByVariable = new Map<OptimizerVariable, Record<string, unknown>>();
  private slotBackend: Backend<unknown> | undefined;

  /**
   * @param own - the subclass's option keys besides `OptimizerOptions`', for the unknown-key check (`momentum`,
   * `beta1`, ...).
   */
  constructor(
    defaultName: string,
    defaultLearningRate: number,
    options: OptimizerOptions = {},
    own: readonly string[] = [],
  ) {
    if (typeof options !== 'object' || options === null)
      invalidArgument(`${defaultName}(options)`, options, 'an object');
    checkOptions(`${defaultName} options`, options, [...optimizerOptionKeys, ...own]);
    this.name = options.name ?? defaultName;
    this.rate = checkLearningRate(`${this.name} learningRate`, options.learningRate ?? defaultLearningRate);
    const positive = (key: 'clipnorm' | 'globalClipnorm' | 'clipvalue' | 'weightDecay') => {
      const v = options[key];
      if (v === undefined) return undefined;
      return checkNumberInRange(
        `${this.name} ${key}`,
        v,
        key === 'weightDecay' ? 0 : Number.MIN_VALUE,
        Number.MAX_VALUE,
      );
    };
    this.clipnorm = positive('clipnorm');
    this.globalClipnorm = positive('globalClipnorm');
    this.clipvalue = positive('clipvalue');
    const clips = [this.clipnorm, this.globalClipnorm, this.clipvalue].filter((c) => c !== undefined);
    if (clips.length > 1) {
      throw new SeqmodelError(
        `${this.name}: give at most one of clipnorm, globalClipnorm and clipvalue, received clipnorm ${this.clipnorm}, globalClipnorm ${this.globalClipnorm}, clipvalue ${this.clipvalue}`,
      );
    }
    this.weightDecay = positive('weightDecay');
    const exclude = options.excludeFromWeightDecay ?? [];
    if (!Array.isArray(exclude) || !exclude.every((e) => typeof e === 'string' || e instanceof RegExp)) {
      invalidArgument(
        `${this.name} excludeFromWeightDecay`,
        exclude,
        'an array of strings or regular expressions',
      );
    }
    this.excludeFromWeightDecay = [...exclude];
  }

  /** The learning rate: a number, a schedule or a function of the step (see `currentLearningRate`). */
  get learningRate(): LearningRate {
    return this.rate;
  }

  /**
   * Changes the learning rate from the next update on (callbacks such as `reduceLROnPlateau` do). A rate given as a
   * schedule or function decides every step itself, so it cannot be replaced by a number, as in Keras.
   */
  set learningRate(value: LearningRate) {
    const rate = checkLearningRate(`${this.name} learningRate`, value);
    if (typeof rate === 'number' && typeof this.rate !== 'number') {
      throw new SeqmodelError(
        `${this.name} learningRate: the optimizer was made with a ${typeof this.rate === 'function' ? 'function of the step' : 'schedule'} as its learning rate, which decides the rate at every step; a number cannot replace it (make the optimizer with a number to change its rate from a callback)`,
      );
    }
    this.rate = rate;
  }

  /** A subclass's number option `key`: `value`, or `fallback` when absent, checked to lie in [min, max]. */
  protected numberOption(
    key: string,
    value: number | undefined,
    fallback: number,
    min = 0,
    max = Number.MAX_VALUE,
  ): number {
    return checkNumberInRange(`${this.name} ${key}`, value ?? fallback, min, max);
  }

  /** A subclass's boolean option `key`: `value`, or false when absent; anything else is an error. */
  protected booleanOption(key: string, value: boolean | undefined): boolean {
    return checkBoolean(`${this.name} ${key}`, value ?? false);
  }

  /** The slots this optimizer keeps per variable. */
  protected abstract slotSpecs(): readonly SlotSpec[];

  /** The update rule for one variable; runs inside a `tidy`, so it may create temporaries freely. */
  protected abstract update<T>(args: UpdateArgs<T>): UpdateResult<T>;

  /** The learning rate the next update will use. */
  currentLearningRate(): number {
    return learningRateAt(this.learningRate, this.iterations, `${this.name} learningRate`);
  }

  /**
   * Applies one update: `grads[i]` is the gradient for `variables[i]` (same shape). The gradients stay the caller's;
   * the variables get new values (`assign`).
   */
  applyGradients<T>(backend: Backend<T>, grads: readonly T[], variables: readonly OptimizerVariable[]): void {
    this.checkArguments(backend, grads, variables);
    const learningRate = this.currentLearningRate();
    const clipped = backend.tidy(() => this.clip(backend, grads));
    try {
      variables.forEach((variable, i) => {
        const slots = this.slotsFor(backend, variable);
        const result = backend.tidy(() => {
          let value = variable.read<T>();
          if (this.decays(variable))
            value = backend.sub(value, backend.mul(value, this.weightDecay! * learningRate));
          const out = this.update({
            backend,
            value,
            gradient: clipped[i]!,
            slots,
            learningRate,
            step: this.iterations + 1,
          });
          return { value: out.value, slots: { ...out.slots } };
        });
        variable.assign(result.value);
        const next: Record<string, unknown> = {};
        for (const spec of this.slotSpecs()) {
          const s = result.slots[spec.name];
          if (s === undefined)
            throw new SeqmodelError(`${this.name}: the update rule returned no slot ${spec.name}`);
          next[spec.name] = backend.keep(s);
        }
        this.slotsByVariable.set(variable, next);
        const kept = new Set(Object.values(next));
        backend.dispose(Object.values(slots).filter((s) => !kept.has(s)));
      });
    } finally {
      backend.dispose(clipped.filter((g, i) => g !== grads[i]));
    }
    this.iterations += 1;
  }

  /** The slot `name` of `variable` (owned by the optimizer), or undefined before its first update. */
  getSlot<T>(variable: OptimizerVariable, name: string): T | undefined {
    return this.slotsByVariable.get(variable)?.[name] as T | undefined;
  }

  /** The slots kept per variable, by name, in order (Adam: `m`, `v`, and `vHat` with `amsgrad`). */
  get slotNames(): string[] {
    return this.slotSpecs().map((s) => s.name);
  }

  /**
   * The state to save and resume training from: `iterations`, and the slots of each of `variables` that has been
   * updated (in `variables` order, each variable's slots in `slotNames` order), read back to the host as float32.
   */
  getState(variables: readonly OptimizerVariable[]): OptimizerState {
    const slots: OptimizerSlotValue[] = [];
    for (const variable of variables) {
      const own = this.slotsByVariable.get(variable);
      if (own === undefined) continue;
      for (const name of this.slotNames) {
        slots.push({
          variable: variable.name,
          slot: name,
          shape: [...variable.shape],
          values: Float32Array.from(this.slotBackend!.dataSync(own[name])),
        });
      }
    }
    return { iterations: this.iterations, slots };
  }

  /**
   * Restores a state from `getState` (of an optimizer of the same class and slot options) for `variables`, matched by
   * name, on `backend`. Everything is checked first (iterations; every slot's variable, name, shape and value count;
   * each listed variable's slots complete, none twice); only then is the current state freed and replaced, so a
   * failed call changes nothing.
   */
  setState<T>(backend: Backend<T>, variables: readonly OptimizerVariable[], state: OptimizerState): void {
    const what = `${this.name} setState`;
    if (typeof state !== 'object' || state === null)
      invalidArgument(`${what}(state)`, state, 'an object { iterations, slots }');
    const iterations = state.iterations;
    if (typeof iterations !== 'number' || !Number.isSafeInteger(iterations) || iterations < 0) {
      invalidArgument(`${what} state.iterations`, iterations, 'an integer >= 0');
    }
    if (!Array.isArray(state.slots)) invalidArgument(`${what} state.slots`, state.slots, 'an array');
    const byName = new Map(variables.map((v) => [v.name, v]));
    const names = this.slotNames;
    const values = new Map<OptimizerVariable, Map<string, ArrayLike<number>>>();
    state.slots.forEach((s, i) => {
      const field = `${what} state.slots[${i}]`;
      if (typeof s !== 'object' || s === null)
        invalidArgument(field, s, 'an object { variable, slot, shape, values }');
      const variable = byName.get(s.variable);
      if (variable === undefined) {
        invalidArgument(
          `${field}.variable`,
          s.variable,
          `the name of a variable being restored (${[...byName.keys()].join(', ') || 'none'})`,
        );
      }
      if (!names.includes(s.slot)) {
        invalidArgument(
          `${field}.slot`,
          s.slot,
          `a slot of ${this.className} with these options (${names.join(', ') || 'none'})`,
        );
      }
      if (!Array.isArray(s.shape) || !shapesEqual(s.shape, variable.shape)) {
        throw new SeqmodelError(
          `${field}.shape: expected ${formatShape(variable.shape)} (the shape of ${variable.name}), received ${Array.isArray(s.shape) ? formatShape(s.shape) : typeof s.shape}`,
        );
      }
      const size = variable.shape.reduce((n, d) => n * d, 1);
      if (typeof s.values !== 'object' || s.values === null || s.values.length !== size) {
        throw new SeqmodelError(
          `${field}.values: expected ${size} numbers, received ${typeof s.values === 'object' && s.values !== null ? s.values.length : typeof s.values}`,
        );
      }
      const own = values.get(variable) ?? new Map<string, ArrayLike<number>>();
      if (own.has(s.slot))
        throw new SeqmodelError(`${field}: slot ${s.slot} of ${variable.name} is given twice`);
      own.set(s.slot, s.values);
      values.set(variable, own);
    });
    for (const [variable, own] of values) {
      const missing = names.filter((n) => !own.has(n));
      if (missing.length > 0) {
        throw new SeqmodelError(
          `${what} state.slots: ${variable.name} has ${[...own.keys()].join(', ')} but not ${missing.join(', ')}; give every slot of a variable or none`,
        );
      }
    }
    const next = new Map<OptimizerVariable, Record<string, unknown>>();
    for (const [variable, own] of values) {
      const slots: Record<string, unknown> = {};
      for (const name of names)
        slots[name] = backend.keep(backend.tensor(Float32Array.from(own.get(name)!), variable.shape));
      next.set(variable, slots);
    }
    this.reset();
    for (const [variable, slots] of next) this.slotsByVariable.set(variable, slots);
    this.slotBackend = backend as Backend<unknown>;
    this.iterations = iterations;
  }

  /** Frees every slot and sets `iterations` back to 0: the next update starts afresh. */
  reset(): void {
    for (const slots of this.slotsByVariable.values()) this.slotBackend?.dispose(Object.values(slots));
    this.slotsByVariable.clear();
    this.iterations = 0;
  }

  /** Frees the slots. */
  dispose(): void {
    this.reset();
  }

  getConfig(): Record<string, unknown> {
    const rate = this.learningRate;
    return {
      name: this.name,
      learningRate:
        typeof rate === 'number'
          ? rate
          : typeof rate === 'function'
            ? 'function'
            : { className: rate.className, config: rate.getConfig() },
      ...(this.clipnorm === undefined ? {} : { clipnorm: this.clipnorm }),
      ...(this.globalClipnorm === undefined ? {} : { globalClipnorm: this.globalClipnorm }),
      ...(this.clipvalue === undefined ? {} : { clipvalue: this.clipvalue }),
      ...(this.weightDecay === undefined ? {} : { weightDecay: this.weightDecay }),
    };
  }

  private decays(variable: OptimizerVariable): boolean {
    if (this.weightDecay === undefined || this.weightDecay === 0) return false;
    return !this.excludeFromWeightDecay.some((e) =>
      typeof e === 'string' ? variable.name.includes(e) : e.test(variable.name),
    );
  }

  private clip<T>(backend: Backend<T>, grads: readonly T[]): T[] {
    if (this.clipnorm !== undefined) return grads.map((g) => clipByNorm(backend, g, this.clipnorm!));
    if (this.globalClipnorm !== undefined) return clipByGlobalNorm(backend, grads, this.globalClipnorm);
    if (this.clipvalue !== undefined) return grads.map((g) => clipByValue(backend, g, this.clipvalue!));
    return [...grads];
  }

  private slotsFor<T>(backend: Backend<T>, variable: OptimizerVariable): Record<string, T> {
    const existing = this.slotsByVariable.get(variable);
    if (existing !== undefined) return existing as Record<string, T>;
    const slots: Record<string, T> = {};
    for (const spec of this.slotSpecs()) {
      slots[spec.name] = backend.keep(backend.fill(variable.shape, spec.initialValue));
    }
    this.slotsByVariable.set(variable, slots);
    return slots;
  }

  private checkArguments<T>(
    backend: Backend<T>,
    grads: readonly T[],
    variables: readonly OptimizerVariable[],
  ): void {
    if (this.slotsByVariable.size > 0 && this.slotBackend !== backend) {
      throw new SeqmodelError(
        `${this.name}: its slots live on backend ${this.slotBackend?.name}, received backend ${backend?.name}; call reset() to move it`,
      );
    }
    if (this.slotsByVariable.size === 0) this.slotBackend = backend as Backend<unknown>;
    if (!Array.isArray(grads) || !Array.isArray(variables) || grads.length !== variables.length) {
      throw new SeqmodelError(
        `${this.name} applyGradients: expected one gradient per variable, received ${Array.isArray(grads) ? grads.length : typeof grads} gradients for ${Array.isArray(variables) ? variables.length : typeof variables} variables`,
      );
    }
    variables.forEach((v, i) => {
      const g = grads[i];
      if (!backend.isTensor(g))
        invalidArgument(`${this.name} applyGradients grads[${i}] (${v.name})`, g, 'a tensor');
      const shape = backend.shape(g);
      if (!shapesEqual(shape, v.shape)) {
        throw new SeqmodelError(
          `${this.name} applyGradients grads[${i}] (${v.name}): expected shape ${formatShape(v.shape)}, received shape ${formatShape(shape)}`,
        );
      }
    });
  }
}
