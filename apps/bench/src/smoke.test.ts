/**
 * End to end on the CPU backend: one tiny configuration through the command line, the JSON validated against the
 * schema, the Markdown report written, and the run compared with itself. No timing is asserted.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAvailable as cudaAvailability } from '@seqmodel/backend-cuda';
import { expect, it } from 'vitest';
import { main } from './cli.js';
import { hasLayers } from './results.js';
import { parseSvg } from './test-fixtures.js';
import { readResults, schemaErrors } from './validate.js';

// cuda is the backend skipped here (no addon or no GPU); where it runs, this check would time it too.
const cudaHere = cudaAvailability();

it.skipIf(cudaHere.available)(
  'runs lstm and mgu at 2x3x2x4 on cpu (cuda skipped), writes valid JSON and a report',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    const json = join(dir, 'out', 'results.json');
    const report = join(dir, 'report');
    const out: string[] = [];
    const io = {
      stdout: { write: (t: string) => out.push(t), isTTY: false },
      stderr: { write: (t: string) => out.push(t) },
    };
    const argv = [
      '--backends',
      'cpu,cuda',
      '--cells',
      'lstm,mgu',
      '--sizes',
      '2x3x2x4',
      '--repeats',
      '2',
      '--min-time',
      '0',
    ];
    const status = await main(
      [...argv, '--warmup', '1', '--matmul', '16', '--json', json, '--markdown', report],
      io,
    );
    const text = out.join('');
    expect(status, text).toBe(0);

    const raw = JSON.parse(readFileSync(json, 'utf8'));
    expect(schemaErrors(raw)).toEqual([]);
    const results = readResults(json);
    expect(results.schemaVersion).toBe(1);
    expect(results.config).toMatchObject({
      backends: ['cpu', 'cuda'],
      cells: ['lstm', 'mgu'],
      repeats: 2,
      warmup: 1,
    });
    expect(results.backends.map((b) => [b.name, b.status])).toEqual([
      ['cpu', 'ran'],
      ['cuda', 'skipped'],
    ]);
    const cuda = results.backends[1]!;
    expect(cuda.status === 'skipped' && cuda.reason).toBe(cudaHere.reason);
    const cpu = results.backends[0]!;
    expect(cpu.status === 'ran' && cpu.matMul?.n).toBe(16);

    expect(results.cases.map((c) => c.key)).toEqual([
      'cpu/lstm/2x3x2x4/forward',
      'cpu/lstm/2x3x2x4/train',
      'cpu/mgu/2x3x2x4/forward',
      'cpu/mgu/2x3x2x4/train',
    ]);
    for (const c of results.cases) {
      expect(c.seqmodel.samplesMs).toHaveLength(2);
      expect(c.seqmodel.leakedTensors).toBe(0);
      // 2*B*T*G*U*(I+U) with B 2, T 3, I 2, U 4: G 4 for LSTM, 2 for MGU; training 3x.
      const forward = 2 * 2 * 3 * (c.cell === 'lstm' ? 4 : 2) * 4 * (2 + 4);
      expect(c.flops).toBe(c.mode === 'forward' ? forward : 3 * forward);
      expect(c.seqmodel.stepsPerSecond).toBeCloseTo(c.seqmodel.sequencesPerSecond * 3, 6);
    }
    const [lstmForward, , mguForward] = results.cases;
    expect(hasLayers(lstmForward!)).toBe(true);
    expect(lstmForward!.agreement.against).toBe('tfjs-layers');
    expect(lstmForward!.speedup).toBeGreaterThan(0);
    expect(mguForward!.tfjsLayers).toEqual({
      unavailable: 'tfjs-layers has no mgu layer (mgu is a seqmodel plugin cell)',
    });
    expect(mguForward!.agreement.against).toBe('reference');
    // The built-in LSTM and the plugin alike on the kernel compiled from their step.
    expect(lstmForward!.kernel).toBe('compiled (javascript)');
    expect(mguForward!.kernel).toBe('compiled (javascript)');
    expect(mguForward!.speedup).toBeNull();

    // The terminal output: plain progress lines (not a terminal), the table, the skipped backend.
    expect(text).toContain('[1/4] cpu lstm 2x3x2x4 forward: seqmodel');
    expect(text).toContain('== cpu: tfjs-backend-cpu (JavaScript); seqmodel fused path; matMul 16^3');
    expect(text).toMatch(/lstm\s+2x3x2x4\s+forward\s+compiled \(javascript\)/);
    expect(text).toMatch(/mgu\s+2x3x2x4\s+forward\s+compiled \(javascript\)/);
    expect(text).toContain(`cuda: ${cudaHere.reason}`);
    expect(text).not.toContain('\r');

    const files = readdirSync(report).sort();
    expect(files).toEqual([
      'ratio-cpu.svg',
      'report.md',
      'results.json',
      'speed-cpu-forward.svg',
      'speed-cpu-train.svg',
    ]);
    for (const f of files) if (f.endsWith('.svg')) parseSvg(readFileSync(join(report, f), 'utf8'));

    out.length = 0;
    expect(await main(['compare', json, json, '--fail-on-regression'], io)).toBe(0);
    expect(out.join('')).toContain('seqmodel: 0 regression(s), 0 improvement(s), 4 unchanged');
  },
);

it('bench layers: times a whole training step through @seqmodel/layers, validated and comparable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-layers-'));
  const json = join(dir, 'layers.json');
  const report = join(dir, 'report');
  const out: string[] = [];
  const io = {
    stdout: { write: (t: string) => out.push(t), isTTY: false },
    stderr: { write: (t: string) => out.push(t) },
  };
  const argv = ['layers', '--backends', 'cpu', '--layers', 'dense', '--repeats', '2', '--warmup', '1'];
  const status = await main([...argv, '--min-time', '0', '--json', json, '--markdown', report], io);
  const text = out.join('');
  expect(status, text).toBe(0);
  const results = readResults(json);
  expect(results.config).toMatchObject({ cells: [], layers: ['dense'], matMulSize: 0 });
  expect(results.cases).toEqual([]);
  expect(results.layerCases).toHaveLength(1);
  const [c] = results.layerCases!;
  expect(c).toMatchObject({
    key: 'cpu/layers/dense/train',
    backend: 'cpu',
    workload: 'dense',
    mode: 'train',
    settings: { batch: 32, time: 50, features: 64, hidden: 256 },
  });
  expect(Number.isFinite(c!.firstLoss)).toBe(true);
  expect(c!.seqmodel.samplesMs).toHaveLength(2);
  expect(c!.seqmodel.leakedTensors).toBe(0);
  expect(c!.seqmodel.examplesPerSecond).toBeCloseTo(32 / (c!.seqmodel.summary.median / 1000), 6);
  expect(text).toContain(
    'seqmodel-bench: whole training steps through @seqmodel/layers\nlayers workloads: dense:',
  );
  expect(text).not.toContain('batch x time x input x units');
  expect(text).toContain('[1/1] cpu layers dense train: seqmodel');
  expect(text).toMatch(/dense\s+[\d.]+ \([\d.]+-[\d.]+\)\s+[\d.]+\s+[\d.]+\s+0\s+dense\(256, relu\)/);
  expect(readFileSync(join(report, 'report.md'), 'utf8')).toContain(
    'Whole training steps through `@seqmodel/layers`',
  );

  out.length = 0;
  expect(await main(['compare', json, json], io)).toBe(0);
  expect(out.join('')).toContain('cpu/layers/dense/train');
  expect(out.join('')).toContain('seqmodel: 0 regression(s), 0 improvement(s), 1 unchanged');
});
