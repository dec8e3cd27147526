/**
 * A random orthogonal matrix, as Keras' `Orthogonal` initializer: orthonormalize a Gaussian matrix of shape
 * (max(rows, cols), min(rows, cols)) and transpose it when rows < cols. Keras takes Q from a QR decomposition and
 * flips columns so that R has a positive diagonal; Gram–Schmidt yields that same Q directly. Modified Gram–Schmidt
 * with one re-orthogonalization pass ("twice is enough") keeps Q orthogonal to float64 precision; the 1024 x 256
 * case (an LSTM with 256 units) takes a fraction of a second.
 */
import type { Rng } from '../rng.js';

/** Row-major `rows x cols` values with orthonormal rows (rows <= cols) or orthonormal columns (rows > cols). */
export function orthogonalMatrix(rows: number, cols: number, rng: Rng): Float64Array {
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  const q: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const qk = q[k]!;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += qk[i]! * v[i]!;
        for (let i = 0; i < m; i++) v[i] = v[i]! - dot * qk[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) v[i] = v[i]! / norm;
    q.push(v);
  }
  const out = new Float64Array(rows * cols);
  if (rows >= cols) {
    // Q is rows x cols with the vectors as columns.
    for (let j = 0; j < n; j++) {
      const qj = q[j]!;
      for (let i = 0; i < m; i++) out[i * cols + j] = qj[i]!;
    }
  } else {
    // Q transposed: the vectors are the rows.
    for (let j = 0; j < n; j++) out.set(q[j]!, j * cols);
  }
  return out;
}
