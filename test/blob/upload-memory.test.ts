import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { createSasUrl, startAzurite, type AzuriteHandle } from '../../src/mock/azurite.js';
import { DEFAULT_UPLOAD_BLOCK_SIZE, DEFAULT_UPLOAD_CONCURRENCY, uploadPackage } from '../../src/workflow/upload.js';
import { MiB, containerClient, makeTempDir, sha256OfFile, writePatternFile } from './fixtures.js';

let azurite: AzuriteHandle;
let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  [azurite, dir] = await Promise.all([startAzurite(), makeTempDir()]);
});

afterAll(async () => {
  await azurite?.stop();
  await dir?.remove();
});

const size = 256 * MiB;
let file: string;
let expectedSha256: string;
let blobNumber = 0;
const sasUrl = (blob: string) => createSasUrl(azurite, 'ingestion', blob, { permissions: 'rwl', expiresOn: new Date(Date.now() + 600_000) });

beforeAll(async () => {
  file = join(dir.path, 'large.hlkx');
  const small = join(dir.path, 'warm-up.cab');
  await Promise.all([writePatternFile(file, size), writePatternFile(small, MiB)]);
  expectedSha256 = await sha256OfFile(file);
  // Loads the storage SDK's lazily required modules (both paths), so that only the upload's own memory is measured.
  await uploadPackage({ file: small, sasUrl: await sasUrl('warm-up.cab') });
  await uploadPackage({ file: small, sasUrl: await sasUrl('warm-up-blocks.cab'), maxSingleShotSize: 0 });
});

it.each([
  { path: 'one streamed Put Blob (the default up to 256 MiB)', maxSingleShotSize: undefined, blockCount: 0 },
  { path: 'blocks (maxSingleShotSize 0)', maxSingleShotSize: 0, blockCount: 32 },
])('uploads 256 MiB as $path with memory bounded by 64 MiB + blockSize × concurrency', async ({ path, maxSingleShotSize, blockCount }) => {
  const blob = `large-${++blobNumber}.hlkx`;
  const url = await sasUrl(blob);

  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  let result;
  try {
    result = await uploadPackage({ file, sasUrl: url, maxSingleShotSize, sha256: true });
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);

  const growthMiB = (peak - baseline) / MiB;
  const boundMiB = 64 + (DEFAULT_UPLOAD_BLOCK_SIZE * DEFAULT_UPLOAD_CONCURRENCY) / MiB;
  console.info(`256 MiB upload as ${path}: ${(256 / seconds).toFixed(1)} MiB/s, peak RSS growth ${growthMiB.toFixed(1)} MiB (bound ${boundMiB} MiB)`);
  expect(growthMiB).toBeLessThanOrEqual(boundMiB);
  expect(result).toEqual({ size, sha256: expectedSha256, blockCount, resumedBlocks: 0 });
  const properties = await containerClient(azurite, 'ingestion').getBlobClient(blob).getProperties();
  expect(properties.contentLength).toBe(size);
});
