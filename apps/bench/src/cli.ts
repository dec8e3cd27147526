#!/usr/bin/env node
/**
 * seqmodel-bench: times seqmodel's cells on every available backend against tfjs-layers on the same tfjs
 * backend, and compares two runs.
 *
 *   npx -y pnpm@12.21.0 bench --preset quick --json out.json       # from the repository root
 *   npx -y pnpm@12.21.0 bench --backends wasm --cells gru --sizes 16x32x16x64 --modes train --repeats 3
 *   npx -y pnpm@12.21.0 bench compare before.json after.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { explainCudaPrograms } from '@seqmodel/backend-cuda';
import { javascriptGenerator } from '@seqmodel/backend-tfjs';
import { wasmSimdGenerator } from '@seqmodel/backend-wasm';
import { explainCompiledCell } from '@seqmodel/core';
import { type AttentionCommand, attentionUsage, parseAttentionCommand } from './attention/options.js';
import { runAttentionBench } from './attention/runner.js';
import { backendProviders } from './backends.js';
import { benchCell } from './cells.js';
import { compareResults, countVerdicts, renderComparison } from './compare.js';
import { describeRunsPerTurn } from './interleave.js';
import { loadAverage, machineRecord } from './machine.js';
import { writeMarkdownReport } from './markdown.js';
import { type Command, parseCommand, usage } from './options.js';
import { pathsTable, runPaths } from './paths.js';
import { createProgress } from './progress.js';
import { header, listing, machineLine, terminalReport } from './report.js';
import { runBench } from './runner.js';
import { formatSize } from './sizes.js';
import { assertResults, readResults } from './validate.js';

export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: { write(text: string): unknown };
}

const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

async function run(
  command: Extract<Command, { kind: 'run' }> | Extract<AttentionCommand, { kind: 'attention' }>,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const machine = machineLine({ machine: machineRecord(loadAverage()) });
  out(
    command.kind === 'run'
      ? header({ config: command.config }, machine)
      : `seqmodel-bench attention: ${command.config.cases.join(', ')} on ${command.config.backends.join(', ')}\nmachine: ${machine}`,
  );
  out('');
  const progress = createProgress({
    write: (text) => io.stdout.write(text),
    tty: io.stdout.isTTY === true,
    columns: () => io.stdout.columns,
  });
  const results =
    command.kind === 'run'
      ? await runBench(command.config, { observer: progress, argv })
      : await runAttentionBench(command.config, { observer: progress, argv });
  assertResults(results, 'the results of this run');
  out(terminalReport(results));
  if (command.json) {
    mkdirSync(dirname(command.json), { recursive: true });
    writeFileSync(command.json, `${JSON.stringify(results, null, 2)}\n`);
    out(`results written to ${command.json}`);
  }
  if (command.markdown) {
    const paths = writeMarkdownReport(results, command.markdown);
    out(`report written to ${paths.find((p) => p.endsWith('report.md'))} (${paths.length} files)`);
  }
  return 0;
}

function compare(command: Extract<Command, { kind: 'compare' }>, io: CliIo): number {
  const before = readResults(command.before);
  const after = readResults(command.after);
  const comparison = compareResults(before, after, command.threshold);
  io.stdout.write(`${renderComparison(comparison, { before: command.before, after: command.after })}\n`);
  return command.failOnRegression && countVerdicts(comparison).regression > 0 ? 1 : 0;
}

function report(command: Extract<Command, { kind: 'report' }>, io: CliIo): number {
  const results = readResults(command.file);
  io.stdout.write(`${terminalReport(results)}\n`);
  if (command.markdown) {
    const paths = writeMarkdownReport(results, command.markdown);
    io.stdout.write(
      `report written to ${paths.find((p) => p.endsWith('report.md'))} (${paths.length} files)\n`,
    );
  }
  return 0;
}

async function paths(command: Extract<Command, { kind: 'paths' }>, io: CliIo): Promise<number> {
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const c = command.config;
  const turns = describeRunsPerTurn(c.runsPerTurn, c.warmup);
  out(
    `seqmodel-bench paths: the backends' own, compiled and generic kernels timed in turns` +
      `${turns ? ` (${turns})` : ''}; ${c.cells.join(', ')} at ` +
      `${c.sizes.map(formatSize).join(', ')}; ${machineLine({ machine: machineRecord(loadAverage()) })}`,
  );
  const results = await runPaths(c, backendProviders, (record) => out(pathsTable([record]).split('\n')[1]!));
  out('');
  out(pathsTable(results.cases));
  for (const b of results.backends) out(`${b.name}: ${b.details}`);
  for (const s of results.skipped) out(`skipped ${s.name}: ${s.reason}`);
  if (command.json) {
    mkdirSync(dirname(command.json), { recursive: true });
    writeFileSync(command.json, `${JSON.stringify(results, null, 2)}\n`);
    out(`results written to ${command.json}`);
  }
  return 0;
}

function explain(command: Extract<Command, { kind: 'explain' }>, io: CliIo): number {
  const cell = benchCell(command.cell);
  const options = command.options ?? cell.options;
  if (command.backend === 'cuda') {
    // The traced graph and the plan, then the programs the CUDA backend would compile, recorded on the cpu backend.
    const plan = explainCompiledCell(cell.cellName, options, command.sizes, { training: command.training });
    const programs = explainCudaPrograms(createCpuBackend(), cell.cellName, {
      ...command.sizes,
      time: command.time,
      options,
      training: command.training,
    });
    io.stdout.write(`${plan}\n\n${programs}\n`);
    return 0;
  }
  const generator = command.backend === 'wasm' ? wasmSimdGenerator : javascriptGenerator;
  const text = explainCompiledCell(cell.cellName, options, command.sizes, {
    generator,
    training: command.training,
    recurrentMask: command.recurrentMask,
  });
  io.stdout.write(`${text}\n`);
  return 0;
}

async function list(io: CliIo): Promise<number> {
  const backends = [];
  for (const p of backendProviders) {
    backends.push({ name: p.name, description: p.description, available: await p.isAvailable() });
  }
  io.stdout.write(`${listing(backends)}\n`);
  return 0;
}

/**
 * Runs the command line; resolves to the exit status: 0 done, 1 a failure (or a regression with
 * `--fail-on-regression`), 2 a bad command line. Errors are printed, not thrown.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let command: Command | AttentionCommand;
  try {
    // `attention` has flags of its own (attention/options.ts), parsed apart from the cell runs'.
    command = argv[0] === 'attention' ? parseAttentionCommand(argv.slice(1)) : parseCommand(argv);
  } catch (error) {
    io.stderr.write(`seqmodel-bench: ${(error as Error).message}
`);
    return 2;
  }
  try {
    switch (command.kind) {
      case 'help':
        io.stdout.write(`${argv[0] === 'attention' ? attentionUsage : usage}\n`);
        return 0;
      case 'list':
        return await list(io);
      case 'paths':
        return await paths(command, io);
      case 'explain':
        return explain(command, io);
      case 'compare':
        return compare(command, io);
      case 'report':
        return report(command, io);
      case 'run':
      case 'attention':
        return await run(command, argv, io);
    }
  } catch (error) {
    io.stderr.write(`seqmodel-bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const invokedDirectly =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli.js');
if (invokedDirectly) {
  main(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
  });
}
