import { expect, it } from 'vitest';
import { cpuProvider } from './backends.js';
import { parseCommand } from './options.js';
import { pathsTable, runPaths } from './paths.js';

it('times the compiled and generic kernels of a cell in turns (the fused path is the compiled one)', async () => {
  const results = await runPaths(
    {
      backends: ['cpu'],
      cells: ['lstm', 'mgu'],
      sizes: [{ batch: 2, time: 3, inputSize: 2, units: 4 }],
      modes: ['forward', 'train'],
      repeats: 2,
      minTimeMs: 0,
      warmup: 1,
      seed: 1,
    },
    [cpuProvider],
  );
  expect(results.cases.map((c) => `${c.cell}/${c.mode}`)).toEqual([
    'lstm/forward',
    'lstm/train',
    'mgu/forward',
    'mgu/train',
  ]);
  const [lstm, , mgu] = results.cases;
  expect(lstm!.timings.map((t) => [t.path, t.kernel])).toEqual([
    ['compiled', 'compiled (javascript)'],
    ['generic', 'generic loop'],
  ]);
  expect(lstm!.compiledOverHandWritten).toBeNull();
  expect(mgu!.timings.map((t) => t.path)).toEqual(['compiled', 'generic']);
  expect(mgu!.compiledOverHandWritten).toBeNull();
  for (const c of results.cases) {
    expect(c.genericOverCompiled).toBeGreaterThan(0);
    for (const t of c.timings) {
      expect(t.samplesMs).toHaveLength(2);
      // float32 kernels against the float32 generic loop on the same data.
      expect(t.maxDifference).toBeLessThan(1e-5);
    }
  }
  const table = pathsTable(results.cases);
  expect(table).toMatch(/cpu\s+lstm\s+2x3x2x4\s+forward/);
  expect(table.split('\n')[0]).toContain('compiled / hand-written');
});

it('parses the paths command with the quick preset by default and names bad flags', () => {
  const command = parseCommand(['paths', '--cells', 'mgu', '--modes', 'train']);
  expect(command.kind).toBe('paths');
  if (command.kind !== 'paths') return;
  expect(command.config.cells).toEqual(['mgu']);
  expect(command.config.backends).toEqual(['cpu', 'wasm']);
  expect(command.config.sizes.length).toBeGreaterThan(0);
  expect(() => parseCommand(['paths', '--cells', 'lstn'])).toThrow('--cells: unknown "lstn"');
  expect(() => parseCommand(['paths', 'extra'])).toThrow('paths: unexpected argument "extra"');
});

it('explains what the compiler makes of a plugin cell, with the JavaScript or the WebAssembly code', async () => {
  const { main } = await import('./cli.js');
  const out: string[] = [];
  const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } };
  expect(await main(['explain', 'mgu', '--sizes', '2x3x4'], io)).toBe(0);
  const text = out.join('');
  expect(text).toContain('traced graph:');
  expect(text).toContain('each step, backward');
  expect(text).toContain('code (javascript):');
  expect(text).toMatch(/gateSigmoid\(/);
  out.length = 0;
  expect(await main(['explain', 'indRnn', '--backend', 'wasm', '--inference'], io)).toBe(0);
  expect(out.join('')).toMatch(/code \(wasm-simd\):[\s\S]*bytes/);
  expect(out.join('')).not.toContain('each step, backward');
  out.length = 0;
  expect(await main(['explain', 'simpleRNN', '--options', '{"activation":"softmax"}'], io)).toBe(0);
  expect(out.join('')).toMatch(/not compiled: step: max\(\.\.\.\)/);
  expect(await main(['explain', 'lstn'], io)).toBe(2);
});
