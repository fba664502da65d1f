/**
 * Uploading a package to Azurite: hwdash's uploadPackage against the storage SDK's uploadFile with its defaults and
 * against one whole-file Put Blob. Each upload runs in its own process (see blob-worker.ts) so that its peak RSS is
 * its own; Azurite runs in another. Full runs also upload 1 GiB with uploadPackage, for the throughput and memory
 * figures at a size where buffering the file would hurt.
 */
import { pathToFileURL } from 'node:url';
import { BlockBlobClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteHandle } from '../src/mock/azurite.js';
import { DEFAULT_UPLOAD_BLOCK_SIZE, DEFAULT_UPLOAD_CONCURRENCY } from '../src/workflow/upload.js';
import { makeFile, measureInChild, removeTmp, rssGrowthMiB, sasUrl, transferRounds } from './blob-support.js';
import type { BlobContender } from './blob-worker.js';
import { MIB, round, summarize, pairedRatio } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const CONTENDERS: BlobContender[] = ['uploadPackage', 'sdk uploadFile', 'whole-file PUT'];
const RSS_BUDGET_MIB = 64 + (DEFAULT_UPLOAD_BLOCK_SIZE * DEFAULT_UPLOAD_CONCURRENCY) / MIB;

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const sizeMiB = opts.quick ? 32 : 256;
  const rounds = opts.quick ? 1 : 7;
  const benchmark = `upload ${sizeMiB} MiB to Azurite`;
  const azurite = await startAzurite();
  const file = await makeFile(`upload-${sizeMiB}.bin`, sizeMiB * MIB);
  try {
    const { times, growth } = await transferRounds(CONTENDERS, rounds, (contender, tag) => uploadOnce(azurite, contender, file, sizeMiB * MIB, tag));
    const time = (name: string) => summarize(times[name]!);
    const memory = (name: string) => summarize(growth[name]!);
    const throughput = (name: string) => round((sizeMiB * 1000) / time(name).median, 1);
    const subject = time('uploadPackage');
    const rows: BenchRow[] = ['sdk uploadFile', 'whole-file PUT'].map((baseline) => {
      const ratio = pairedRatio(times.uploadPackage!, times[baseline]!).median;
      return {
        benchmark,
        subject: 'uploadPackage',
        baseline,
        median: round(subject.median, 1),
        unit: 'ms',
        spreadPct: round(subject.spreadPct, 1),
        ratio: round(ratio),
        target: '≤ 1× (throughput ≥)',
        met: ratio <= 1,
        note: `${throughput('uploadPackage')} vs ${throughput(baseline)} MiB/s`,
      };
    });
    const peak = memory('uploadPackage');
    rows.push({
      benchmark: `${benchmark}: peak RSS growth`,
      subject: 'uploadPackage',
      baseline: `budget ${RSS_BUDGET_MIB} MiB (64 + 8 MiB × 4)`,
      median: round(peak.median, 1),
      unit: 'MiB',
      spreadPct: round(peak.spreadPct, 1),
      ratio: round(peak.median / RSS_BUDGET_MIB),
      target: '≤ 1×',
      met: peak.median <= RSS_BUDGET_MIB,
    });
    for (const name of ['sdk uploadFile', 'whole-file PUT']) {
      const other = memory(name);
      rows.push({
        benchmark: `${benchmark}: peak RSS growth`,
        subject: name,
        baseline: null,
        median: round(other.median, 1),
        unit: 'MiB',
        spreadPct: round(other.spreadPct, 1),
        ratio: null,
        target: 'report',
        met: null,
      });
    }
    if (!opts.quick) rows.push(...(await largeUpload(azurite)));
    return rows;
  } finally {
    await removeTmp(file);
    await azurite.stop();
  }
}

/** 1 GiB with uploadPackage: throughput and peak memory only (no baseline would finish in reasonable memory). */
async function largeUpload(azurite: AzuriteHandle): Promise<BenchRow[]> {
  const size = 1024 * MIB;
  const file = await makeFile('upload-1024.bin', size);
  try {
    const measurement = await uploadOnce(azurite, 'uploadPackage', file, size, 'large');
    const growth = rssGrowthMiB(measurement);
    return [
      {
        benchmark: 'upload 1 GiB to Azurite',
        subject: 'uploadPackage',
        baseline: null,
        median: round(1024_000 / measurement.ms, 1),
        unit: 'MiB/s',
        spreadPct: 0,
        ratio: null,
        target: 'report',
        met: null,
        note: `one run, ${round(measurement.ms / 1000, 1)} s`,
      },
      {
        benchmark: 'upload 1 GiB to Azurite: peak RSS growth',
        subject: 'uploadPackage',
        baseline: `budget ${RSS_BUDGET_MIB} MiB (64 + 8 MiB × 4)`,
        median: round(growth, 1),
        unit: 'MiB',
        spreadPct: 0,
        ratio: round(growth / RSS_BUDGET_MIB),
        target: '≤ 1×',
        met: growth <= RSS_BUDGET_MIB,
        note: 'one run',
      },
    ];
  } finally {
    await removeTmp(file);
  }
}

/** One upload in a child process; checks the blob's size, then deletes it so that Azurite's memory stays flat. */
async function uploadOnce(azurite: AzuriteHandle, contender: BlobContender, file: string, size: number, tag: string) {
  const url = await sasUrl(azurite, `upload-${tag}-${contender.replace(/\W/g, '')}`, 'rwd');
  const measurement = await measureInChild({ contender, url, file });
  const blob = new BlockBlobClient(url);
  const { contentLength } = await blob.getProperties();
  if (contentLength !== size) throw new Error(`${contender} left a blob of ${contentLength} bytes, expected ${size}`);
  await blob.delete();
  return measurement;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
