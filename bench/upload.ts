/**
 * Uploading a package to Azurite: hwdash's uploadPackage against the storage SDK at its best on this machine (a grid
 * of `uploadFile` and `uploadStream` settings, tried first at 256 MiB), with the SDK's defaults and one whole-file
 * Put Blob (a straw man) as context. Each upload runs in its own process (blob-worker.ts), so that its peak RSS is its
 * own; Azurite runs in another. 1 GiB is uploaded in blocks by every contender, so its SDK baseline is the best block
 * setting of the grid.
 */
import { pathToFileURL } from 'node:url';
import { BlockBlobClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteHandle } from '../src/mock/azurite.js';
import { contenderName, type BlobContender } from './blob-contenders.js';
import { transferRows } from './blob-rows.js';
import { makeFile, measureInChild, removeTmp, sasUrl, transferRounds, tuneSdk, type Transfer, type Tuning } from './blob-support.js';
import { MIB } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const HWDASH: BlobContender = { kind: 'hwdash uploadPackage' };
/** What the signing flow runs: the same upload, hashing the package on the way (the SDK does not). */
const HWDASH_HASHING: BlobContender = { kind: 'hwdash uploadPackage (sha256: true)' };
const SDK_DEFAULTS: BlobContender = { kind: 'sdk uploadFile' };
const STRAW_MAN: BlobContender = { kind: 'whole-file PUT' };

/** The SDK settings tried: its defaults, `uploadFile` in blocks, and `uploadStream` from a file stream. */
function grid(quick: boolean): BlobContender[] {
  if (quick) return [SDK_DEFAULTS, { kind: 'sdk uploadFile', blockSize: 8 * MIB, concurrency: 8, maxSingleShotSize: 0 }];
  const blocks: BlobContender[] = [];
  for (const blockSize of [4, 8, 16]) for (const concurrency of [4, 8, 16]) blocks.push({ kind: 'sdk uploadFile', blockSize: blockSize * MIB, concurrency, maxSingleShotSize: 0 });
  const streams: BlobContender[] = [{ kind: 'sdk uploadStream', bufferSize: 8 * MIB, maxConcurrency: 8, highWaterMark: 64 * 1024 }];
  for (const bufferSize of [8, 16]) for (const maxConcurrency of [4, 8, 16]) streams.push({ kind: 'sdk uploadStream', bufferSize: bufferSize * MIB, maxConcurrency, highWaterMark: MIB });
  return [SDK_DEFAULTS, ...blocks, ...streams];
}

/**
 * Azurite, restarted once it has received this many bytes: its in-memory store frees the extents of deleted blobs only
 * from time to time, and refuses writes past about 12 GiB.
 */
const RESTART_AFTER_BYTES = 6 * 1024 * MIB;

/** An Azurite that is replaced by a fresh one before it has taken in too much. */
class Store {
  #azurite: AzuriteHandle;
  #received = 0;

  private constructor(azurite: AzuriteHandle) {
    this.#azurite = azurite;
  }

  static async start(): Promise<Store> {
    return new Store(await startAzurite());
  }

  /** The Azurite to upload `size` bytes to, restarted first if it has taken in too much already. */
  async forUpload(size: number): Promise<AzuriteHandle> {
    if (this.#received + size > RESTART_AFTER_BYTES) {
      await this.#azurite.stop();
      this.#azurite = await startAzurite();
      this.#received = 0;
    }
    this.#received += size;
    return this.#azurite;
  }

  stop(): Promise<void> {
    return this.#azurite.stop();
  }
}

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const azurite = await Store.start();
  try {
    const first = opts.quick ? 32 : 256;
    const { rows, tuning } = await uploadRows(azurite, first, opts, grid(opts.quick), opts.quick ? [STRAW_MAN] : [STRAW_MAN, SDK_DEFAULTS, HWDASH_HASHING]);
    if (opts.quick) return rows;
    // 1 GiB goes in blocks whatever the settings: the baseline is the SDK's best block setting found above.
    const bestBlocks = tuning.tried.find((tried) => tried.contender !== SDK_DEFAULTS)!.contender;
    const large = await uploadRows(azurite, 1024, { ...opts, rounds: 5 }, [bestBlocks], [SDK_DEFAULTS, HWDASH_HASHING], tuning.tried.length);
    return [...rows, ...large.rows];
  } finally {
    await azurite.stop();
  }
}

async function uploadRows(
  azurite: Store,
  sizeMiB: number,
  opts: BenchOptions & { rounds?: number },
  sdkGrid: BlobContender[],
  context: BlobContender[],
  tunedOver?: number,
): Promise<{ rows: BenchRow[]; tuning: Tuning }> {
  const file = await makeFile(`upload-${sizeMiB}.bin`, sizeMiB * MIB);
  try {
    const transfer: Transfer = (contender, tag) => uploadOnce(azurite, contender, file, sizeMiB * MIB, `${sizeMiB}-${tag}`);
    const tuned = sdkGrid.length > 1;
    const tuning: Tuning = tuned ? await tuneSdk(sdkGrid, transfer, opts.quick) : { best: sdkGrid[0]!, tried: [] };
    const contenders = [HWDASH, tuning.best, ...context.filter((contender) => contender !== tuning.best)];
    const rounds = opts.rounds ?? (opts.quick ? 1 : 7);
    const results = await transferRounds(contenders, rounds, transfer);
    const rows = transferRows({
      benchmark: `upload ${sizeMiB >= 1024 ? `${sizeMiB / 1024} GiB` : `${sizeMiB} MiB`} to Azurite`,
      sizeMiB,
      results,
      subject: contenderName(HWDASH),
      baseline: contenderName(tuning.best),
      context: contenders.slice(2).filter((contender) => contender !== HWDASH_HASHING).map(contenderName),
      variants: contenders.includes(HWDASH_HASHING) ? [contenderName(HWDASH_HASHING)] : [],
      ...(tuned ? { tuning } : { tunedOver }),
      rounds,
    });
    return { rows, tuning };
  } finally {
    await removeTmp(file);
  }
}

/** One upload in a child process; checks the blob's size, then deletes it so that Azurite's memory stays flat. */
async function uploadOnce(store: Store, contender: BlobContender, file: string, size: number, tag: string) {
  const url = await sasUrl(await store.forUpload(size), `upload-${tag}`, 'rwd');
  const measurement = await measureInChild({ contender, url, file, size });
  const blob = new BlockBlobClient(url);
  const { contentLength } = await blob.getProperties();
  if (contentLength !== size) throw new Error(`${contenderName(contender)} left a blob of ${contentLength} bytes, expected ${size}`);
  await blob.delete();
  return measurement;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
