/**
 * Checks of a GPU backend beyond the conformance plan, run in the page: parity with backend-cpu, program launches
 * per time step (the fused kernels' targets, and tfjs-layers' count on the same cell), memory flat over 1,000
 * training steps, and switching between the GPU backend, wasm and cpu at run time.
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { indRnn } from '@seqmodel/cell-indrnn';
import { mgu } from '@seqmodel/cell-mgu';
import { peepholeLstm } from '@seqmodel/cell-peephole-lstm';
import {
  type AnyCellPlugin,
  gru,
  initParams,
  lstm,
  resolveCellOptions,
  runSequence,
  simpleRNN,
} from '@seqmodel/core';
import { assertClose, readAll } from '@seqmodel/core/testing';
// tfjs-layers calls chained tensor methods (x.add(...)), which tfjs-core registers only through this module.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { PageCheckGroup } from '../in-page.js';
import { assertActiveTfjsBackend, check } from './kits.js';

export interface GpuUnderTest {
  /** The backend with its fused kernels. */
  readonly backend: TfjsBackend;
  /** Runs `fn` and counts the programs the GPU backend launched. */
  countPrograms<R>(fn: () => R): { readonly result: R; readonly programs: number };
}

export interface CellCase {
  readonly label: string;
  readonly cell: AnyCellPlugin;
  readonly options: Record<string, unknown>;
  /** tfjs-layers' layer computing the same function, where it has one. */
  readonly layer?: (units: number, inputShape: number[]) => tfl.layers.Layer;
}

const zeros = {
  kernelInitializer: 'zeros',
  recurrentInitializer: 'zeros',
  biasInitializer: 'zeros',
} as const;

const cases: readonly CellCase[] = [
  {
    label: 'simpleRNN',
    cell: simpleRNN,
    options: {},
    layer: (units, inputShape) => tfl.layers.simpleRNN({ units, inputShape, ...zeros }),
  },
  {
    label: 'lstm',
    cell: lstm,
    options: {},
    layer: (units, inputShape) =>
      tfl.layers.lstm({ units, inputShape, recurrentActivation: 'sigmoid', ...zeros }),
  },
  {
    label: 'gru (resetAfter false, as tfjs-layers)',
    cell: gru,
    options: { resetAfter: false },
    layer: (units, inputShape) =>
      tfl.layers.gru({ units, inputShape, recurrentActivation: 'sigmoid', ...zeros }),
  },
  { label: 'gru (resetAfter true)', cell: gru, options: { resetAfter: true } },
  // Plugin cells: the compiled GPU kernel (filed under `*`), made from their steps.
  { label: 'mgu (plugin, compiled)', cell: mgu, options: {} },
  { label: 'peepholeLstm (plugin, compiled)', cell: peepholeLstm, options: {} },
  { label: 'indRnn (plugin, compiled)', cell: indRnn, options: {} },
];

export const lstmCase = cases[1]!;

/** The plugin cells' cases (the compiled GPU kernel). */
export const pluginCases: readonly CellCase[] = cases.filter((c) => c.label.includes('plugin, compiled'));

/** The built-in cells' cases (simpleRNN, LSTM, both GRUs). */
export const builtInCases: readonly CellCase[] = cases.slice(0, 4);

interface Sized {
  readonly batch: number;
  readonly time: number;
  readonly inputSize: number;
  readonly units: number;
}

/** Parameters and inputs of a case on `b` (seeded, the same numbers on every backend). */
export function makeTensors(b: TfjsBackend, c: CellCase, size: Sized) {
  const host = initParams(c.cell, { inputSize: size.inputSize, units: size.units, ...c.options }, 17);
  const names = Object.keys(host);
  const params = names.map((n) => b.tensor(host[n]!.values, host[n]!.shape));
  const count = size.batch * size.time * size.inputSize;
  const x = b.tensor(
    Float32Array.from({ length: count }, (_, i) => Math.sin(0.7 * i)),
    [size.batch, size.time, size.inputSize],
  );
  const output = (ps: readonly tf.Tensor[]) => {
    const { output } = runSequence(b, {
      cell: c.cell,
      options: resolveCellOptions(c.cell, c.options),
      units: size.units,
      inputs: x,
      params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
      returnSequences: true,
    });
    return output;
  };
  const loss = (ps: readonly tf.Tensor[]) => {
    const y = output(ps);
    return b.sum(b.mul(y, y));
  };
  return { params, x, output, loss, dispose: () => b.dispose([...params, x]) };
}

/** The loss and its gradients, read back. */
function lossAndGradients(b: TfjsBackend, c: CellCase, size: Sized): Float32Array[] {
  const t = makeTensors(b, c, size);
  const { value, grads } = b.valueAndGrads((...ps) => t.loss(ps), t.params);
  const out = readAll(b, [value, ...grads]) as Float32Array[];
  b.dispose([value, ...grads]);
  t.dispose();
  return out;
}

/** The loss and gradients of case `c` at `size` on `b` agree with backend-cpu's within 1e-4 (float32 targets). */
export function assertMatchesCpu(b: TfjsBackend, cpu: TfjsBackend, c: CellCase, size: Sized): void {
  const onGpu = lossAndGradients(b, c, size);
  const onCpu = lossAndGradients(cpu, c, size);
  b.activate();
  onCpu.forEach((expected, i) => {
    assertClose(`${c.label} on ${b.tfjsBackendName}, result ${i}`, onGpu[i]!, expected, {
      atol: 1e-4,
      rtol: 1e-4,
    });
  });
}

/**
 * Programs launched by the sequence's forward pass, and by a training step's backward pass (a training step's
 * programs less those of the loss's forward), at `size`. The loss is left out of the forward count: tfjs reduces a
 * sum in more passes as it grows (webgl: two from 31 elements), a count that depends on the length but is not the
 * sequence kernel's.
 */
interface Launches {
  readonly forward: number;
  readonly backward: number;
}

function seqmodelLaunches(g: GpuUnderTest, c: CellCase, size: Sized): Launches {
  const b = g.backend;
  const t = makeTensors(b, c, size);
  // Warm-up: the first runs compile, and tfjs uploads the inputs.
  for (let i = 0; i < 2; i++) {
    const { value, grads } = b.valueAndGrads((...ps) => t.loss(ps), t.params);
    b.dispose([value, ...grads]);
  }
  const forward = g.countPrograms(() => b.dispose(b.tidy(() => t.output(t.params)))).programs;
  const withLoss = g.countPrograms(() => b.dispose(b.tidy(() => t.loss(t.params)))).programs;
  const train = g.countPrograms(() => {
    const { value, grads } = b.valueAndGrads((...ps) => t.loss(ps), t.params);
    b.dispose([value, ...grads]);
  }).programs;
  t.dispose();
  return { forward, backward: train - withLoss };
}

/** The same for tfjs-layers' layer (`model.predict`, and `optimizer.computeGradients` of the same loss). */
function layersLaunches(g: GpuUnderTest, c: CellCase, size: Sized): Launches {
  g.backend.activate();
  const model = tfl.sequential({ layers: [c.layer!(size.units, [size.time, size.inputSize])] });
  const x = tf.tensor(
    Float32Array.from({ length: size.batch * size.time * size.inputSize }, (_, i) => Math.sin(i)),
    [size.batch, size.time, size.inputSize],
  );
  const optimizer = tf.train.sgd(0.01);
  const loss = () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar;
  const step = () => {
    const { value, grads } = optimizer.computeGradients(loss);
    tf.dispose([value, ...Object.values(grads)]);
  };
  step();
  const forward = g.countPrograms(() =>
    tf.dispose(model.predict(x, { batchSize: size.batch }) as tf.Tensor),
  ).programs;
  const withLoss = g.countPrograms(() => tf.dispose(tf.tidy(loss))).programs;
  const train = g.countPrograms(step).programs;
  model.dispose();
  optimizer.dispose();
  x.dispose();
  return { forward, backward: train - withLoss };
}

/**
 * Per time step: the difference between two sequence lengths, over the difference of lengths. Both lengths are
 * at most 7, so that each whole-sequence gather of step records is one launch at either length (a gathering program
 * reads at most 7 records on WebGPU, 16 on WebGL); beyond that a gather adds one launch per 7 (16) steps per record
 * stream, which the bench's whole-run counts include.
 */
function perStep(at: (time: number) => Launches): Launches {
  const [short, long] = [3, 7];
  const a = at(short);
  const b = at(long);
  return {
    forward: (b.forward - a.forward) / (long - short),
    backward: (b.backward - a.backward) / (long - short),
  };
}

/** What the launch checks measured, for the bench and the report (`launchCounts` in the page). */
export const measuredLaunches: Record<string, unknown> = {};

/**
 * `steps` SGD steps of `loss` from `params` (which it disposes), throwing when `numTensors` or `numBytesInGPU` after
 * the last step differ from after step 10 (the warm-up has allocated what it keeps by then). The first and last
 * losses come back.
 */
export function trainWithFlatMemory(
  b: TfjsBackend,
  loss: (params: readonly tf.Tensor[]) => tf.Tensor,
  params: readonly tf.Tensor[],
  steps: number,
  learningRate: number,
): { first: number; last: number } {
  const memory = (on: tf.Tensor) => {
    // tfjs-webgpu releases the buffers of tensors disposed while its command queue still uses them only when it
    // next submits the queue, so what it reports depends on where the last step stopped; reading a result computed
    // on the GPU (the sum of a parameter) submits the queue.
    const probe = b.tidy(() => b.sum(on));
    b.dataSync(probe);
    b.dispose(probe);
    const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    return { numTensors: m.numTensors, numBytesInGPU: m.numBytesInGPU };
  };
  let current = params;
  let early: ReturnType<typeof memory> | undefined;
  let first = Number.NaN;
  let last = Number.NaN;
  for (let step = 1; step <= steps; step++) {
    const { value, grads } = b.valueAndGrads((...ps) => loss(ps), current);
    if (step === 1) first = b.dataSync(value)[0]!;
    if (step === steps) last = b.dataSync(value)[0]!;
    const next = b.tidy(() => current.map((p, i) => b.sub(p, b.mul(grads[i]!, learningRate))));
    b.dispose([value, ...grads, ...current]);
    current = next;
    if (step === 10) early = memory(current[0]!);
  }
  const late = memory(current[0]!);
  b.dispose(current);
  if (late.numTensors !== early!.numTensors || late.numBytesInGPU !== early!.numBytesInGPU) {
    throw new Error(`memory after 10 steps ${JSON.stringify(early)}, after ${steps} ${JSON.stringify(late)}`);
  }
  return { first, last };
}

/**
 * `gpuChecks`' options: other cases (the built-in cells on a backend whose kernels for them are the compiled GPU
 * kernel, for comparison), a title for the groups, the memory check left out.
 */
export interface GpuCheckOptions {
  readonly cases?: readonly CellCase[];
  readonly title?: string;
  readonly memory?: boolean;
}

export function gpuChecks(
  g: GpuUnderTest,
  cpu: TfjsBackend,
  options: GpuCheckOptions = {},
): PageCheckGroup[] {
  const b = g.backend;
  const name = b.tfjsBackendName;
  const title = options.title ?? name;
  const parity = (options.cases ?? cases).map((c) =>
    check(`${c.label}: loss and gradients match backend-cpu within 1e-4 (float32 targets)`, name, () =>
      assertMatchesCpu(b, cpu, c, { batch: 4, time: 12, inputSize: 8, units: 16 }),
    ),
  );
  const launches = (options.cases ?? cases).map((c) =>
    check(
      `${c.label}: at most 2 programs per time step forward and 3 backward${c.layer ? ', fewer than tfjs-layers' : ''}`,
      name,
      () => {
        const size = (time: number) => ({ batch: 2, time, inputSize: 3, units: 5 });
        const ours = perStep((time) => seqmodelLaunches(g, c, size(time)));
        const theirs = c.layer ? perStep((time) => layersLaunches(g, c, size(time))) : undefined;
        measuredLaunches[c.label] = { seqmodel: ours, tfjsLayers: theirs };
        if (ours.forward > 2 || ours.backward > 3) {
          throw new Error(
            `${c.label} on ${name}: ${JSON.stringify(ours)} programs per step; targets 2 forward, 3 backward`,
          );
        }
        if (theirs && (ours.forward >= theirs.forward || ours.backward >= theirs.backward)) {
          throw new Error(
            `${c.label} on ${name}: seqmodel ${JSON.stringify(ours)} per step, tfjs-layers ${JSON.stringify(theirs)}`,
          );
        }
      },
    ),
  );
  // The hand-written kernels (lstm) and the compiled GPU kernel (the plugin cells) train with flat memory.
  const trained = [lstmCase, ...pluginCases];
  const leaks = trained.map((c) =>
    check(`${c.label}: numTensors and numBytesInGPU flat over 1,000 SGD training steps`, name, () => {
      const t = makeTensors(b, c, { batch: 2, time: 3, inputSize: 2, units: 3 });
      const { first, last } = trainWithFlatMemory(b, t.loss, t.params, 1000, 0.01);
      b.dispose(t.x);
      if (!(last < first)) throw new Error(`the loss did not fall over 1,000 steps: ${first} -> ${last}`);
    }),
  );
  return [
    { name: `${title}: parity with backend-cpu`, checks: parity },
    { name: `${title}: program launches per time step`, checks: launches },
    ...(options.memory === false ? [] : [{ name: `${title}: memory`, checks: leaks }]),
  ];
}

/**
 * The GPU backend, wasm and cpu used in turns in one page: every call runs on its own tfjs backend (the active one
 * is checked after each), and an LSTM's loss and gradients agree between the three.
 */
export function switchingChecks(gpu: TfjsBackend, wasm: TfjsBackend, cpu: TfjsBackend): PageCheckGroup {
  const backends = [gpu, wasm, cpu];
  const inTurns = check(
    `${gpu.name}, wasm and cpu in turns: each call on its own tfjs backend`,
    gpu.name,
    () => {
      const c = lstmCase;
      const size = { batch: 2, time: 5, inputSize: 3, units: 4 };
      const results: Float32Array[][] = backends.map(() => []);
      for (let round = 0; round < 2; round++) {
        backends.forEach((b, k) => {
          const r = lossAndGradients(b, c, size);
          assertActiveTfjsBackend(b.tfjsBackendName);
          if (round === 0) results[k] = r;
        });
      }
      gpu.activate();
      for (const k of [1, 2]) {
        results[0]!.forEach((v, i) => {
          assertClose(`${backends[k]!.name} against ${gpu.name}, result ${i}`, results[k]![i]!, v, {
            atol: 1e-4,
            rtol: 1e-4,
          });
        });
      }
    },
  );
  return { name: `${gpu.name}: switching between ${gpu.name}, wasm and cpu`, checks: [inTurns] };
}
