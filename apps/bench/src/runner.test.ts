import { isAvailable as cudaAvailability } from '@seqmodel/backend-cuda';
import { expect, it } from 'vitest';
import { type BackendProvider, cpuProvider, cudaProvider, webglProvider } from './backends.js';
import { browserBenchUnavailable } from './browser.js';
import { renderMarkdownReport } from './markdown.js';
import type { PlannedCase, RunObserver } from './progress.js';
import { terminalReport } from './report.js';
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

it('skips cuda with its reason where its addon or a GPU is missing', async () => {
  const cuda = await cudaProvider.isAvailable();
  const availability = cudaAvailability();
  expect(cuda).toBe(availability.available ? true : availability.reason);
});

const noBrowser = browserBenchUnavailable();

it.skipIf(noBrowser !== undefined)(
  'runs webgl and webgpu in headless Chromium beside tfjs-layers, with programs per step and the renderer',
  async () => {
    expect(await webglProvider.isAvailable()).toBe(true);
    const results = await runBench({
      preset: 'test',
      backends: ['webgl', 'webgpu'],
      cells: ['lstm'],
      sizes: parseSizes('2x4x3x5'),
      modes: ['forward', 'train'],
      repeats: 1,
      minTimeMs: 0,
      warmup: 1,
      seed: 1,
      matMulSize: 0,
      matMulRepeats: 1,
    });
    expect(schemaErrors(results)).toEqual([]);
    expect(results.backends.map((b) => [b.name, b.status])).toEqual([
      ['webgl', 'ran'],
      ['webgpu', 'ran'],
    ]);
    const webgl = results.backends[0]!;
    expect('details' in webgl && webgl.details).toMatch(/headless Chromium .*, .*; seqmodel fused path/);
    expect(results.cases.map((c) => c.key)).toEqual([
      'webgl/lstm/2x4x3x5/forward',
      'webgl/lstm/2x4x3x5/train',
      'webgpu/lstm/2x4x3x5/forward',
      'webgpu/lstm/2x4x3x5/train',
    ]);
    for (const c of results.cases) {
      const layers = c.tfjsLayers;
      if (!('summary' in layers)) throw new Error(`${c.key}: tfjs-layers did not run`);
      expect(c.seqmodel.leakedTensors).toBe(0);
      // Fewer programs than tfjs-layers on the same cell and backend, counted by the backend.
      expect(c.seqmodel.programsPerRun).toBeGreaterThan(0);
      expect(c.seqmodel.programsPerRun!).toBeLessThan(layers.programsPerRun!);
      expect(c.seqmodel.programsPerStep).toBeCloseTo(c.seqmodel.programsPerRun! / 4);
    }
    // The same reports as the Node backends, with a programs/step column (seqmodel / tfjs-layers).
    const markdown = renderMarkdownReport(results)['report.md']!;
    expect(markdown).toContain('programs/step');
    expect(markdown).toContain('## webgpu: ');
    expect(markdown).toMatch(/\| lstm \|[^\n]*\| [\d.]+ \/ [\d.]+ \|\n/);
    expect(terminalReport(results)).toContain('programs/step');
  },
  300_000,
);

it.skipIf(noBrowser !== undefined)(
  'runs the compiled path on webgl: the compiled GPU kernel for a built-in cell and a plugin, fewer programs than tfjs-layers',
  async () => {
    const results = await runBench({
      preset: 'test',
      backends: ['webgl'],
      cells: ['lstm', 'mgu'],
      sizes: parseSizes('2x4x3x5'),
      modes: ['train'],
      repeats: 1,
      minTimeMs: 0,
      warmup: 1,
      seed: 1,
      matMulSize: 0,
      matMulRepeats: 1,
      path: 'compiled',
    });
    expect(schemaErrors(results)).toEqual([]);
    const webgl = results.backends[0]!;
    expect(webgl.status).toBe('ran');
    expect('details' in webgl && webgl.details).toMatch(/seqmodel compiled path/);
    expect(results.cases.map((c) => c.key)).toEqual(['webgl/lstm/2x4x3x5/train', 'webgl/mgu/2x4x3x5/train']);
    const lstm = results.cases[0]!;
    const layers = lstm.tfjsLayers;
    if (!('summary' in layers)) throw new Error('tfjs-layers did not run');
    expect(lstm.seqmodel.programsPerRun!).toBeLessThan(layers.programsPerRun!);
  },
  300_000,
);
