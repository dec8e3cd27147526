/** The terminal report: what was measured and how, then one table per backend, skipped backends and checks. */

import { attentionTerminalReport } from './attention/report.js';
import type { BenchPath } from './backends.js';
import { describeBenchCell, listBenchCells } from './cells.js';
import { flopFormulas } from './flops.js';
import {
  alignColumns,
  formatCase,
  formatError,
  formatGflops,
  formatMs,
  layerCaseColumns,
  layerCaseRow,
  leadColumns,
} from './format.js';
import {
  type BenchResults,
  type CaseRecord,
  hasLayers,
  type LayerCaseRecord,
  layersUnavailable,
} from './results.js';
import { formatSize } from './sizes.js';

/** What `config.path` ran, in words (files without `path` predate the fused kernels: generic). */
export function pathDescription(path: BenchPath | undefined): string {
  switch (path) {
    case 'fused':
      return "fused kernels (core runSequence -> the backend's fused kernel for the cell: its own for that cell if it has one, else the one compiled from the cell's step)";
    case 'compiled':
      return "compiled kernels (core runSequence -> the backend's kernel compiled from the cell's step, for every cell)";
    default:
      return 'generic path (core runSequence -> scanCell)';
  }
}

/** What the run does, printed before it starts. */
export function header(results: Pick<BenchResults, 'config'>, machine: string): string {
  const c = results.config;
  const layers =
    (c.layers ?? []).length === 0
      ? []
      : [
          `layers workloads: ${c.layers!.join(', ')}: one trainOnBatch step (SGD) of a small @seqmodel/layers model ` +
            `per run, median (min-max) of at least ${c.repeats} run(s) after ${c.warmup} warm-up run(s) (the first ` +
            'is the check: a finite loss)',
        ];
  if (c.cells.length === 0) {
    return [
      'seqmodel-bench: whole training steps through @seqmodel/layers',
      ...layers,
      `machine: ${machine}`,
    ].join('\n');
  }
  return [
    `seqmodel-bench: seqmodel's ${pathDescription(c.path)} against tfjs-layers 4.22's equivalent`,
    '  layer on the same tfjs backend, with the same weights and data',
    `preset ${c.preset}: sizes ${c.sizes.map(formatSize).join(', ')} (batch x time x input x units); cells ${c.cells.join(', ')}; ` +
      `modes ${c.modes.join(', ')}`,
    `times: median (min-max) of at least ${c.repeats} run(s)${c.minTimeMs > 0 ? ` (more, up to 100, until a contender's runs add up to ${c.minTimeMs} ms)` : ''}` +
      ` after ${c.warmup} warm-up run(s) (the first is the correctness check), seqmodel and tfjs-layers interleaved`,
    `FLOPs: forward = ${flopFormulas.forward}, train = ${flopFormulas.train}; matrix products only (G: simpleRNN 1, ` +
      'mgu 2, gru 3, lstm 4); GFLOP/s = FLOPs / median',
    ...layers,
    `machine: ${machine}`,
  ].join('\n');
}

/** The table of one backend's cases: seqmodel's rates, tfjs-layers' time and the ratio. */
export function caseTable(cases: readonly CaseRecord[]): string {
  // GPU backends count their programs: one more column, seqmodel/tfjs-layers per time step.
  const gpu = cases.some((c) => c.seqmodel.programsPerStep !== undefined);
  const rows = [
    [...leadColumns, 'of matMul', 'layers GFLOP/s', 'peak', 'leaked', ...(gpu ? ['programs/step'] : [])],
  ];
  for (const c of cases) {
    const f = formatCase(c);
    rows.push([
      ...f.lead,
      f.ofMatMul,
      f.layersGflops,
      f.peak,
      f.leaked('/'),
      ...(gpu ? [f.programs('/')] : []),
    ]);
  }
  return alignColumns(rows, [6, 7, 8, 9, 10, 11, 12, ...(gpu ? [14] : [])]);
}

/** The table of one backend's whole-model workloads. */
export function layerCaseTable(cases: readonly LayerCaseRecord[]): string {
  return alignColumns([layerCaseColumns, ...cases.map(layerCaseRow)], [1, 2, 3, 4]);
}

function worst(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length === 0 ? null : Math.max(...xs);
}

/** One line per kind of check: the worst errors seen. */
export function agreementSummary(cases: readonly CaseRecord[]): string[] {
  const lines: string[] = [];
  const layers = cases.filter((c) => c.agreement.against === 'tfjs-layers');
  const reference = cases.filter((c) => c.agreement.against === 'reference');
  if (layers.length > 0) {
    lines.push(
      `  vs tfjs-layers (${new Set(layers.map((c) => `${c.backend}/${c.cell}/${formatSize(c.size)}`)).size} cases): ` +
        `max |difference| forward ${formatError(worst(layers.map((c) => c.agreement.forwardMaxError)))}, ` +
        `loss ${formatError(worst(layers.map((c) => c.agreement.lossError)))}, ` +
        `weights after one SGD step ${formatError(worst(layers.map((c) => c.agreement.weightsMaxError)))}`,
    );
  }
  if (reference.length > 0) {
    lines.push(
      `  vs core's float64 reference, first sequences of the batch (${new Set(reference.map((c) => `${c.backend}/${c.cell}/${formatSize(c.size)}`)).size} cases): ` +
        `max |difference| forward ${formatError(worst(reference.map((c) => c.agreement.forwardMaxError)))}`,
    );
  }
  return lines;
}

export function machineLine(results: Pick<BenchResults, 'machine'>, at: 'start' | 'end' = 'start'): string {
  const m = results.machine;
  return `${m.cpuModel}, ${m.logicalCores} logical cores, Node ${m.node}, load average ${m.loadAverage[at].join(' ')}`;
}

/** The whole terminal report of a finished run. */
export function terminalReport(results: BenchResults): string {
  const out: string[] = [];
  for (const b of results.backends) {
    if (b.status === 'skipped') continue;
    const cases = results.cases.filter((c) => c.backend === b.name);
    const mm = b.matMul
      ? `matMul ${b.matMul.n}^3: ${formatGflops(b.matMul.gflops)} GFLOP/s (median ${formatMs(b.matMul.medianMs)} ms)`
      : 'matMul not measured';
    out.push('', `== ${b.name}: ${b.details}; ${mm}`);
    const layerCases = (results.layerCases ?? []).filter((c) => c.backend === b.name);
    if (layerCases.length > 0) out.push(layerCaseTable(layerCases));
    if (cases.length === 0) continue;
    out.push(caseTable(cases));
    for (const [cell, reason] of layersUnavailable(cases)) out.push(`  n/a ${cell}: ${reason}`);
  }
  const skipped = results.backends.filter((b) => b.status === 'skipped');
  if (skipped.length > 0) {
    out.push('', 'skipped backends:');
    for (const b of skipped) if (b.status === 'skipped') out.push(`  ${b.name}: ${b.reason}`);
  }
  if (results.cases.length > 0) {
    out.push(
      '',
      'columns: ms = median (min-max); speedup = tfjs-layers / seqmodel time (above 1: seqmodel faster); seq/s, ' +
        "steps/s, GFLOP/s, of matMul (share of the backend's matMul GFLOP/s) and peak (growth of live tfjs tensor " +
        "bytes during one run) are seqmodel's; leaked = tensors left by the timed runs (seqmodel/tfjs-layers); " +
        'programs/step (GPU backends) = programs one run launched / time steps (seqmodel/tfjs-layers)',
    );
    out.push('correctness, checked before timing:', ...agreementSummary(results.cases));
    const leaks = results.cases.filter(
      (c) => c.seqmodel.leakedTensors !== 0 || (hasLayers(c) && c.tfjsLayers.leakedTensors !== 0),
    );
    if (leaks.length > 0) out.push(`TENSORS LEAKED in ${leaks.map((c) => c.key).join(', ')}`);
  }
  out.push(...torchSection(results));
  out.push(...attentionTerminalReport(results));
  out.push(
    '',
    `done in ${(results.durationMs / 1000).toFixed(1)} s; load average at the end ${results.machine.loadAverage.end.join(' ')}`,
  );
  return out.join('\n');
}

/**
 * PyTorch beside seqmodel (`--torch`): per cell, size and mode, PyTorch's median and each backend's seqmodel
 * median as a multiple of it (below 1: seqmodel faster).
 */
export function torchSection(results: BenchResults): string[] {
  const torch = results.torch;
  if (!torch) return [];
  if (torch.status === 'skipped') return ['', `PyTorch: skipped (${torch.reason})`];
  const rows = torch.cases.map((t) => {
    const ours = results.cases.filter(
      (c) => c.cell === t.cell && c.mode === t.mode && formatSize(c.size) === formatSize(t.size),
    );
    const versus = ours.map(
      (c) =>
        `${c.backend} ${formatMs(c.seqmodel.summary.median)} ms (${(c.seqmodel.summary.median / t.summary.median).toFixed(2)}x)`,
    );
    return [
      `  ${t.cell}`,
      formatSize(t.size),
      t.mode,
      `PyTorch ${formatMs(t.summary.median)} ms`,
      `max error vs float64 ${formatError(t.forwardMaxError)}`,
      versus.join(', '),
    ];
  });
  return [
    '',
    `PyTorch ${torch.version} (CPU, ${torch.threads} thread(s); run after the seqmodel cases, not interleaved): ` +
      "seqmodel's median as a multiple of PyTorch's (below 1: seqmodel faster)",
    ...(rows.length > 0 ? [alignColumns(rows)] : ['  (no cell PyTorch has an equal of)']),
  ];
}

/** `list`: the cells, backends and presets. */
export function listing(
  backends: readonly { name: string; description: string; available: true | string }[],
): string {
  const cells = listBenchCells().map(
    (c) =>
      `  ${describeBenchCell(c)}\n    tfjs-layers: ${'layer' in c.tfjsLayers ? c.tfjsLayers.layer : `n/a (${c.tfjsLayers.unavailable})`}`,
  );
  const bs = backends.map(
    (b) =>
      `  ${b.name}: ${b.description} (${b.available === true ? 'available' : `skipped: ${b.available}`})`,
  );
  return ['cells:', ...cells, '', 'backends:', ...bs].join('\n');
}
