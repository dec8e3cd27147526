/**
 * The cells the bench runs: the built-in cells in the variants worth comparing, then every other cell in core's
 * registry (plugins) with its default options. Plugins are registered explicitly here (`registerBenchPlugins`);
 * a new plugin package is a dependency of the bench, one import and one line below (see the README).
 *
 * tfjs-layers 4.22 has equivalents for simpleRNN, LSTM and GRU with `resetAfter: false` only. Every variant sets
 * the gate activation to sigmoid on both sides: tfjs-layers defaults `recurrentActivation` to hardSigmoid, seqmodel
 * to sigmoid.
 */
import { indRnn } from '@seqmodel/cell-indrnn';
import { layerNormLstm } from '@seqmodel/cell-layernorm-lstm';
import { mgu } from '@seqmodel/cell-mgu';
import { peepholeLstm } from '@seqmodel/cell-peephole-lstm';
import { getCell, listCells, paramSpecs, registerCell } from '@seqmodel/core';
import type { RnnSize } from './sizes.js';

/** The tfjs-layers layer that computes the same function, or why there is none. */
export type LayersCounterpart =
  | { readonly layer: 'simpleRNN' | 'lstm' | 'gru' }
  | { readonly unavailable: string };

export interface BenchCell {
  /** Name on the command line and in results: `lstm`, `gru`, `gruResetAfter`, `mgu`, ... */
  readonly key: string;
  /** Name of the seqmodel cell in core's registry. */
  readonly cellName: string;
  /** Options given to the cell; the others keep the cell's defaults. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly tfjsLayers: LayersCounterpart;
}

/** Plugin cells the bench registers (built-in cells are always registered). */
const benchPlugins = [mgu, peepholeLstm, indRnn, layerNormLstm];

/** Registers the plugin cells the bench knows; harmless to call twice. */
export function registerBenchPlugins(): void {
  for (const plugin of benchPlugins) {
    if (!listCells().includes(plugin.name)) registerCell(plugin);
  }
}

const builtInVariants: readonly BenchCell[] = [
  {
    key: 'simpleRNN',
    cellName: 'simpleRNN',
    options: { activation: 'tanh' },
    tfjsLayers: { layer: 'simpleRNN' },
  },
  {
    key: 'lstm',
    cellName: 'lstm',
    options: { recurrentActivation: 'sigmoid' },
    tfjsLayers: { layer: 'lstm' },
  },
  {
    key: 'gru',
    cellName: 'gru',
    options: { recurrentActivation: 'sigmoid', resetAfter: false },
    tfjsLayers: { layer: 'gru' },
  },
  {
    key: 'gruResetAfter',
    cellName: 'gru',
    options: { recurrentActivation: 'sigmoid', resetAfter: true },
    tfjsLayers: {
      unavailable: "tfjs-layers 4.22's GRU implements only resetAfter: false (it has no resetAfter option)",
    },
  },
];

/** Every cell the bench can run, built-in variants first, then registered plugins in registration order. */
export function listBenchCells(): BenchCell[] {
  registerBenchPlugins();
  const builtInNames = new Set(builtInVariants.map((c) => c.cellName));
  const plugins = listCells()
    .filter((name) => !builtInNames.has(name))
    .map(
      (name): BenchCell => ({
        key: name,
        cellName: name,
        options: {},
        tfjsLayers: { unavailable: `tfjs-layers has no ${name} layer (${name} is a seqmodel plugin cell)` },
      }),
    );
  return [...builtInVariants, ...plugins];
}

/** The bench cell called `key`; throws naming the flag and listing the known cells. */
export function benchCell(key: string, flag = '--cells'): BenchCell {
  const cells = listBenchCells();
  const cell = cells.find((c) => c.key === key);
  if (!cell) {
    throw new Error(
      `${flag}: unknown cell ${JSON.stringify(key)}; expected one of ${cells.map((c) => c.key).join(', ')}`,
    );
  }
  return cell;
}

/** One line describing the cell and its options, e.g. `gru (recurrentActivation sigmoid, resetAfter false)`. */
export function describeBenchCell(cell: BenchCell): string {
  const options = Object.entries(cell.options).map(([k, v]) => `${k} ${String(v)}`);
  const plugin = getCell(cell.cellName).description;
  const base = cell.key === cell.cellName ? cell.key : `${cell.key} = ${cell.cellName}`;
  return `${base}${options.length > 0 ? ` (${options.join(', ')})` : ''}${plugin ? `: ${plugin}` : ''}`;
}

/**
 * `G` of the FLOP formula: gates stacked in the cell's kernels, read from its parameters. Undefined when the cell
 * does not have the usual layout (kernel `[I, G·U]` and recurrentKernel `[U, G·U]`), so no FLOP count is claimed.
 */
export function gatesOf(cell: BenchCell, size: RnnSize): number | undefined {
  const specs = paramSpecs(cell.cellName, { inputSize: size.inputSize, units: size.units, ...cell.options });
  const kernel = specs.find((s) => s.name === 'kernel');
  const recurrent = specs.find((s) => s.name === 'recurrentKernel');
  if (!kernel || !recurrent || kernel.shape.length !== 2 || recurrent.shape.length !== 2) return undefined;
  const gates = recurrent.shape[1]! / size.units;
  const layout =
    Number.isInteger(gates) &&
    kernel.shape[0] === size.inputSize &&
    kernel.shape[1] === gates * size.units &&
    recurrent.shape[0] === size.units;
  return layout ? gates : undefined;
}
