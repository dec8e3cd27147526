/**
 * The host data every contender starts from: the cell's parameters drawn by core from a seed, inputs and targets,
 * so that seqmodel and tfjs-layers compute the same function on the same numbers.
 */
import { createRng, initParams, outputSizeOf, resolveCellDims } from '@seqmodel/core';
import type { BenchCell } from './cells.js';
import type { RnnSize } from './sizes.js';

export interface HostArray {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

export interface NamedHostArray extends HostArray {
  readonly name: string;
}

export interface BenchData {
  /**
   * The cell's parameters in the order of its specs. For the built-in cells: kernel, recurrentKernel, bias, the
   * order and layout of tfjs-layers' weights too (Keras gate order).
   */
  readonly params: readonly NamedHostArray[];
  /** `[batch, time, inputSize]`. */
  readonly inputs: HostArray;
  /** `[batch, outputSize]`, the regression target of the training step. */
  readonly target: HostArray;
}

/** Default seed of weights and data (`--seed`). */
export const defaultSeed = 2024;

export function benchData(cell: BenchCell, size: RnnSize, seed = defaultSeed): BenchData {
  const config = { inputSize: size.inputSize, units: size.units, ...cell.options };
  const { cell: plugin, dims } = resolveCellDims(cell.cellName, config);
  const params = Object.entries(initParams(plugin, config, seed)).map(([name, p]) => ({
    name,
    values: p.values,
    shape: p.shape,
  }));
  const rng = createRng(seed).fork('data');
  const normals = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  const outputSize = outputSizeOf(plugin, dims);
  return {
    params,
    inputs: {
      values: normals(size.batch * size.time * size.inputSize, 1),
      shape: [size.batch, size.time, size.inputSize],
    },
    target: { values: normals(size.batch * outputSize, 0.5), shape: [size.batch, outputSize] },
  };
}
