/** The leak check the conformance kits share. */
import type { Backend } from '../backend.js';
import { SeqmodelError } from '../errors.js';

/**
 * Throws unless `fn` leaves `numTensors` unchanged, and the data buffers too where the backend reports them
 * (`numDataBuffers`, as tfjs-based backends do: a tensor freed while its data stays is a leak as well).
 */
export function checkNoLeak<T>(backend: Backend<T>, what: string, fn: () => void): void {
  const count = () => {
    const m = backend.memory() as { numTensors: number; numDataBuffers?: number };
    return [m.numTensors, m.numDataBuffers ?? 0] as const;
  };
  const before = count();
  fn();
  const after = count();
  if (after[0] !== before[0] || after[1] !== before[1]) {
    throw new SeqmodelError(
      `${what}: leaked (numTensors ${before[0]} -> ${after[0]}, data buffers ${before[1]} -> ${after[1]})`,
    );
  }
}
