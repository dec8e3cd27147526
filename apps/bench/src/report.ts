/** Plain-text report of benchmark results (a later runner adds JSON and Markdown from the same results). */
import type { BenchBackend } from './backends.js';
import { formatSize, gflops } from './flops.js';
import type { MatMulResult } from './matmul.js';
import type { CaseResult } from './run-case.js';
import { relativeSpread, type Summary } from './stats.js';

export function header(
  options: { warmup: number; repeats: number; path: 'fused' | 'generic' },
  machine: string,
): string {
  const path =
    options.path === 'fused'
      ? "seqmodel fused kernels (core runSequence -> the backend's fused kernel)"
      : 'seqmodel generic path (core runSequence -> scanCell)';
  return [
    `${path} against tfjs-layers 4.22, same tfjs backend, same weights`,
    'FLOPs count matrix products only (multiply-add = 2): forward = 2*B*T*G*U*(I+U), G = 4 for LSTM, 3 for GRU;',
    '  training step (forward, MSE loss, backward, SGD update) = 3 * forward',
    `times: median of ${options.repeats} runs after ${options.warmup} warm-up run(s), the two libraries interleaved;`,
    '  +-x% is the interquartile range over the median; layers/seqmodel > 1 means seqmodel is faster',
    `machine: ${machine}`,
  ].join('\n');
}

export function backendLine(bench: BenchBackend, matMul: MatMulResult | undefined): string {
  const mm = matMul
    ? `matMul ${matMul.n}^3: ${matMul.gflops.toFixed(2)} GFLOP/s (median ${matMul.timing.summary.median.toFixed(1)} ms)`
    : 'matMul not measured';
  return `\nbackend ${bench.name}: ${bench.details}; ${mm}`;
}

function ms(s: Summary): string {
  return `${s.median.toFixed(1)} +-${(100 * relativeSpread(s)).toFixed(0)}%`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function caseTable(results: readonly CaseResult[]): string {
  const rows = [
    [
      'cell',
      'BxTxIxU',
      'mode',
      'seqmodel ms',
      'tfjs-layers ms',
      'layers/seqmodel',
      'seqmodel GFLOP/s',
      'layers GFLOP/s',
    ],
  ];
  for (const r of results) {
    for (const m of r.modes) {
      const ours = m.seqmodel.summary.median;
      const theirs = m.tfjsLayers.summary.median;
      rows.push([
        r.cell,
        formatSize(r.size),
        m.mode,
        ms(m.seqmodel.summary),
        ms(m.tfjsLayers.summary),
        `${(theirs / ours).toFixed(2)}x`,
        gflops(m.flops, ours).toFixed(2),
        gflops(m.flops, theirs).toFixed(2),
      ]);
    }
  }
  return table(rows);
}

export function agreementLines(results: readonly CaseResult[]): string {
  return results
    .map((r) => {
      const a = r.agreement;
      const leak = r.leakedTensors === 0 ? '' : `; ${r.leakedTensors} TENSORS LEAKED`;
      return (
        `  ${r.cell} ${formatSize(r.size)}: max |seqmodel - tfjs-layers| forward ${a.forwardMaxError.toExponential(1)}, ` +
        `loss ${a.lossError.toExponential(1)}, weights after one step ${a.weightsMaxError.toExponential(1)}${leak}`
      );
    })
    .join('\n');
}
