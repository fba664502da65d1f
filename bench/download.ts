/**
 * Downloading a blob from Azurite to a file: hwdash's downloadToFile (one streamed GET, flushed to disk as it
 * arrives, renamed into place) against the storage SDK at its best on this machine, among the ways it writes a file
 * with bounded memory: its `downloadToFile`, and `download()` piped into a file stream, with a grid of write buffers
 * (tried first at 256 MiB). The SDK's `downloadToBuffer` (parallel ranges, the whole blob in memory) is tried too and
 * reported as context, with its peak RSS. Each download runs in its own process (blob-worker.ts).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlockBlobClient } from '@azure/storage-blob';
import { startAzurite } from '../src/mock/azurite.js';
import { contenderName, type BlobContender } from './blob-contenders.js';
import { transferRows } from './blob-rows.js';
import { makeFile, measureInChild, removeTmp, sasUrl, TMP, transferRounds, tuneSdk, type Transfer, type Tuning } from './blob-support.js';
import { MIB } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const HWDASH: BlobContender = { kind: 'hwdash downloadToFile' };
const SDK_DEFAULTS: BlobContender = { kind: 'sdk downloadToFile' };

/** The SDK settings tried that write the file as it arrives (bounded memory), and the in-memory ones (context). */
function grid(quick: boolean): { streaming: BlobContender[]; inMemory: BlobContender[] } {
  if (quick) return { streaming: [SDK_DEFAULTS, { kind: 'sdk download + pipe', highWaterMark: 64 * 1024 }], inMemory: [] };
  return {
    streaming: [SDK_DEFAULTS, ...[16, 64, 256, 1024, 4096].map((kib): BlobContender => ({ kind: 'sdk download + pipe', highWaterMark: kib * 1024 }))],
    inMemory: [
      { kind: 'sdk downloadToBuffer', blockSize: 8 * MIB, concurrency: 4 },
      { kind: 'sdk downloadToBuffer', blockSize: 8 * MIB, concurrency: 8 },
      { kind: 'sdk downloadToBuffer', blockSize: 16 * MIB, concurrency: 8 },
    ],
  };
}

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const azurite = await startAzurite();
  try {
    const sizes = opts.quick ? [32] : [256, 1024];
    const rows: BenchRow[] = [];
    let best: Tuning | undefined;
    let inMemoryBest: BlobContender | undefined;
    for (const sizeMiB of sizes) {
      const size = sizeMiB * MIB;
      const url = await sasUrl(azurite, `download-${sizeMiB}`, 'rwd');
      const source = await makeFile(`download-source-${sizeMiB}.bin`, size);
      await new BlockBlobClient(url).uploadFile(source, { blockSize: 8 * MIB, concurrency: 8 });
      await removeTmp(source);
      const transfer: Transfer = (contender, tag) => downloadOnce(contender, url, size, `${sizeMiB}-${tag}`);
      const { streaming, inMemory } = grid(opts.quick);
      // The SDK is tuned at the first size; the larger one reuses its best settings.
      if (!best) {
        best = await tuneSdk(streaming, transfer, opts.quick);
        if (inMemory.length > 0) inMemoryBest = (await tuneSdk(inMemory, transfer, true)).best;
        rows.push(...(await downloadRows(sizeMiB, transfer, opts, best, inMemoryBest, true)));
      } else {
        // The whole blob in memory (downloadToBuffer) is context at the first size only: at 1 GiB it needs 1.2 GiB.
        rows.push(...(await downloadRows(sizeMiB, transfer, { ...opts, rounds: 5 }, best, undefined, false)));
      }
      await new BlockBlobClient(url).delete();
    }
    return rows;
  } finally {
    await azurite.stop();
  }
}

async function downloadRows(
  sizeMiB: number,
  transfer: Transfer,
  opts: BenchOptions & { rounds?: number },
  tuning: Tuning,
  inMemory: BlobContender | undefined,
  tunedHere: boolean,
): Promise<BenchRow[]> {
  const best = tuning.best;
  const context = [SDK_DEFAULTS, ...(inMemory ? [inMemory] : [])].filter((contender) => contender !== best);
  const contenders = [HWDASH, best, ...context];
  const rounds = opts.rounds ?? (opts.quick ? 1 : 7);
  const results = await transferRounds(contenders, rounds, transfer);
  return transferRows({
    benchmark: `download ${sizeMiB >= 1024 ? `${sizeMiB / 1024} GiB` : `${sizeMiB} MiB`} from Azurite`,
    sizeMiB,
    results,
    subject: contenderName(HWDASH),
    baseline: contenderName(best),
    context: context.map(contenderName),
    ...(tunedHere ? { tuning } : { tunedOver: tuning.tried.length }),
    rounds,
  });
}

/** One download in a child process into a fresh file; checks its size, then removes it. */
async function downloadOnce(contender: BlobContender, url: string, size: number, tag: string) {
  const dest = join(TMP, `download-${tag}.bin`);
  try {
    const measurement = await measureInChild({ contender, url, file: dest, size });
    const written = (await stat(dest)).size;
    if (written !== size) throw new Error(`${contenderName(contender)} wrote ${written} bytes, expected ${size}`);
    return measurement;
  } finally {
    await removeTmp(dest);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
