/**
 * `@seqmodel/backend-tfjs/testing`: the test plan every tfjs-based seqmodel backend runs. It gathers core's
 * backend and cell conformance kits (every built-in cell in several option variants, and a plugin cell) and the
 * binding's own checks (bad input, autodiff corner cases, leaks when calls throw, numerics, training), for a
 * backend with fused kernels their checks against the generic loop, and kernels registered for the backend from
 * another package (an attention kernel, a plugin cell's sequence kernel) taking over from the generic path. The checks
 * are plain objects, so any test runner can run them:
 *
 * @example
 * for (const group of tfjsBackendTestPlan(await createWasmBackend())) {
 *   describe(group.name, () => {
 *     for (const check of group.checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
 *   });
 * }
 */
import { builtInCells } from '@seqmodel/core';
import {
  backendConformanceChecks,
  type ConformanceCheck,
  cellConformanceChecks,
} from '@seqmodel/core/testing';
import { badInputChecks } from './bad-input-checks.js';
import { bindingChecks, type SwitchableNumerics } from './binding-checks.js';
import { builtInCellConfigs } from './cell-configs.js';
import { fusedKernelChecks } from './fused-kernel-checks.js';
import { minimalGatedUnit } from './plugin-cell.js';
import { registeredKernelChecks } from './registered-kernel-checks.js';

export { badInputChecks, expectSeqmodelError } from './bad-input-checks.js';
export { bindingChecks, type SwitchableNumerics } from './binding-checks.js';
export { builtInCellConfigs } from './cell-configs.js';
export { type CompiledCellCheckOptions, compiledCellChecks } from './compiled-kernel-checks.js';
export { compiledKernelWithChecks } from './compiled-kernel-with-checks.js';
export {
  boundsCell,
  carriedStateCell,
  compilerCornerCells,
  functionOptionCell,
  gpuCompilerCornerCells,
  inputProductChainCell,
  paramStateCell,
  rawInputSumCell,
  rowLeftCell,
  sharedStateGradientCell,
  stepInputProductCell,
} from './corner-cells.js';
export { compiledEdgeValueChecks } from './edge-value-checks.js';
export { type FactoryDefaultKernels, factoryKernelChecks } from './factory-kernel-checks.js';
export { fusedCellConfigs, fusedKernelChecks, gpuCompiledBuiltInCells } from './fused-kernel-checks.js';
export {
  expectProductClose,
  type GemmCheck,
  gemmCheckShapes,
  gemmProviderChecks,
  randomFloats,
  randomOperand,
  referenceProduct,
} from './gemm-checks.js';
export { hostGeneratorChecks, planOf } from './generator-checks.js';
export { recordCompiledPrograms, recordStepPrograms } from './gpu-step-programs.js';
export {
  InterpretingLauncher,
  interpretedGpuBackend,
  interpretedLaunchesPerStep,
  interpretProgram,
  javascriptShaderLang,
  type LaunchCountOptions,
} from './interpreting-launcher.js';
export { type LeakyRnnOptions, leakyRnn } from './leaky-rnn.js';
export { type OpsFixtures, opsFixtures, opsRobustnessCases } from './ops-robustness.js';
export { minimalGatedUnit } from './plugin-cell.js';
export { registeredKernelChecks } from './registered-kernel-checks.js';
export { strictKernel } from './strict-kernel.js';

export interface CheckGroup {
  readonly name: string;
  readonly checks: readonly ConformanceCheck[];
}

/** Every check for a tfjs-based backend, in groups; see the module comment. */
export function tfjsBackendTestPlan<T>(backend: SwitchableNumerics<T>): CheckGroup[] {
  return [
    { name: 'backend conformance', checks: backendConformanceChecks(backend) },
    ...builtInCells.map((cell) => ({
      name: `cell conformance: ${cell.name}`,
      checks: cellConformanceChecks(cell, backend, { configs: builtInCellConfigs[cell.name] ?? [] }),
    })),
    { name: 'cell conformance: a plugin cell', checks: cellConformanceChecks(minimalGatedUnit, backend) },
    { name: 'bad input', checks: badInputChecks(backend) },
    { name: 'autodiff, memory and numerics', checks: bindingChecks(backend) },
    { name: 'fused kernels', checks: fusedKernelChecks(backend) },
    { name: 'kernels registered from outside', checks: registeredKernelChecks(backend) },
  ];
}
export {
  describeRandomCell,
  type RandomCellCheckOptions,
  type RandomCellEnvironment,
  type RandomCellOptions,
  type RandomCellProgram,
  randomCell,
  randomCellChecks,
  randomCellProgram,
  randomCellRun,
} from './random-cells.js';
