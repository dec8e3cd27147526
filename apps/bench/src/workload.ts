/** A piece of work to time: `run` returns once its result is computed and read back; `dispose` frees its tensors. */
export interface Workload {
  run(): void;
  dispose(): void;
}

/** The learning rate of every benchmarked SGD step (small, so that repeated steps stay stable). */
export const learningRate = 0.01;
