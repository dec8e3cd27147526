/**
 * Which cell arithmetic (`cells/`) the host sequence runner (`SequenceRun`) uses for which cell plugin, and which
 * option values it can take. The built-in cells have their bindings here; a package with its own cell (a compiled
 * plugin cell, say) writes a `FusedCell` (usually on `FusedCellBase`) and a binding, and gets a fused kernel from
 * `hostSequenceKernel`, or runs `SequenceRun` on a backend of its own. Nothing here uses a tensor library.
 */
import { type AnyCellPlugin, builtInCells, gru, lstm, resolveCellOptions, simpleRNN } from '@seqmodel/core';
import { fusedActivationNames, isFusedActivation } from './activations.js';
import type { GatedCellActivations } from './cells/cell-base.js';
import { GruCell } from './cells/gru.js';
import { LstmCell } from './cells/lstm.js';
import { SimpleRnnCell } from './cells/simple-rnn.js';
import type { FusedCell, SequenceRun } from './sequence-run.js';

/**
 * A cell plugin bound to its fused arithmetic. The runner takes cells laid out as Keras' are: parameters `kernel`
 * `[inputSize, gates·units]`, `recurrentKernel` `[units, gates·units]` and an optional `bias`, states and output
 * of `units` each.
 */
export interface FusedCellBinding {
  /** The cell it implements, compared by identity (a plugin that reuses the name is not it). */
  readonly cell: AnyCellPlugin;
  /** Gate blocks stacked on the last axis of the kernels (4 for an LSTM). */
  readonly gates: number;
  /** The options (resolved) naming an activation the fused arithmetic must implement (`fusedActivationNames`). */
  readonly activationOptions: readonly string[];
  /** The cell's arithmetic for one run, from the resolved options. */
  create(run: SequenceRun, options: Record<string, unknown>): FusedCell;
}

/** The options naming a gated cell's activations, and those activations from the resolved options. */
const gatedActivationOptions = ['activation', 'recurrentActivation'];
function gatedActivations(o: Record<string, unknown>): GatedCellActivations {
  return { activation: o.activation as never, recurrentActivation: o.recurrentActivation as never };
}

/** The bindings of core's simpleRNN, LSTM and GRU (both `resetAfter` variants). */
export const builtInCellBindings: readonly FusedCellBinding[] = [
  {
    cell: simpleRNN,
    gates: 1,
    activationOptions: ['activation'],
    create: (run, o) => new SimpleRnnCell(run, o.activation as never),
  },
  {
    cell: lstm,
    gates: 4,
    activationOptions: gatedActivationOptions,
    create: (run, o) => new LstmCell(run, gatedActivations(o)),
  },
  {
    cell: gru,
    gates: 3,
    activationOptions: gatedActivationOptions,
    create: (run, o) => new GruCell(run, { ...gatedActivations(o), resetAfter: o.resetAfter as boolean }),
  },
];

/**
 * Why `binding` cannot run `cell` with `options` (any subset of the cell's options), or undefined when it can: the
 * cell must be the binding's own, and every activation option one the fused arithmetic implements.
 */
export function bindingRefusal(
  binding: FusedCellBinding,
  cell: AnyCellPlugin | undefined,
  options: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  const own = binding.cell;
  if (cell !== own) {
    const which = builtInCells.includes(own)
      ? `@seqmodel/core's built-in ${own.name}`
      : `the cell ${own.name} it was made for`;
    return `cell ${JSON.stringify(cell?.name)} is not ${which} (the fused kernel implements only that one)`;
  }
  const resolved = resolveCellOptions(own, options);
  for (const name of binding.activationOptions) {
    if (!isFusedActivation(resolved[name])) {
      return `${name} ${JSON.stringify(resolved[name])} has no fused implementation (fused: ${fusedActivationNames.join(', ')})`;
    }
  }
  return undefined;
}
