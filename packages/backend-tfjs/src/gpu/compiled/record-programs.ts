/**
 * The step programs the compiled GPU kernel launches for one call, without a GPU: the kernel runs on a host tfjs
 * backend with a launcher that records each program and returns zeros of its output's shape (the values are
 * meaningless; the programs, their inputs and their order are the real ones). For dumps of what a GPU backend would
 * compile (`explainCudaPrograms` in `@seqmodel/backend-cuda`, `seqmodel-bench explain --backend cuda`) and for tests.
 */
import type { SequenceArgs } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TfjsBackend } from '../../tfjs-backend.js';
import type { StepLauncher } from '../gpu-sequence-kernel.js';
import { checkLaunch, type ShaderLang, type StepProgram } from '../shader-lang.js';
import { gpuCompiledSequenceKernel } from './gpu-compiled-kernel.js';

/**
 * A launcher that checks every launch against the program's declared inputs and uniforms, adds the program to
 * `programs` and returns zeros `[outputRows, outputCols]` on the current tfjs backend.
 */
export function recordingLauncher(
  lang: ShaderLang,
  maxInputs: number,
  programs: Set<StepProgram>,
): StepLauncher {
  return {
    lang,
    maxInputs,
    run(program, inputs, uniforms) {
      checkLaunch(program, inputs, uniforms);
      programs.add(program);
      return tf.zeros([program.outputRows, program.outputCols]);
    },
    prepare: (t) => t,
  };
}

export interface RecordProgramsOptions {
  /** The language the programs are for (only named here: the programs are rendered later). */
  readonly lang: ShaderLang;
  /** The launcher's limit on the tensors one program reads (WebGL 16, WebGPU 7, CUDA 64). */
  readonly maxInputs: number;
  /** Also the backward pass (a gradient of every parameter): default true. */
  readonly training?: boolean;
}

/**
 * The distinct programs the compiled GPU kernel launches for `args` on `backend` (a host backend such as
 * backend-cpu's), forward and, when training, backward, in first-launch order; or the reason the kernel declines.
 *
 * @example
 * const programs = recordCompiledGpuPrograms(cpu, { cell: 'mgu', units: 4, inputs, params }, { lang, maxInputs: 64 });
 */
export function recordCompiledGpuPrograms(
  backend: TfjsBackend,
  args: SequenceArgs<tf.Tensor>,
  options: RecordProgramsOptions,
): StepProgram[] | string {
  const programs = new Set<StepProgram>();
  const kernel = gpuCompiledSequenceKernel(
    backend,
    recordingLauncher(options.lang, options.maxInputs, programs),
  );
  const reason = kernel.supports(args);
  if (reason !== undefined) return reason;
  backend.activate();
  if (options.training ?? true) {
    const names = Object.keys(args.params);
    const { value, grads } = backend.valueAndGrads(
      (...ps) =>
        backend.sum(
          kernel.run({ ...args, params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])) }).output,
        ),
      names.map((n) => args.params[n]!),
    );
    backend.dispose([value, ...grads]);
  } else {
    // In a scope, as runSequence calls a kernel: what the kernel makes besides its results is freed with them.
    backend.tidy(() => {
      kernel.run(args);
    });
  }
  return [...programs];
}
