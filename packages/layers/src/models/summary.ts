/**
 * `model.summary()`: a table in the style of Keras' — each layer with its class, output shape and parameter count
 * (and, for functional models, what it is connected to), then the totals. The totals are the model's weight sizes,
 * which for recurrent layers are core's `countParams`.
 */
import type { Graph } from '../engine/graph.js';
import type { Layer } from '../engine/layer.js';
import { formatShapeSpec } from '../engine/shape-spec.js';
import type { InputNode, LayerNode, SymbolicTensor } from '../engine/symbolic.js';

export interface SummaryOptions {
  /** Print the table (default true); it is returned either way. */
  readonly print?: boolean;
  /** Where printed lines go (default `console.log`). */
  readonly printFn?: (text: string) => void;
}

/** `1,234,567`. */
function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function shapeText(tensors: readonly SymbolicTensor[]): string {
  if (tensors.length === 1) return formatShapeSpec(tensors[0]!.shape);
  return `[${tensors.map((t) => formatShapeSpec(t.shape)).join(', ')}]`;
}

/** The summary table of a built model graph. */
export function formatSummary(
  modelName: string,
  graph: Graph,
  layers: readonly Layer[],
  functional: boolean,
  totals: { readonly trainable: number; readonly nonTrainable: number },
): string {
  const names = new Map<SymbolicTensor, string>();
  for (const x of graph.inputs) names.set(x, (x.source as InputNode).name ?? 'input');
  const firstNode = new Map<Layer, LayerNode>();
  for (const node of graph.nodes) {
    if (!firstNode.has(node.layer)) firstNode.set(node.layer, node);
    node.outputs.forEach((y, i) => {
      names.set(y, node.outputs.length === 1 ? node.layer.name : `${node.layer.name}[${i}]`);
    });
  }
  const header = functional
    ? ['Layer (type)', 'Output Shape', 'Param #', 'Connected to']
    : ['Layer (type)', 'Output Shape', 'Param #'];
  const rows: string[][] = [];
  if (functional) {
    for (const x of graph.inputs)
      rows.push([`${names.get(x)} (InputLayer)`, formatShapeSpec(x.shape), '0', '']);
  }
  for (const layer of layers) {
    const node = firstNode.get(layer)!;
    const row = [layer.describe(), shapeText(node.outputs), formatCount(layer.countParams())];
    if (functional) {
      const sources = graph.nodes
        .filter((n) => n.layer === layer)
        .flatMap((n) => [...n.inputs, ...n.initialState].map((x) => names.get(x) ?? '?'));
      row.push(sources.join(', '));
    }
    rows.push(row);
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)) + 3);
  const total = widths.reduce((a, b) => a + b, 0);
  const line = (cells: readonly string[]) =>
    ` ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join('')}`.trimEnd();
  const thin = '_'.repeat(total);
  const thick = '='.repeat(total);
  const out = [`Model: "${modelName}"`, thin, line(header), thick];
  rows.forEach((row, i) => {
    out.push(line(row));
    out.push(i === rows.length - 1 ? thick : thin);
  });
  if (rows.length === 0) out.push(thick);
  out.push(`Total params: ${formatCount(totals.trainable + totals.nonTrainable)}`);
  out.push(`Trainable params: ${formatCount(totals.trainable)}`);
  out.push(`Non-trainable params: ${formatCount(totals.nonTrainable)}`);
  out.push(thin);
  return out.join('\n');
}
