/**
 * Lossless JSON parsing benchmark: parseJson against the lossy native JSON.parse and the lossless alternatives,
 * on a generated ~5 MB "list submissions" response whose IDs are all above 2^53.
 *
 * Standalone: `npx tsx bench/json.ts [--quick]` prints the table.
 */
import { pathToFileURL } from 'node:url';
import JSONbig from 'json-bigint';
import { isInteger, isSafeNumber, parse as losslessParse } from 'lossless-json';
import { INT64_KEYS, parseJson } from '../src/client/json/lossless.js';
import { interleaved, pairedRatio, round } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const BENCHMARK = 'parse 5 MB submissions list';
const TARGET_BYTES = 5 * 1024 * 1024;
const API = 'https://manage.devcenter.microsoft.com/v2.0/my/hardware';

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const text = submissionsList(TARGET_BYTES);
  const firstId = /"id":(\d+)/.exec(text)?.[1];
  const jsonBigString = JSONbig({ storeAsString: true });

  const subjects: Record<string, () => unknown> = {
    parseJson: () => parseJson(text),
    'JSON.parse': () => JSON.parse(text),
    'lossless-json': () =>
      losslessParse(text, null, (literal) => (isInteger(literal) && !isSafeNumber(literal) ? literal : parseFloat(literal))),
    'json-bigint': () => jsonBigString.parse(text),
    'JSON.parse reviver + context.source': () =>
      JSON.parse(text, (key: string, value: unknown, context?: { source?: string }) =>
        typeof value === 'number' && (INT64_KEYS.has(key) || !Number.isSafeInteger(value)) && context?.source
          ? context.source
          : value,
      ),
  };
  // Only compare against alternatives that really keep the IDs; a lossy one would be measured doing less work.
  for (const [name, parse] of Object.entries(subjects)) {
    const id = (parse() as { value: Array<{ id: unknown }> }).value[0]!.id;
    if (name !== 'JSON.parse' && id !== firstId) throw new Error(`${name} returned id ${String(id)}, expected ${firstId}`);
  }

  // CPU time, interleaved: lossless-json takes over a second per parse, so a quick run gives it few rounds.
  const results = await interleaved(subjects, { clock: 'cpu', ...(opts.quick ? { rounds: 2, timeMs: 150, warmupMs: 100 } : { rounds: 6, timeMs: 1500, warmupMs: 500 }) });
  const subject = results.parseJson!;
  const row = (baseline: string, target: string, meets: (ratio: number) => boolean): BenchRow => {
    const base = results[baseline]!;
    const ratio = pairedRatio(subject.rounds, base.rounds).median;
    return {
      benchmark: BENCHMARK,
      subject: 'parseJson',
      baseline,
      median: round(subject.median),
      unit: 'ms',
      spreadPct: round(subject.spreadPct, 1),
      ratio: round(ratio),
      target,
      met: meets(ratio),
      note: `CPU time; baseline ${round(base.median, 1)} ms ± ${round(base.spreadPct, 1)}%`,
    };
  };
  return [
    row('JSON.parse', '≤ 2×', (ratio) => ratio <= 2),
    row('lossless-json', '< 1×', (ratio) => ratio < 1),
    row('json-bigint', '< 1×', (ratio) => ratio < 1),
    row('JSON.parse reviver + context.source', '< 1×', (ratio) => ratio < 1),
  ];
}

/**
 * A `GET /products/{productId}/submissions` response as the service writes it (compact), with `count` growing until
 * the text reaches `targetBytes`. Deterministic: the same text on every run.
 */
export function submissionsList(targetBytes: number): string {
  const random = mulberry32(0x5eed);
  const hex = (digits: number): string => {
    let out = '';
    for (let k = 0; k < digits; k++) out += Math.floor(random() * 16).toString(16);
    return out;
  };
  const guid = (): string => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  const sas = (): string =>
    `https://ingestionpackages.blob.core.windows.net/ingestion/${guid()}?sv=2017-04-17&sr=b&sig=${hex(43)}%3D&se=2024-05-0${1 + Math.floor(random() * 9)}T10%3A20%3A30Z&sp=rl`;

  // Private product IDs sit between 2^53 and 2^54 (odd ones do not survive a double); submission IDs are 2^60 + n.
  const productId = (2n ** 53n + 12345678901n).toString();
  const items: string[] = [];
  let size = 0;
  for (let n = 0; size < targetBytes; n++) {
    const id = (2n ** 60n + 14594954n + BigInt(n * 7 + Math.floor(random() * 7))).toString();
    const self = `${API}/products/${productId}/submissions/${id}`;
    const failed = random() < 0.1;
    const item =
      `{"id":${id},"productId":${productId},"workflowStatus":{"currentStep":"${failed ? 'validation' : 'finalizeIngestion'}",` +
      `"state":"${failed ? 'failed' : 'completed'}","messages":[${failed ? `"Test \\"DF - Reinstall\\" failed: {\\"id\\": ${id}}"` : ''}]},` +
      `"downloads":{"items":[{"type":"initialPackage","url":"${sas()}"},{"type":"signedPackage","url":"${sas()}"},` +
      `{"type":"driverMetadata","url":"${sas()}"},{"type":"certificationReport",` +
      `"url":"https://partner.microsoft.com/dashboard/hardware/Driver/DownloadCertificationReport/29963920/${productId}/${id}"}],"messages":[]},` +
      `"links":[{"href":"${self}","rel":"self","method":"GET"},{"href":"${self}","rel":"update_submission","method":"PATCH"},` +
      `{"href":"${self}/commit","rel":"commit_submission","method":"POST"}],` +
      `"commitStatus":"commitComplete","isExtensionInf":${random() < 0.5},"isUniversal":true,"isDeclarativeInf":true,` +
      `"name":"Contoso touch driver ${n} (build 17135.${Math.floor(random() * 1000)})","type":"${n % 5 === 0 ? 'initial' : 'derived'}",` +
      `"createdBy":"release-bot@contoso.com","createdDateTime":"2024-04-${String(1 + (n % 28)).padStart(2, '0')}T08:15:30.1234567"}`;
    items.push(item);
    size += item.length + 1;
  }
  return (
    `{"value":[${items.join(',')}],"links":[{"href":"${API}/products/${productId}/submissions?pageSize=50&continuationToken=${hex(120)}",` +
    `"rel":"next_link","method":"GET"}]}`
  );
}

/** Small seeded PRNG, so the document is the same on every run and every machine. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run({ quick: process.argv.includes('--quick') });
  console.table(rows);
}
