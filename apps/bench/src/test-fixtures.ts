/** Hand-made results for tests of the report, the schema and `compare` (no benchmark runs), and an SVG parser. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { BenchResults, CaseRecord, ContenderRecord } from './results.js';
import { formulaNotes, schemaVersion } from './results.js';
import { parseSize } from './sizes.js';
import { summarize } from './stats.js';

export function contender(samplesMs: readonly number[], flops = 1e6): ContenderRecord {
  const summary = summarize(samplesMs);
  return {
    samplesMs,
    summary,
    sequencesPerSecond: 2 / (summary.median / 1000),
    stepsPerSecond: 6 / (summary.median / 1000),
    gflops: flops / (summary.median * 1e6),
    matMulFraction: flops / (summary.median * 1e6) / 10,
    leakedTensors: 0,
    tfjsPeakBytes: 4096,
  };
}

export interface FakeCase {
  readonly backend?: string;
  readonly cell?: string;
  readonly size?: string;
  readonly mode?: 'forward' | 'train';
  readonly seqmodel: readonly number[];
  /** tfjs-layers' samples, or undefined for a cell tfjs-layers does not have. */
  readonly layers?: readonly number[];
}

export function fakeCase(c: FakeCase): CaseRecord {
  const backend = c.backend ?? 'cpu';
  const cell = c.cell ?? 'lstm';
  const size = parseSize(c.size ?? '2x3x4x5');
  const mode = c.mode ?? 'forward';
  const seqmodel = contender(c.seqmodel);
  const tfjsLayers = c.layers ? contender(c.layers) : { unavailable: `tfjs-layers has no ${cell} layer` };
  return {
    key: `${backend}/${cell}/${c.size ?? '2x3x4x5'}/${mode}`,
    backend,
    cell,
    cellName: cell,
    cellOptions: {},
    kernel: 'hand-written',
    size,
    mode,
    gates: 4,
    flops: 1e6,
    agreement: c.layers
      ? { against: 'tfjs-layers', forwardMaxError: 1e-8, lossError: 0, weightsMaxError: 1e-10 }
      : { against: 'reference', forwardMaxError: 2e-8, lossError: null, weightsMaxError: null },
    seqmodel,
    tfjsLayers,
    speedup: 'summary' in tfjsLayers ? tfjsLayers.summary.median / seqmodel.summary.median : null,
    processMemory: { rssBytes: 100 * 2 ** 20, heapUsedBytes: 20 * 2 ** 20, arrayBuffersBytes: 2 ** 20 },
    platformMemory: backend === 'wasm' ? { wasmHeapBytes: 16 * 2 ** 20 } : {},
  };
}

export function fakeResults(cases: readonly FakeCase[], overrides: Partial<BenchResults> = {}): BenchResults {
  const records = cases.map(fakeCase);
  const backends = [...new Set(records.map((c) => c.backend))];
  return {
    schemaVersion,
    tool: 'seqmodel-bench',
    argv: ['--preset', 'quick'],
    startedAt: '2026-01-02T03:04:05.678Z',
    durationMs: 1234,
    machine: {
      cpuModel: 'Test CPU',
      logicalCores: 2,
      totalMemoryBytes: 2 ** 34,
      platform: 'linux',
      arch: 'x64',
      osRelease: '6.0',
      node: 'v20.19.0',
      loadAverage: { start: [0.5, 0.5, 0.5], end: [0.6, 0.5, 0.5] },
    },
    versions: {
      packages: { '@seqmodel/core': '0.0.0', '@tensorflow/tfjs-core': '4.22.0' },
      gitCommit: 'abc1234',
    },
    config: {
      preset: 'quick',
      backends: [...backends, 'webgl'],
      cells: [...new Set(records.map((c) => c.cell))],
      sizes: [...new Map(records.map((c) => [c.key.split('/')[2], c.size])).values()],
      modes: [...new Set(records.map((c) => c.mode))],
      repeats: Math.max(1, ...cases.map((c) => c.seqmodel.length)),
      minTimeMs: 0,
      warmup: 1,
      seed: 2024,
      matMulSize: 64,
      matMulRepeats: 1,
    },
    formulas: formulaNotes,
    backends: [
      ...backends.map((name) => ({
        name,
        status: 'ran' as const,
        details: `${name} for tests`,
        matMul: { n: 64, flops: 2 * 64 ** 3, samplesMs: [0.05], medianMs: 0.05, gflops: 10.49 },
      })),
      { name: 'webgl', status: 'skipped' as const, reason: 'no browser in tests' },
    ],
    cases: records,
    ...overrides,
  };
}

/** Parses an SVG document, throwing the parser's message when it is not well-formed XML. */
export function parseSvg(svg: string): { svg: Record<string, unknown> } {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`not well-formed: ${JSON.stringify(valid.err)}`);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg);
}
