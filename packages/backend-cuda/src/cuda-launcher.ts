/**
 * Plugin cells on the GPU: `@seqmodel/backend-tfjs`'s compiled GPU kernel (the kernel webgl and webgpu run for every
 * cell the compiler accepts) with its step programs compiled to CUDA by NVRTC (`cuda-lang.ts`) and launched by the
 * addon on the tensors' device buffers. Nothing is read back to the host: the whole-sequence products are the
 * backend's MatMul (cuBLAS or the tiled kernel), each elementwise pass one launch per step.
 *
 * Where NVRTC is missing (only the driver installed, or CUDA's lib64 not on the library path) or cannot compile for
 * this GPU, `cudaCompiledKernel` runs backend-native's compiled kernel instead: the cpu backend's JavaScript on the
 * tensors' values read back to the host.
 */
import { type NativeKernelBackend, nativeCompiledKernel } from '@seqmodel/backend-native';
import {
  checkLaunch,
  gpuCompiledSequenceKernel,
  recordCompiledGpuPrograms,
  type StepLauncher,
  type StepProgram,
  type TfjsBackend,
  type TfjsFusedKernel,
} from '@seqmodel/backend-tfjs';
import {
  builtInCells,
  type CellRef,
  checkPositiveInteger,
  debugLogOnce,
  initParams,
  invalidArgument,
  resolveCell,
  resolveCellOptions,
  SeqmodelError,
  type SequenceArgs,
  type SequenceResult,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { type CudaAddon, type CudaProgram, cudaDevice } from './addon.js';
import { cudaLang, cudaProgramSource } from './cuda-lang.js';

/** The most tensors one program reads: kernel parameters are 8 bytes each, far below CUDA's 4 KiB. */
const maxProgramInputs = 64;

/**
 * Compiled programs by source, the least recently used dropped beyond `limit` (its module is unloaded when the handle
 * is collected). Sizes are constants in a program's text, so training on many sequence lengths would otherwise keep
 * a set of programs per length for the backend's life.
 */
export class ProgramCache<P> {
  private readonly entries = new Map<string, P>();

  constructor(readonly limit = 512) {}

  get size(): number {
    return this.entries.size;
  }

  /** The program of `source`, compiled by `compile` when it is not cached. */
  get(source: string, compile: () => P): P {
    let program = this.entries.get(source);
    if (program === undefined) {
      program = compile();
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    } else {
      this.entries.delete(source);
    }
    this.entries.set(source, program);
    return program;
  }
}

/** A kernel with no inputs, compiled once per launcher to learn whether NVRTC works here at all. */
const probeProgram: StepProgram = {
  name: 'nvrtc probe',
  inputs: [],
  uniforms: [],
  outputRows: 1,
  outputCols: 1,
  source: (lang) => ({ functions: '', body: lang.variable('result', '1.0') }),
};

export class CudaLauncher implements StepLauncher {
  readonly lang = cudaLang;
  readonly maxInputs = maxProgramInputs;
  /** Compiled programs by source: plans of the same shapes share them. */
  private readonly compiled = new ProgramCache<CudaProgram>();
  private readonly sources = new WeakMap<StepProgram, string>();
  private probed: { reason: string | undefined } | undefined;

  constructor(
    private readonly backend: TfjsBackend,
    private readonly addon: CudaAddon,
  ) {}

  /** Why generated programs cannot run here (no NVRTC, or it failed to compile a trivial kernel), or undefined. */
  unavailable(): string | undefined {
    if (this.probed === undefined) {
      const { nvrtc, nvrtcReason } = cudaDevice(this.addon);
      let reason: string | undefined = nvrtc === '' ? nvrtcReason : undefined;
      if (reason === undefined) {
        try {
          this.program(probeProgram);
        } catch (error) {
          reason = `NVRTC (${nvrtc}) failed on a trivial kernel: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      this.probed = { reason };
    }
    return this.probed.reason;
  }

  /** The CUDA C++ that runs `program` (what `run` compiles; for dumps and tests). */
  source(program: StepProgram): string {
    let source = this.sources.get(program);
    if (source === undefined) {
      source = cudaProgramSource(program);
      this.sources.set(program, source);
    }
    return source;
  }

  private program(program: StepProgram): CudaProgram {
    const source = this.source(program);
    return this.compiled.get(source, () =>
      this.addon.programCompile(
        source,
        program.inputs.map((i) => i.rows * i.cols),
        program.outputRows * program.outputCols,
        program.uniforms.length,
      ),
    );
  }

  private instance(): NativeKernelBackend {
    return tf.engine().findBackend(this.backend.tfjsBackendName) as unknown as NativeKernelBackend;
  }

  run(program: StepProgram, inputs: readonly tf.Tensor[], uniforms: readonly number[]): tf.Tensor {
    checkLaunch(program, inputs, uniforms);
    const wrong = inputs.findIndex((t) => t.dtype !== 'float32');
    if (wrong >= 0) {
      throw new SeqmodelError(
        `${program.name}: input ${program.inputs[wrong]!.name} is ${inputs[wrong]!.dtype}; the programs read float32`,
      );
    }
    const compiled = this.program(program);
    const backend = this.instance();
    const out = backend.makeOutput([program.outputRows, program.outputCols], 'float32');
    try {
      this.addon.programRun(
        compiled,
        inputs.map((t) => backend.buffer(t)),
        backend.buffer(out),
        [...uniforms],
      );
    } catch (error) {
      backend.disposeData(out.dataId);
      throw error;
    }
    return tf.engine().makeTensorFromTensorInfo(out);
  }

  prepare(t: tf.Tensor): tf.Tensor {
    return t;
  }
}

/**
 * The `sequence` kernel for every cell without a hand-written one (plugins above all) on the CUDA backend: the
 * compiled GPU kernel with NVRTC-compiled step programs, or backend-native's host kernel where NVRTC is unavailable
 * or the GPU kernel declines (a program reading more than 64 tensors).
 */
export function cudaCompiledKernel(backend: TfjsBackend, addon: CudaAddon): TfjsFusedKernel {
  const launcher = new CudaLauncher(backend, addon);
  const gpu = gpuCompiledSequenceKernel(backend, launcher);
  const host = nativeCompiledKernel(backend);
  const choose = (args: SequenceArgs<tf.Tensor>): { kernel: TfjsFusedKernel; gpuReason?: string } => {
    const gpuReason = launcher.unavailable() ?? gpu.supports(args);
    return gpuReason === undefined ? { kernel: gpu } : { kernel: host, gpuReason };
  };
  // The label is the GPU kernel's wherever NVRTC works; a cell it declines (and every cell where NVRTC does not work)
  // runs on the host, said once per cell and reason in the debug log.
  return {
    get label() {
      return launcher.unavailable() === undefined ? gpu.label : host.label;
    },
    supports(args: SequenceArgs<tf.Tensor>): string | undefined {
      const { kernel, gpuReason } = choose(args);
      if (kernel === gpu) return undefined;
      const hostReason = host.supports(args);
      if (hostReason === undefined) {
        debugLogOnce('fused', `${backend.name}/${args.cell.name}: the host's compiled kernel (${gpuReason})`);
      }
      return hostReason === undefined ? undefined : `${gpuReason}; on the host: ${hostReason}`;
    },
    run(args: SequenceArgs<tf.Tensor>): SequenceResult<tf.Tensor> {
      return choose(args).kernel.run(args);
    },
  } as TfjsFusedKernel;
}

/** The most input values `explainCudaPrograms` takes (it runs the kernel on the host, values unused). */
const maxExplainedInputs = 1 << 24;

/** Sizes and options for `explainCudaPrograms`. */
export interface CudaProgramsRequest {
  readonly batch: number;
  /** Time steps: a program's text holds the sequence length, so a dump is for one. */
  readonly time: number;
  readonly inputSize: number;
  readonly units: number;
  /** The cell's options (default: its defaults). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Also the backward pass's programs (default true). */
  readonly training?: boolean;
}

/**
 * The CUDA C++ the CUDA backend compiles for a plugin cell at these sizes: every program the compiled GPU kernel
 * launches, forward and (when training) backward, as `cudaProgramSource` writes it for NVRTC; or why the kernel
 * declines the cell. Recorded on `backend`, a host backend (`createCpuBackend()`): no GPU is needed.
 *
 * @example
 * console.log(explainCudaPrograms(createCpuBackend(), mgu, { batch: 2, time: 3, inputSize: 3, units: 4 }));
 */
export function explainCudaPrograms(
  backend: TfjsBackend,
  cellRef: CellRef,
  request: CudaProgramsRequest,
): string {
  const cell = resolveCell(cellRef);
  const { batch, time, inputSize, units } = request;
  for (const [name, value] of Object.entries({ batch, time, inputSize, units })) {
    checkPositiveInteger(`explainCudaPrograms(request.${name})`, value);
  }
  if (batch * time * inputSize > maxExplainedInputs) {
    invalidArgument(
      'explainCudaPrograms(request)',
      `batch x time x inputSize = ${batch * time * inputSize}`,
      `at most ${maxExplainedInputs} input values (the dump runs the kernel on the host)`,
    );
  }
  const training = request.training ?? true;
  const variant = request.options ?? {};
  const host = initParams(cell, { inputSize, units, ...variant }, 1);
  // In a scope: the parameters and inputs made here are freed with it, on an error too.
  return backend.tidy(() => {
    const params = Object.fromEntries(
      Object.entries(host).map(([n, p]) => [n, backend.tensor(p.values, p.shape)]),
    );
    const inputs = backend.tensor(new Float32Array(batch * time * inputSize), [batch, time, inputSize]);
    const args = { cell, options: resolveCellOptions(cell, variant), units, inputs, params };
    const programs = recordCompiledGpuPrograms(backend, args, {
      lang: cudaLang,
      maxInputs: maxProgramInputs,
      training,
    });
    const what = `${cell.name} at batch ${batch}, time ${time}, input ${inputSize}, units ${units} (${training ? 'training' : 'inference'})`;
    if (typeof programs === 'string') return `${what}: not compiled for the GPU: ${programs}`;
    const builtIn = builtInCells.some((c) => c.name === cell.name)
      ? `\n${cell.name} is built in: createCudaBackend() runs its C++ kernel; these are the programs its compiled GPU kernel would launch`
      : '';
    const header = `${what}: ${programs.length} step programs in CUDA C++, each compiled by NVRTC at its first launch${builtIn}`;
    return [
      header,
      ...programs.map(
        (p, i) => `\n// --- program ${i + 1} of ${programs.length} ---\n${cudaProgramSource(p)}`,
      ),
    ].join('\n');
  });
}
