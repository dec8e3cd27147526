/** Counting the programs tfjs's WebGPU backend is asked to run, by name, from their shader keys. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` and counts the programs tfjs's WebGPU backend was asked to run (through the backend instance's
 * `runWebGPUProgram`) whose shader key matches `pattern`, by the pattern's first group.
 */
export function countProgramsByShaderKey<R>(
  pattern: RegExp,
  fn: () => R,
): { result: R; launches: Record<string, number> } {
  const instance = tf.engine().findBackend('webgpu') as unknown as {
    runWebGPUProgram: (program: { shaderKey: string }, ...rest: unknown[]) => unknown;
  };
  const own = Object.hasOwn(instance, 'runWebGPUProgram');
  const run = instance.runWebGPUProgram;
  const launches: Record<string, number> = {};
  instance.runWebGPUProgram = function (this: unknown, program, ...rest) {
    const name = pattern.exec(program.shaderKey)?.[1];
    if (name !== undefined) launches[name] = (launches[name] ?? 0) + 1;
    return run.apply(this, [program, ...rest]);
  };
  try {
    return { result: fn(), launches };
  } finally {
    if (own) instance.runWebGPUProgram = run;
    else delete (instance as { runWebGPUProgram?: unknown }).runWebGPUProgram;
  }
}
