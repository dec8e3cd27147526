/**
 * `seqmodel-bench attention` end to end at the smallest size on cpu and wasm (JSON valid against the schema, the
 * fused kernel actually ran, both contenders agreed, the report's tables and charts written), a case whose plain
 * tfjs side is skipped (checked against float64 rows), the tensor memory measure, and the command line's errors.
 * No timing is asserted.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCALED_DOT_PRODUCT_KERNEL } from '@seqmodel/attention';
import { defaultKernelRegistry, registerKernel, unregisterKernel } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { wasmProvider } from '../backends.js';
import { browserBenchUnavailable } from '../browser.js';
import { main } from '../cli.js';
import { parseSvg } from '../test-fixtures.js';
import { readResults, schemaErrors } from '../validate.js';
import type { AttentionCase } from './cases.js';
import { measureTensorMemory } from './memory.js';
import { parseAttentionCommand } from './options.js';
import { type AttentionCaseRecord, hasPlainTfjs } from './records.js';
import { runAttentionCase } from './run.js';

function io() {
  const out: string[] = [];
  const stream = { write: (t: string) => out.push(t), isTTY: false };
  return { out, io: { stdout: stream, stderr: stream } };
}

describe('seqmodel-bench attention', () => {
  it('runs mha-16 on cpu and wasm, fused against plain tfjs, and writes valid JSON and a report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-attention-'));
    const json = join(dir, 'results.json');
    const report = join(dir, 'report');
    const { out, io: streams } = io();
    const argv = ['attention', '--backends', 'cpu,wasm', '--attention', 'mha-16', '--repeats', '1'];
    const status = await main([...argv, '--min-time', '0', '--json', json, '--markdown', report], streams);
    const text = out.join('');
    expect(status, text).toBe(0);
    expect(schemaErrors(JSON.parse(readFileSync(json, 'utf8')))).toEqual([]);
    const results = readResults(json);
    expect(results.cases).toEqual([]);
    expect(results.config.attention).toEqual(['mha-16']);
    const records = results.attentionCases!;
    // 2 backends x (full, causal) x (forward, train)
    expect(records.map((r) => r.key)).toEqual(
      ['cpu', 'wasm'].flatMap((b) =>
        ['full', 'causal'].flatMap((c) =>
          ['forward', 'train'].map((m) => `${b}/attention/mha/2x16x2x8/${c}/${m}`),
        ),
      ),
    );
    for (const r of records) {
      expect(r.seqmodelPath).toBe(
        `fused flash attention kernel (${r.backend === 'wasm' ? 'wasm-simd' : 'js'})`,
      );
      expect(r.agreement.against).toBe('plain tfjs');
      expect(r.agreement.forwardMaxError).toBeLessThan(1e-4);
      if (r.mode === 'train') expect(r.agreement.weightsMaxError).toBeLessThan(1e-5);
      expect(hasPlainTfjs(r) && r.speedup).toBeGreaterThan(0);
      expect(r.seqmodel.leakedTensors).toBe(0);
      expect(r.seqmodel.peakTensorBytes).toBeGreaterThan(r.seqmodel.tensorBytesAtStart);
      expect(r.platformMemory.flashArenaBytes).toBeGreaterThan(0);
    }
    expect(records.find((r) => r.backend === 'wasm')!.platformMemory.wasmHeapBytes).toBeGreaterThan(0);
    expect(text).toContain('seqmodel against the same attention written with plain tfjs ops');
    const files = readdirSync(report).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'attention-memory-cpu.svg',
        'attention-speedup-cpu.svg',
        'attention-speedup-wasm.svg',
        'report.md',
      ]),
    );
    const md = readFileSync(join(report, 'report.md'), 'utf8');
    expect(md).toContain('## Attention');
    expect(md).toContain('![wasm: attention speedup](attention-speedup-wasm.svg)');
    parseSvg(readFileSync(join(report, 'attention-speedup-wasm.svg'), 'utf8'));
  });

  it.skipIf(browserBenchUnavailable() !== undefined)(
    "runs mha-16 on webgpu in headless Chromium: the WGSL flash kernel on the fused path, tfjs's programs on the generic one",
    async () => {
      for (const path of ['fused', 'generic'] as const) {
        const dir = mkdtempSync(join(tmpdir(), 'bench-attention-webgpu-'));
        const json = join(dir, 'results.json');
        const { out, io: streams } = io();
        const argv = [
          'attention',
          '--backends',
          'webgpu',
          '--attention',
          'mha-16,sdpa-4096',
          '--repeats',
          '1',
        ];
        const status = await main([...argv, '--path', path, '--min-time', '0', '--json', json], streams);
        const text = out.join('');
        expect(status, text).toBe(0);
        expect(schemaErrors(JSON.parse(readFileSync(json, 'utf8')))).toEqual([]);
        const results = readResults(json);
        const backend = results.backends[0]!;
        expect('details' in backend && backend.details).toMatch(
          path === 'fused'
            ? /headless Chromium .*; flash attention kernel \(WGSL\)$/
            : /seqmodel generic path$/,
        );
        // The memory case runs in Node only.
        expect(text).toContain('webgpu sdpa-4096: skipped (the memory case runs in Node only)');
        const records = results.attentionCases!;
        expect(records.map((r) => r.key)).toEqual(
          ['full', 'causal'].flatMap((c) =>
            ['forward', 'train'].map((m) => `webgpu/attention/mha/2x16x2x8/${c}/${m}`),
          ),
        );
        for (const r of records) {
          expect(r.seqmodelPath).toBe(
            path === 'fused' ? 'fused flash attention kernel (WGSL)' : 'generic path',
          );
          expect(r.agreement.forwardMaxError).toBeLessThan(1e-4);
          if (r.mode === 'train') expect(r.agreement.weightsMaxError).toBeLessThan(1e-5);
          expect(r.seqmodel.leakedTensors).toBe(0);
        }
      }
    },
    600_000,
  );

  it('puts back an attention kernel the process had registered under the key it times, and leaves none otherwise', async () => {
    const key = { backend: 'cpu', ...SCALED_DOT_PRODUCT_KERNEL };
    const own = { supports: () => 'never chosen', run: () => undefined as never };
    const argv = [
      'attention',
      '--backends',
      'cpu',
      '--attention',
      'mha-16',
      '--repeats',
      '1',
      '--min-time',
      '0',
    ];
    expect(await main(argv, io().io)).toBe(0);
    expect(defaultKernelRegistry.get(key)).toBeUndefined();
    registerKernel({ ...key, kernel: own });
    try {
      expect(await main(argv, io().io)).toBe(0);
      expect(defaultKernelRegistry.get(key)?.kernel).toBe(own);
    } finally {
      unregisterKernel(key);
    }
  });

  it('checks a case without plain tfjs against float64 rows', async () => {
    const bench = await wasmProvider.create({ path: 'generic' });
    const c: AttentionCase = {
      name: 'test',
      workload: 'sdpa',
      size: { batch: 1, time: 70, heads: 2, depth: 8 },
      causal: [true],
      modes: ['forward'],
      plainTfjsSkipped: 'skipped by the test',
    };
    const records: AttentionCaseRecord[] = [];
    runAttentionCase(bench, c, {
      warmup: 1,
      repeats: 1,
      minTimeMs: 0,
      seed: 1,
      engine: undefined,
      onRecord: (r) => records.push(r),
    });
    expect(records).toHaveLength(1);
    const [r] = records as [AttentionCaseRecord];
    expect(r.seqmodelPath).toBe('generic path');
    expect(r.agreement).toMatchObject({ against: 'float64 rows', lossError: null });
    expect(r.agreement.forwardMaxError).toBeLessThan(1e-5);
    expect(r.plainTfjs).toEqual({ unavailable: 'skipped by the test' });
    expect(r.speedup).toBeNull();
  });

  it('measures the peak of live tensor buffers inside a run, each buffer once', () => {
    tf.setBackend('cpu');
    const held = tf.zeros([256]); // 1 KiB held before the run
    const { startBytes, peakBytes } = measureTensorMemory(() => {
      const a = tf.zeros([1024]); // 4 KiB
      const view = tf.reshape(a, [32, 32]); // shares a's buffer: no memory
      const b = tf.add(a, a); // 4 KiB more: the peak
      tf.dispose([a, view, b]);
      const c = tf.zeros([512]); // 2 KiB, after the peak
      c.dispose();
    });
    expect(peakBytes - startBytes).toBe(8192);
    held.dispose();
  });

  it('names the flag, the value and what is allowed', () => {
    expect(() => parseAttentionCommand(['--attention', 'mha-7'])).toThrow(
      '--attention: unknown "mha-7" in "mha-7"; expected a comma-separated list of sdpa-4096, sdpa-512, mha-16, mha-128, mha-256, mha-512 (or all)',
    );
    expect(() => parseAttentionCommand(['--repeats', '0'])).toThrow(
      '--repeats: expected an integer >= 1, received "0"',
    );
    expect(parseAttentionCommand(['--help'])).toEqual({ kind: 'help' });
    const parsed = parseAttentionCommand([]);
    expect(parsed.kind === 'attention' && parsed.config.cases).toEqual([
      'sdpa-4096',
      'sdpa-512',
      'mha-128',
      'mha-256',
      'mha-512',
    ]);
  });
});
