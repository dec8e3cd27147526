/**
 * Floating-point operation counts of the benchmarked work. Only matrix products are counted (a multiply-add is 2
 * FLOPs); elementwise gate arithmetic adds O(B·T·U) and is left out, as is usual for RNN throughput figures.
 *
 *   forward  = 2 · B · T · G · U · (I + U)     (G gates: LSTM 4, GRU 3, simple RNN 1)
 *   training = 3 · forward                     (the backward pass does two products per forward product:
 *                                               one for the input's gradient, one for the weight's)
 *   matMul [n, k]·[k, n] = 2 · n · k · n
 *
 * For GRU with `resetAfter: false` the recurrent product is split (h·U_zr, then (r*h)·U_h) but still costs
 * 2·B·U·3U per step, so the formula holds.
 */

/** The sizes of one benchmark case: batch, time steps, input features, units. */
export interface RnnSize {
  readonly batch: number;
  readonly time: number;
  readonly inputSize: number;
  readonly units: number;
}

export type BenchCell = 'lstm' | 'gru';

/** Gates stacked in a cell's kernels (`G` above). */
export const gatesOf: Readonly<Record<BenchCell | 'simpleRNN', number>> = { simpleRNN: 1, gru: 3, lstm: 4 };

export function forwardFlops(cell: BenchCell | 'simpleRNN', size: RnnSize): number {
  const { batch, time, inputSize, units } = size;
  return 2 * batch * time * gatesOf[cell] * units * (inputSize + units);
}

export function trainingFlops(cell: BenchCell | 'simpleRNN', size: RnnSize): number {
  return 3 * forwardFlops(cell, size);
}

export function matMulFlops(n: number, k = n, m = n): number {
  return 2 * n * k * m;
}

/** FLOPs per millisecond as GFLOP/s. */
export function gflops(flops: number, milliseconds: number): number {
  return flops / (milliseconds * 1e6);
}

/** `32x64x32x128` for batch 32, time 64, input 32, units 128. */
export function formatSize(size: RnnSize): string {
  return `${size.batch}x${size.time}x${size.inputSize}x${size.units}`;
}

/** Parses `BxTxIxU`; throws naming the text when it is not four positive integers. */
export function parseSize(text: string): RnnSize {
  const parts = text.split('x').map(Number);
  if (parts.length !== 4 || !parts.every((p) => Number.isInteger(p) && p > 0)) {
    throw new Error(`size ${JSON.stringify(text)}: expected batch x time x input x units, e.g. 32x64x32x128`);
  }
  const [batch, time, inputSize, units] = parts as [number, number, number, number];
  return { batch, time, inputSize, units };
}
