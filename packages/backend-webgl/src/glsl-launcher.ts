/**
 * Runs `@seqmodel/backend-tfjs`'s GPU step programs on tfjs's WebGL backend: each becomes a fragment-shader program
 * (`GPGPUProgram`) over unpacked float textures, compiled once per shape (tfjs caches the binary; the step indices
 * are uniforms) and launched with `compileAndRun`. Inputs are 2-D views of tensors: `getName(row, col)` samples them.
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

export const glsl: ShaderLang = {
  name: 'glsl',
  let: (name, expr) => `float ${name} = ${expr};`,
  letInt: (name, expr) => `int ${name} = ${expr};`,
  variable: (name, expr) => `float ${name} = ${expr};`,
  variableInt: (name, expr) => `int ${name} = ${expr};`,
  select: (condition, a, b) => `((${condition}) ? (${a}) : (${b}))`,
  read: (input: ProgramInput, row, col) => `get${capitalize(input.name)}(${row}, ${col})`,
  uniform: (name) => name,
  sumFunction: (name, length, term) =>
    `float ${name}(int b, int col) {\n  float sum = 0.0;\n  for (int m = 0; m < ${length}; m++) {\n    sum += ${term('m')};\n  }\n  return sum;\n}`,
  floatFunction: (name, expr) => `float ${name}(float x) {\n  return ${expr};\n}`,
};

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** What this launcher uses of tfjs-backend-webgl 4.22's `MathBackendWebGL`. */
interface WebglKernelBackend {
  compileAndRun(
    program: GpgpuProgram,
    inputs: tf.TensorInfo[],
    outputDtype?: tf.DataType,
    customUniformValues?: number[][],
  ): tf.TensorInfo;
  texData: { get(dataId: object): { isPacked?: boolean } | undefined };
  unpackTensor(input: tf.TensorInfo): tf.TensorInfo;
}

/** tfjs-backend-webgl's `GPGPUProgram`, the part used here. */
interface GpgpuProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  packedInputs: boolean;
  packedOutput: boolean;
  customUniforms: { name: string; type: 'int' }[];
}

/** The GLSL `userCode` tfjs compiles for `program` (exported for the package's tests). */
export function glslUserCode(program: StepProgram): string {
  const { functions, body } = program.source(glsl);
  return `${functions}
void main() {
  ivec2 coords = getOutputCoords();
  int b = coords[0];
  int col = coords[1];
${body}
  setOutput(result);
}
`;
}

export class GlslLauncher implements StepLauncher {
  readonly lang = glsl;
  readonly maxInputs: number;
  private readonly programs = new WeakMap<StepProgram, GpgpuProgram>();

  constructor(private readonly backend: TfjsBackend) {
    // tfjs caps the textures one of its programs may sample at 16.
    this.maxInputs = Math.min(16, tf.env().getNumber('WEBGL_MAX_TEXTURES_IN_SHADER'));
  }

  private instance(): WebglKernelBackend {
    return tf.engine().findBackend(this.backend.tfjsBackendName) as unknown as WebglKernelBackend;
  }

  run(program: StepProgram, inputs: readonly tf.Tensor[], uniforms: readonly number[]): tf.Tensor {
    checkLaunch(program, inputs, uniforms);
    let compiled = this.programs.get(program);
    if (compiled === undefined) {
      compiled = {
        variableNames: program.inputs.map((i) => i.name),
        outputShape: [program.outputRows, program.outputCols],
        userCode: glslUserCode(program),
        packedInputs: false,
        packedOutput: false,
        customUniforms: program.uniforms.map((name) => ({ name, type: 'int' as const })),
      };
      this.programs.set(program, compiled);
    }
    // Views of the tensors with the program's 2-D shapes: unpacked textures are row-major whatever the shape.
    const views = program.inputs.map((spec, i) => {
      const t = inputs[i]!;
      return { dataId: t.dataId, shape: [spec.rows, spec.cols], dtype: t.dtype };
    });
    const out = this.instance().compileAndRun(
      compiled,
      views,
      'float32',
      uniforms.map((u) => [u]),
    );
    return tf.engine().makeTensorFromTensorInfo(out);
  }

  prepare(t: tf.Tensor): tf.Tensor {
    const data = this.instance().texData.get(t.dataId);
    if (data?.isPacked !== true) return t;
    return tf.engine().makeTensorFromTensorInfo(this.instance().unpackTensor(t));
  }
}
