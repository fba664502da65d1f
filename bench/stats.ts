/** Summaries shared by the benchmarks: median with its spread, ratios, rounding. */
import { Bench, type Task } from 'tinybench';

export interface Summary {
  median: number;
  /** Median absolute deviation, in percent of the median. */
  spreadPct: number;
}

/** Median and relative median absolute deviation of a sample list (for measurements made outside tinybench). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples');
  const median = medianOf(samples);
  const mad = medianOf(samples.map((sample) => Math.abs(sample - median)));
  return { median, spreadPct: median === 0 ? 0 : (100 * mad) / median };
}

/** A tinybench task's median latency and spread. */
export function statsOf(task: Task | undefined): Summary {
  const result = task?.result;
  if (!result || !('latency' in result)) throw new Error(`benchmark task ${task?.name ?? '?'} did not complete`);
  return { median: result.latency.p50, spreadPct: (100 * result.latency.mad) / result.latency.p50 };
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const MIB = 1024 * 1024;

/**
 * Runs each task for `timeMs` per round, over `rounds` rounds, rotating the order every round, and summarizes the
 * per-round medians. On a shared machine the load drifts within seconds; interleaving gives every subject the same
 * share of quiet and busy moments, which a single long run per subject does not.
 */
export async function interleaved(
  tasks: Record<string, () => unknown>,
  options: { rounds: number; timeMs: number; warmupMs: number },
): Promise<Record<string, Summary>> {
  const names = Object.keys(tasks);
  const medians: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = names.map((_, k) => names[(k + round) % names.length]!);
    for (const name of order) {
      const bench = new Bench({ time: options.timeMs, warmupTime: round === 0 ? options.warmupMs : options.warmupMs / 4, throws: true });
      bench.add(name, tasks[name]!);
      await bench.run();
      medians[name]!.push(statsOf(bench.getTask(name)).median);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(medians[name]!)]));
}
