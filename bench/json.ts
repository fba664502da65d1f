/**
 * Lossless JSON: reading a list page through the hwdash client against reading it with `JSON.parse` (which rounds the
 * IDs) and with the lossless alternatives (lossless-json, json-bigint, and `JSON.parse` with a reviver that keeps
 * `context.source`), all through the same read: `fetch` is stubbed to answer with the page in 64 KiB chunks, as a
 * socket delivers it, and every contender reads the body itself. CPU time, in paired rounds.
 *
 * Pages: an ID-sparse page of submissions and an ID-dense page of products (test/support/json-pages.ts), of 50 KB,
 * 5 MB and 50 MB. The parse alone (a string in, no read) is reported too.
 */
import { pathToFileURL } from 'node:url';
import JSONbig from 'json-bigint';
import { isInteger, isSafeNumber, parse as losslessParse } from 'lossless-json';
import { createHdcClient } from '../src/client/client.js';
import { INT64_KEYS, parseJson } from '../src/client/json/lossless.js';
import { PAGE_KINDS, type PageKind } from '../test/support/json-pages.js';
import { interleaved, pairedRatio, round, type RoundSummary } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const CHUNK = 64 * 1024;
const KB = 1000;
const API = 'https://manage.devcenter.microsoft.com/v2.0/my/hardware';

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const sizes = opts.quick ? [50 * KB, 5000 * KB] : [50 * KB, 5000 * KB, 50_000 * KB];
  const rows: BenchRow[] = [];
  for (const kind of Object.keys(PAGE_KINDS) as PageKind[]) {
    for (const size of sizes) rows.push(...(await pageRows(kind, size, opts)));
  }
  return rows;
}

async function pageRows(kind: PageKind, size: number, opts: BenchOptions): Promise<BenchRow[]> {
  const text = PAGE_KINDS[kind].generate(size);
  const bytes = new TextEncoder().encode(text);
  const label = `${PAGE_KINDS[kind].label}, ${sizeLabel(bytes.length)}`;
  const respond = stubbedAnswer(bytes);
  const client = createHdcClient({ baseUrl: API, token: 'bench', fetch: respond, maxResponseBytes: 64 * 1024 * 1024 });
  const call = kind === 'products' ? () => client.GET('/products') : () => client.GET('/products/{productId}/submissions', { params: { path: { productId: '9007199266246890' } } });
  const read = async () => (await respond()).text();
  const jsonBigString = JSONbig({ storeAsString: true });
  const large = bytes.length > 10_000_000;

  const throughClient: Record<string, () => Promise<unknown>> = {
    'hwdash GET': async () => (await call()).data,
    'JSON.parse(await res.text())': async () => JSON.parse(await read()),
    'await res.json()': async () => (await respond()).json(),
    // lossless-json takes seconds on 50 MB: left out there.
    ...(large ? {} : { 'lossless-json': async () => losslessParse(await read(), null, (literal) => (isInteger(literal) && !isSafeNumber(literal) ? literal : parseFloat(literal))) }),
    'json-bigint': async () => jsonBigString.parse(await read()),
    'JSON.parse reviver + context.source': async () => JSON.parse(await read(), keepIds),
  };
  await checkExact(throughClient, text);

  const timing = opts.quick
    ? { rounds: 2, timeMs: 100, warmupMs: 100 }
    : bytes.length > 10_000_000
      ? { rounds: 5, timeMs: 1500, warmupMs: 500 }
      : { rounds: 8, timeMs: 600, warmupMs: 400 };
  const results = await interleaved(throughClient, { clock: 'cpu', ...timing });
  const subject = results['hwdash GET']!;
  // The baseline is the faster of the two ways to get JSON.parse's (rounded) value from a response.
  const native = ['JSON.parse(await res.text())', 'await res.json()'].sort((a, b) => results[a]!.median - results[b]!.median);
  const row = (baseline: string, target: string, limit: number | null): BenchRow => ratioRow(`parse through the client: ${label}`, 'hwdash GET', subject, baseline, results[baseline]!, target, limit);
  const rows = [
    row(native[0]!, bytes.length >= 1_000_000 && bytes.length < 10_000_000 ? '≤ 2×' : 'report', bytes.length >= 1_000_000 && bytes.length < 10_000_000 ? 2 : null),
    row(native[1]!, 'context', null),
    ...Object.keys(throughClient)
      .filter((name) => !name.startsWith('hwdash') && !native.includes(name))
      .map((name) => row(name, '< 1×', 1)),
  ];

  // The parse alone: a string in, the value out.
  const alone = await interleaved({ parseJson: () => parseJson(text), 'JSON.parse': () => JSON.parse(text) }, { clock: 'cpu', ...timing });
  rows.push(ratioRow(`parse alone (string in): ${label}`, 'parseJson', alone.parseJson!, 'JSON.parse', alone['JSON.parse']!, 'report', null));
  return rows;
}

function ratioRow(benchmark: string, subjectName: string, subject: RoundSummary, baseline: string, base: RoundSummary, target: string, limit: number | null): BenchRow {
  const ratio = pairedRatio(subject.rounds, base.rounds);
  return {
    benchmark,
    subject: subjectName,
    baseline,
    median: round(subject.median, 3),
    unit: 'ms',
    spreadPct: round(subject.spreadPct, 1),
    ratio: round(ratio.median),
    ratioSpreadPct: round(ratio.spreadPct, 1),
    target,
    met: limit === null ? null : ratio.median <= limit && (target !== '< 1×' || ratio.median < 1),
    note: `CPU time per read; baseline ${round(base.median, 3)} ms ± ${round(base.spreadPct, 1)}%`,
  };
}

/** A fetch that answers with `bytes`, delivered in 64 KiB chunks (views of the same memory: no copy per answer). */
function stubbedAnswer(bytes: Uint8Array): () => Promise<Response> {
  return () => {
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, (offset += CHUNK)));
      },
    });
    return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.length) } }));
  };
}

/** The reviver a careful user writes: digits of ID keys and of unsafe integers kept as written. */
function keepIds(key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === 'number' && (INT64_KEYS.has(key) || !Number.isSafeInteger(value)) && context?.source ? context.source : value;
}

/**
 * Only alternatives that keep the IDs are compared (a lossy one would be measured doing less work), and hwdash must
 * give every ID exactly: checked on the first item before anything is timed.
 */
async function checkExact(subjects: Record<string, () => Promise<unknown>>, text: string): Promise<void> {
  const firstId = /"id":(\d+)/.exec(text)?.[1];
  for (const [name, read] of Object.entries(subjects)) {
    const id = ((await read()) as { value: Array<{ id: unknown }> }).value[0]!.id;
    const lossy = name === 'JSON.parse(await res.text())' || name === 'await res.json()';
    if (!lossy && id !== firstId) throw new Error(`${name} returned id ${String(id)}, expected ${firstId}`);
  }
}

function sizeLabel(length: number): string {
  return length >= 1_000_000 ? `${round(length / 1_000_000, 1)} MB` : `${round(length / 1000, 0)} KB`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
