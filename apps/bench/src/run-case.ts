/** One benchmark case: a cell at one size on one backend, seqmodel against tfjs-layers, forward and training. */
import { type Agreement, assertAgreement, measureAgreement } from './agreement.js';
import type { BenchBackend } from './backends.js';
import { type BenchCell, forwardFlops, type RnnSize, trainingFlops } from './flops.js';
import { timeInterleaved } from './interleave.js';
import { layersModel, seqmodelModel } from './models.js';
import type { Timing } from './timing.js';
import { benchData } from './weights.js';

export type BenchMode = 'forward' | 'train';
export const benchModes: readonly BenchMode[] = ['forward', 'train'];

export interface ModeResult {
  readonly mode: BenchMode;
  readonly flops: number;
  readonly seqmodel: Timing;
  readonly tfjsLayers: Timing;
}

export interface CaseResult {
  readonly backend: string;
  readonly cell: BenchCell;
  readonly size: RnnSize;
  readonly agreement: Agreement;
  readonly modes: readonly ModeResult[];
  /** Tensors left behind by the whole case (should be 0). */
  readonly leakedTensors: number;
}

export interface CaseOptions {
  readonly modes: readonly BenchMode[];
  /** At least 1: the first warm-up of each mode is the correctness check. */
  readonly warmup: number;
  readonly repeats: number;
}

export function runCase(
  bench: BenchBackend,
  cell: BenchCell,
  size: RnnSize,
  options: CaseOptions,
): CaseResult {
  const b = bench.backend;
  const startTensors = b.memory().numTensors;
  const data = benchData(cell, size);
  const ours = seqmodelModel(b, cell, size, data);
  const theirs = layersModel(b, cell, size, data);
  try {
    // A forward pass and a training step of each, compared: this is also the first warm-up of both modes.
    const agreement = measureAgreement(ours, theirs);
    assertAgreement(`${bench.name}/${cell}`, agreement);
    const timing = { warmup: Math.max(0, options.warmup - 1), repeats: options.repeats };
    const modes = options.modes.map((mode): ModeResult => {
      const [seqmodel, tfjsLayers] =
        mode === 'forward'
          ? timeInterleaved([() => ours.forward(), () => theirs.forward()], timing)
          : timeInterleaved([() => ours.trainStep(), () => theirs.trainStep()], timing);
      const flops = mode === 'forward' ? forwardFlops(cell, size) : trainingFlops(cell, size);
      return { mode, flops, seqmodel: seqmodel!, tfjsLayers: tfjsLayers! };
    });
    ours.dispose();
    theirs.dispose();
    return {
      backend: bench.name,
      cell,
      size,
      agreement,
      modes,
      leakedTensors: b.memory().numTensors - startTensors,
    };
  } catch (error) {
    ours.dispose();
    theirs.dispose();
    throw error;
  }
}
