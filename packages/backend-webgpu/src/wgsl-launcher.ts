/**
 * Runs `@seqmodel/backend-tfjs`'s GPU step programs on tfjs's WebGPU backend: each becomes a WGSL compute shader
 * (one invocation per output element, 64 per workgroup) over tfjs's storage buffers, compiled once per shape (tfjs
 * caches the pipeline by shader key; the step indices are uniforms) and dispatched with `runWebGPUProgram`. Inputs
 * are flat `array<f32>` buffers, read as `[rows, cols]` matrices.
 */
import {
  checkLaunch,
  type ProgramInput,
  type ShaderLang,
  type StepLauncher,
  type StepProgram,
  type TfjsBackend,
} from '@seqmodel/backend-tfjs';
import * as tf from '@tensorflow/tfjs-core';

export const wgsl: ShaderLang = {
  name: 'wgsl',
  let: (name, expr) => `let ${name}: f32 = ${expr};`,
  letInt: (name, expr) => `let ${name}: i32 = ${expr};`,
  variable: (name, expr) => `var ${name}: f32 = ${expr};`,
  variableInt: (name, expr) => `var ${name}: i32 = ${expr};`,
  select: (condition, a, b) => `select(${b}, ${a}, ${condition})`,
  read: (input: ProgramInput, row, col) => `${input.name}[(${row}) * ${input.cols} + (${col})]`,
  uniform: (name) => `uniforms.${name}`,
  sumFunction: (name, length, term) =>
    `fn ${name}(b: i32, col: i32) -> f32 {\n  var sum: f32 = 0.0;\n  for (var m: i32 = 0; m < ${length}; m++) {\n    sum += ${term('m')};\n  }\n  return sum;\n}`,
  floatFunction: (name, expr) => `fn ${name}(x: f32) -> f32 {\n  return ${expr};\n}`,
};

const workgroupSize = 64;

/** tfjs-backend-webgpu 4.22's `WebGPUProgram`, the part used here. */
interface ComputeProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms?: string;
  getUserCode(): string;
}

/** What this launcher uses of tfjs-backend-webgpu 4.22's `WebGPUBackend`. */
interface WebgpuKernelBackend {
  runWebGPUProgram(
    program: ComputeProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    programDefinedUniform?: { type: 'int32'; data: number[] }[],
  ): tf.TensorInfo;
}

/** The WGSL `getUserCode()` of `program` (exported for the package's tests). */
export function wgslUserCode(program: StepProgram): string {
  const { functions, body } = program.source(wgsl);
  // WebGPU derives the pipeline's bindings from the shader and drops the buffers it never reads, while tfjs binds
  // every input: a read that never runs (index is never negative) keeps each one. A program without inputs (a sum of
  // zero initial states) has none to keep. WebGPU reports a shader that does not compile only to the console, and the
  // batch of dispatches using it is rejected, leaving the outputs as they were: pooled buffers' old values.
  const keep =
    program.inputs.length === 0
      ? ''
      : `
    if (index < 0) {
      result = result + ${program.inputs.map((i) => `${i.name}[0]`).join(' + ')};
    }`;
  return `${functions}
fn main(index: i32) {
  if (index < uniforms.size) {
    let b: i32 = index / ${program.outputCols};
    let col: i32 = index - b * ${program.outputCols};
${body}${keep}
    setOutputAtIndex(index, result);
  }
}
`;
}

export class WgslLauncher implements StepLauncher {
  readonly lang = wgsl;
  /**
   * tfjs binds every input and the output as storage buffers; WebGPU guarantees 8 per shader stage, and tfjs asks
   * for no more.
   */
  readonly maxInputs = 7;
  private readonly programs = new WeakMap<StepProgram, ComputeProgram>();

  constructor(private readonly backend: TfjsBackend) {}

  run(program: StepProgram, inputs: readonly tf.Tensor[], uniforms: readonly number[]): tf.Tensor {
    checkLaunch(program, inputs, uniforms);
    let compiled = this.programs.get(program);
    if (compiled === undefined) {
      const code = wgslUserCode(program);
      const size = program.outputRows * program.outputCols;
      compiled = {
        variableNames: program.inputs.map((i) => i.name),
        outputShape: [program.outputRows, program.outputCols],
        // tfjs keys its pipeline cache by shader key and the input shapes; the source decides everything else.
        shaderKey: `seqmodel ${program.name} ${code}`,
        dispatchLayout: { x: [0, 1] },
        dispatch: [Math.ceil(size / workgroupSize), 1, 1],
        workgroupSize: [workgroupSize, 1, 1],
        size: true,
        ...(program.uniforms.length > 0
          ? { uniforms: program.uniforms.map((u) => `${u} : i32,`).join(' ') }
          : {}),
        getUserCode: () => code,
      };
      this.programs.set(program, compiled);
    }
    const instance = tf.engine().findBackend(this.backend.tfjsBackendName) as unknown as WebgpuKernelBackend;
    // A copy per launch: tfjs replaces the program's shaderKey by one that includes it (and the shapes), and
    // reshapes its dispatch; on the cached object the key would grow at every launch and miss tfjs's pipeline cache.
    const out = instance.runWebGPUProgram(
      { ...compiled },
      [...inputs],
      'float32',
      uniforms.map((u) => ({ type: 'int32', data: [u] })),
    );
    return tf.engine().makeTensorFromTensorInfo(out);
  }

  /** Storage buffers have one layout: every tensor is read as it is. */
  prepare(t: tf.Tensor): tf.Tensor {
    return t;
  }
}
