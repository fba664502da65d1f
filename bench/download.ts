/**
 * Downloading a blob from Azurite: hwdash's downloadToFile (one streamed GET by default, hashed, atomic) against the
 * storage SDK's BlobClient.downloadToFile with its defaults. Each download runs in its own process (blob-worker.ts).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlockBlobClient } from '@azure/storage-blob';
import { startAzurite } from '../src/mock/azurite.js';
import { DEFAULT_DOWNLOAD_CHUNK_SIZE, DEFAULT_DOWNLOAD_CONCURRENCY } from '../src/workflow/download.js';
import { makeFile, measureInChild, removeTmp, sasUrl, TMP, transferRounds } from './blob-support.js';
import type { BlobContender } from './blob-worker.js';
import { MIB, round, summarize, pairedRatio } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const CONTENDERS: BlobContender[] = ['downloadToFile', 'sdk downloadToFile'];
const RSS_BUDGET_MIB = 64 + (DEFAULT_DOWNLOAD_CHUNK_SIZE * DEFAULT_DOWNLOAD_CONCURRENCY) / MIB;

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const sizeMiB = opts.quick ? 32 : 256;
  const rounds = opts.quick ? 1 : 7;
  const size = sizeMiB * MIB;
  const benchmark = `download ${sizeMiB} MiB from Azurite`;
  const azurite = await startAzurite();
  const source = await makeFile(`download-source-${sizeMiB}.bin`, size);
  const dest = join(TMP, `download-${sizeMiB}.bin`);
  try {
    const url = await sasUrl(azurite, `download-${sizeMiB}`, 'rw');
    await new BlockBlobClient(url).uploadFile(source);
    const { times, growth } = await transferRounds(CONTENDERS, rounds, async (contender) => {
      const measurement = await measureInChild({ contender, url, file: dest });
      const written = (await stat(dest)).size;
      if (written !== size) throw new Error(`${contender} wrote ${written} bytes, expected ${size}`);
      await removeTmp(dest);
      return measurement;
    });
    const subject = summarize(times.downloadToFile!);
    const base = summarize(times['sdk downloadToFile']!);
    const ratio = pairedRatio(times.downloadToFile!, times['sdk downloadToFile']!).median;
    const peak = summarize(growth.downloadToFile!);
    const basePeak = summarize(growth['sdk downloadToFile']!);
    return [
      {
        benchmark,
        subject: 'downloadToFile',
        baseline: 'sdk downloadToFile',
        median: round(subject.median, 1),
        unit: 'ms',
        spreadPct: round(subject.spreadPct, 1),
        ratio: round(ratio),
        target: '≤ 1× (throughput ≥)',
        met: ratio <= 1,
        note: `${round((sizeMiB * 1000) / subject.median, 1)} vs ${round((sizeMiB * 1000) / base.median, 1)} MiB/s`,
      },
      {
        benchmark: `${benchmark}: peak RSS growth`,
        subject: 'downloadToFile',
        baseline: `budget ${RSS_BUDGET_MIB} MiB (64 + ${DEFAULT_DOWNLOAD_CHUNK_SIZE / MIB} MiB × ${DEFAULT_DOWNLOAD_CONCURRENCY})`,
        median: round(peak.median, 1),
        unit: 'MiB',
        spreadPct: round(peak.spreadPct, 1),
        ratio: round(peak.median / RSS_BUDGET_MIB),
        target: '≤ 1×',
        met: peak.median <= RSS_BUDGET_MIB,
        note: `sdk downloadToFile: ${round(basePeak.median, 1)} MiB`,
      },
    ];
  } finally {
    await removeTmp(source);
    await removeTmp(dest);
    await azurite.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
