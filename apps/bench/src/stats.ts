/** Summaries of timing samples. Medians and quartiles, because benchmark noise (other processes, GC) is one-sided. */

export interface Summary {
  readonly samples: number;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  readonly mean: number;
  /** Median absolute deviation from the median (unscaled). */
  readonly mad: number;
}

/** The `p`-quantile (0..1) by linear interpolation between closest ranks (NumPy's default). */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('quantile: no values');
  if (!(p >= 0 && p <= 1)) throw new Error(`quantile: p must be in [0, 1], received ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median absolute deviation from the median, unscaled (multiply by 1.4826 for a normal sigma). */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  return {
    samples: values.length,
    min: Math.min(...values),
    q1: quantile(values, 0.25),
    median: median(values),
    q3: quantile(values, 0.75),
    max: Math.max(...values),
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    mad: medianAbsoluteDeviation(values),
  };
}
