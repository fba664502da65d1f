/** What the upload and download benchmarks share: Azurite, test files, and running one transfer in a child process. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSasUrl, type AzuriteHandle } from '../src/mock/azurite.js';
import type { BlobContender, BlobJob, BlobMeasurement } from './blob-worker.js';
import { MIB } from './stats.js';

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
      block[0] = written / MIB; // each MiB differs from the last
      await handle.write(block, 0, Math.min(MIB, size - written));
    }
  } finally {
    await handle.close();
  }
  return path;
}

export async function removeTmp(path: string): Promise<void> {
  await rm(path, { force: true });
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

/** Wall times (ms) and peak RSS growths (MiB) per contender, one entry per round, in round order. */
export interface RoundResults {
  times: Record<string, number[]>;
  growth: Record<string, number[]>;
}

/**
 * Runs every contender once per round, rotating the order each round so that none always goes first, and records
 * what each `transfer` measured. Round k of one contender pairs with round k of another (see `pairedRatio`).
 */
export async function transferRounds(
  contenders: readonly BlobContender[],
  rounds: number,
  transfer: (contender: BlobContender, tag: string) => Promise<BlobMeasurement>,
): Promise<RoundResults> {
  const times: Record<string, number[]> = Object.fromEntries(contenders.map((name) => [name, []]));
  const growth: Record<string, number[]> = Object.fromEntries(contenders.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(k + round) % contenders.length]!;
      const measurement = await transfer(contender, `${round}-${k}`);
      times[contender]!.push(measurement.ms);
      growth[contender]!.push(rssGrowthMiB(measurement));
    }
  }
  return { times, growth };
}

/** Peak RSS growth of one measurement, in MiB. */
export function rssGrowthMiB(measurement: BlobMeasurement): number {
  return Math.max(0, measurement.maxRss - measurement.rssBefore) / MIB;
}
