/**
 * The host data both libraries start from: the cell's parameters drawn by core from a seed, inputs and targets,
 * so that seqmodel and tfjs-layers compute the same function on the same numbers.
 */
import { createRng, initParams } from '@seqmodel/core';
import type { BenchCell, RnnSize } from './flops.js';

/**
 * Cell options shared by both libraries. tfjs-layers' default recurrent activation is hardSigmoid and seqmodel's
 * sigmoid: both are set to sigmoid. tfjs-layers' GRU is the `resetAfter: false` variant.
 */
export const cellOptions: Readonly<Record<BenchCell, Record<string, unknown>>> = {
  lstm: { recurrentActivation: 'sigmoid' },
  gru: { recurrentActivation: 'sigmoid', resetAfter: false },
};

export interface HostArray {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

export interface BenchData {
  /** kernel, recurrentKernel, bias: the order and layout of both libraries (Keras gate order). */
  readonly params: readonly [HostArray, HostArray, HostArray];
  /** `[batch, time, inputSize]`. */
  readonly inputs: HostArray;
  /** `[batch, units]`, the regression target of the training step. */
  readonly target: HostArray;
}

export function benchData(cell: BenchCell, size: RnnSize, seed = 2024): BenchData {
  const p = initParams(cell, { inputSize: size.inputSize, units: size.units, ...cellOptions[cell] }, seed);
  const rng = createRng(seed).fork('data');
  const normals = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  return {
    params: [p.kernel!, p.recurrentKernel!, p.bias!].map((x) => ({ values: x.values, shape: x.shape })) as [
      HostArray,
      HostArray,
      HostArray,
    ],
    inputs: {
      values: normals(size.batch * size.time * size.inputSize, 1),
      shape: [size.batch, size.time, size.inputSize],
    },
    target: { values: normals(size.batch * size.units, 0.5), shape: [size.batch, size.units] },
  };
}
