/**
 * The GPU check's Node side, bundled by scripts/prepare-gpu-check.mjs (esbuild) so that it runs on a GPU machine
 * with only the carried Node binary:
 *   node check.mjs kits              the binding's conformance plan on seqmodel-cuda (pass / fail / skip per check)
 *   node check.mjs layers            seqmodel's layers on seqmodel-cuda (`backendLayerChecks`: the layer conformance
 *                                    kit on the recurrent layers, Dense and Embedding; a model trained with fit)
 *   node check.mjs sanitize          a small workload for compute-sanitizer: every fused cell forward and backward,
 *                                    with masks, the backend conformance group, and a plugin cell's conformance
 *                                    (its generated programs)
 *   node check.mjs plugins           plugin cells (MGU, IndRNN, peephole LSTM, the kits' leaky RNN and minimal gated
 *                                    unit) on the compiled GPU kernel with NVRTC-compiled step programs: the
 *                                    compiled-kernel checks (float64 reference, generic loop, finite differences),
 *                                    then forward and training-step times at 64x100x64x256 against the host's
 *                                    compiled JavaScript, the generic loop and the hand-written GRU
 *   node check.mjs torch <dir>       LSTM and GRU at the issue's sizes (the small one alone with
 *                                    SEQMODEL_GPU_CHECK_QUICK=1; SEQMODEL_CUDA_OWN_KERNELS=1: the tiled GEMM): seqmodel's forward output, loss and
 *                                    gradients and its timings, written to <dir> for compare.py (PyTorch, cuDNN)
 * Prints one line per finding and a summary line; exits 1 on a failure, 2 when no device is usable.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeCompiledKernel } from '@seqmodel/backend-native';
import { anyCell } from '@seqmodel/backend-tfjs';
import {
  compiledCellChecks,
  leakyRnn,
  minimalGatedUnit,
  tfjsBackendTestPlan,
} from '@seqmodel/backend-tfjs/testing';
import { indRnn } from '@seqmodel/cell-indrnn';
import { mgu } from '@seqmodel/cell-mgu';
import { peepholeLstm } from '@seqmodel/cell-peephole-lstm';
import {
  type AnyCellPlugin,
  type Backend,
  findKernel,
  gru,
  initParams,
  lstm,
  resolveCellOptions,
  runSequence,
} from '@seqmodel/core';
import type { ConformanceCheck } from '@seqmodel/core/testing';
import { backendLayerChecks } from '@seqmodel/layers/testing';
import { createCudaBackend, cudaInfo, isAvailable } from '../src/index.js';

type Tensor = object;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Runs the groups' checks; one line per failure and a summary line; the number of failures. */
async function runChecks(
  what: string,
  groups: readonly { name: string; checks: readonly ConformanceCheck[] }[],
): Promise<number> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const group of groups) {
    for (const check of group.checks) {
      if (check.skip !== undefined) {
        skipped++;
        continue;
      }
      try {
        await check.run();
        passed++;
      } catch (error) {
        failed++;
        say(
          `FAIL ${group.name} > ${check.name}: ${(error as Error).message.split('\n').slice(0, 6).join(' | ')}`,
        );
      }
    }
  }
  say(`${what}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed;
}

function runPlan(backend: Backend<Tensor>, groups: readonly string[] | undefined): Promise<number> {
  const plan = tfjsBackendTestPlan(backend as never).filter((g) => !groups || groups.includes(g.name));
  return runChecks('kits', plan);
}

/** Deterministic uniform values in [-scale, scale] (a 32-bit LCG: the weights only need to be shared with PyTorch). */
function uniform(n: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = scale * ((s / 4294967296) * 2 - 1);
  }
  return out;
}

interface Case {
  cell: 'lstm' | 'gruResetAfter';
  batch: number;
  time: number;
  inputSize: number;
  units: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Times `repeats` forward passes (`output`, read back: the device waits, as PyTorch's timing synchronizes) and SGD
 * training steps on `loss` from `initial` (disposed), each after one untimed call; `first` is the first forward
 * call's time (it compiles what runs on first use).
 */
function timeSteps(
  b: Required<Backend<Tensor>>,
  output: (ps: Tensor[]) => Tensor,
  loss: (...ps: Tensor[]) => Tensor,
  initial: Tensor[],
  repeats: number,
): { forward: number[]; train: number[]; first: number } {
  let first: number | undefined;
  const timed = (fn: () => void): number[] => {
    const start = performance.now();
    fn();
    first ??= performance.now() - start;
    const samples: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      fn();
      samples.push(performance.now() - t);
    }
    return samples;
  };
  let params = initial;
  const forward = timed(() => {
    const y = b.tidy(() => output(params));
    b.dataSync(y);
    b.dispose(y);
  });
  const train = timed(() => {
    const step = b.valueAndGrads(loss, params);
    const next = b.tidy(() => params.map((p, i) => b.sub(p, b.mul(step.grads[i]!, 0.01))));
    b.dataSync(step.value);
    b.dispose([step.value, ...step.grads, ...params]);
    params = next;
  });
  b.dispose(params);
  return { forward, train, first: first ?? 0 };
}

/** Forward and training step of one case on seqmodel-cuda; writes the arrays and timings for compare.py. */
function torchCase(backend: Backend<Tensor>, c: Case, dir: string, repeats: number): void {
  const b = backend as Required<Backend<Tensor>>;
  const gates = c.cell === 'lstm' ? 4 : 3;
  const W = gates * c.units;
  const scale = 1 / Math.sqrt(c.units);
  const arrays: [string, number[], Float32Array][] = [
    ['inputs', [c.batch, c.time, c.inputSize], uniform(c.batch * c.time * c.inputSize, 1, 1)],
    ['target', [c.batch, c.units], uniform(c.batch * c.units, 0.5, 2)],
    ['kernel', [c.inputSize, W], uniform(c.inputSize * W, scale, 3)],
    ['recurrentKernel', [c.units, W], uniform(c.units * W, scale, 4)],
    ['bias', c.cell === 'lstm' ? [W] : [2, W], uniform(c.cell === 'lstm' ? W : 2 * W, scale, 5)],
  ];
  const [x, target, kernel, recurrentKernel, bias] = arrays.map(([, shape, v]) =>
    b.tensor(v, shape),
  ) as Tensor[];
  const cell = c.cell === 'lstm' ? lstm : gru;
  const sequence = (k: Tensor, r: Tensor, bi: Tensor) =>
    runSequence(b, { cell, units: c.units, inputs: x!, params: { kernel: k, recurrentKernel: r, bias: bi } })
      .output;
  const loss = (k: Tensor, r: Tensor, bi: Tensor) => {
    const d = b.sub(sequence(k, r, bi), target!);
    return b.div(b.sum(b.mul(d, d)), c.batch * c.units);
  };
  // Outputs and gradients on the initial weights first.
  const output = b.tidy(() => sequence(kernel!, recurrentKernel!, bias!));
  const outputValues = b.dataSync(output) as Float32Array;
  const { value, grads } = b.valueAndGrads(loss, [kernel!, recurrentKernel!, bias!]);
  const results: [string, number[], Float32Array][] = [
    ['output', [c.batch, c.units], outputValues],
    ['dKernel', arrays[2]![1], b.dataSync(grads[0]!) as Float32Array],
    ['dRecurrentKernel', arrays[3]![1], b.dataSync(grads[1]!) as Float32Array],
    ['dBias', arrays[4]![1], b.dataSync(grads[2]!) as Float32Array],
  ];
  const lossValue = (b.dataSync(value) as Float32Array)[0]!;
  b.dispose([output, value, ...grads]);

  const { forward, train } = timeSteps(
    b,
    (ps) => sequence(ps[0]!, ps[1]!, ps[2]!),
    (...ps) => loss(ps[0]!, ps[1]!, ps[2]!),
    [kernel!, recurrentKernel!, bias!],
    repeats,
  );
  b.dispose([x!, target!]);

  const name = `${c.cell}-${c.batch}x${c.time}x${c.inputSize}x${c.units}`;
  const write = (file: string, entries: [string, number[], Float32Array][]) => {
    writeFileSync(
      join(dir, `${name}.${file}.bin`),
      Buffer.concat(entries.map(([, , v]) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))),
    );
    return entries.map(([n, shape]) => ({ name: n, shape }));
  };
  const spec = {
    name,
    cell: c.cell,
    size: { batch: c.batch, time: c.time, inputSize: c.inputSize, units: c.units },
    dataFile: join(dir, `${name}.data.bin`),
    arrays: write('data', arrays),
    resultFile: join(dir, `${name}.results.bin`),
    results: write('results', results),
    loss: lossValue,
    seqmodel: {
      forwardMs: median(forward),
      trainMs: median(train),
      forward,
      train,
      gemm: cudaInfo().gemmKernel,
    },
  };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(spec));
  say(
    `${name}: seqmodel-cuda forward ${spec.seqmodel.forwardMs.toFixed(2)} ms, training step ${spec.seqmodel.trainMs.toFixed(2)} ms (${spec.seqmodel.gemm})`,
  );
}

/** Median forward and training-step times of `cell` at `size` on `backend` (values read back: the device waits). */
function cellTimes(
  backend: Backend<Tensor>,
  cell: AnyCellPlugin,
  [batch, time, inputSize, units]: readonly number[],
  repeats: number,
): { forward: number; train: number; kernel: string; first: number } {
  const b = backend as Required<Backend<Tensor>>;
  const options = resolveCellOptions(cell, {});
  const host = initParams(cell, { inputSize: inputSize!, units: units! }, 7);
  const names = Object.keys(host);
  const params = names.map((n) => b.tensor(host[n]!.values, host[n]!.shape));
  const x = b.tensor(uniform(batch! * time! * inputSize!, 1, 11), [batch!, time!, inputSize!]);
  const target = b.tensor(uniform(batch! * units!, 0.5, 12), [batch!, units!]);
  const args = (ps: Tensor[]) => ({
    cell,
    options,
    units: units!,
    inputs: x,
    params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
  });
  const kernel = findKernel(backend, 'sequence', cell.name);
  const chosen = kernel && kernel.supports(args(params) as never) === undefined ? kernel : undefined;
  const loss = (...ps: Tensor[]) => {
    const d = b.sub(runSequence(b, args(ps)).output, target);
    return b.div(b.sum(b.mul(d, d)), batch! * units!);
  };
  const times = timeSteps(b, (ps) => runSequence(b, args(ps)).output, loss, params, repeats);
  b.dispose([x, target]);
  // The first forward call compiles the programs of that shape (NVRTC on the GPU kernel).
  return {
    forward: median(times.forward),
    train: median(times.train),
    first: times.first,
    kernel: chosen ? (chosen.label ?? 'fused') : 'generic loop',
  };
}

/** The plugin cells on the compiled GPU kernel: checks, then times against the other paths. */
async function pluginCells(backend: Backend<Tensor>): Promise<number> {
  const cells: AnyCellPlugin[] = [mgu, indRnn, peepholeLstm, leakyRnn, minimalGatedUnit];
  let failures = 0;
  const label = findKernel(backend, 'sequence', mgu.name)?.label;
  if (label !== 'compiled (cuda)') {
    say(`FAIL plugin cells run "${label}", not "compiled (cuda)" (NVRTC: ${cudaInfo().nvrtc || 'none'})`);
    failures++;
  }
  const configs = [
    { inputSize: 3, units: 4 },
    { inputSize: 5, units: 7 },
  ];
  failures += await runChecks(
    'plugins',
    cells.map((cell) => ({ name: cell.name, checks: compiledCellChecks(cell, backend, { configs }) })),
  );
  // The same backend with the host's compiled JavaScript under `*`, and with no fused kernel (the generic loop).
  const hostBackend = (await createCudaBackend({
    kernels: [{ kind: 'sequence', name: anyCell, kernel: nativeCompiledKernel }],
  })) as unknown as Backend<Tensor>;
  const genericBackend = (await createCudaBackend({ kernels: false })) as unknown as Backend<Tensor>;
  const size = [64, 100, 64, 256];
  const reference = cellTimes(backend, gru, size, 5);
  say(
    `gru ${size.join('x')} (${reference.kernel}): forward ${reference.forward.toFixed(2)} ms, training step ${reference.train.toFixed(2)} ms`,
  );
  for (const cell of cells.slice(0, 3)) {
    const paths = [
      cellTimes(backend, cell, size, 5),
      cellTimes(hostBackend, cell, size, 3),
      cellTimes(genericBackend, cell, size, 3),
    ];
    say(
      `${cell.name} ${size.join('x')}: ${paths.map((p, i) => `${['GPU kernel', 'host JavaScript', 'generic'][i]} (${p.kernel}) forward ${p.forward.toFixed(2)} ms, training step ${p.train.toFixed(2)} ms (first forward ${p.first.toFixed(0)} ms)`).join('; ')}`,
    );
    if (paths[0]!.kernel !== 'compiled (cuda)') failures++;
  }
  return failures;
}

async function main(): Promise<number> {
  const [mode, dir] = process.argv.slice(2);
  const availability = isAvailable();
  if (!availability.available) {
    say(`no usable GPU: ${availability.reason}`);
    return 2;
  }
  const backend = (await createCudaBackend({
    ownKernelsOnly: process.env.SEQMODEL_CUDA_OWN_KERNELS === '1',
  })) as unknown as Backend<Tensor>;
  const info = cudaInfo();
  say(
    `device: ${info.deviceName} (compute ${info.computeCapability}, ${info.devices} device(s)); ${info.notes}`,
  );
  if (mode === 'kits') return (await runPlan(backend, undefined)) > 0 ? 1 : 0;
  if (mode === 'layers') {
    return (await runChecks('layers', [{ name: 'layers', checks: backendLayerChecks(backend) }])) > 0 ? 1 : 0;
  }
  if (mode === 'sanitize') {
    const groups = [
      'backend conformance',
      'fused kernels',
      'cell conformance: lstm',
      'cell conformance: a plugin cell',
    ];
    return (await runPlan(backend, groups)) > 0 ? 1 : 0;
  }
  if (mode === 'plugins') return (await pluginCells(backend)) > 0 ? 1 : 0;
  if (mode === 'torch' && dir) {
    const sizes: [number, number, number, number][] = [[64, 100, 64, 256]];
    if (process.env.SEQMODEL_GPU_CHECK_QUICK !== '1') sizes.push([256, 512, 512, 1024]);
    for (const cell of ['lstm', 'gruResetAfter'] as const) {
      for (const [batch, time, inputSize, units] of sizes) {
        torchCase(backend, { cell, batch, time, inputSize, units }, dir, batch > 64 ? 5 : 10);
      }
    }
    return 0;
  }
  say('usage: node check.mjs kits | layers | plugins | sanitize | torch <dir>');
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    say(`FAIL ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
