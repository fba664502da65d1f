/** The table rows of a blob transfer benchmark: throughput against the tuned SDK, context rows, peak RSS. */
import type { RoundResults, Tuning } from './blob-support.js';
import { pairedRatio, round, summarize } from './stats.js';
import type { BenchRow } from './types.js';

export interface TransferRowsInput {
  /** e.g. "upload 256 MiB to Azurite". */
  benchmark: string;
  sizeMiB: number;
  results: RoundResults;
  subject: string;
  /** The tuned SDK: the row that decides whether the target is met. */
  baseline: string;
  /** Other contenders, reported for context only (SDK defaults, a straw man). */
  context: readonly string[];
  /** Other settings of the subject, reported against the baseline for context (hwdash doing more work). */
  variants?: readonly string[];
  /** The SDK's tuning at this size, if it was tuned here: listed with the deciding row (results.json). */
  tuning?: Tuning;
  /** How many settings the baseline was chosen from (when tuned at another size). */
  tunedOver?: number;
  rounds: number;
}

export function transferRows(input: TransferRowsInput): BenchRow[] {
  const { benchmark, sizeMiB, results, subject, baseline, context, rounds } = input;
  const tunedOver = input.tunedOver ?? input.tuning?.tried.length;
  const time = (name: string) => summarize(results.times[name]!);
  const throughput = (name: string) => round((sizeMiB * 1000) / time(name).median, 1);
  const timeRow = (other: string, deciding: boolean, who = subject): BenchRow => {
    const ratio = pairedRatio(results.times[who]!, results.times[other]!);
    return {
      benchmark,
      subject: who,
      baseline: other,
      median: round(time(who).median / 1000, 2),
      unit: 's',
      spreadPct: round(time(who).spreadPct, 1),
      ratio: round(ratio.median),
      ratioSpreadPct: round(ratio.spreadPct, 1),
      target: deciding ? '≤ 1× (throughput ≥ 1×)' : 'context',
      met: deciding ? ratio.median <= 1 : null,
      note: `${throughput(who)} vs ${throughput(other)} MiB/s; ${rounds} paired round(s)${deciding && tunedOver ? `; the SDK's best of ${tunedOver} settings` : ''}`,
      ...(deciding && input.tuning ? { tuning: input.tuning.tried.map(({ name, medianMs, runs }) => ({ name, medianMs, runs })) } : {}),
    };
  };
  const peak = (name: string) => summarize(results.peaks[name]!);
  const peakRatio = pairedRatio(results.peaks[subject]!, results.peaks[baseline]!);
  const others = [...context, ...(input.variants ?? [])].map((name) => `${name}: ${round(peak(name).median, 0)} MiB`).join('; ');
  return [
    timeRow(baseline, true),
    ...context.map((name) => timeRow(name, false)),
    ...(input.variants ?? []).map((name) => timeRow(baseline, false, name)),
    {
      benchmark: `${benchmark}: peak RSS`,
      subject,
      baseline,
      median: round(peak(subject).median, 1),
      unit: 'MiB',
      spreadPct: round(peak(subject).spreadPct, 1),
      ratio: round(peakRatio.median),
      ratioSpreadPct: round(peakRatio.spreadPct, 1),
      target: "≤ 1× (the SDK's own peak)",
      met: peakRatio.median <= 1,
      note: `whole process (modules loaded alike); ${baseline}: ${round(peak(baseline).median, 1)} MiB${others ? `; ${others}` : ''}`,
    },
  ];
}
