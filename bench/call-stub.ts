/**
 * Typed call overhead: reading a submission through createHdcClient (headers, retry, token, timeout, bounded
 * lossless body, error mapping) against bare openapi-fetch and raw fetch, with `fetch` stubbed to answer at once,
 * so that only the client code is measured.
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_BASE_URL } from '../src/client/options.js';
import { callSubjects, checkSubjects, SUBMISSION_BODY } from './call-subjects.js';
import { interleaved, pairedRatio, round } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const BENCHMARK = 'GET submission, fetch stubbed';

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const length = String(Buffer.byteLength(SUBMISSION_BODY));
  const stub: typeof fetch = () =>
    Promise.resolve(new Response(SUBMISSION_BODY, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': length } }));
  const subjects = callSubjects(DEFAULT_BASE_URL, stub);
  await checkSubjects(subjects);

  const results = await interleaved(subjects, { clock: 'cpu', batch: 20, ...(opts.quick ? { rounds: 4, timeMs: 150, warmupMs: 200 } : { rounds: 16, timeMs: 400, warmupMs: 1000 }) });
  const subject = results.hwdash!;
  const row = (baseline: string, target: string, limit: number | null): BenchRow => {
    const base = results[baseline]!;
    const ratio = pairedRatio(subject.rounds, base.rounds);
    return {
      benchmark: BENCHMARK,
      subject: 'createHdcClient GET',
      baseline,
      median: round(subject.median * 1000, 1),
      unit: 'µs',
      spreadPct: round(subject.spreadPct, 1),
      ratio: round(ratio.median),
      ratioSpreadPct: round(ratio.spreadPct, 1),
      target,
      met: limit === null ? null : ratio.median <= limit,
      note: `CPU time per call; baseline ${round(base.median * 1000, 1)} µs ± ${round(base.spreadPct, 1)}%`,
    };
  };
  return [row('openapi-fetch', '≤ 1.3×', 1.3), row('fetch + JSON.parse', 'context', null)];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
