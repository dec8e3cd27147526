/**
 * Checks that a cell runs on a backend's compiled kernel (the `sequence` kernel filed under `*`, made from the
 * cell's step by core's compiler), that the kernel takes every kind of case of the kit (a declined one would run the
 * generic loop and pass the comparisons), and that it computes what the generic loop computes: the cell
 * conformance kit's comparisons (float64 reference, fused against generic forward and gradients, leaks, finite
 * differences) on every variant of the kit (masks, initial states, `goBackwards`, last step only), and recurrent
 * dropout, whose mask's gradient the kit does not cover. A plugin package runs them on the backends it has:
 *
 * @example
 * for (const check of compiledCellChecks(myCell, createCpuBackend(), { configs })) {
 *   it.skipIf(check.skip !== undefined)(check.name, check.run);
 * }
 */
import {
  type AnyCellPlugin,
  type Backend,
  type CellRef,
  explainCompiledCell,
  type FusedSequenceKernel,
  initParamTensors,
  resolveCell,
  resolveCellDims,
  SeqmodelError,
  type SequenceArgs,
} from '@seqmodel/core';
import {
  type CellConformanceConfig,
  type CellKitVariant,
  type ConformanceCheck,
  cellConformanceChecks,
  cellKitVariants,
} from '@seqmodel/core/testing';
import { assertFusedMatchesGeneric, hostSequence, requireSequenceKernel } from './fused-kernel-checks.js';

export interface CompiledCellCheckOptions {
  /** Sizes and options (default: inputSize 3, units 4, default options). */
  readonly configs?: readonly CellConformanceConfig[];
  readonly batch?: number;
  readonly time?: number;
}

const kitChecks = [
  'agrees with the float64 reference',
  'fused kernel matches the generic loop',
  'no tensors leaked',
  'gradients match finite differences',
];

/** The checks for `cell` on `backend` (see the module comment). */
export function compiledCellChecks<T>(
  cellRef: CellRef,
  backend: Backend<T>,
  options: CompiledCellCheckOptions = {},
): ConformanceCheck[] {
  const cell: AnyCellPlugin = resolveCell(cellRef);
  const configs = options.configs ?? [{ inputSize: 3, units: 4 }];
  const checks: ConformanceCheck[] = [];
  checks.push({
    name: `${cell.name} on ${backend.name}: a fused kernel takes every variant and the compiler compiles it`,
    run() {
      const kernel = requireSequenceKernel(backend, cell);
      // With a recurrent dropout mask too, for a cell that applies one (the step then traces differently).
      const masks = cell.supportsRecurrentDropout ? [false, true] : [false];
      for (const c of configs) {
        for (const recurrentMask of masks) {
          const text = explainCompiledCell(
            cell,
            c.options ?? {},
            { batch: 2, inputSize: c.inputSize, units: c.units },
            { recurrentMask },
          );
          const declined = /^not compiled: (.*)$/m.exec(text);
          if (declined) {
            const mask = recurrentMask ? ' with a recurrent mask' : '';
            throw new SeqmodelError(`${cell.name} ${JSON.stringify(c.options ?? {})}${mask}: ${declined[1]}`);
          }
        }
      }
      // The kit compares the fused path with the generic loop only where the kernel takes the case; a declined
      // variant would run the generic loop (or another kernel) and pass.
      const sizes = { batch: options.batch ?? 3, time: options.time ?? 4 };
      for (const c of configs) assertTakesEveryVariant(backend, kernel, cell, c, sizes);
    },
  });
  const conformance = cellConformanceChecks(cell, backend, {
    configs,
    ...(options.batch === undefined ? {} : { batch: options.batch }),
    ...(options.time === undefined ? {} : { time: options.time }),
  });
  checks.push(...conformance.filter((c) => kitChecks.some((s) => c.name.endsWith(s))));
  if (cell.supportsRecurrentDropout) {
    for (const c of configs) {
      checks.push({
        name: `${cell.name} (${JSON.stringify(c.options ?? {})}) on ${backend.name}: recurrent dropout matches the generic loop (the mask's gradient too)`,
        ...(backend.valueAndGrads ? {} : { skip: `backend ${backend.name} has no autodiff` }),
        run() {
          const sizes = { ...dropoutSizes, inputSize: c.inputSize, units: c.units };
          dropoutVariants.forEach(({ name, ...variant }, i) => {
            const host = hostSequence(
              cell,
              { ...c.options },
              sizes,
              { ...variant, recurrentDropout: true },
              `compiled/${cell.name}/${i}`,
            );
            assertFusedMatchesGeneric(backend, host, `${cell.name} (${name})`);
          });
        },
      });
    }
  }
  return checks;
}

/** The recurrent dropout check's sizes and ways of running a sequence, as kit variants. */
const dropoutSizes = { batch: 4, time: 5 };
const dropoutVariants: readonly CellKitVariant[] = [
  { name: 'recurrent dropout', returnSequences: true },
  {
    name: 'recurrent dropout, mask + goBackwards + initial state',
    returnSequences: true,
    mask: true,
    goBackwards: true,
    initialState: true,
  },
  {
    name: 'recurrent dropout, mask, zero masked outputs, last step',
    returnSequences: false,
    mask: true,
    zeroMaskedOutputs: true,
  },
];

/**
 * Throws, naming the variant and the kernel's reason, when `kernel` declines one of the cases the kit runs (its
 * variants at its batch and length, and for a cell with recurrent dropout the dropout check's).
 */
export function assertTakesEveryVariant<T>(
  backend: Backend<T>,
  kernel: FusedSequenceKernel<T>,
  cell: AnyCellPlugin,
  c: CellConformanceConfig,
  sizes: { readonly batch: number; readonly time: number },
): void {
  const config = { inputSize: c.inputSize, units: c.units, ...c.options };
  const { dims } = resolveCellDims(cell, config);
  const stateSizes = cell.state(dims).map((s) => s.size);
  const made: T[] = [];
  const keep = <X extends T>(x: X): X => {
    made.push(x);
    return x;
  };
  const cases = [
    ...cellKitVariants.map((v) => ({ v, batch: sizes.batch, time: sizes.time, dropout: false })),
    ...(cell.supportsRecurrentDropout
      ? dropoutVariants.map((v) => ({ v, ...dropoutSizes, dropout: true }))
      : []),
  ];
  try {
    const params = initParamTensors(backend, cell, config, 1);
    made.push(...Object.values(params));
    for (const { v, batch, time, dropout } of cases) {
      const args: SequenceArgs<T> = {
        cell,
        options: dims.options,
        units: c.units,
        inputs: keep(backend.fill([batch, time, c.inputSize], 0.5)),
        params,
        returnSequences: v.returnSequences,
        goBackwards: v.goBackwards ?? false,
        zeroMaskedOutputs: v.zeroMaskedOutputs ?? false,
        ...(v.mask ? { mask: keep(backend.fill([batch, time], 1)) } : {}),
        ...(v.initialState
          ? { initialState: stateSizes.map((size) => keep(backend.fill([batch, size], 0.25))) }
          : {}),
        // The dropout mask is as wide as the first state.
        ...(dropout ? { recurrentMask: keep(backend.fill([batch, stateSizes[0]!], 1.25)) } : {}),
      };
      const reason = kernel.supports(args);
      if (reason !== undefined) {
        throw new SeqmodelError(
          `${cell.name} ${JSON.stringify(c.options ?? {})} (${v.name}): the fused kernel declined it: ${reason}`,
        );
      }
    }
  } finally {
    backend.dispose(made);
  }
}
