/**
 * Which figures of one benchmark run another run reproduces: `npx tsx bench/compare.ts <a.json> <b.json>` prints each
 * row of `b` with its ratio (or median) in both runs, and whether they agree within the larger of the two stated
 * spreads (the median absolute deviation of the paired ratios, or of the samples). Only reproduced figures belong in
 * the README.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { BenchRow } from './types.js';

interface Results {
  date: string;
  rows: BenchRow[];
}

export interface Comparison {
  row: BenchRow;
  other: BenchRow | undefined;
  /** Relative difference of the two figures, in percent. */
  differencePct: number;
  /** The tolerance: the larger stated spread of the two rows, in percent (at least the rounding of the table). */
  tolerancePct: number;
  reproduced: boolean;
}

const key = (row: BenchRow) => `${row.benchmark}|${row.subject}|${row.baseline ?? ''}`;
const figure = (row: BenchRow) => row.ratio ?? row.median;
const spread = (row: BenchRow) => row.ratioSpreadPct ?? row.spreadPct;

export function compareRuns(a: readonly BenchRow[], b: readonly BenchRow[]): Comparison[] {
  const earlier = new Map(a.map((row) => [key(row), row]));
  return b.map((row) => {
    const other = earlier.get(key(row));
    if (!other) return { row, other, differencePct: Number.NaN, tolerancePct: 0, reproduced: false };
    const differencePct = (100 * Math.abs(figure(row) - figure(other))) / Math.abs(figure(other) || 1);
    const tolerancePct = Math.max(spread(row), spread(other), 0.5);
    return { row, other, differencePct, tolerancePct, reproduced: differencePct <= tolerancePct };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [first, second] = await Promise.all(process.argv.slice(2, 4).map(async (path) => JSON.parse(await readFile(path, 'utf8')) as Results));
  if (!first || !second) throw new Error('usage: tsx bench/compare.ts <earlier results.json> <later results.json>');
  for (const { row, other, differencePct, tolerancePct, reproduced } of compareRuns(first.rows, second.rows)) {
    const shown = (value: BenchRow | undefined) => (value ? `${figure(value)}${value.ratio === null ? ` ${value.unit}` : '×'}` : '–');
    process.stdout.write(
      `${reproduced ? 'same' : 'DIFF'}  ${row.benchmark} | ${row.subject} vs ${row.baseline ?? '–'}: ${shown(other)} then ${shown(row)} (${differencePct.toFixed(1)}% apart, spread ${tolerancePct.toFixed(1)}%)\n`,
    );
  }
}
