/**
 * The bench inside headless Chromium (bundled by `browser.ts`): the webgl or webgpu seqmodel backend and
 * tfjs-layers on the same tfjs backend, timed by the same `runCase` as in Node, plus the programs each contender
 * launches per run (the backends' own counters). Node calls `start`, `matMul` and `runCase` through the page; for
 * `bench paths`, `startPaths` and `runPathsCase` (the backend on every path, timed by the same code as in Node).
 */
import { registerAttentionKernels } from '@seqmodel/attention/kernels';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import {
  countWebglPrograms,
  createWebglBackend,
  webglFusedKernels,
  webglInfo,
} from '@seqmodel/backend-webgl';
import {
  countWebgpuPrograms,
  createWebgpuBackend,
  webgpuFusedKernels,
  webgpuInfo,
} from '@seqmodel/backend-webgpu';
import { expose, pageReady } from '@seqmodel/browser-testing/in-page';
import * as tf from '@tensorflow/tfjs-core';
import { attentionCase } from './attention/cases.js';
import type { AttentionCaseRecord } from './attention/records.js';
import { runAttentionCase } from './attention/run.js';
import { type BenchBackend, type BenchPath, benchPaths } from './bench-backend.js';
import { benchCell, registerBenchPlugins } from './cells.js';
import { benchMatMul } from './matmul.js';
import { layersModel, seqmodelModel } from './models.js';
import { type PathsCase, type PathsCaseConfig, timePathsCase } from './paths-case.js';
import type { RemoteAttentionOptions, RemoteCaseOptions, RemoteModeRun } from './remote.js';
import { type BenchMode, type CaseRun, type ModeRun, runCase } from './run-case.js';
import type { RnnSize } from './sizes.js';
import { benchData } from './weights.js';

let bench: BenchBackend | undefined;
let countPrograms: <R>(fn: () => R) => { readonly programs: number } = () => {
  throw new Error('the bench page has no backend yet (call start)');
};
/** Launches of the WGSL flash attention kernel's programs (webgpu, fused path), by their shader keys. */
let flashLaunches = 0;
let flashKernel: string | undefined;

/** Registers `@seqmodel/attention`'s WGSL flash kernel for webgpu and counts its programs' launches. */
function registerWebgpuFlashKernel(): void {
  registerAttentionKernels({ backends: ['webgpu'] });
  const instance = tf.engine().findBackend('webgpu') as unknown as {
    runWebGPUProgram: (program: { shaderKey: string }, ...rest: unknown[]) => unknown;
  };
  const run = instance.runWebGPUProgram;
  instance.runWebGPUProgram = function (this: unknown, program, ...rest) {
    if (program.shaderKey.startsWith('seqmodel flash attention ')) flashLaunches++;
    return run.apply(this, [program, ...rest]);
  };
  flashKernel = 'WGSL';
}

/** A seqmodel backend on `name` for `path`: compiled puts the compiled GPU kernel first for the built-in cells too. */
async function pageBackend(name: 'webgl' | 'webgpu', path: BenchPath): Promise<TfjsBackend> {
  // compiled: the compiled GPU kernel (filed under `*`, serving plugin cells) first for the built-in cells too.
  const star = (name === 'webgl' ? webglFusedKernels : webgpuFusedKernels)['*']!;
  const compiledFirst = ['simpleRNN', 'lstm', 'gru'].map((cell) => ({
    kind: 'sequence' as const,
    name: cell,
    kernel: star,
  }));
  const kernels =
    path === 'fused' ? {} : path === 'compiled' ? { kernels: compiledFirst } : { kernels: false as const };
  return name === 'webgl'
    ? await createWebglBackend({ allowSoftwareRenderer: true, ...kernels })
    : await createWebgpuBackend(kernels);
}

/** The browser and the device, for the details line. */
async function deviceDetails(name: 'webgl' | 'webgpu'): Promise<string> {
  const info = name === 'webgl' ? await webglInfo() : await webgpuInfo();
  const device =
    info === undefined
      ? 'unknown device'
      : 'renderer' in info
        ? `${info.renderer}, ${info.precision}-bit floats${info.softwareRenderer ? ' (software renderer: times are ratios, not GPU figures)' : ''}`
        : `${info.adapter}${info.softwareAdapter ? ' (software adapter: times are ratios, not GPU figures)' : ''}`;
  return `tfjs-backend-${name} in headless Chromium ${navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? ''}, ${device}`;
}

expose('start', async (name: 'webgl' | 'webgpu', path: BenchPath) => {
  registerBenchPlugins();
  const backend = await pageBackend(name, path);
  countPrograms = name === 'webgl' ? countWebglPrograms : countWebgpuPrograms;
  if (name === 'webgpu' && path === 'fused') registerWebgpuFlashKernel();
  bench = {
    name,
    backend,
    details: `${await deviceDetails(name)}; seqmodel ${path} path${flashKernel ? `; flash attention kernel (${flashKernel})` : ''}`,
    layersModel: (cell, size, data) => layersModel(backend, cell, size, data),
  };
  return bench.details;
});

/** The backend on every path (fused, compiled, generic), for `bench paths`. */
let pathBenches: BenchBackend[] = [];

expose('startPaths', async (name: 'webgl' | 'webgpu') => {
  registerBenchPlugins();
  pathBenches = [];
  for (const path of benchPaths) {
    const backend = await pageBackend(name, path);
    pathBenches.push({
      name,
      backend,
      details: path,
      layersModel: (cell, size, data) => layersModel(backend, cell, size, data),
    });
  }
  return `${await deviceDetails(name)}; seqmodel fused, compiled and generic paths`;
});

expose('runPathsCase', (cellKey: string, size: RnnSize, config: PathsCaseConfig): PathsCase[] =>
  timePathsCase(pathBenches[0]!.name, pathBenches, cellKey, size, config),
);

expose('matMul', (n: number, repeats: number) => {
  const result = benchMatMul(bench!.backend, n, 1, repeats);
  return { n: result.n, timing: result.timing, gflops: result.gflops };
});

/** Programs one run of each contender launches (after the case's own runs, so nothing compiles any more). */
function programsPerRun(cellKey: string, size: RnnSize, mode: BenchMode, seed: number): number[] {
  const cell = benchCell(cellKey);
  const data = benchData(cell, size, seed);
  const models = [seqmodelModel(bench!.backend, cell, size, data)];
  if ('layer' in cell.tfjsLayers) models.push(bench!.layersModel(cell, size, data));
  try {
    return models.map((m) => {
      const run = (): void => {
        if (mode === 'forward') m.forward();
        else m.trainStep();
      };
      run();
      return countPrograms(run).programs;
    });
  } finally {
    for (const m of models) m.dispose();
  }
}

expose(
  'runCase',
  async (cellKey: string, size: RnnSize, options: RemoteCaseOptions): Promise<RemoteModeRun[]> => {
    const runs: { caseRun: CaseRun; modeRun: ModeRun }[] = [];
    await runCase(bench!, benchCell(cellKey), size, {
      ...options,
      onMode: (modeRun, caseRun) => runs.push({ caseRun, modeRun }),
    });
    return runs.map((r) => ({ ...r, programs: programsPerRun(cellKey, size, r.modeRun.mode, options.seed) }));
  },
);

expose('runAttentionCase', (caseName: string, options: RemoteAttentionOptions): AttentionCaseRecord[] => {
  const records: AttentionCaseRecord[] = [];
  const before = flashLaunches;
  runAttentionCase(bench!, attentionCase(caseName), {
    ...options,
    engine: undefined,
    ...(flashKernel ? { fusedKernel: { name: flashKernel, ran: () => flashLaunches > before } } : {}),
    onRecord: (record) => records.push(record),
  });
  return records;
});

pageReady(Promise.resolve());
