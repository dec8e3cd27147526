/**
 * Floating-point operation counts of the benchmarked work. Only matrix products are counted (a multiply-add is 2
 * FLOPs); elementwise gate arithmetic (activations, gate products, the loss and the SGD update) adds O(B·T·G·U)
 * and is left out, as is usual for RNN throughput figures.
 *
 *   forward  = 2 · B · T · G · U · (I + U)     (G gates: simple RNN 1, MGU 2, GRU 3, LSTM 4)
 *   training = 3 · forward                     (the backward pass does two products per forward product:
 *                                               one for the input's gradient, one for the weight's)
 *   matMul [n, k]·[k, n] = 2 · n · k · n
 *
 * For GRU with `resetAfter: false` (and MGU) the recurrent product is split (h·U_zr, then (r*h)·U_h) but still
 * costs 2·B·U·GU per step, so the formula holds. G is read from the cell's parameters (see `cells.ts`).
 */
import type { RnnSize } from './sizes.js';

/** The formulas as printed in reports and stored in the JSON, next to the numbers they produced. */
export const flopFormulas = {
  forward: '2*B*T*G*U*(I+U)',
  train: '3 * forward',
  matMul: '2*n^3',
  note:
    'matrix products only, a multiply-add counted as 2 FLOPs; G = gates stacked in the kernels ' +
    '(simpleRNN 1, mgu 2, gru 3, lstm 4); elementwise work (activations, gate products, loss, SGD update) ' +
    'is not counted; a training step is counted as 3x forward (the backward pass does two products per ' +
    'forward product)',
} as const;

export function forwardFlops(gates: number, size: RnnSize): number {
  const { batch, time, inputSize, units } = size;
  return 2 * batch * time * gates * units * (inputSize + units);
}

export function trainingFlops(gates: number, size: RnnSize): number {
  return 3 * forwardFlops(gates, size);
}

export function matMulFlops(n: number, k = n, m = n): number {
  return 2 * n * k * m;
}

/** FLOPs per millisecond as GFLOP/s. */
export function gflops(flops: number, milliseconds: number): number {
  return flops / (milliseconds * 1e6);
}
