import { isAvailable as cudaAvailability } from '@seqmodel/backend-cuda';
import { expect, it } from 'vitest';
import { type BackendProvider, cpuProvider, cudaProvider, webglProvider } from './backends.js';
import type { PlannedCase, RunObserver } from './progress.js';
import { runBench } from './runner.js';
import { parseSizes } from './sizes.js';
import { schemaErrors } from './validate.js';

it('lists backends that cannot run as skipped with their reason, never as failures', async () => {
  const broken: BackendProvider = {
    name: 'fake',
    description: 'a backend that is never available',
    isAvailable: async () => 'no such device here',
    create: () => Promise.reject(new Error('create must not be called for an unavailable backend')),
  };
  const notes: string[] = [];
  let planned: readonly PlannedCase[] = [];
  const observer: RunObserver = {
    plan: (p) => {
      planned = p;
    },
    note: (t) => notes.push(t),
    caseStarted: () => undefined,
    tick: () => undefined,
    caseDone: () => undefined,
    finish: () => undefined,
  };
  const results = await runBench(
    {
      preset: 'custom',
      backends: ['fake', 'cpu'],
      cells: ['gru'],
      sizes: parseSizes('1x2x1x2'),
      modes: ['forward'],
      repeats: 1,
      minTimeMs: 0,
      warmup: 1,
      seed: 1,
      matMulSize: 0,
      matMulRepeats: 1,
    },
    { observer, providers: [broken, cpuProvider] },
  );
  expect(schemaErrors(results)).toEqual([]);
  expect(results.backends).toEqual([
    { name: 'fake', status: 'skipped', reason: 'no such device here' },
    {
      name: 'cpu',
      status: 'ran',
      details: 'tfjs-backend-cpu (JavaScript); seqmodel fused path',
      matMul: null,
    },
  ]);
  expect(notes[0]).toBe('backend fake: skipped (no such device here)');
  expect(planned.map((p) => p.label)).toEqual(['cpu gru 1x2x1x2 forward']);
  expect(results.cases.map((c) => c.key)).toEqual(['cpu/gru/1x2x1x2/forward']);
});

it('skips webgl with the reason (its seqmodel backend does not exist yet), and cuda with its own', async () => {
  const webgl = await webglProvider.isAvailable();
  expect(webgl).toContain('@seqmodel/backend-webgl');
  await expect(webglProvider.create({ path: 'fused' })).rejects.toThrow('webgl: not available');
  const cuda = await cudaProvider.isAvailable();
  const availability = cudaAvailability();
  expect(cuda).toBe(availability.available ? true : availability.reason);
});
