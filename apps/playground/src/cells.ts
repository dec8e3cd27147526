/**
 * The cells the playground offers: core's built-in cells and every plugin package in this repository, registered
 * once. Adding a plugin to the page is one entry here (and its package in `package.json`); "Copy as code" prints the
 * same registration.
 */
import { mgu } from '@seqmodel/cell-mgu';
import { type AnyCellPlugin, getCell, listCells, registerCell } from '@seqmodel/core';

/** A plugin cell: where it comes from, for the generated code. */
export interface PluginCell {
  readonly cell: AnyCellPlugin;
  readonly packageName: string;
  readonly exportName: string;
}

export const PLUGIN_CELLS: readonly PluginCell[] = [
  { cell: mgu, packageName: '@seqmodel/cell-mgu', exportName: 'mgu' },
];

/** Registers the plugin cells not registered yet and lists every cell by name, built-in ones first. */
export function availableCells(): string[] {
  for (const { cell } of PLUGIN_CELLS) if (!listCells().includes(cell.name)) registerCell(cell);
  return listCells();
}

/** A cell's one-line description, for the cell menu. */
export function describeCell(name: string): string {
  return getCell(name).description ?? name;
}

/** The plugin that provides `name`, or undefined for a built-in cell. */
export function pluginOf(name: string): PluginCell | undefined {
  return PLUGIN_CELLS.find((p) => p.cell.name === name);
}
