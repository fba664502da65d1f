/** Summaries shared by the benchmarks: median with its spread, ratios, rounding. */
import { Bench, type Task } from 'tinybench';

export interface Summary {
  median: number;
  /** Median absolute deviation, in percent of the median. */
  spreadPct: number;
}

/** A subject measured by {@link interleaved}: the summary of its per-round means, and those means in round order. */
export interface RoundSummary extends Summary {
  rounds: number[];
}

/**
 * The ratio subject/baseline as the median of the ratios of each round (one value per round for each), where both ran back to back. Load on a
 * shared machine drifts from one round to the next by more than the differences measured here; a paired ratio
 * cancels that drift, where a ratio of two medians taken over different moments does not.
 */
export function pairedRatio(subjectRounds: readonly number[], baselineRounds: readonly number[]): Summary {
  return summarize(subjectRounds.map((value, k) => value / baselineRounds[k]!));
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

function meanOf(task: Task | undefined): number {
  const result = task?.result;
  if (!result || !('latency' in result)) throw new Error(`benchmark task ${task?.name ?? '?'} did not complete`);
  return result.latency.mean;
}

/** Process CPU time (all threads: JIT, GC), in milliseconds. */
export function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export interface InterleaveOptions {
  rounds: number;
  /** Time each task runs in one round, in ms of the chosen clock. */
  timeMs: number;
  warmupMs: number;
  /**
   * `cpu` measures the process's CPU time instead of wall time: for in-process work on a shared machine it is what
   * the work costs, without the time spent waiting for a core that another process holds.
   * @default 'wall'
   */
  clock?: 'cpu' | 'wall';
  /** Calls per sample, so that a sample lasts long enough for the clock's resolution (1 µs for `cpu`). @default 1 */
  batch?: number;
}

/**
 * Runs each task (with tinybench) for `timeMs` per round, over `rounds` rounds, rotating the order every round, and
 * summarizes the per-round means, in ms per call: a mean, unlike a median of samples, includes the garbage collections
 * that the calls cause. On a shared machine the load drifts within seconds; interleaving
 * gives every subject the same share of quiet and busy moments, which one long run per subject does not.
 */
export async function interleaved(tasks: Record<string, () => unknown>, options: InterleaveOptions): Promise<Record<string, RoundSummary>> {
  const names = Object.keys(tasks);
  const batch = options.batch ?? 1;
  const means: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = names.map((_, k) => names[(k + round) % names.length]!);
    for (const name of order) {
      const task = tasks[name]!;
      const bench = new Bench({
        time: options.timeMs,
        warmupTime: round === 0 ? options.warmupMs : options.warmupMs / 4,
        // The time limits decide; tinybench's default minimum of 64 calls would make slow subjects run for minutes.
        iterations: 2,
        warmupIterations: 1,
        throws: true,
        ...(options.clock === 'cpu' ? { now: cpuNow } : {}),
      });
      bench.add(name, batch === 1 ? task : async () => {
        for (let k = 0; k < batch; k++) await task();
      });
      await bench.run();
      means[name]!.push(meanOf(bench.getTask(name)) / batch);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { ...summarize(means[name]!), rounds: means[name]! }]));
}
