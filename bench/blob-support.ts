/**
 * What the upload and download benchmarks share: test files, SAS URLs, running one transfer in a child process, the
 * tuning of the storage SDK (its best settings on this machine, found by trying a grid), and the paired rounds.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSasUrl, type AzuriteHandle } from '../src/mock/azurite.js';
import { contenderName, type BlobContender, type BlobJob, type BlobMeasurement } from './blob-contenders.js';
import { MIB, summarize } from './stats.js';

export const TMP = fileURLToPath(new URL('./tmp/', import.meta.url));
const WORKER = fileURLToPath(new URL('./blob-worker.ts', import.meta.url));
const CONTAINER = 'bench';

/** Writes a file of `size` bytes (random MiB blocks, so nothing compresses) under bench/tmp. */
export async function makeFile(name: string, size: number): Promise<string> {
  await mkdir(TMP, { recursive: true });
  const path = join(TMP, name);
  const handle = await open(path, 'w');
  try {
    const block = randomBytes(MIB);
    for (let written = 0; written < size; written += MIB) {
      block.writeUInt32BE(written / MIB, 0); // each MiB differs from the last
      await handle.write(block, 0, Math.min(MIB, size - written));
    }
  } finally {
    await handle.close();
  }
  return path;
}

export async function removeTmp(path: string): Promise<void> {
  await rm(path, { force: true, recursive: true });
}

export function sasUrl(azurite: AzuriteHandle, blobName: string, permissions: string): Promise<string> {
  return createSasUrl(azurite, CONTAINER, blobName, { permissions, expiresOn: new Date(Date.now() + 3_600_000) });
}

/** Runs one transfer in a fresh Node process (with tsx) and returns what it measured. */
export async function measureInChild(job: BlobJob): Promise<BlobMeasurement> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as BlobMeasurement;
}

/** One transfer with `contender`, checked; `tag` makes blob and file names unique per run. */
export type Transfer = (contender: BlobContender, tag: string) => Promise<BlobMeasurement>;

/** Wall times (ms) and peak RSS (MiB) per contender name, one entry per round, in round order. */
export interface RoundResults {
  times: Record<string, number[]>;
  peaks: Record<string, number[]>;
}

/**
 * Runs every contender once per round, rotating the order each round so that none always goes first. Round k of one
 * contender pairs with round k of another (see `pairedRatio`): load on a shared machine drifts between rounds.
 */
export async function transferRounds(contenders: readonly BlobContender[], rounds: number, transfer: Transfer): Promise<RoundResults> {
  const names = contenders.map(contenderName);
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const peaks: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const index = (k + round) % contenders.length;
      const measurement = await transfer(contenders[index]!, `${round}-${index}`);
      times[names[index]!]!.push(measurement.ms);
      peaks[names[index]!]!.push(measurement.maxRss / MIB);
    }
  }
  return { times, peaks };
}

/** The storage SDK's best settings found by {@link tuneSdk}, and every setting's median time, for the record. */
export interface Tuning {
  best: BlobContender;
  /** Fastest first. */
  tried: Array<{ contender: BlobContender; name: string; medianMs: number; runs: number }>;
}

/**
 * Finds the SDK's fastest settings on this machine: every setting of `grid` once, then the three fastest twice more,
 * and the best median of those wins. The SDK is compared at its best, not at its defaults.
 */
export async function tuneSdk(grid: readonly BlobContender[], transfer: Transfer, quick: boolean): Promise<Tuning> {
  const runs = new Map<BlobContender, number[]>(grid.map((contender) => [contender, []]));
  for (const [index, contender] of grid.entries()) runs.get(contender)!.push((await transfer(contender, `tune-${index}`)).ms);
  const median = (contender: BlobContender) => summarize(runs.get(contender)!).median;
  if (!quick) {
    const finalists = [...grid].sort((a, b) => median(a) - median(b)).slice(0, 3);
    for (let round = 0; round < 2; round++) {
      for (const contender of finalists) runs.get(contender)!.push((await transfer(contender, `final-${round}-${grid.indexOf(contender)}`)).ms);
    }
  }
  const ranked = [...grid].sort((a, b) => median(a) - median(b));
  return {
    best: ranked[0]!,
    tried: ranked.map((contender) => ({ contender, name: contenderName(contender), medianMs: Math.round(median(contender)), runs: runs.get(contender)!.length })),
  };
}
