/**
 * What the GPU sequence kernels (`gpu-programs.ts`) need of a shading language. The step programs are written once,
 * as text valid in both GLSL ES 3.00 and WGSL wherever the two agree (arithmetic, calls, `if` blocks, integer
 * indices, float literals written with a point), and through this interface where they do not (declarations,
 * selects, reads, uniforms, functions). `backend-webgl` implements it for GLSL, `backend-webgpu` for WGSL,
 * `backend-cuda` for CUDA C++ (the compiled kernel's programs only).
 */
/** An input of a step program: a tensor seen as a `[rows, cols]` matrix. */
export interface ProgramInput {
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
}

export interface ShaderLang {
  readonly name: string;
  /** A float constant binding: `float name = expr;` / `let name: f32 = expr;`. */
  let(name: string, expr: string): string;
  /** An integer constant binding. */
  letInt(name: string, expr: string): string;
  /** A float variable with an initial value (assigned later with `name = expr;`, the same in both). */
  variable(name: string, expr: string): string;
  /** An integer variable with an initial value. */
  variableInt(name: string, expr: string): string;
  /** `condition ? a : b` (both evaluated). */
  select(condition: string, a: string, b: string): string;
  /** Element (row, col) of `input`; `row` and `col` are integer expressions. */
  read(input: ProgramInput, row: string, col: string): string;
  /** An integer uniform of the program (the step index, say). */
  uniform(name: string): string;
  /**
   * A function `name(b, col) -> float` that sums `term(m)` over `m` from 0 to `length - 1` (`b`, `col` and `m` are
   * integers in scope of `term`).
   */
  sumFunction(name: string, length: number, term: (m: string) => string): string;
  /** A function `name(x) -> float` returning `expr` (of the float `x`). */
  floatFunction(name: string, expr: string): string;
}

/** A step program, independent of the language: what a backend's launcher compiles and runs. */
/**
 * Tensors the programs read, in the layout the launcher's programs expect (WebGL: unpacked textures). The runner
 * prepares each whole-sequence input once, so that no program launch converts one per step.
 */
export interface StepProgram {
  /** Names the program in errors and program caches (`lstm forward`, ...). */
  readonly name: string;
  readonly inputs: readonly ProgramInput[];
  /** Integer uniforms, set per launch (the shader is compiled once). */
  readonly uniforms: readonly string[];
  readonly outputRows: number;
  readonly outputCols: number;
  /**
   * The shader's own functions and the body that computes `result` for output element (`b`, `col`) (integers in
   * scope), in the language given.
   */
  source(lang: ShaderLang): { readonly functions: string; readonly body: string };
}

/** Throws when a launch gives `program` other inputs or uniforms than it declares (a runner's mistake). */
export function checkLaunch(
  program: StepProgram,
  inputs: readonly { readonly size: number }[],
  uniforms: readonly number[],
): void {
  const sizes = inputs.map((t) => t.size);
  const expected = program.inputs.map((i) => i.rows * i.cols);
  if (
    sizes.length !== expected.length ||
    sizes.some((n, i) => n !== expected[i]) ||
    uniforms.length !== program.uniforms.length
  ) {
    throw new Error(
      `${program.name}: launched with inputs of ${JSON.stringify(sizes)} elements and ${uniforms.length} uniforms; ` +
        `it reads ${program.inputs.map((i) => `${i.name} ${i.rows}x${i.cols}`).join(', ')} and ${program.uniforms.length} uniforms`,
    );
  }
}
