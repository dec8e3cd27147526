/** Settings shared by every timed workload. */

/** The learning rate of every benchmarked SGD step (small, so that repeated steps stay stable). */
export const learningRate = 0.01;
