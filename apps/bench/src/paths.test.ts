import { expect, it } from 'vitest';
import { type BackendProvider, type BenchBackend, benchPaths, cpuProvider } from './backends.js';
import { parseCommand } from './options.js';
import { pathsTable, runPaths } from './paths.js';
import { timePathsCase } from './paths-case.js';
import { ProductTimer } from './timed-gemm.js';

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
    // The harness is timed in train mode only, in the same turns as the paths.
    if (c.mode === 'forward') {
      expect(c.harness).toBeNull();
      expect(c.genericOverCompiledBeyondHarness).toBeNull();
      expect(c.products).toBeNull();
    } else {
      // The harness's own samples (timed last in the turns), not a path's.
      for (const t of c.timings) expect(c.harness!.samplesMs).not.toEqual(t.samplesMs);
      // cpu times the compiled step's products on a second backend: one sample per step, at least 3.
      expect(c.products!.samplesMs.length).toBeGreaterThanOrEqual(3);
      for (const ms of c.products!.samplesMs) expect(ms).toBeGreaterThan(0);
      expect(c.harness!.samplesMs).toHaveLength(2);
      const [compiled, generic] = c.timings.map((t) => t.summary.median);
      const floor = c.harness!.summary.median;
      expect(c.genericOverCompiledBeyondHarness).toBe(
        compiled! > floor ? (generic! - floor) / (compiled! - floor) : null,
      );
    }
    for (const t of c.timings) {
      expect(t.samplesMs).toHaveLength(2);
      // float32 kernels against the float32 generic loop on the same data.
      expect(t.maxDifference).toBeLessThan(1e-5);
    }
  }
  const table = pathsTable(results.cases);
  expect(table).toMatch(/cpu\s+lstm\s+2x3x2x4\s+forward/);
  expect(table.split('\n')[0]).toContain('compiled / hand-written');
  expect(table.split('\n')[0]).toMatch(/harness ms\s+beyond harness/);
  expect(table).toMatch(/^cpu\s+mgu\s+2x3x2x4\s+forward .*\dx\s+n\/a\s+n\/a\s+n\/a\s+\S+$/m);
  expect(table).toMatch(
    /^cpu\s+mgu\s+2x3x2x4\s+train .*\dx\s+[\d.]+ \([\d.]+-[\d.]+\)\s+(\S+x|n\/a)\s+[\d.]+ \([\d.]+-[\d.]+\)\s+\S+$/m,
  );
});

it("runs a browser backend's cases in its page, with the backend on every path there, and closes the page", async () => {
  // A stand-in for the webgl and webgpu providers' page (browser-page.ts calls timePathsCase the same way), on cpu.
  const calls: string[] = [];
  let closed = 0;
  const page: BackendProvider = {
    name: 'page',
    description: 'a page',
    isAvailable: async () => true,
    create: () => Promise.reject(new Error('runs in a page')),
    async openRemotePaths() {
      const benches: BenchBackend[] = [];
      for (const path of benchPaths) benches.push(await cpuProvider.create({ path }));
      return {
        details: 'a page on cpu',
        runPathsCase: async (key, size, config) => {
          calls.push(`${key} ${size.batch}`);
          return timePathsCase('page', benches, key, size, config);
        },
        close: async () => {
          closed++;
        },
      };
    },
  };
  const results = await runPaths(
    {
      backends: ['page'],
      cells: ['mgu'],
      sizes: [
        { batch: 2, time: 3, inputSize: 2, units: 4 },
        { batch: 3, time: 2, inputSize: 2, units: 4 },
      ],
      modes: ['train'],
      repeats: 2,
      minTimeMs: 0,
      warmup: 1,
      seed: 1,
    },
    [page],
  );
  expect(calls).toEqual(['mgu 2', 'mgu 3']);
  expect(closed).toBe(1);
  expect(results.backends).toEqual([{ name: 'page', details: 'a page on cpu' }]);
  expect(results.cases.map((c) => [c.backend, c.cell, c.size.batch, c.mode])).toEqual([
    ['page', 'mgu', 2, 'train'],
    ['page', 'mgu', 3, 'train'],
  ]);
  for (const c of results.cases) {
    expect(c.timings.map((t) => t.path)).toEqual(['compiled', 'generic']);
    expect(c.harness).not.toBeNull();
    // The page has no products probe.
    expect(c.products).toBeNull();
  }
});

it('times the harness last in the turns and works out the ratios from the medians (on a clock the test sets)', async () => {
  const benches: BenchBackend[] = [];
  for (const path of benchPaths) benches.push(await cpuProvider.create({ path }));
  // A clock that says how long each run took: the turns run compiled, generic, then the harness, and each run
  // reads the clock twice (before and after).
  const clock = (durations: readonly number[]) => {
    let calls = 0;
    let t = 0;
    return () => {
      const call = calls++;
      if (call % 2 === 1) t += durations[Math.floor(call / 2) % durations.length]!;
      return t;
    };
  };
  const config = { modes: ['train'] as const, repeats: 3, minTimeMs: 0, warmup: 1, seed: 1 };
  const size = { batch: 2, time: 3, inputSize: 2, units: 4 };
  const [record] = timePathsCase('cpu', benches, 'mgu', size, config, { now: clock([2, 10, 0.5]) });
  expect(record!.timings.map((t) => [t.path, t.samplesMs])).toEqual([
    ['compiled', [2, 2, 2]],
    ['generic', [10, 10, 10]],
  ]);
  expect(record!.harness!.samplesMs).toEqual([0.5, 0.5, 0.5]);
  expect(record!.genericOverCompiled).toBe(5);
  expect(record!.genericOverCompiledBeyondHarness).toBeCloseTo((10 - 0.5) / (2 - 0.5), 12);
  // A compiled step no slower than the harness leaves nothing beyond it to compare.
  const [fast] = timePathsCase('cpu', benches, 'mgu', size, config, { now: clock([0.5, 10, 0.5]) });
  expect(fast!.harness!.summary.median).toBe(0.5);
  expect(fast!.genericOverCompiled).toBe(20);
  expect(fast!.genericOverCompiledBeyondHarness).toBeNull();
  // Two runs in a row per turn: compiled 2 then 4 ms, generic 10 and 10, the harness 0.5 and 0.5; a sample is a
  // turn's mean.
  const [paired] = timePathsCase(
    'cpu',
    benches,
    'mgu',
    size,
    { ...config, runsPerTurn: 2 },
    { now: clock([2, 4, 10, 10, 0.5, 0.5]) },
  );
  expect(paired!.timings.map((t) => [t.path, t.samplesMs])).toEqual([
    ['compiled', [3, 3, 3]],
    ['generic', [10, 10, 10]],
  ]);
  expect(paired!.harness!.samplesMs).toEqual([0.5, 0.5, 0.5]);
  // The records say how many runs a sample is the mean of.
  expect([...paired!.timings.map((t) => t.runsPerTurn), paired!.harness!.runsPerTurn]).toEqual([2, 2, 2]);
  expect([...record!.timings.map((t) => t.runsPerTurn), record!.harness!.runsPerTurn]).toEqual([1, 1, 1]);
  // 'auto' from one warm-up round (compiled 2 ms, generic 30 ms, the harness 8 ms): 10, 1 and 6 runs a turn, each
  // sample a turn's mean (compiled 2 then 4 ms alternately: 3).
  const turn = [...Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 2 : 4)), 30, ...Array(6).fill(8)];
  const [auto] = timePathsCase(
    'cpu',
    benches,
    'mgu',
    size,
    { ...config, runsPerTurn: 'auto' },
    { now: clock([2, 30, 8, ...turn, ...turn, ...turn]) },
  );
  expect([...auto!.timings.map((t) => t.runsPerTurn), auto!.harness!.runsPerTurn]).toEqual([10, 1, 6]);
  expect(auto!.timings.map((t) => [t.path, t.samplesMs])).toEqual([
    ['compiled', [3, 3, 3]],
    ['generic', [30, 30, 30]],
  ]);
  expect(auto!.harness!.samplesMs).toEqual([8, 8, 8]);
});

it('leaves the products out where the compiled path runs the generic loop (nothing to time there)', async () => {
  // Every path generic, and a probe without a compiled kernel: the timer would count 0 ms.
  const generic = await cpuProvider.create({ path: 'generic' });
  const timer = new ProductTimer();
  const probe = await cpuProvider.create({ path: 'generic', wrapGemm: (gemm) => timer.wrap(gemm) });
  const [record] = timePathsCase(
    'cpu',
    [generic, generic, generic],
    'mgu',
    { batch: 2, time: 3, inputSize: 2, units: 4 },
    { modes: ['train'], repeats: 2, minTimeMs: 0, warmup: 1, seed: 1 },
    { products: { backend: probe.backend, timer } },
  );
  expect(record!.timings.map((t) => t.kernel)).toEqual(['generic loop', 'generic loop']);
  expect(record!.products).toBeNull();
  expect(record!.harness).not.toBeNull();
});

it('parses the paths command with the quick preset by default and names bad flags', () => {
  const command = parseCommand(['paths', '--cells', 'mgu', '--modes', 'train']);
  expect(command.kind).toBe('paths');
  if (command.kind !== 'paths') return;
  expect(command.config.cells).toEqual(['mgu']);
  expect(command.config.backends).toEqual(['cpu', 'wasm']);
  expect(command.config.sizes.length).toBeGreaterThan(0);
  expect(command.config.runsPerTurn).toBe('auto');
  const paired = parseCommand(['paths', '--runs-per-turn', '10']);
  expect(paired.kind === 'paths' && paired.config.runsPerTurn).toBe(10);
  const alternating = parseCommand(['paths', '--runs-per-turn', '1']);
  expect(alternating.kind === 'paths' && alternating.config.runsPerTurn).toBe(1);
  for (const bad of ['0', '1.5', 'many']) {
    expect(() => parseCommand(['paths', '--runs-per-turn', bad])).toThrow(
      `--runs-per-turn: expected an integer >= 1 or auto, received "${bad}"`,
    );
  }
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
  // The plan with a recurrent dropout mask: the mask is a static operand of the step's first product.
  expect(await main(['explain', 'peepholeLstm', '--recurrent-dropout'], io)).toBe(0);
  expect(out.join('')).toMatch(/recurrentMask/);
  out.length = 0;
  expect(await main(['explain', 'peepholeLstm'], io)).toBe(0);
  expect(out.join('')).not.toMatch(/recurrentMask/);
  out.length = 0;
  expect(() => parseCommand(['explain', 'mgu', '--recurrent-dropout'])).toThrow(
    /--recurrent-dropout.*mgu, which has no recurrent dropout/,
  );
  expect(() => parseCommand(['explain', 'lstm', '--backend', 'cuda', '--recurrent-dropout'])).toThrow(
    /--recurrent-dropout.*--backend cuda/,
  );
  expect(await main(['explain', 'simpleRNN', '--options', '{"activation":"softmax"}'], io)).toBe(0);
  expect(out.join('')).toMatch(/not compiled: step: max\(\.\.\.\)/);
  expect(await main(['explain', 'lstn'], io)).toBe(2);
});

it('explains what the CUDA backend compiles for a plugin cell (the plan, then its CUDA programs), without a GPU', async () => {
  const { main } = await import('./cli.js');
  const out: string[] = [];
  const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } };
  expect(await main(['explain', 'mgu', '--backend', 'cuda', '--time', '5'], io)).toBe(0);
  const text = out.join('');
  expect(text).toContain('traced graph:');
  expect(text).not.toContain('code (javascript):');
  expect(text).toMatch(
    /mgu at batch 2, time 5, input 3, units 4 \(training\): \d+ step programs in CUDA C\+\+/,
  );
  expect(text).toMatch(/extern "C" __global__ void seqmodel_program\(const float\* __restrict__ in0/);
  expect(() => parseCommand(['explain', 'mgu', '--time', '5'])).toThrow(/--time.*without --backend cuda/);
  expect(() => parseCommand(['explain', 'mgu', '--backend', 'cuda', '--time', '0'])).toThrow(
    /--time.*an integer >= 1/,
  );
  expect(() => parseCommand(['explain', 'mgu', '--backend', 'gpu'])).toThrow(/--backend.*cpu, wasm or cuda/);
});
