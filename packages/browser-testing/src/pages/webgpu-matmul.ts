/**
 * Which of tfjs-backend-webgpu's matrix-product programs the webgpu pages run, and the check that keeps tfjs's own
 * choice covered.
 *
 * tfjs-backend-webgpu 4.22 picks the program by shape (`BatchMatMul_impl`): a product of at most 128 output
 * elements runs `MatMulReduceProgram`, a workgroup of 256 invocations per output element joined by workgroup
 * barriers. SwiftShader runs that about ten times slower than tfjs's tiled program. An LSTM training step at batch 2,
 * 3 steps, 2 inputs and 3 units, whose products are all that small, took 68 ms with it and 6-8 ms with the tiled
 * program (2026-12-03; the step's other programs cost ~0.3 ms each). The 1,000-step memory checks and the
 * conformance plan's small cases spent most of their time in it. So the webgpu pages run every product on the tiled
 * program (`useTiledMatMul`), and `tfjsMatMulChoiceChecks` runs the small cases on tfjs's own choice against
 * backend-cpu.
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { PageCheckGroup } from '../in-page.js';
import { assertMatchesCpu, lstmCase, pluginCases } from './gpu-checks.js';
import { check } from './kits.js';
import { countProgramsByShaderKey } from './webgpu-programs.js';

const flag = 'WEBGPU_MATMUL_PROGRAM_TYPE';
/** tfjs-backend-webgpu's `MatMulProgramType.MatMulPackedProgram`, the tiled program; -1 is its own choice. */
const packedProgram = 3;

/** Every product from here on runs tfjs-backend-webgpu's tiled program (call it after `createWebgpuBackend`). */
export function useTiledMatMul(): void {
  tf.env().set(flag, packedProgram);
}

/**
 * `fn` with tfjs-backend-webgpu choosing its product programs by shape, as it does by default; throws unless it ran
 * `MatMulReduceProgram` (shader keys `matMulReduce...`) at least once, the program the other pages avoid.
 */
function withTfjsChoice(fn: () => void): void {
  const before = tf.env().get(flag);
  tf.env().set(flag, -1);
  try {
    const { launches } = countProgramsByShaderKey(/^(matMulReduce)/, fn);
    if (!launches.matMulReduce) {
      throw new Error(
        "tfjs ran no MatMulReduceProgram: this check no longer covers tfjs's choice for small products",
      );
    }
  } finally {
    tf.env().set(flag, before);
  }
}

/**
 * The LSTM (hand-written kernel) and the plugin cells (compiled kernel) at a size where every product has at most
 * 128 output elements (at most 6 x 12), on tfjs's own choice of program (`MatMulReduceProgram` there, which the
 * check asserts ran): loss and gradients against backend-cpu.
 */
export function tfjsMatMulChoiceChecks(b: TfjsBackend, cpu: TfjsBackend): PageCheckGroup {
  const size = { batch: 2, time: 3, inputSize: 2, units: 3 };
  return {
    name: `${b.tfjsBackendName}: small products on tfjs's own choice of program`,
    checks: [lstmCase, ...pluginCases].map((c) =>
      check(
        `${c.label}: loss and gradients match backend-cpu within 1e-4 with every product on tfjs's default program`,
        b.tfjsBackendName,
        () => withTfjsChoice(() => assertMatchesCpu(b, cpu, c, size)),
      ),
    ),
  };
}
