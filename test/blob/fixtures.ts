/** Test fixtures for blob transfers: package files with known content, temporary directories, redaction checks. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { AzuriteHandle } from '../../src/mock/azurite.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

export async function makeTempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'hwdash-blob-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Writes `size` bytes: a random 1 MiB pattern repeated, with each MiB's first bytes set to its index, so that
 * every block differs (a misplaced block changes the hash) without generating the whole file randomly.
 */
export async function writePatternFile(path: string, size: number): Promise<void> {
  const pattern = randomBytes(MiB);
  const file = await open(path, 'w');
  try {
    for (let offset = 0, index = 0; offset < size; offset += MiB, index++) {
      pattern.writeUInt32BE(index, 0);
      await file.write(pattern, 0, Math.min(MiB, size - offset));
    }
  } finally {
    await file.close();
  }
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function containerClient(azurite: AzuriteHandle, container: string) {
  const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  return new BlobServiceClient(azurite.blobEndpoint, credential).getContainerClient(container);
}

/** Every way an error can reach a log or a terminal. */
export function renderings(error: unknown): Record<string, string> {
  return {
    string: String(error),
    stack: (error as Error).stack ?? '',
    inspect: inspect(error, { depth: 10, showHidden: true }),
    json: JSON.stringify(error) ?? '',
    cause: inspect((error as Error).cause, { depth: 10, showHidden: true }),
  };
}

export function sasSignature(url: string): string {
  const sig = new URL(url).searchParams.get('sig');
  if (!sig) throw new Error('the URL has no SAS signature');
  return sig;
}

/** Collects progress events and checks the invariants every transfer must keep. */
export function progressRecorder() {
  const events: { loadedBytes: number; totalBytes: number | undefined }[] = [];
  return {
    events,
    onProgress: (progress: { loadedBytes: number; totalBytes: number | undefined }) => events.push({ ...progress }),
    isMonotonic: () => events.every((event, index) => index === 0 || event.loadedBytes >= events[index - 1]!.loadedBytes),
    last: () => events.at(-1),
  };
}
