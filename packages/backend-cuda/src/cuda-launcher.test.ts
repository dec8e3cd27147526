/**
 * `cudaCompiledKernel`'s fallback, without a GPU: with an addon whose NVRTC is missing, or fails on the trial kernel,
 * plugin cells run the host's compiled kernel (label, supports, and the same output as the generic loop); the reason
 * is kept. The GPU path itself runs in `scripts/gpu-check.sh` (`plugins`).
 */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { minimalGatedUnit } from '@seqmodel/backend-tfjs/testing';
import { initParams, resolveCellOptions, runSequence, setDebugLogger } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import type { CudaAddon } from './addon.js';
import { CudaLauncher, cudaCompiledKernel, explainCudaPrograms, ProgramCache } from './cuda-launcher.js';

const backend = await createCpuBackend({ kernels: false });

function fakeAddon(nvrtc: string, compile: () => never): CudaAddon {
  const device = [true, '', 1, 'fake', 9, 0, '', '', 'notes', nvrtc, nvrtc ? '' : 'NVRTC not found (fake)'];
  return { device: () => device, programCompile: compile } as unknown as CudaAddon;
}

const missing = fakeAddon('', () => {
  throw new Error('must not compile without NVRTC');
});
const broken = fakeAddon('libnvrtc.so 13.0', () => {
  throw new Error('nvrtc: cannot open libnvrtc-builtins');
});

describe('the plugin-cell kernel without a working NVRTC', () => {
  for (const [what, addon, reason] of [
    ['missing', missing, /^NVRTC not found \(fake\)$/],
    [
      'failing on the trial kernel',
      broken,
      /failed on a trivial kernel: nvrtc: cannot open libnvrtc-builtins/,
    ],
  ] as const) {
    it(`NVRTC ${what}: the launcher says why, and the host's compiled kernel runs, as the generic loop computes`, () => {
      expect(new CudaLauncher(backend, addon).unavailable()).toMatch(reason);
      const kernel = cudaCompiledKernel(backend, addon);
      expect(kernel.label).toBe('compiled (javascript)');
      const [batch, time, inputSize, units] = [2, 3, 3, 4];
      const host = initParams(minimalGatedUnit, { inputSize, units }, 1);
      const params = Object.fromEntries(
        Object.entries(host).map(([n, p]) => [n, backend.tensor(p.values, p.shape)]),
      );
      const inputs = backend.tensor(
        Float32Array.from({ length: batch * time * inputSize }, (_, i) => Math.sin(i)),
        [batch, time, inputSize],
      );
      const args = {
        cell: minimalGatedUnit,
        options: resolveCellOptions(minimalGatedUnit, {}),
        units,
        inputs,
        params,
      };
      const logs: string[] = [];
      setDebugLogger((topic, message) => logs.push(`${topic}: ${message}`));
      try {
        expect(kernel.supports(args)).toBeUndefined();
        expect(kernel.supports(args)).toBeUndefined();
      } finally {
        setDebugLogger(undefined);
      }
      // Said once, with the reason.
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(/^fused: cpu\/testMinimalGatedUnit: the host's compiled kernel \(/);
      const fused = kernel.run(args);
      const generic = runSequence(backend, args);
      const [a, b] = [backend.dataSync(fused.output), backend.dataSync(generic.output)];
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6);
      backend.dispose([fused.output, ...fused.state, generic.output, ...generic.state, inputs]);
      backend.dispose(Object.values(params));
    });
  }
});

describe('ProgramCache', () => {
  it('compiles a source once, and drops the least recently used beyond its limit', () => {
    const cache = new ProgramCache<string>(2);
    const compiled: string[] = [];
    const get = (source: string) =>
      cache.get(source, () => {
        compiled.push(source);
        return `program of ${source}`;
      });
    expect(get('a')).toBe('program of a');
    get('b');
    get('a');
    expect(compiled).toEqual(['a', 'b']);
    get('c'); // drops b, the least recently used
    expect(cache.size).toBe(2);
    get('a');
    get('b');
    expect(compiled).toEqual(['a', 'b', 'c', 'b']);
  });
});

describe('explainCudaPrograms', () => {
  const request = { batch: 2, time: 3, inputSize: 3, units: 4 };

  it('lists the CUDA C++ of every program a plugin cell launches, forward only for inference', () => {
    const before = backend.memory().numTensors;
    const training = explainCudaPrograms(backend, minimalGatedUnit, request);
    const inference = explainCudaPrograms(backend, minimalGatedUnit, { ...request, training: false });
    expect(backend.memory().numTensors).toBe(before);
    const count = (text: string) => text.match(/extern "C" __global__ void seqmodel_program\(/g)?.length ?? 0;
    const [, n] = /: (\d+) step programs in CUDA C\+\+/.exec(training)!;
    expect(count(training)).toBe(Number(n));
    expect(training).toMatch(/^testMinimalGatedUnit at batch 2, time 3, input 3, units 4 \(training\): /);
    expect(training).toMatch(/backward/);
    expect(count(inference)).toBeGreaterThanOrEqual(2);
    expect(count(inference)).toBeLessThan(count(training));
    expect(inference).not.toMatch(/backward/);
  });

  it('says why a cell is not compiled, and names a bad size', () => {
    expect(
      explainCudaPrograms(backend, 'simpleRNN', { ...request, options: { activation: 'softmax' } }),
    ).toMatch(/: not compiled for the GPU: .*not compiled/);
    expect(explainCudaPrograms(backend, 'lstm', request)).toMatch(
      /lstm is built in: createCudaBackend\(\) runs its C\+\+ kernel/,
    );
    expect(() =>
      explainCudaPrograms(backend, minimalGatedUnit, { ...request, batch: 1 << 13, time: 1 << 13 }),
    ).toThrow(
      /explainCudaPrograms\(request\): expected at most 16777216 input values .*received "batch x time x inputSize = 201326592"/,
    );
    expect(() => explainCudaPrograms(backend, minimalGatedUnit, { ...request, time: 0 })).toThrow(
      /explainCudaPrograms\(request\.time\): expected a positive integer, received 0/,
    );
  });
});
