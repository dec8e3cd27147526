/**
 * The WGSL flash attention kernel of `@seqmodel/attention/kernels` on the webgpu backend, run in the page (see
 * `webgpu.test.ts`): the attention kernel kit (fused against the generic path on the same backend, forward and
 * gradients, every mask kind, causal alignments, grouped heads, dropout, finite differences, no leaks), parity with
 * backend-cpu at several sequence lengths (including ones that are not a multiple of the kernel's 64-row blocks),
 * that its programs are the ones that ran (by shader key) and how many programs a step launches against the generic
 * path, and memory over many training steps of the multi-head self-attention model with the kernel registered.
 */
import { SCALED_DOT_PRODUCT_KERNEL, scaledDotProductAttention } from '@seqmodel/attention';
import { registerAttentionKernels } from '@seqmodel/attention/kernels';
import { type AttentionKernelCase, attentionKernelChecks } from '@seqmodel/attention/testing';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { listKernels } from '@seqmodel/core';
import { assertClose } from '@seqmodel/core/testing';
import type { PageCheckGroup } from '../in-page.js';
import { attentionLoss, attentionLossAndGradients, selfAttentionModel } from './attention-checks.js';
import { trainWithFlatMemory } from './gpu-checks.js';
import { check } from './kits.js';
import { countProgramsByShaderKey } from './webgpu-programs.js';

type ProgramCounter = <R>(fn: () => R) => { readonly result: R; readonly programs: number };

/** The flash programs' names, as their shader keys begin (`seqmodel flash attention NAME ...`). */
const flashProgram = /^seqmodel flash attention (forward\+lse|forward|stats|dQ|dK dV)\s/;

/** Runs `fn` and counts the flash attention programs tfjs's WebGPU backend was asked to run, by name. */
export function countFlashPrograms<R>(fn: () => R): { result: R; launches: Record<string, number> } {
  return countProgramsByShaderKey(flashProgram, fn);
}

/** What the launch check measured, for the Node side (`flashMeasurements` in the page). */
export const flashMeasurements: Record<string, unknown> = {};

function sameLaunches(what: string, actual: Record<string, number>, expected: Record<string, number>): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `${what}: expected the flash programs ${JSON.stringify(expected)}, ran ${JSON.stringify(actual)}`,
    );
  }
}

/** Cases of the kit at the head depths of real models. */
const depthCases: readonly AttentionKernelCase[] = [
  {
    name: 'd = dv = 64 (tiles of 31 keys), multi-query, causal, key padding, 100 steps',
    batch: 2,
    heads: 2,
    keyHeads: 1,
    queryLength: 100,
    keyLength: 100,
    depth: 64,
    valueDepth: 64,
    causal: true,
    mask: 'keys',
  },
  {
    name: 'd = 128, dv = 96 (tiles of 18 keys), grouped heads, 70 queries on 90 keys',
    batch: 1,
    heads: 4,
    keyHeads: 2,
    queryLength: 70,
    keyLength: 90,
    depth: 128,
    valueDepth: 96,
  },
];

/** Sequence lengths of the parity check: one block, exactly one, one past it, several with a partial last one. */
const parityLengths = [7, 64, 65, 130];

/**
 * The checks, on `b` (a webgpu backend) with `cpu` as the reference, counting programs with `countPrograms`.
 * Registers the kernel for webgpu (`registerAttentionKernels({ backends: ['webgpu'] })`).
 */
export function webgpuFlashChecks(
  b: TfjsBackend,
  cpu: TfjsBackend,
  countPrograms: ProgramCounter,
  steps = 1000,
  lossRatio = 0.5,
): PageCheckGroup[] {
  registerAttentionKernels({ backends: ['webgpu'] });
  const name = b.tfjsBackendName;
  const registered = check('the flash kernel is registered for webgpu only', name, () => {
    const keys = listKernels(SCALED_DOT_PRODUCT_KERNEL).map((k) => k.backend);
    if (keys.join() !== 'webgpu') throw new Error(`expected a kernel for webgpu only, found [${keys}]`);
  });
  const kit = attentionKernelChecks(b).map((c) =>
    check(`kit: ${c.name}`, name, () => {
      const { launches } = countFlashPrograms(() => c.run());
      // Every check of the kit but the one about returnWeights runs the kernel.
      if (
        !c.name.includes('returnWeights') &&
        !((launches.forward ?? 0) + (launches['forward+lse'] ?? 0) > 0)
      ) {
        throw new Error(`the flash forward program never ran: ${JSON.stringify(launches)}`);
      }
    }),
  );
  // Head depths of real models, whose key tiles fill workgroup memory (the kit's cases have small depths).
  const depths = attentionKernelChecks(b, { cases: depthCases })
    .filter((c) => c.name.startsWith('fused = generic'))
    .map((c) => check(`kit grid: ${c.name}`, name, () => c.run()));
  const parity = parityLengths.map((time) =>
    check(
      `causal, key padding, multi-query, ${time} steps: loss and gradients match backend-cpu within 1e-4`,
      name,
      () => {
        const { result: onGpu, launches } = countFlashPrograms(() =>
          attentionLossAndGradients(b, time, 'require'),
        );
        sameLaunches(`${time} steps`, launches, { 'forward+lse': 1, stats: 1, dQ: 1, 'dK dV': 1 });
        const onCpu = attentionLossAndGradients(cpu, time, 'never');
        b.activate();
        onCpu.forEach((expected, i) => {
          assertClose(`flash attention on ${name}, ${time} steps, result ${i}`, onGpu[i]!, expected, {
            atol: 1e-4,
            rtol: 1e-4,
          });
        });
      },
    ),
  );
  const launches = check(
    'one program for inference; 4 flash programs for loss and gradients, fewer programs in all than the generic path',
    name,
    () => {
      const time = 65;
      const counted = (fused: 'require' | 'never') => {
        const t = attentionLoss(b, time, fused);
        // The inputs are uploaded by their first program; count once they are.
        b.dispose(b.tidy(() => t.loss(t.params)));
        const forward = countPrograms(() =>
          countFlashPrograms(() =>
            b.tidy(() =>
              scaledDotProductAttention(b, {
                query: t.params[0]!,
                key: t.params[1]!,
                value: t.params[2]!,
                causal: true,
                fused,
              }),
            ),
          ),
        );
        b.dispose(forward.result.result.output);
        const training = countPrograms(() =>
          countFlashPrograms(() => b.valueAndGrads((...ps) => t.loss(ps), t.params)),
        );
        const { value, grads } = training.result.result;
        b.dataSync(value);
        b.dispose([value, ...grads]);
        t.dispose();
        return {
          inference: { programs: forward.programs, flash: forward.result.launches },
          lossAndGradients: { programs: training.programs, flash: training.result.launches },
        };
      };
      const fused = counted('require');
      const generic = counted('never');
      flashMeasurements.launches = { time, fused, generic };
      if (fused.inference.programs !== 1) {
        throw new Error(`expected 1 program for fused inference, counted ${fused.inference.programs}`);
      }
      sameLaunches('inference', fused.inference.flash, { forward: 1 });
      sameLaunches('loss and gradients', fused.lossAndGradients.flash, {
        'forward+lse': 1,
        stats: 1,
        dQ: 1,
        'dK dV': 1,
      });
      sameLaunches('generic path', { ...generic.inference.flash, ...generic.lossAndGradients.flash }, {});
      if (!(fused.lossAndGradients.programs < generic.lossAndGradients.programs)) {
        throw new Error(
          `expected fewer programs than the generic path: ${JSON.stringify(flashMeasurements.launches)}`,
        );
      }
    },
  );
  const training = check(
    `multi-head self-attention on the flash kernel: numTensors and numBytesInGPU flat over ${steps.toLocaleString('en-US')} SGD training steps, the loss falls below ${lossRatio} of its start`,
    name,
    () => {
      const m = selfAttentionModel(b);
      const { result, launches } = countFlashPrograms(() =>
        trainWithFlatMemory(b, m.loss, m.params, steps, 0.5),
      );
      m.dispose();
      // trainWithFlatMemory's memory probes run no attention.
      sameLaunches('training', launches, { 'forward+lse': steps, stats: steps, dQ: steps, 'dK dV': steps });
      if (!(result.last < lossRatio * result.first)) {
        throw new Error(
          `the loss did not fall below ${lossRatio} of its start over ${steps} steps: ${result.first} -> ${result.last}`,
        );
      }
    },
  );
  return [
    {
      name: `${name}: flash attention kernel (WGSL), the attention kernel kit`,
      checks: [registered, ...kit],
    },
    { name: `${name}: flash attention kernel (WGSL)`, checks: [...depths, ...parity, launches, training] },
  ];
}
