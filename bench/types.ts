/** One comparison in a benchmark report: a subject measured against a baseline in the same run. */
export interface BenchRow {
  /** What was measured, e.g. "parse 5 MB submissions list". */
  benchmark: string;
  /** The code under test, e.g. "parseJson". */
  subject: string;
  /** What the subject is compared with, e.g. "JSON.parse". */
  baseline: string;
  /** Median latency of the subject, in milliseconds. */
  medianMs: number;
  /** Dispersion of the subject's samples, in percent of its median. */
  spreadPct: number;
  /** Subject median / baseline median. */
  ratio: number;
  /** The target for `ratio`, as written in the design, e.g. "≤ 2×". */
  target: string;
  /** Whether `ratio` meets `target`; `null` for rows that only report. */
  met: boolean | null;
}
