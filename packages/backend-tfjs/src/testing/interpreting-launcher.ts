/**
 * A `StepLauncher` that interprets the GPU kernels' step programs in JavaScript on the current tfjs backend (a host
 * backend such as tfjs-backend-cpu): each program is emitted in a JavaScript `ShaderLang` and run once per output
 * element, as a shader would be. It lets Node tests check the numbers the GPU kernels compute, without a GPU. Reads
 * are bounds-checked (a read outside an input throws), and it counts its launches.
 */
import {
  type AnyCellPlugin,
  initParams,
  resolveCellOptions,
  runSequence,
  SeqmodelError,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { initializedTfjsBackend } from '../backend-switching.js';
import { anyCell } from '../fused/compiled-sequence-kernels.js';
import { gpuCompiledSequenceKernel } from '../gpu/compiled/gpu-compiled-kernel.js';
import type { StepLauncher } from '../gpu/gpu-sequence-kernel.js';
import { checkLaunch, type ProgramInput, type ShaderLang, type StepProgram } from '../gpu/shader-lang.js';
import { createTfjsBackend, type TfjsBackend } from '../tfjs-backend.js';
import { strictKernel } from './strict-kernel.js';

/**
 * ShaderLang emitted as JavaScript (integer bindings truncate, as GLSL's and WGSL's integer division does). Every
 * float binding (a compiled plan's programs bind one operation each) and every product's sum is rounded to float32, as
 * a GPU computes (a sum accumulates in float64 and is rounded once, as tfjs-cpu's are): in float64 a
 * comparison of near-equal values (`tanh(x) > x` at a small x) could go the other way from the generic loop's, and
 * random cells showed such differences up to 7e-3 that were no fault of the programs.
 */
export const javascriptShaderLang: ShaderLang = {
  name: 'javascript',
  let: (name, expr) => `const ${name} = fround(${expr});`,
  letInt: (name, expr) => `const ${name} = Math.trunc(${expr});`,
  variable: (name, expr) => `let ${name} = fround(${expr});`,
  variableInt: (name, expr) => `let ${name} = Math.trunc(${expr});`,
  select: (condition, a, b) => `((${condition}) ? (${a}) : (${b}))`,
  read: (input: ProgramInput, row, col) =>
    `read(${input.name}, ${JSON.stringify(input.name)}, ${input.rows}, ${input.cols}, ${row}, ${col})`,
  uniform: (name) => `uniforms.${name}`,
  sumFunction: (name, length, term) =>
    `function ${name}(b, col) {\n  let sum = 0.0;\n  for (let m = 0; m < ${length}; m++) {\n    sum += ${term('m')};\n  }\n  return fround(sum);\n}`,
  floatFunction: (name, expr) => `function ${name}(x) {\n  return fround(${expr});\n}`,
};

function read(
  data: Float32Array,
  name: string,
  rows: number,
  cols: number,
  row: number,
  col: number,
): number {
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || row >= rows || col < 0 || col >= cols) {
    throw new Error(`a program read ${name}[${row}, ${col}] outside its ${rows}x${cols} elements`);
  }
  return data[row * cols + col]!;
}

const builtins = {
  fround: Math.fround,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: Math.sign,
  max: Math.max,
  min: Math.min,
  clamp: (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi),
  read,
};

/**
 * The functions `source` defines (`ShaderLang` `floatFunction`s, emitted in {@link javascriptShaderLang}), by name, in
 * JavaScript with the interpreter's builtins; `overrides` replaces some (a float32 `exp`, say).
 */
export function interpretFunctions(
  source: string,
  names: readonly string[],
  overrides: Partial<typeof builtins> = {},
): ((x: number) => number)[] {
  const env = { ...builtins, ...overrides };
  return new Function(...Object.keys(env), `"use strict";\n${source}\nreturn [${names.join(', ')}];`)(
    ...Object.values(env),
  );
}

type Compiled = (
  inputs: readonly Float32Array[],
  uniforms: Readonly<Record<string, number>>,
  rows: number,
  cols: number,
) => Float32Array;

/** The JavaScript function computing `program`'s output (exported for tests of the emission itself). */
export function interpretProgram(program: StepProgram): Compiled {
  const { functions, body } = program.source(javascriptShaderLang);
  const names = program.inputs.map((i) => i.name);
  const source = `"use strict";
const [${names.join(', ')}] = inputs;
${functions}
const out = new Float32Array(rows * cols);
for (let b = 0; b < rows; b++) {
  for (let col = 0; col < cols; col++) {
${body}
    out[b * cols + col] = result;
  }
}
return out;`;
  const f = new Function(...Object.keys(builtins), 'inputs', 'uniforms', 'rows', 'cols', source);
  return (inputs, uniforms, rows, cols) => f(...Object.values(builtins), inputs, uniforms, rows, cols);
}

export class InterpretingLauncher implements StepLauncher {
  readonly lang = javascriptShaderLang;
  /** Launches so far. */
  launches = 0;
  /** Every distinct program launched. */
  readonly programs = new Set<StepProgram>();
  private readonly compiled = new WeakMap<StepProgram, Compiled>();

  constructor(readonly maxInputs = 7) {}

  run(program: StepProgram, inputs: readonly tf.Tensor[], uniforms: readonly number[]): tf.Tensor {
    checkLaunch(program, inputs, uniforms);
    let f = this.compiled.get(program);
    if (!f) {
      f = interpretProgram(program);
      this.compiled.set(program, f);
    }
    this.launches++;
    this.programs.add(program);
    const values = Object.fromEntries(program.uniforms.map((u, i) => [u, uniforms[i]!]));
    const data = inputs.map((t) => t.dataSync() as Float32Array);
    const out = f(data, values, program.outputRows, program.outputCols);
    return tf.tensor2d(out, [program.outputRows, program.outputCols], 'float32');
  }

  prepare(t: tf.Tensor): tf.Tensor {
    return t;
  }
}

/**
 * A backend on tfjs-cpu whose only fused kernel is the compiled GPU kernel (filed under `*`), its programs run by
 * `launcher` (WebGPU's limit of 7 inputs per program by default): what webgl and webgpu run for a plugin cell,
 * checked in Node. With `strict`, a case the kernel declines throws instead of running the generic loop
 * (`strictKernel`). Call after tfjs-cpu is initialized (`createCpuBackend()` or `initTfjsBackend('cpu')`); before,
 * it throws, saying so.
 *
 * @example
 * for (const check of compiledCellChecks(myCell, interpretedGpuBackend())) it(check.name, check.run);
 */
export function interpretedGpuBackend(
  launcher: StepLauncher = new InterpretingLauncher(7),
  options: { readonly strict?: boolean } = {},
): TfjsBackend {
  if (!initializedTfjsBackend('cpu')) {
    throw new SeqmodelError(
      "interpretedGpuBackend(): runs on tfjs's cpu backend, which is not initialized in this process: create " +
        "seqmodel's cpu backend first (`createCpuBackend()` from @seqmodel/backend-cpu), or import " +
        "@tensorflow/tfjs-backend-cpu and `await initTfjsBackend('cpu')` (@seqmodel/backend-tfjs)",
    );
  }
  const kernel = (b: TfjsBackend) => gpuCompiledSequenceKernel(b, launcher);
  return createTfjsBackend({
    name: `interpreted-gpu-${launcher.maxInputs}${options.strict ? '-strict' : ''}`,
    tfjsBackendName: 'cpu',
    registeredKernels: false,
    kernels: [{ kind: 'sequence', name: anyCell, kernel: options.strict ? strictKernel(kernel) : kernel }],
  });
}

/**
 * The tensors the interpreted GPU checks run a cell on (2 rows, 3 inputs, 4 units, `time` steps): parameters drawn
 * with seed 1 (and their names), inputs `sin(i)`, and a step mask with every row valid but one step of the first.
 */
export function interpretedFixture(
  b: TfjsBackend,
  cell: AnyCellPlugin,
  time: number,
  options: Record<string, unknown> = {},
): { names: string[]; params: tf.Tensor[]; inputs: tf.Tensor; mask: tf.Tensor } {
  const [batch, inputSize, units] = [2, 3, 4];
  const host = initParams(cell, { inputSize, units, ...options }, 1);
  const names = Object.keys(host);
  return {
    names,
    params: names.map((n) => b.tensor(host[n]!.values, host[n]!.shape)),
    inputs: b.tensor(
      Float32Array.from({ length: batch * time * inputSize }, (_, i) => Math.sin(i)),
      [batch, time, inputSize],
    ),
    mask: b.tensor(
      Float32Array.from({ length: batch * time }, (_, i) => (i === 1 ? 0 : 1)),
      [batch, time],
    ),
  };
}

export interface LaunchCountOptions {
  /** Cell options (defaults otherwise). */
  readonly options?: Record<string, unknown>;
  /** With a step mask (every row valid but one step of one row). */
  readonly mask?: boolean;
  /** With a recurrent dropout mask. */
  readonly recurrentDropout?: boolean;
}

/**
 * Programs the compiled GPU kernel launches per time step for `cell` (2 rows, 3 inputs, 4 units, `returnSequences`):
 * forward (inference), and backward (a training step's launches less its forward's), as the difference between 7
 * and 3 steps over 4, the way the browser suites count them. Call after tfjs-cpu is initialized (see
 * {@link interpretedGpuBackend}).
 */
export function interpretedLaunchesPerStep(
  cell: AnyCellPlugin,
  options: LaunchCountOptions = {},
): { forward: number; backward: number } {
  const count = (time: number, training: boolean): number => {
    const launcher = new InterpretingLauncher(7);
    const b = interpretedGpuBackend(launcher);
    b.activate();
    const [batch, units] = [2, 4];
    const resolved = resolveCellOptions(cell, options.options ?? {});
    const { names, params, inputs, mask } = interpretedFixture(b, cell, time, options.options ?? {});
    const recurrentMask = b.tensor(new Float32Array(batch * units).fill(1.25), [batch, units]);
    const run = (ps: tf.Tensor[]) =>
      runSequence(b, {
        cell,
        options: resolved,
        units,
        inputs,
        returnSequences: true,
        params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
        ...(options.mask ? { mask } : {}),
        ...(options.recurrentDropout ? { recurrentMask } : {}),
      }).output;
    const before = launcher.launches;
    if (training) {
      const { value, grads } = b.valueAndGrads((...ps) => b.sum(run(ps)), params);
      b.dispose([value, ...grads]);
    } else b.dispose(run(params));
    b.dispose([...params, inputs, mask, recurrentMask]);
    return launcher.launches - before;
  };
  const forward = (count(7, false) - count(3, false)) / 4;
  const training = (count(7, true) - count(3, true)) / 4;
  return { forward, backward: training - forward };
}
