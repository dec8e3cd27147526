/**
 * The elementwise IR evaluated directly, in float64 with the exact functions: the definition a code generator's
 * output is tested against (`program.ts` says what a loop means). Slow; for tests and for reading.
 */
import { SeqmodelError } from '../errors.js';
import type { ElementwiseLoop, LoopNode, PlanBuffer } from './program.js';
import { rowOffset } from './program.js';

/** Buffers as arrays, by plan buffer id; the rows and the step being run. */
export interface LoopEnvironment {
  readonly buffers: readonly PlanBuffer[];
  readonly arrays: readonly (Float32Array | Float64Array)[];
  /** Per batch row: 0 skips the row. */
  readonly valid: ArrayLike<number>;
  readonly rows: number;
  readonly tau: number;
  readonly time: number;
  /** `maximum`, `minimum` and `clip` at a NaN operand (see `PassGenerator.nanMinMax`; default `'nan'`). */
  readonly nanMinMax?: 'nan' | 'first';
}

/** C++'s `std::max(a, b)` and `std::min(a, b)`: the first operand where either is NaN. */
// biome-ignore lint/complexity/useMathMinMax: Math.max gives NaN where either is NaN; this gives a.
const firstMax = (a: number, b: number) => (a < b ? b : a);
// biome-ignore lint/complexity/useMathMinMax: Math.min gives NaN where either is NaN; this gives a.
const firstMin = (a: number, b: number) => (b < a ? b : a);

function evaluate(node: LoopNode, v: readonly number[], env: LoopEnvironment, b: number, j: number): number {
  switch (node.op) {
    case 'read': {
      const buffer = env.buffers[node.buffer]!;
      const at = rowOffset(buffer, b, env.tau, env.time) + node.column + (node.broadcast ? 0 : j);
      return env.arrays[node.buffer]![at]!;
    }
    case 'const':
      return node.value;
    case 'neg':
      return -v[node.x]!;
    case 'exp':
      return Math.exp(v[node.x]!);
    case 'log':
      return Math.log(v[node.x]!);
    case 'sqrt':
      return Math.sqrt(v[node.x]!);
    case 'abs':
      return Math.abs(v[node.x]!);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v[node.x]!));
    case 'tanh':
      return Math.tanh(v[node.x]!);
    case 'relu':
      return Math.max(v[node.x]!, 0);
    case 'add':
      return v[node.a]! + v[node.b]!;
    case 'sub':
      return v[node.a]! - v[node.b]!;
    case 'mul':
      return v[node.a]! * v[node.b]!;
    case 'div':
      return v[node.a]! / v[node.b]!;
    case 'maximum':
      return (env.nanMinMax === 'first' ? firstMax : Math.max)(v[node.a]!, v[node.b]!);
    case 'minimum':
      return (env.nanMinMax === 'first' ? firstMin : Math.min)(v[node.a]!, v[node.b]!);
    case 'greater':
      return v[node.a]! > v[node.b]! ? 1 : 0;
    case 'equal':
      return v[node.a]! === v[node.b]! ? 1 : 0;
    case 'where':
      return v[node.condition]! !== 0 ? v[node.a]! : v[node.b]!;
    case 'clip':
      if (env.nanMinMax === 'first') return firstMin(node.max, firstMax(node.min, v[node.x]!));
      return Math.min(Math.max(v[node.x]!, node.min), node.max);
  }
}

/** Runs `loop` over `env`'s rows (skipping invalid ones) and columns, in place on `env.arrays`. */
export function interpretLoop(loop: ElementwiseLoop, env: LoopEnvironment): void {
  for (const s of loop.stores) {
    if (env.arrays[s.buffer] === undefined)
      throw new SeqmodelError(`interpretLoop: no array for buffer ${s.buffer}`);
  }
  const v = new Array<number>(loop.nodes.length).fill(0);
  for (let b = 0; b < env.rows; b++) {
    if (env.valid[b] === 0) continue;
    for (let j = 0; j < loop.width; j++) {
      loop.nodes.forEach((node, i) => {
        v[i] = evaluate(node, v, env, b, j);
      });
      for (const s of loop.stores) {
        const buffer = env.buffers[s.buffer]!;
        const array = env.arrays[s.buffer]!;
        const at = rowOffset(buffer, b, env.tau, env.time) + s.column + j;
        array[at] = s.accumulate ? array[at]! + v[s.node]! : v[s.node]!;
      }
    }
  }
}
