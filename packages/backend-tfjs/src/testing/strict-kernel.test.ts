import '@tensorflow/tfjs-backend-cpu';
import { initParamTensors, runSequence, SeqmodelError, scanCell } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../backend-switching.js';
import { createTfjsBackend, type TfjsFusedKernel } from '../tfjs-backend.js';
import { compiledCellChecks } from './compiled-kernel-checks.js';
import { leakyRnn } from './leaky-rnn.js';
import { strictKernel } from './strict-kernel.js';

await initTfjsBackend('cpu');

/** A kernel for leakyRnn that declines every case with a mask, and runs the others through the generic loop. */
const declinesMasks: TfjsFusedKernel = {
  label: 'masks declined',
  supports: (args) => (args.mask === undefined ? undefined : 'no masks here'),
  run: (args) => scanCell(backendOf(false), args),
};

const backends = new Map<boolean, ReturnType<typeof createTfjsBackend>>();
function backendOf(strict: boolean) {
  let b = backends.get(strict);
  if (!b) {
    b = createTfjsBackend({
      name: strict ? 'strict' : 'lenient',
      tfjsBackendName: 'cpu',
      registeredKernels: false,
      kernels: [
        {
          kind: 'sequence',
          name: leakyRnn.name,
          kernel: strict ? strictKernel(declinesMasks) : declinesMasks,
        },
      ],
    });
    backends.set(strict, b);
  }
  return b;
}

describe('strictKernel', () => {
  it('throws with the reason on a case the kernel declines, and runs the others', () => {
    const b = backendOf(true);
    const args = {
      cell: leakyRnn,
      units: 3,
      inputs: b.fill([2, 4, 2], 0.5),
      params: initParamTensors(b, leakyRnn, { inputSize: 2, units: 3 }, 7),
    };
    const mask = b.fill([2, 4], 1);
    expect(() => runSequence(b, { ...args, mask })).toThrow(SeqmodelError);
    expect(() => runSequence(b, { ...args, mask })).toThrow(
      `strictKernel: the ${leakyRnn.name} kernel declined a case: no masks here`,
    );
    const { output, state } = runSequence(b, args);
    expect(output.shape).toEqual([2, 3]);
    b.dispose([output, ...state, mask, args.inputs, ...Object.values(args.params)]);
  });

  it('makes the kit fail where a lenient kernel passes it by falling back on the declined variants', async () => {
    const run = async (strict: boolean) => {
      const check = compiledCellChecks(leakyRnn, backendOf(strict)).find((c) =>
        c.name.endsWith('fused kernel matches the generic loop'),
      )!;
      return check.run();
    };
    await expect(run(false)).resolves.toBeUndefined();
    await expect(run(true)).rejects.toThrow(/declined a case: no masks here/);
  });

  it("compiledCellChecks' first check names a variant a kernel declines on a lenient backend", () => {
    const first = compiledCellChecks(leakyRnn, backendOf(false))[0]!;
    expect(first.name).toMatch(/takes every variant/);
    expect(() => first.run()).toThrow(
      `${leakyRnn.name} {} (mask): the fused kernel declined it: no masks here`,
    );
  });
});
