/** The end of a batch: a table with a row per package (stdout), and the same facts under `--json`. */
import type { SubmitOutput } from '../submit-flow.js';
import type { BatchOutcome } from './batch-run.js';
import { errorJson } from './batch-run.js';

/** What `hwdash submit --json` prints for a batch. IDs are exact digit strings. */
export interface BatchOutput {
  seconds: number;
  concurrency: number;
  signed: number;
  failed: number;
  packages: Array<
    | ({ name: string; package: string; status: 'signed' } & SubmitOutput)
    | { name: string; package: string; status: 'failed'; error: Record<string, unknown> }
    | { name: string; package: string; status: 'not-started' }
  >;
}

export function batchOutput(outcomes: readonly BatchOutcome[], seconds: number, concurrency: number): BatchOutput {
  return {
    seconds,
    concurrency,
    signed: outcomes.filter((outcome) => outcome.status === 'signed').length,
    failed: outcomes.filter((outcome) => outcome.status !== 'signed').length,
    packages: outcomes.map((outcome) => {
      if (outcome.status === 'signed') return { name: outcome.name, package: outcome.package, status: 'signed', ...outcome.result };
      if (outcome.status === 'failed') return { name: outcome.name, package: outcome.package, status: 'failed', error: errorJson(outcome.error, outcome.exitCode) };
      return { name: outcome.name, package: outcome.package, status: 'not-started' };
    }),
  };
}

const HEADINGS = ['package', 'result', 'product', 'submission', 'shipping label', 'seconds'];

export function batchTable(outcomes: readonly BatchOutcome[], seconds: number, concurrency: number): string {
  const rows = outcomes.map((outcome) => {
    if (outcome.status === 'signed') {
      const { result } = outcome;
      return [outcome.name, result.resumed ? 'signed (resumed)' : 'signed', result.productId, result.submissionId, result.shippingLabelId ?? '-', String(result.seconds)];
    }
    if (outcome.status === 'failed') return [outcome.name, `failed (exit ${outcome.exitCode})`, '-', '-', '-', '-'];
    return [outcome.name, 'not started', '-', '-', '-', '-'];
  });
  const widths = HEADINGS.map((heading, column) => Math.max(heading.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const signed = outcomes.filter((outcome) => outcome.status === 'signed').length;
  const problems = outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [`  ${outcome.name}: ${messageOf(outcome.error)}`] : []));
  return [
    line(HEADINGS),
    ...rows.map(line),
    '',
    `${signed} of ${outcomes.length} signed in ${seconds} s (at most ${concurrency} at a time)${signed < outcomes.length ? '; run the same command again to continue the others' : ''}`,
    ...(problems.length > 0 ? ['failures:', ...problems] : []),
  ].join('\n');
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
