import { resolveCellOptions } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { builtInGpuCells, gpuCellFor } from './gpu-cells.js';
import {
  backwardDhProgram,
  backwardStepProgram,
  forwardStepProgram,
  masksOf,
  postStepProgram,
  preStepProgram,
  type RunShape,
} from './gpu-programs.js';

const flags = [false, true];
const shapes: RunShape[] = flags.flatMap((hasMask) =>
  flags.flatMap((hasRecurrentMask) =>
    flags.flatMap((returnSequences) =>
      flags.map((hasRecurrentBias) => ({
        batch: 2,
        time: 5,
        units: 3,
        activation: 'tanh',
        recurrentActivation: 'sigmoid',
        hasMask,
        hasRecurrentMask,
        hasRecurrentBias,
        returnSequences,
        zeroMaskedOutputs: false,
        training: true,
      })),
    ),
  ),
);

const variants = builtInGpuCells.flatMap((base) =>
  base.cell.name === 'gru'
    ? [false, true].map((resetAfter) => gpuCellFor(base, resolveCellOptions(base.cell, { resetAfter })))
    : [gpuCellFor(base, resolveCellOptions(base.cell, {}))],
);

describe('GPU step programs', () => {
  it('read at most 7 tensors for every cell and option, so that WebGPU (8 storage buffers per program, one the output) runs them all', () => {
    for (const cell of variants) {
      for (const shape of shapes) {
        const programs = [
          forwardStepProgram(cell, shape),
          backwardDhProgram(cell, shape),
          backwardStepProgram(cell, shape),
          ...(cell.pre ? [preStepProgram(cell, shape)] : []),
          ...(cell.post ? [postStepProgram(cell, shape)] : []),
        ];
        for (const p of programs) {
          expect(p.inputs.length, `${p.name} ${JSON.stringify(shape)}`).toBeLessThanOrEqual(7);
          expect(new Set(p.inputs.map((i) => i.name)).size, p.name).toBe(p.inputs.length);
        }
      }
    }
  });

  it('take the step mask and the recurrent dropout mask as one input [batch, time + units] when both are present', () => {
    const shape = shapes.find((s) => s.hasMask && s.hasRecurrentMask)!;
    const masks = masksOf(shape);
    expect(masks.inputs).toEqual([{ name: 'masks', rows: 2, cols: 5 + 3 }]);
    expect(masks.step).toBe(masks.inputs[0]);
    expect(masks.recurrent).toEqual({ input: masks.inputs[0], offset: 5 });
    const alone = masksOf({ ...shape, hasMask: false });
    expect(alone.inputs).toEqual([{ name: 'rmask', rows: 2, cols: 3 }]);
    expect(alone.recurrent?.offset).toBe(0);
  });
});
