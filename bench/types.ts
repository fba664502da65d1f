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
  unit: 'ms' | 's' | 'MiB' | 'MiB/s';
  /** Dispersion of the subject's samples: median absolute deviation, in percent of its median. */
  spreadPct: number;
  /** Subject median / baseline median (lower is better); `null` for rows that only report. */
  ratio: number | null;
  /** The target for `ratio`, as written in the issue, e.g. "≤ 2×". */
  target: string;
  /** Whether `ratio` meets `target`; `null` for rows that only report. */
  met: boolean | null;
  /** Absolute figures worth reading next to the ratio (throughput, peak memory, how the row was measured). */
  note?: string;
}

/** What every benchmark module exports. */
export interface BenchOptions {
  /** Smaller sizes and fewer iterations, so that the whole run stays under a minute. */
  quick: boolean;
}

export type Benchmark = (options: BenchOptions) => Promise<BenchRow[]>;
