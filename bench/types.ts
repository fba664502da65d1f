/** One comparison in a benchmark report: a subject measured against a baseline in the same run. */
export interface BenchRow {
  /** What was measured, e.g. "parse 5 MB submissions list". */
  benchmark: string;
  /** The code under test, e.g. "parseJson". */
  subject: string;
  /** What the subject is compared with, e.g. "JSON.parse"; `null` for rows that only report a figure. */
  baseline: string | null;
  /** Median of the subject's samples, in `unit`. */
  median: number;
  unit: 'µs' | 'ms' | 's' | 'MiB' | 'MiB/s';
  /** Dispersion of the subject's samples: median absolute deviation, in percent of its median. */
  spreadPct: number;
  /** Subject / baseline (lower is better): the median of the per-round ratios; `null` for rows that only report. */
  ratio: number | null;
  /** Dispersion of the per-round ratios: median absolute deviation, in percent of the ratio. */
  ratioSpreadPct?: number;
  /** The target for `ratio`, as written in the issue, e.g. "≤ 2×". */
  target: string;
  /** Whether `ratio` meets `target`; `null` for rows that only report. */
  met: boolean | null;
  /** Absolute figures worth reading next to the ratio (throughput, peak memory, how the row was measured). */
  note?: string;
  /** For rows against a tuned SDK: every setting tried and its median time (results.json only). */
  tuning?: Array<{ name: string; medianMs: number; runs: number }>;
}

/** What every benchmark module exports. */
export interface BenchOptions {
  /** Smaller sizes and fewer iterations, so that the whole run stays well under two minutes (CI runs it). */
  quick: boolean;
}

export type Benchmark = (options: BenchOptions) => Promise<BenchRow[]>;
