/**
 * Differential testing of the cell compiler with cells nobody wrote: `randomCell` is one plugin whose `seed` option
 * draws a step program (a few states, slices of the projected input, products with parameters and with computed
 * values, a chain of elementwise ops drawn from every op the compiler lowers (`greater` against `b + 0.1`, `equal` at
 * `relu`'s exact zeros), gated or squashed next states, a recurrent dropout mask), and `randomCellChecks` compares a
 * backend's compiled kernel with the generic loop on the same backend for a range of seeds, on the variants the fused
 * path supports (initial states, masks, `goBackwards`, `returnSequences`, zeroed masked outputs, recurrent dropout),
 * outputs, states and gradients within the fused kernels' tolerance (atol 1e-5, rtol 1e-4).
 *
 * Every value stays bounded (states through `tanh`, `sigmoid` gates or `softsign`; `exp` of a clipped value;
 * divisions by `1 + |b|`; logarithms and roots of `|a| + c`), so a mismatch is a fault, not float32 overflow. A failure
 * names the seed and prints the program (`describeRandomCell`); add the seed's cell to the corner cells once it is
 * understood.
 */
import {
  affine,
  type Backend,
  type CellDims,
  type CellPlugin,
  createRng,
  elu,
  geluNew,
  hardSigmoid,
  invalidArgument,
  mean,
  type Ops,
  type ParamSpec,
  type Rng,
  SeqmodelError,
  sliceLast,
  softplus,
  softsign,
  square,
} from '@seqmodel/core';
import type { ConformanceCheck } from '@seqmodel/core/testing';
import { assertTakesEveryVariant } from './compiled-kernel-checks.js';
import { assertFusedMatchesGeneric, hostSequence, requireSequenceKernel } from './fused-kernel-checks.js';

const unaryOps = [
  'tanh',
  'sigmoid',
  'relu',
  'abs',
  'neg',
  'softsign',
  'softplus',
  'elu',
  'geluNew',
  'hardSigmoid',
  'square',
  'exp',
  'log',
  'sqrt',
  'clip',
  'scale',
  'shift',
  'rowNorm',
  'rowGate',
] as const;
const binaryOps = [
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  'select',
  'zeroSelect',
  'concatSlice',
] as const;

type Unary = (typeof unaryOps)[number];
type Binary = (typeof binaryOps)[number];

/**
 * The right operand of a product: a slice of `recurrentKernel` by index, `V`, `V` transposed, or `V / 2` (computed from
 * the parameter, once per sequence).
 */
type Right = number | 'V' | 'Vᵀ' | 'V/2';

/** One value of the step, `[batch, units]`; `a` and `b` are earlier values' indices. */
type Instruction =
  | { readonly kind: 'input'; readonly slice: number }
  | { readonly kind: 'state'; readonly state: number; readonly half?: 0 | 1 }
  | { readonly kind: 'product'; readonly a: number; readonly right: Right }
  | { readonly kind: 'row'; readonly a: number; readonly scale: boolean }
  | { readonly kind: 'unary'; readonly op: Unary; readonly a: number; readonly k: number }
  | {
      readonly kind: 'binary';
      readonly op: Binary;
      readonly a: number;
      readonly b: number;
      readonly k: number;
    };

/** How a next state is made from two values `a`, `b` and the previous state. */
type Update =
  | { readonly kind: 'tanh' | 'softsign'; readonly a: number }
  | { readonly kind: 'gate'; readonly a: number; readonly b: number };

export interface RandomCellProgram {
  readonly seed: number;
  readonly states: number;
  /** The last state is `[batch, 2 * units]` (the program reads its halves and writes it as two). */
  readonly wide: boolean;
  /** Slices of the projected input (`kernel` `[inputSize, slices * units]`), or 0: the raw input times `kernel` in the step. */
  readonly slices: number;
  readonly useBias: boolean;
  /** Slices of `recurrentKernel` (`[units, recurrentSlices * units]`); products take them by index. */
  readonly recurrentSlices: number;
  readonly instructions: readonly Instruction[];
  readonly updates: readonly Update[];
  /** The output: the first next state, or it beside a value (`[batch, 2 * units]`). */
  readonly output: { readonly beside?: number };
}

const constants = [0, 1, -1, 0.5, -0.5, 2, 0.25, 1.7, -0.3];

/** The step program for `seed` (the same on every platform). */
export function randomCellProgram(seed: number): RandomCellProgram {
  const rng = createRng(`random-cell/${seed}`);
  const states = 1 + rng.int(3);
  const wide = states > 1 && rng.next() < 0.3;
  const slices = rng.next() < 0.15 ? 0 : 1 + rng.int(3);
  const recurrentSlices = 1 + rng.int(2);
  const instructions: Instruction[] = [];
  for (let s = 0; s < Math.max(slices, 1); s++) instructions.push({ kind: 'input', slice: s });
  for (let k = 0; k < states; k++) {
    if (wide && k === states - 1) {
      instructions.push({ kind: 'state', state: k, half: 0 }, { kind: 'state', state: k, half: 1 });
    } else {
      instructions.push({ kind: 'state', state: k });
    }
  }
  // A state times each recurrent slice, as a cell's h·U (state 0 first: the one recurrent dropout masks).
  for (let r = 0; r < recurrentSlices; r++) {
    const state = r === 0 ? 0 : rng.int(states);
    instructions.push({ kind: 'product', a: Math.max(slices, 1) + state, right: r });
  }
  // Operands lean toward recent values, so that chains get deep.
  const pick = (r: Rng) => {
    const n = instructions.length;
    return r.next() < 0.6 ? n - 1 - r.int(Math.min(n, 4)) : r.int(n);
  };
  const length = 6 + rng.int(10);
  for (let i = 0; i < length; i++) {
    const roll = rng.next();
    if (roll < 0.1) {
      const rights = ['V', 'V', 'Vᵀ', 'V/2'] as const;
      instructions.push({ kind: 'product', a: pick(rng), right: rights[rng.int(rights.length)]! });
    } else if (roll < 0.16) {
      instructions.push({ kind: 'row', a: pick(rng), scale: rng.next() < 0.4 });
    } else if (roll < 0.58) {
      const op = unaryOps[rng.int(unaryOps.length)]!;
      instructions.push({ kind: 'unary', op, a: pick(rng), k: constants[rng.int(constants.length)]! });
    } else {
      const op = binaryOps[rng.int(binaryOps.length)]!;
      instructions.push({ kind: 'binary', op, a: pick(rng), b: pick(rng), k: rng.int(1000) });
    }
  }
  // The next states and the output read values nothing else reads first, so that most of the chain is live.
  const used = new Set<number>();
  for (const ins of instructions) {
    for (const key of ['a', 'b'] as const) if (key in ins) used.add((ins as Record<typeof key, number>)[key]);
  }
  const unused = instructions
    .map((_, i) => i)
    .filter((i) => !used.has(i) && instructions[i]!.kind !== 'state');
  const pickLive = (r: Rng) => {
    if (unused.length === 0) return pick(r);
    return unused.splice(r.int(unused.length), 1)[0]!;
  };
  const updates: Update[] = [];
  for (let k = 0; k < states; k++) {
    const roll = rng.next();
    updates.push(
      roll < 0.45
        ? { kind: 'gate', a: pickLive(rng), b: pickLive(rng) }
        : { kind: roll < 0.8 ? 'tanh' : 'softsign', a: pickLive(rng) },
    );
  }
  const beside = rng.next() < 0.25 ? pickLive(rng) : undefined;
  return {
    seed,
    states,
    wide,
    slices,
    useBias: rng.next() < 0.7,
    recurrentSlices,
    instructions,
    updates,
    output: beside === undefined ? {} : { beside },
  };
}

function describeInstruction(ins: Instruction, slices: number): string {
  switch (ins.kind) {
    case 'input':
      return slices === 0 ? 'x·kernel' : `input slice ${ins.slice}`;
    case 'state': {
      const half = ins.half === undefined ? '' : ins.half === 0 ? '[:units]' : '[units:]';
      return `state ${ins.state}${half}${ins.state === 0 ? ' (× recurrent mask if any)' : ''}`;
    }
    case 'product':
      return `v${ins.a}·${typeof ins.right === 'number' ? `U${ins.right}` : ins.right}`;
    case 'row':
      return `v${ins.a} ${ins.scale ? '∘' : '+'} c0`;
    case 'unary':
      return `${ins.op}(v${ins.a}; k ${ins.k})`;
    case 'binary':
      return `${ins.op}(v${ins.a}, v${ins.b}; k ${ins.k})`;
  }
}

/** The program as text, one value a line (`v3 = tanh(v1)`). */
export function describeRandomCell(seed: number): string {
  const p = randomCellProgram(seed);
  const lines = [
    `random cell ${seed}: ${p.states} state(s), ${p.slices === 0 ? 'raw input · kernel in the step' : `${p.slices} input slice(s)`}` +
      `${p.useBias ? ' + bias' : ''}, ${p.recurrentSlices} recurrent slice(s)`,
  ];
  p.instructions.forEach((ins, i) => {
    lines.push(`  v${i} = ${describeInstruction(ins, p.slices)}`);
  });
  p.updates.forEach((u, k) => {
    const update =
      u.kind === 'gate' ? `σ(v${u.a}) · state ${k} + (1 − σ(v${u.a})) · tanh(v${u.b})` : `${u.kind}(v${u.a})`;
    const wide = p.wide && k === p.states - 1;
    lines.push(
      `  state ${k}' = ${wide ? `concat([${update}, (state ${k}[:units] + softsign(v${u.a})) / 2])` : update}`,
    );
  });
  lines.push(
    `  output = state 0'${p.output.beside === undefined ? '' : ` beside tanh(v${p.output.beside})`}`,
    '  (mul(a, b) is tanh(a)·b, div(a, b) a / (1 + |b|), select(a, b) a > b + 0.1 ? a / 2 : b, zeroSelect(a, b)',
    '  relu(a − 0.05) == 0 ? b : a / 2, concatSlice(a, b; k) concat([a, b])[1 + k % (units − 1) :][:units], square(a)',
    '  tanh(a)² − 0.25, exp(a) exp(clip(a, −3, 2)), log(a) log(|a| + 0.5), sqrt(a) √(|a| + 0.1), rowNorm(a)',
    '  (a − mean(a)) / √(var(a) + 0.5) per row, rowGate(a) a · σ(mean(a)) per row)',
  );
  return lines.join('\n');
}

const programs = new Map<number, RandomCellProgram>();

function programOf(seed: number): RandomCellProgram {
  let p = programs.get(seed);
  if (!p) {
    p = randomCellProgram(seed);
    programs.set(seed, p);
  }
  return p;
}

function unary<T>(ops: Ops<T>, op: Unary, x: T, k: number): T {
  switch (op) {
    case 'tanh':
      return ops.tanh(x);
    case 'sigmoid':
      return ops.sigmoid(x);
    case 'relu':
      return ops.relu(x);
    case 'abs':
      return ops.abs(x);
    case 'neg':
      return ops.neg(x);
    case 'softsign':
      return softsign(ops, x);
    case 'softplus':
      return softplus(ops, ops.clip(x, -8, 8));
    case 'elu':
      return elu(ops, ops.clip(x, -8, 8));
    case 'geluNew':
      return geluNew(ops, ops.clip(x, -4, 4));
    case 'hardSigmoid':
      return hardSigmoid(ops, x);
    case 'square':
      // Less 0.25: squaring a state at every step would take it to float32's denormals within a few steps, where
      // backends' tanh differ in whether the result is 0 (and abs's gradient at 0 is −1, above it 1).
      return ops.sub(square(ops, ops.tanh(x)), 0.25);
    case 'exp':
      return ops.exp(ops.clip(x, -3, 2));
    case 'log':
      return ops.log(ops.add(ops.abs(x), 0.5));
    case 'sqrt':
      return ops.sqrt(ops.add(ops.abs(x), 0.1));
    case 'clip':
      return ops.clip(x, -Math.abs(k) - 0.2, Math.abs(k) + 0.2);
    case 'scale':
      return ops.mul(x, k);
    case 'shift':
      return ops.add(k, x);
    case 'rowNorm': {
      // Layer normalization of each row: sums along the last axis and [batch, 1] values beside wider ones.
      const centered = ops.sub(x, mean(ops, x, -1, true));
      return ops.div(centered, ops.sqrt(ops.add(mean(ops, ops.mul(centered, centered), -1, true), 0.5)));
    }
    case 'rowGate':
      // The row's mean without keepDims (a [batch] value), reshaped back into a gate for its row.
      return ops.mul(x, ops.sigmoid(ops.reshape(mean(ops, x, -1), [-1, 1])));
  }
}

function binary<T>(ops: Ops<T>, op: Binary, a: T, b: T, k: number, units: number): T {
  switch (op) {
    case 'add':
      return ops.add(a, b);
    case 'sub':
      return ops.sub(a, b);
    case 'mul':
      return ops.mul(ops.tanh(a), b);
    case 'div':
      return ops.div(a, ops.add(ops.abs(b), 1));
    case 'maximum':
      return ops.maximum(a, b);
    case 'minimum':
      return ops.minimum(a, b);
    case 'select':
      // Against b + 0.1, not b: programs often compare related values (tanh(x) with x), equal in float32 at small x,
      // and which side such a tie falls on depends on the last bit of each backend's tanh.
      return ops.where(ops.greater(a, ops.add(b, 0.1)), ops.mul(a, 0.5), b);
    case 'zeroSelect':
      // equal at relu's exact zeros, of a − 0.05: whether a itself is 0 can depend on how a backend computes it (the
      // wasm kernels' tanh(x) was 0 for |x| below ~3e-8, where tfjs-wasm's is x).
      return ops.where(ops.equal(ops.relu(ops.sub(a, 0.05)), 0), b, ops.mul(a, 0.5));
    case 'concatSlice':
      // A window across the two, at a column drawn with the program.
      return sliceLast(ops, ops.concat([a, b], -1), units > 1 ? 1 + (k % (units - 1)) : 0, units);
  }
}

/** `randomCell`'s options: which program. */
export interface RandomCellOptions {
  readonly seed: number;
}

/** The plugin behind `randomCellChecks`: its step is `randomCellProgram(options.seed)`. */
export const randomCell: CellPlugin<RandomCellOptions> = {
  specificationVersion: 'v1',
  name: 'testRandom',
  description: 'a step program drawn from options.seed, for differential tests of the cell compiler',
  defaultOptions: { seed: 0 },
  validateOptions({ seed }) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new SeqmodelError(
        `testRandom options.seed: expected a non-negative integer, received ${String(seed)}`,
      );
    }
  },
  params({ inputSize, units, options }: CellDims<RandomCellOptions>): ParamSpec[] {
    const p = programOf(options.seed);
    const width = Math.max(p.slices, 1) * units;
    const usesV = p.instructions.some((i) => i.kind === 'product' && typeof i.right !== 'number');
    const usesRow = p.instructions.some((i) => i.kind === 'row');
    return [
      { name: 'kernel', shape: [inputSize, width], initializer: 'glorotUniform' },
      {
        name: 'recurrentKernel',
        shape: [units, p.recurrentSlices * units],
        initializer: 'orthogonal',
      },
      ...(p.useBias
        ? [{ name: 'bias', shape: [width], initializer: { name: 'normal', stddev: 0.3 } } as ParamSpec]
        : []),
      ...(usesV ? [{ name: 'V', shape: [units, units], initializer: 'glorotUniform' } as ParamSpec] : []),
      ...(usesRow
        ? [{ name: 'c0', shape: [units], initializer: { name: 'normal', stddev: 0.5 } } as ParamSpec]
        : []),
    ];
  },
  state: ({ units, options }) => {
    const p = programOf(options.seed);
    return Array.from({ length: p.states }, (_, k) => ({
      name: `s${k}`,
      size: p.wide && k === p.states - 1 ? 2 * units : units,
    }));
  },
  outputSize: ({ units, options }) =>
    programOf(options.seed).output.beside === undefined ? units : 2 * units,
  projectInput<T>(
    ops: Ops<T>,
    x: T,
    params: Readonly<Record<string, T>>,
    dims: CellDims<RandomCellOptions>,
  ): T {
    // With no slices the step multiplies the raw input; projecting it to itself keeps that path a projection-free one.
    return programOf(dims.options.seed).slices === 0 ? x : affine(ops, x, params.kernel!, params.bias);
  },
  supportsRecurrentDropout: true,
  step(ops, { input, state, params, dims, recurrentMask }) {
    type T = typeof input;
    const p = programOf(dims.options.seed);
    const { units } = dims;
    const values: T[] = [];
    const at = (j: number) => values[j]!;
    for (const ins of p.instructions) {
      switch (ins.kind) {
        case 'input':
          values.push(
            p.slices === 0
              ? affine(ops, input, params.kernel!, params.bias)
              : p.slices === 1
                ? input
                : sliceLast(ops, input, ins.slice * units, units),
          );
          break;
        case 'state': {
          const whole = state[ins.state]!;
          const s = ins.half === undefined ? whole : sliceLast(ops, whole, ins.half * units, units);
          values.push(ins.state === 0 && recurrentMask !== undefined ? ops.mul(s, recurrentMask) : s);
          break;
        }
        case 'product': {
          if (typeof ins.right === 'number') {
            const u =
              p.recurrentSlices === 1
                ? params.recurrentKernel!
                : sliceLast(ops, params.recurrentKernel!, ins.right * units, units);
            values.push(ops.matMul(at(ins.a), u));
          } else if (ins.right === 'Vᵀ') {
            values.push(ops.matMul(at(ins.a), params.V!, false, true));
          } else {
            values.push(ops.matMul(at(ins.a), ins.right === 'V' ? params.V! : ops.mul(params.V!, 0.5)));
          }
          break;
        }
        case 'row':
          values.push(ins.scale ? ops.mul(at(ins.a), params.c0!) : ops.add(at(ins.a), params.c0!));
          break;
        case 'unary':
          values.push(unary(ops, ins.op, at(ins.a), ins.k));
          break;
        case 'binary':
          values.push(binary(ops, ins.op, at(ins.a), at(ins.b), ins.k, units));
          break;
      }
    }
    const next = p.updates.map((u, k) => {
      if (u.kind !== 'gate') return u.kind === 'tanh' ? ops.tanh(values[u.a]!) : softsign(ops, values[u.a]!);
      const gate = ops.sigmoid(values[u.a]!);
      const previous = p.wide && k === p.states - 1 ? sliceLast(ops, state[k]!, 0, units) : state[k]!;
      return ops.add(ops.mul(gate, previous), ops.mul(ops.sub(1, gate), ops.tanh(values[u.b]!)));
    });
    if (p.wide) {
      // The wide state's second half: its first half carried on, averaged with a new value.
      const k = p.states - 1;
      const u = p.updates[k]!;
      const carried = ops.mul(ops.add(sliceLast(ops, state[k]!, 0, units), softsign(ops, values[u.a]!)), 0.5);
      next[k] = ops.concat([next[k]!, carried], -1);
    }
    const output =
      p.output.beside === undefined
        ? next[0]!
        : ops.concat([next[0]!, ops.tanh(values[p.output.beside]!)], -1);
    return { output, state: next };
  },
};

/** The variants each seed runs on (the fused path's options, several at once). */
const variants = [
  { name: 'plain, every step', returnSequences: true },
  // The last step only: its gradient seeds the last valid step and passes back through trailing masked ones.
  { name: 'initial state, mask, last step', initialState: true, mask: true, returnSequences: false },
  {
    name: 'backwards, mask, zeroed masked outputs, every step',
    goBackwards: true,
    mask: true,
    returnSequences: true,
    zeroMaskedOutputs: true,
  },
  {
    name: 'recurrent dropout, initial state, last step',
    recurrentDropout: true,
    initialState: true,
    returnSequences: false,
  },
] as const;

export interface RandomCellCheckOptions {
  /** The seeds, or how many from 0 (default 24). */
  readonly seeds?: number | readonly number[];
  readonly inputSize?: number;
  readonly units?: number;
  readonly batch?: number;
  readonly time?: number;
}

/** The most seeds {@link randomCellRun} takes from the environment (some 17 hours on cpu, at about 0.06 s a seed). */
const maxRandomCellSeeds = 1_000_000;

/** The variables {@link randomCellRun} reads. */
export type RandomCellEnvironment = Readonly<Record<string, string | undefined>>;

function processEnvironment(): RandomCellEnvironment {
  return (globalThis as { process?: { env?: RandomCellEnvironment } }).process?.env ?? {};
}

/**
 * A test's random-cell options, or a longer run asked for in the environment, for after a compiler change:
 * `SEQMODEL_RANDOM_CELL_SEEDS` replaces the seeds (`N`: 0 to N − 1; `A-B`: A to B, both included) and
 * `SEQMODEL_RANDOM_CELL_SIZES` the sizes (`BxTxIxU`: batch, time, input, units). Without them, `defaults`.
 *
 * @example
 * // SEQMODEL_RANDOM_CELL_SEEDS=3000-5999 npx vitest run -t 'random cell'
 * for (const check of randomCellChecks(backend, randomCellRun({ seeds: 200 }))) it(check.name, check.run);
 */
export function randomCellRun(
  defaults: RandomCellCheckOptions,
  env: RandomCellEnvironment = processEnvironment(),
): RandomCellCheckOptions {
  const seedsText = env.SEQMODEL_RANDOM_CELL_SEEDS;
  const sizesText = env.SEQMODEL_RANDOM_CELL_SIZES;
  let seeds = defaults.seeds;
  if (seedsText !== undefined && seedsText !== '') {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(seedsText);
    const [from, to] =
      range === null
        ? [0, -1]
        : range[2] === undefined
          ? [0, Number(range[1]) - 1]
          : [Number(range[1]), Number(range[2])];
    if (!Number.isSafeInteger(to) || to < from || to - from >= maxRandomCellSeeds) {
      invalidArgument(
        'SEQMODEL_RANDOM_CELL_SEEDS',
        seedsText,
        `a count N (seeds 0 to N - 1) or a range A-B (A <= B), of at most ${maxRandomCellSeeds} seeds`,
      );
    }
    seeds = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  let sizes = {};
  if (sizesText !== undefined && sizesText !== '') {
    const parts = sizesText.split('x').map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : Number.NaN));
    if (parts.length !== 4 || parts.some((n) => !Number.isSafeInteger(n) || n < 1)) {
      invalidArgument(
        'SEQMODEL_RANDOM_CELL_SIZES',
        sizesText,
        'batch x time x input x units, four integers >= 1 such as 2x5x2x5',
      );
    }
    const [batch, time, inputSize, units] = parts as [number, number, number, number];
    sizes = { batch, time, inputSize, units };
  }
  return { ...defaults, ...(seeds === undefined ? {} : { seeds }), ...sizes };
}

/**
 * One check per seed: `randomCell` with that seed on `backend`, the compiled kernel (`backend`'s fused kernel for it,
 * which must take every variant of the cell kit) against the generic loop on every variant.
 */
export function randomCellChecks<T>(
  backend: Backend<T>,
  options: RandomCellCheckOptions = {},
): ConformanceCheck[] {
  const given = options.seeds ?? 24;
  const seeds = typeof given === 'number' ? Array.from({ length: given }, (_, i) => i) : given;
  const sizes = {
    batch: options.batch ?? 3,
    time: options.time ?? 4,
    inputSize: options.inputSize ?? 3,
    units: options.units ?? 4,
  };
  return seeds.map((seed) => ({
    name: `random cell ${seed} on ${backend.name}: the compiled kernel matches the generic loop`,
    ...(backend.valueAndGrads ? {} : { skip: `backend ${backend.name} has no autodiff` }),
    run() {
      // The compiled kernel must take every variant: one it declined would run the generic loop, compared with itself.
      const kernel = requireSequenceKernel(backend, randomCell);
      const config = { inputSize: sizes.inputSize, units: sizes.units, options: { seed } };
      try {
        assertTakesEveryVariant(backend, kernel, randomCell, config, sizes);
        for (const { name, ...variant } of variants) {
          const host = hostSequence(randomCell, { seed }, sizes, variant, `random/${seed}/${name}`);
          assertFusedMatchesGeneric(backend, host, `random cell ${seed} (${name})`);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new SeqmodelError(`${message}\n${describeRandomCell(seed)}`);
      }
    },
  }));
}
