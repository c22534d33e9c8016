/**
 * Summary statistics of timing samples, as tinybench and mitata report them: mean with its
 * relative margin of error (95%, Student's t), median, p75, p99, min, max and the sample count.
 * @module
 */

/** Summary of a set of samples (ns per page, or any unit). */
export interface SampleStats {
  /** Number of samples. */
  readonly samples: number;
  /** Arithmetic mean. */
  readonly mean: number;
  /** Relative margin of error of the mean at 95% confidence, in percent (`±rme%`). */
  readonly rme: number;
  /** Median (p50). */
  readonly median: number;
  /** 75th percentile. */
  readonly p75: number;
  /** 99th percentile. */
  readonly p99: number;
  /** Smallest sample. */
  readonly min: number;
  /** Largest sample. */
  readonly max: number;
}

/** Two-sided 95% critical values of Student's t for 1..30 degrees of freedom (tinybench's table). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
  2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The t critical value for `df` degrees of freedom (1.96 beyond the table). */
export function tCritical(df: number): number {
  if (df < 1) return 0;
  return df <= T95.length ? T95[df - 1] : 1.96;
}

/** The `q` quantile (0..1) of sorted values, linear interpolation between closest ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Summarise samples; undefined when there are none. */
export function summarize(values: readonly number[]): SampleStats | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  const sem = Math.sqrt(variance / n);
  const rme = mean === 0 ? 0 : (tCritical(n - 1) * sem * 100) / mean;
  return { samples: n, mean, rme, median: quantile(sorted, 0.5), p75: quantile(sorted, 0.75), p99: quantile(sorted, 0.99), min: sorted[0], max: sorted[n - 1] };
}
