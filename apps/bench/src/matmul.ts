/** The backend's own matrix-product speed: the ceiling its RNN figures can be read against. */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { createRng } from '@seqmodel/core';
import { gflops, matMulFlops } from './flops.js';
import type { Timing } from './interleave.js';
import { time } from './timing.js';

export interface MatMulResult {
  readonly n: number;
  readonly timing: Timing;
  readonly gflops: number;
}

/** Times `[n, n]·[n, n]` through the seqmodel backend (reading one element back, so GPU backends finish too). */
export function benchMatMul(b: TfjsBackend, n: number, warmup: number, repeats: number): MatMulResult {
  const rng = createRng('matmul');
  const values = () => Float32Array.from({ length: n * n }, () => rng.normal());
  const x = b.tensor(values(), [n, n]);
  const y = b.tensor(values(), [n, n]);
  const timing = time(
    () => {
      b.tidy(() => b.dataSync(b.slice(b.matMul(x, y), [0, 0], [1, 1])));
    },
    { warmup, repeats },
  );
  b.dispose([x, y]);
  return { n, timing, gflops: gflops(matMulFlops(n), timing.summary.median) };
}
