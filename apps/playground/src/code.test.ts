import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { unregisterCell } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { availableCells, PLUGIN_CELLS } from './cells.js';
import { generateCode } from './code.js';
import { DEFAULT_CONFIG, type PlaygroundConfig } from './config.js';
import { Session } from './engine/session.js';
import { buildTask } from './tasks.js';

tf.env().set('IS_TEST', true);
availableCells();

// Inside the app's folder, so that the script's `@seqmodel/*` imports resolve to the workspace packages.
const scratch = join(dirname(fileURLToPath(import.meta.url)), '..', '.code-check');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the generated script and returns what it printed. */
async function runScript(code: string, name: string): Promise<string[]> {
  mkdirSync(scratch, { recursive: true });
  const file = join(scratch, `${name}.mjs`);
  writeFileSync(file, code);
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  });
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    log.mockRestore();
  }
  return printed;
}

const cases: [string, Partial<PlaygroundConfig>][] = [
  ['memory probe, LSTM (the default)', {}],
  [
    'copy task, stacked bidirectional GRU with attention, rmsprop',
    {
      task: 'copy',
      lag: 4,
      cell: 'gru',
      depth: 2,
      bidirectional: true,
      attention: true,
      optimizer: 'rmsprop',
      units: 6,
    },
  ],
  [
    'adding problem, the MGU plugin with attention pooling, nadam, no clipping',
    { task: 'adding', cell: 'mgu', attention: true, optimizer: 'nadam', clip: 0, units: 5, batchSize: 16 },
  ],
];

describe('"Copy as code" trains the model on screen', () => {
  it.each(cases)('%s: the script prints the same losses as the page', async (name, overrides) => {
    const config = { ...DEFAULT_CONFIG, backend: 'cpu' as const, units: 8, ...overrides };
    const task = buildTask(config);
    const code = generateCode(config, task, {
      steps: 4,
      backend: 'cpu',
      origin: 'https://example.org/playground/',
    });
    // The script registers a plugin cell itself, as a fresh Node process needs it to.
    for (const plugin of PLUGIN_CELLS) unregisterCell(plugin.cell.name);
    const printed = await runScript(code, name.replace(/\W+/g, '-'));
    availableCells();
    const session = new Session(createCpuBackend(), config, task);
    let last = session.trainStep()[0]!;
    for (let i = 1; i < 4; i++) last = session.trainStep()[0]!;
    const expectedStep = `step 4: loss ${last.loss.toFixed(4)}, ${task.head.metric} ${last.metric.toFixed(3)}`;
    expect(printed[0]).toBe(expectedStep);
    // The test set's loss and metric after training, in full precision: same data, weights and batches.
    const evaluation = session.evaluate();
    const test = JSON.parse(printed[1]!.replace(/^test /, '')) as Record<string, number>;
    expect(test.loss).toBe(evaluation.loss);
    expect(test[task.head.metric]).toBe(evaluation.metric);
    expect(code).toContain(config.task === 'adding' ? 'registerCell(mgu)' : `cell: '${config.cell}'`);
    session.dispose();
  });
});

describe('"Copy as code" for a page on WebGL', () => {
  it('runs on wasm in Node and says how to use WebGL in a browser', () => {
    const code = generateCode(DEFAULT_CONFIG, buildTask(DEFAULT_CONFIG));
    expect(DEFAULT_CONFIG.backend).toBe('webgl');
    expect(code).toContain("import { createWasmBackend } from '@seqmodel/backend-wasm';");
    expect(code).toContain('const backend = await createWasmBackend();');
    expect(code).toContain("In a browser: import { createWebglBackend } from '@seqmodel/backend-webgl';");
    const onCpu = generateCode({ ...DEFAULT_CONFIG, backend: 'cpu' }, buildTask(DEFAULT_CONFIG));
    expect(onCpu).not.toContain('WebGL');
  });
});
