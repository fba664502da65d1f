import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockBlobClient } from '@azure/storage-blob';
import { createSasUrl, startAzurite, type AzuriteHandle } from '../../src/mock/azurite.js';
import { uploadBlockId } from '../../src/workflow/block-upload.js';
import { uploadPackage } from '../../src/workflow/upload.js';
import { UploadError } from '../../src/workflow/upload-error.js';
import {
  KiB,
  MiB,
  containerClient,
  makeTempDir,
  progressRecorder,
  renderings,
  sasSignature,
  sha256OfFile,
  writePatternFile,
} from './fixtures.js';
import { startBlobProxy, type BlobProxy } from './proxy.js';

let azurite: AzuriteHandle;
let proxy: BlobProxy;
let dir: { path: string; remove(): Promise<void> };
let blobNumber = 0;

beforeAll(async () => {
  [azurite, dir] = await Promise.all([startAzurite(), makeTempDir()]);
  proxy = await startBlobProxy(azurite.blobEndpoint);
});

afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
  await dir?.remove();
});

const uploadUrl = (options: { permissions?: string; expiresInMs?: number; blob?: string } = {}) =>
  createSasUrl(azurite, 'ingestion', options.blob ?? `package-${++blobNumber}.cab`, {
    permissions: options.permissions ?? 'rwl',
    expiresOn: new Date(Date.now() + (options.expiresInMs ?? 3_600_000)),
  });

async function blobBytes(sasUrl: string): Promise<Buffer> {
  return new BlockBlobClient(sasUrl).downloadToBuffer();
}

describe('uploadPackage', () => {
  it('uploads a small package as one Put Blob and reports its size and SHA-256', async () => {
    const file = join(dir.path, 'small.cab');
    await writeFile(file, 'MSCF driver package');
    const sasUrl = await uploadUrl();
    const progress = progressRecorder();

    const result = await uploadPackage({ file, sasUrl, onProgress: progress.onProgress, sha256: true });

    expect(result).toEqual({
      size: 19,
      sha256: await sha256OfFile(file),
      blockCount: 0,
      resumedBlocks: 0,
    });
    expect((await blobBytes(sasUrl)).toString()).toBe('MSCF driver package');
    const properties = await new BlockBlobClient(sasUrl).getProperties();
    expect(properties.contentType).toBe('application/octet-stream');
    expect(progress.last()).toEqual({ loadedBytes: 19, totalBytes: 19 });
  });

  it('computes no SHA-256 unless asked, in one Put Blob or in blocks', async () => {
    const file = join(dir.path, 'unhashed.cab');
    await writePatternFile(file, 300 * KiB);
    expect(await uploadPackage({ file, sasUrl: await uploadUrl() })).toEqual({ size: 300 * KiB, blockCount: 0, resumedBlocks: 0 });
    expect(await uploadPackage({ file, sasUrl: await uploadUrl(), maxSingleShotSize: 0, blockSize: 128 * KiB })).toEqual({ size: 300 * KiB, blockCount: 3, resumedBlocks: 0 });
  });

  it('sends a package up to maxSingleShotSize as a single streamed Put Blob, with monotonic progress', async () => {
    const file = join(dir.path, 'single-shot.cab');
    const size = 3 * MiB + 17;
    await writePatternFile(file, size);
    const sasUrl = proxy.via(await uploadUrl());
    const progress = progressRecorder();
    proxy.reset();

    const result = await uploadPackage({ file, sasUrl, maxSingleShotSize: size, onProgress: progress.onProgress, sha256: true });

    expect(result).toEqual({ size, sha256: await sha256OfFile(file), blockCount: 0, resumedBlocks: 0 });
    expect(proxy.log.map((entry) => [entry.method, entry.comp, entry.status])).toEqual([['PUT', undefined, 201]]);
    expect((await blobBytes(sasUrl)).equals(await readFile(file))).toBe(true);
    expect(progress.events.length).toBeGreaterThan(1);
    expect(progress.isMonotonic()).toBe(true);
    expect(progress.last()).toEqual({ loadedBytes: size, totalBytes: size });
  });

  it('hashes the attempt that succeeded when the SDK retries the Put Blob with a fresh body', async () => {
    const file = join(dir.path, 'single-shot-retry.cab');
    const size = 2 * MiB + 5;
    await writePatternFile(file, size);
    const sasUrl = proxy.via(await uploadUrl());
    const progress = progressRecorder();
    proxy.reset();
    proxy.failNext = 1;

    const result = await uploadPackage({ file, sasUrl, onProgress: progress.onProgress, sha256: true });

    expect(proxy.log.map((entry) => [entry.method, entry.status])).toEqual([
      ['PUT', 503],
      ['PUT', 201],
    ]);
    expect(result).toEqual({ size, sha256: await sha256OfFile(file), blockCount: 0, resumedBlocks: 0 });
    expect((await blobBytes(sasUrl)).equals(await readFile(file))).toBe(true);
    expect(progress.isMonotonic()).toBe(true);
    expect(progress.last()).toEqual({ loadedBytes: size, totalBytes: size });
  });

  it('restarts the single Put Blob with a fresh URL when the upload URL expires mid-upload', async () => {
    const file = join(dir.path, 'single-shot-expiry.cab');
    const size = MiB + 3;
    await writePatternFile(file, size);
    const blob = `package-${++blobNumber}.cab`;
    // Azurite enforces `se` when the request arrives; the SAS is good to the second, so it lapses 1 to 2 s from
    // now, and the proxy holds the PUT for 2.5 s: the 403 below is the real expiry.
    const expiring = proxy.via(await uploadUrl({ blob, expiresInMs: 2_000 }));
    let refreshes = 0;
    proxy.reset();
    proxy.delayMs = 2_500;
    let result;
    try {
      result = await uploadPackage({
        file,
        sasUrl: expiring,
        sha256: true,
        refreshSasUrl: async () => {
          refreshes++;
          proxy.delayMs = 0;
          return proxy.via(await uploadUrl({ blob }));
        },
      });
    } finally {
      proxy.delayMs = 0;
    }

    expect(refreshes).toBe(1);
    expect(proxy.log.map((entry) => [entry.method, entry.comp, entry.status, entry.errorCode])).toEqual([
      ['PUT', undefined, 403, 'AuthorizationFailure'],
      ['PUT', undefined, 201, undefined],
    ]);
    expect(result).toEqual({ size, sha256: await sha256OfFile(file), blockCount: 0, resumedBlocks: 0 });
    const stored = await containerClient(azurite, 'ingestion').getBlobClient(blob).downloadToBuffer();
    expect(stored.equals(await readFile(file))).toBe(true);
  });

  it('stops a single-shot upload when aborted, without waiting for the answer, leaving no blob', async () => {
    const file = join(dir.path, 'single-shot-abort.cab');
    await writePatternFile(file, 4 * MiB);
    const blob = `package-${++blobNumber}.cab`;
    const sasUrl = proxy.via(await uploadUrl({ blob }));
    proxy.reset();
    // The PUT is never answered: the upload can only end by giving up on it when aborted.
    proxy.hold = () => new Promise<void>(() => undefined);
    const controller = new AbortController();
    const error = await uploadPackage({ file, sasUrl, signal: controller.signal, onProgress: () => controller.abort() }).catch(
      (caught: unknown) => caught,
    );
    proxy.reset();
    expect(controller.signal.aborted).toBe(true);
    expect(error).toBe(controller.signal.reason);
    expect(proxy.log.filter((entry) => entry.status === 201)).toEqual([]);
    expect(await containerClient(azurite, 'ingestion').getBlobClient(blob).exists()).toBe(false);
  });

  it('refuses a maxSingleShotSize above the SDK limit of 256 MiB', async () => {
    await expect(uploadPackage({ file: join(dir.path, 'small.cab'), sasUrl: await uploadUrl(), maxSingleShotSize: 256 * MiB + 1 })).rejects.toThrow(RangeError);
  });

  it('stages a file above maxSingleShotSize in parallel blocks, commits the blocks in order and reports monotonic progress', async () => {
    const file = join(dir.path, 'multi.cab');
    const size = 5 * MiB + 123;
    await writePatternFile(file, size);
    const sasUrl = await uploadUrl();
    const progress = progressRecorder();

    const result = await uploadPackage({ file, sasUrl, maxSingleShotSize: 0, blockSize: 512 * KiB, concurrency: 3, onProgress: progress.onProgress, sha256: true });

    expect(result).toEqual({ size, sha256: await sha256OfFile(file), blockCount: 11, resumedBlocks: 0 });
    const blockList = await new BlockBlobClient(sasUrl).getBlockList('committed');
    expect(blockList.committedBlocks?.map((block) => block.name)).toEqual(Array.from({ length: 11 }, (_, index) => uploadBlockId(index)));
    expect(blockList.committedBlocks?.at(-1)?.size).toBe(size - 10 * 512 * KiB);
    expect((await blobBytes(sasUrl)).equals(await readFile(file))).toBe(true);
    expect(progress.isMonotonic()).toBe(true);
    expect(progress.events.every((event) => event.totalBytes === size && event.loadedBytes <= size)).toBe(true);
    expect(progress.last()).toEqual({ loadedBytes: size, totalBytes: size });
  });

  it('keeps at most `concurrency` blocks in flight', async () => {
    const file = join(dir.path, 'bounded.cab');
    await writePatternFile(file, 2 * MiB);
    const sasUrl = proxy.via(await uploadUrl());
    proxy.reset();
    proxy.delayMs = 30;
    try {
      await uploadPackage({ file, sasUrl, maxSingleShotSize: 0, blockSize: 128 * KiB, concurrency: 3 });
    } finally {
      proxy.delayMs = 0;
    }
    expect(proxy.log.filter((entry) => entry.comp === 'block' && entry.status === 201)).toHaveLength(16);
    expect(proxy.maxConcurrent).toBe(3);
  });

  it('resumes above maxSingleShotSize after the upload URL expires mid-upload: staged blocks are not sent again', async () => {
    const file = join(dir.path, 'resume.cab');
    const blockSize = 64 * KiB;
    const blockCount = 24;
    await writePatternFile(file, blockCount * blockSize - 1000);
    const blob = `package-${++blobNumber}.cab`;
    // Azurite enforces `se`; the 403 below is the real expiry, not a simulated one. The SAS is only good to the
    // second, so it lapses 1 to 2 s from now, while 24 blocks at 150 ms each take 3.6 s.
    const expiring = proxy.via(await uploadUrl({ blob, expiresInMs: 2_000 }));
    let refreshes = 0;
    proxy.reset();
    proxy.delayMs = 150;
    let result;
    try {
      result = await uploadPackage({
        file,
        sasUrl: expiring,
        maxSingleShotSize: 0,
        blockSize,
        concurrency: 1,
        sha256: true,
        refreshSasUrl: async () => {
          refreshes++;
          return proxy.via(await uploadUrl({ blob }));
        },
      });
    } finally {
      proxy.delayMs = 0;
    }

    const stages = proxy.log.filter((entry) => entry.comp === 'block');
    const rejected = stages.filter((entry) => entry.status === 403);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.errorCode).toBe('AuthorizationFailure');
    const stagedBeforeExpiry = stages.indexOf(rejected[0]!);
    expect(stagedBeforeExpiry).toBeGreaterThan(0);
    expect(stagedBeforeExpiry).toBeLessThan(blockCount);
    expect(refreshes).toBe(1);
    expect(result.resumedBlocks).toBe(stagedBeforeExpiry);
    // Each block reached the service exactly once; the only repeat is the block that was refused.
    const succeeded = stages.filter((entry) => entry.status === 201).map((entry) => entry.blockId);
    expect(succeeded).toEqual(Array.from({ length: blockCount }, (_, index) => uploadBlockId(index)));
    expect(stages).toHaveLength(blockCount + 1);
    expect(proxy.log.filter((entry) => entry.comp === 'blocklist').map((entry) => [entry.method, entry.status])).toEqual([
      ['GET', 200],
      ['PUT', 201],
    ]);
    expect(result.sha256).toBe(await sha256OfFile(file));
    const stored = await containerClient(azurite, 'ingestion').getBlobClient(blob).downloadToBuffer();
    expect(stored.equals(await readFile(file))).toBe(true);
  });

  it('stops a block upload when aborted, without waiting for blocks in flight, and rejects with the abort reason, committing nothing', async () => {
    const file = join(dir.path, 'abort.cab');
    await writePatternFile(file, 4 * MiB);
    const blob = `package-${++blobNumber}.cab`;
    const sasUrl = proxy.via(await uploadUrl({ blob }));
    proxy.reset();
    // Only the first request is answered: the upload can only end by giving up on the others when aborted.
    let requests = 0;
    proxy.hold = () => (++requests > 1 ? new Promise<void>(() => undefined) : undefined);
    const controller = new AbortController();
    const error = await uploadPackage({
      file,
      sasUrl,
      maxSingleShotSize: 0,
      blockSize: 256 * KiB,
      concurrency: 2,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }).catch((caught: unknown) => caught);
    proxy.reset();
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
    expect(proxy.log.filter((entry) => entry.comp === 'block').length).toBeLessThan(16);
    expect(proxy.log.some((entry) => entry.comp === 'blocklist')).toBe(false);
    expect(await containerClient(azurite, 'ingestion').getBlobClient(blob).exists()).toBe(false);
  });
});

describe('uploadPackage errors', () => {
  let file: string;
  beforeAll(async () => {
    file = join(dir.path, 'errors.cab');
    await writePatternFile(file, 300 * KiB);
  });

  function expectNoSignature(error: unknown, sasUrl: string): void {
    const sig = sasSignature(sasUrl);
    for (const [how, text] of Object.entries(renderings(error))) {
      expect({ how, leaks: text.includes(sig) || text.includes(encodeURIComponent(sig)) }).toEqual({ how, leaks: false });
    }
  }

  it('reports a container that does not exist as a 404 UploadError, without the signature', async () => {
    const sasUrl = await createSasUrl(azurite, 'removed', 'package.cab', { permissions: 'rw', expiresOn: new Date(Date.now() + 60_000) });
    await containerClient(azurite, 'removed').delete();

    const error = await uploadPackage({ file, sasUrl, blockSize: 100 * KiB }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UploadError);
    expect(error).toMatchObject({ kind: 'upload', status: 404, code: 'ContainerNotFound', urlRejected: false, file });
    expect((error as UploadError).message).toMatch(/404 ContainerNotFound.*does not exist/s);
    expect((error as UploadError).message).toContain('sig=REDACTED');
    expect((error as UploadError).request).toEqual({ method: 'PUT', url: expect.stringContaining('sig=REDACTED') });
    expectNoSignature(error, sasUrl);
  });

  it('reports a read-only URL as a 403 UploadError that does not ask for a refresh', async () => {
    const sasUrl = await uploadUrl({ permissions: 'r' });
    let refreshes = 0;

    const error = await uploadPackage({ file, sasUrl, refreshSasUrl: async () => `${++refreshes}` }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UploadError);
    expect(error).toMatchObject({ status: 403, code: 'AuthorizationPermissionMismatch', urlRejected: false });
    expect((error as Error).message).toContain('does not allow writing');
    expect(refreshes).toBe(0);
    expectNoSignature(error, sasUrl);
  });

  it('says to fetch a fresh URL when the URL has expired and no refresh is possible', async () => {
    const sasUrl = await uploadUrl({ expiresInMs: -60_000 });

    const error = await uploadPackage({ file, sasUrl }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UploadError);
    expect(error).toMatchObject({ status: 403, code: 'AuthorizationFailure', urlRejected: true });
    expect((error as Error).message).toContain('read the submission again for a fresh initialPackage URL');
    expectNoSignature(error, sasUrl);
  });

  it('gives up when the refreshed URL is refused as well, after a single refresh', async () => {
    const sasUrl = await uploadUrl({ expiresInMs: -60_000 });
    const alsoExpired = await uploadUrl({ expiresInMs: -60_000 });
    let refreshes = 0;

    const error = await uploadPackage({
      file,
      sasUrl,
      refreshSasUrl: async () => {
        refreshes++;
        return alsoExpired;
      },
    }).catch((caught: unknown) => caught);

    expect(refreshes).toBe(1);
    expect(error).toBeInstanceOf(UploadError);
    expect(error).toMatchObject({ status: 403, urlRejected: true });
    expectNoSignature(error, alsoExpired);
    expectNoSignature(error, sasUrl);
  });

  it('wraps a failing refreshSasUrl in an UploadError', async () => {
    const sasUrl = await uploadUrl({ expiresInMs: -60_000 });
    const error = await uploadPackage({
      file,
      sasUrl,
      refreshSasUrl: async () => {
        throw new Error('GET /products/1/submissions/2 failed with 503');
      },
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UploadError);
    expect((error as Error).message).toBe('The upload URL expired and getting a fresh one failed: GET /products/1/submissions/2 failed with 503');
  });

  it('refuses an empty package, a missing file and a non-loopback http URL before any request', async () => {
    const empty = join(dir.path, 'empty.cab');
    await writeFile(empty, '');
    const sasUrl = await uploadUrl();

    await expect(uploadPackage({ file: empty, sasUrl })).rejects.toThrow(
      new UploadError(`The package ${empty} is empty; build the package before uploading it.`, { file: empty }),
    );
    await expect(uploadPackage({ file: join(dir.path, 'missing.cab'), sasUrl })).rejects.toMatchObject({
      kind: 'upload',
      message: expect.stringContaining('ENOENT'),
    });
    const insecure = 'http://ingestionpackages.blob.core.windows.net/ingestion/x?sv=2017-04-17&sr=b&sp=rwl&sig=c2VjcmV0c2lnbmF0dXJl';
    const error = await uploadPackage({ file, sasUrl: insecure }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as Error).message).toBe(
      'The upload URL http://ingestionpackages.blob.core.windows.net/ingestion/x?sv=2017-04-17&sr=b&sp=rwl&sig=REDACTED uses http; only https (or http to loopback) may carry a SAS signature.',
    );
    // A host name that merely starts like a loopback address is not loopback.
    const lookalike = 'http://127.attacker.example/ingestion/x?sv=2017-04-17&sr=b&sp=rwl&sig=c2VjcmV0c2lnbmF0dXJl';
    const refused = await uploadPackage({ file, sasUrl: lookalike }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(UploadError);
    expect((refused as Error).message).toContain('uses http; only https (or http to loopback) may carry a SAS signature');
    await expect(uploadPackage({ file, sasUrl, blockSize: 0 })).rejects.toThrow(RangeError);
    await expect(uploadPackage({ file, sasUrl, concurrency: 1.5 })).rejects.toThrow(RangeError);
  });
});
