/**
 * What the compiler made of a cell, as text: the traced graph, the plan (buffers, stages, products) and, given a
 * generator, the code it generates. `explainCompiledCell` is what a contributor runs to see how their step was
 * compiled, or why it was not.
 */

import { resolveCellDims } from '../params.js';
import { type CellRef, resolveCell } from '../registry.js';
import { formatShape } from '../shape.js';
import { type CompileSizes, compileCell } from './compile.js';
import type { PassGenerator } from './generator.js';
import type { SequencePlan, Stage, StaticLayout } from './plan.js';
import { formatPass } from './program.js';
import { formatTrace } from './trace.js';

function formatStage(plan: SequencePlan, stage: Stage): string {
  if (stage.kind === 'pass') return formatPass(stage.pass, plan.buffers);
  const name = (id: number) => plan.buffers[id]!.name;
  const right = plan.statics[stage.right]!;
  return `${name(stage.out)} = ${name(stage.left)} · static ${stage.right}${stage.transposeRight ? 'ᵀ' : ''} ${formatShape(right.shape)}`;
}

/**
 * How the passes read a static, in the words `adding-a-cell.md` uses: a `[width]` parameter is a row, one value per
 * column of every row of the batch.
 */
const layoutWords: Record<StaticLayout, string> = {
  column: 'a row (one value per column)',
  scalar: 'a scalar',
  full: 'a value per row and column',
};

/** The plan as text: buffers, statics, products and stages. */
export function formatPlan(plan: SequencePlan): string {
  const name = (id: number) => plan.buffers[id]!.name;
  const lines: string[] = [];
  lines.push(`buffers (width, rows):`);
  for (const b of plan.buffers) lines.push(`  #${b.id} ${b.name}: ${b.width}, ${b.rows}`);
  lines.push('statics (computed once per sequence):');
  for (const s of plan.statics) {
    const use =
      s.buffer === undefined ? 'products only' : `${layoutWords[s.layout!]}, read from ${name(s.buffer)}`;
    lines.push(`  static ${s.index} = %${s.node.id} ${formatShape(s.shape)}: ${use}`);
  }
  lines.push('before the loop (all steps at once):');
  if (plan.inputProducts.length === 0) lines.push('  nothing');
  for (const p of plan.inputProducts) {
    lines.push(`  ${name(p.out)} = inputs · static ${p.right}${p.transposeRight ? 'ᵀ' : ''}`);
  }
  lines.push('each step, forward:');
  for (const s of plan.forward) lines.push(indent(formatStage(plan, s)));
  const backward = plan.backward;
  if (backward) {
    lines.push('each step, backward (last step first):');
    for (const s of backward.stages) lines.push(indent(formatStage(plan, s)));
    lines.push('after the loop (all steps at once):');
    plan.inputProducts.forEach((p, j) => {
      const d = backward.inputProductGradients[j];
      if (d === undefined) return;
      lines.push(
        `  d static ${p.right} += inputsᵀ · ${name(d)};  d inputs += ${name(d)} · static ${p.right}ᵀ`,
      );
    });
    for (const p of backward.productGradients) {
      lines.push(
        `  d static ${p.right} += (${name(p.left)}ᵀ · ${name(p.dOut)})${p.transposeRight ? 'ᵀ' : ''} over all steps`,
      );
    }
    for (const s of backward.staticGradients) {
      lines.push(`  d static ${s.static} += ${name(s.buffer)} (${layoutWords[s.layout]})`);
    }
  }
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

export interface ExplainOptions {
  /** Also plan the backward pass (default true). */
  readonly training?: boolean;
  /** Trace with a recurrent dropout mask (default false). */
  readonly recurrentMask?: boolean;
  /** Show the code this generator makes of the passes. */
  readonly generator?: PassGenerator;
}

/**
 * What the compiler makes of `cell` with `options` at `sizes`: the traced graph, the plan and (with a generator)
 * the generated code; or the reason it declines.
 *
 * @example
 * console.log(explainCompiledCell('mgu', {}, { batch: 2, inputSize: 3, units: 4 }, { generator: javascriptGenerator }));
 */
export function explainCompiledCell(
  cellRef: CellRef,
  options: Readonly<Record<string, unknown>>,
  sizes: CompileSizes,
  explain: ExplainOptions = {},
): string {
  const cell = resolveCell(cellRef);
  const { dims } = resolveCellDims(cell, { inputSize: sizes.inputSize, units: sizes.units, ...options });
  const compiled = compileCell(cell, dims, sizes.batch, {
    training: explain.training ?? true,
    recurrentMask: explain.recurrentMask ?? false,
  });
  const title = `${cell.name} ${JSON.stringify(dims.options)} batch ${sizes.batch}, inputSize ${sizes.inputSize}, units ${sizes.units}`;
  if ('reason' in compiled) {
    const traced = compiled.trace ? `\n\ntraced graph:\n${formatTrace(compiled.trace)}` : '';
    return `${title}\nnot compiled: ${compiled.reason}${traced}`;
  }
  const sections = [
    title,
    `traced graph:\n${formatTrace(compiled.trace)}`,
    `plan:\n${formatPlan(compiled.plan)}`,
  ];
  if (explain.generator) {
    const generator = explain.generator;
    const unavailable = generator.unavailable();
    sections.push(
      unavailable === undefined
        ? `code (${generator.name}):\n${generator.generate(compiled.plan).source}`
        : `code (${generator.name}): unavailable here (${unavailable})`,
    );
  }
  return sections.join('\n\n');
}
