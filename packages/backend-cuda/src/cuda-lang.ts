/**
 * The GPU step programs of `@seqmodel/backend-tfjs` (the compiled kernel's, one per elementwise pass of a cell's plan)
 * as CUDA C++: `cudaLang` is the `ShaderLang` they are written in, `cudaProgramSource` the whole kernel NVRTC
 * compiles, one thread per output element. The programs' text is shared with GLSL and WGSL, so it calls the shading
 * languages' names (`exp`, `max`, `clamp`, ...) and writes float literals without a suffix; the source turns those
 * into CUDA's single-precision functions and `f` literals, so that every operation is float32 as on the other
 * backends (a bare `1.0` would make the arithmetic around it double).
 */
import type { ShaderLang, StepProgram } from '@seqmodel/backend-tfjs';

/** The name of every generated kernel (the addon looks it up by this name). */
export const programEntryPoint = 'seqmodel_program';

export const cudaLang: ShaderLang = {
  name: 'cuda',
  let: (name, expr) => `[[maybe_unused]] const float ${name} = ${expr};`,
  letInt: (name, expr) => `[[maybe_unused]] const int ${name} = ${expr};`,
  variable: (name, expr) => `float ${name} = ${expr};`,
  variableInt: (name, expr) => `int ${name} = ${expr};`,
  select: (condition, a, b) => `((${condition}) ? (${a}) : (${b}))`,
  read: (input, row, col) => `${input.name}[(${row}) * ${input.cols} + (${col})]`,
  uniform: (name) => name,
  // Functions read the kernel's parameters (the inputs, the uniforms): lambdas capturing them by reference. Their
  // `b` and `col` parameters hide the thread's own.
  sumFunction: (name, length, term) =>
    `[[maybe_unused]] auto ${name} = [&](int b, int col) -> float {\n  float sum = 0.0;\n  for (int m = 0; m < ${length}; m++) {\n    sum += ${term('m')};\n  }\n  return sum;\n};`,
  floatFunction: (name, expr) =>
    `[[maybe_unused]] auto ${name} = [](float x) -> float {\n  return ${expr};\n};`,
};

/**
 * GLSL's `clamp` and `sign`, which CUDA lacks, and `max` / `min` with JavaScript's `Math.max` / `Math.min` results:
 * a NaN kept (CUDA's `fmaxf(NaN, 0)` is 0; the interpreter, the host kernels and tfjs's relu give NaN, which
 * `checkNumerics` relies on), +0 the larger of ±0 (`fmaxf` leaves that open); `sign` of ±0 and NaN is its argument, as
 * `Math.sign`'s. Plain arithmetic only (`1 / a < 0` tells -0 from +0), nothing NVRTC might lack. The other names
 * are mapped to CUDA's in `singlePrecision`.
 */
const prelude = `__device__ __forceinline__ float seqmodel_max(float a, float b) {
  return (a != a || b != b) ? a + b : (a > b ? a : (b > a ? b : (1.0f / a < 0.0f ? b : a)));
}
__device__ __forceinline__ float seqmodel_min(float a, float b) {
  return (a != a || b != b) ? a + b : (a < b ? a : (b < a ? b : (1.0f / a < 0.0f ? a : b)));
}
__device__ __forceinline__ float clamp(float x, float lo, float hi) { return seqmodel_min(seqmodel_max(x, lo), hi); }
__device__ __forceinline__ float sign(float x) { return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x); }`;

const functionNames: Readonly<Record<string, string>> = {
  exp: 'expf',
  log: 'logf',
  sqrt: 'sqrtf',
  abs: 'fabsf',
  max: 'seqmodel_max',
  min: 'seqmodel_min',
};

/**
 * `code` with float literals single precision (`1.0` -> `1.0f`, `2.5e-7` -> `2.5e-7f`) and the shading languages'
 * math functions CUDA's float ones (`exp(` -> `expf(`). Literals are the programs' own (always written with a point);
 * identifiers never contain one.
 */
export function singlePrecision(code: string): string {
  return code
    .replace(/(?<![\w.])(\d+\.\d+(?:e[+-]?\d+)?)(?![\w.])/g, '$1f')
    .replace(/\b(exp|log|sqrt|abs|max|min)\(/g, (_, name: string) => `${functionNames[name]}(`);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? `  ${line}` : line))
    .join('\n');
}

/**
 * The CUDA C++ of `program`: `extern "C" __global__ void seqmodel_program(const float* in..., float* out, int count,
 * int uniform...)`, each thread computing output element (b, col) of `[outputRows, outputCols]`.
 */
export function cudaProgramSource(program: StepProgram): string {
  const { functions, body } = program.source(cudaLang);
  const parameters = [
    ...program.inputs.map((i) => `const float* __restrict__ ${i.name}`),
    'float* __restrict__ seqmodel_out',
    'int seqmodel_count',
    ...program.uniforms.map((u) => `int ${u}`),
  ];
  const kernel = `// ${program.name.replace(/[^\w ,.()-]/g, '_')}: [${program.outputRows}, ${program.outputCols}]
extern "C" __global__ void ${programEntryPoint}(${parameters.join(', ')}) {
  const int seqmodel_index = blockIdx.x * blockDim.x + threadIdx.x;
  if (seqmodel_index >= seqmodel_count) return;
  const int b = seqmodel_index / ${program.outputCols};
  const int col = seqmodel_index - b * ${program.outputCols};
${indent(functions)}
${indent(body)}
  seqmodel_out[seqmodel_index] = result;
}
`;
  return `${prelude}\n\n${singlePrecision(kernel)}`;
}
