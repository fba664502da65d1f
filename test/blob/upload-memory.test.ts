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

it('uploads 256 MiB with memory bounded by blockSize × concurrency', async () => {
  const size = 256 * MiB;
  const file = join(dir.path, 'large.hlkx');
  const small = join(dir.path, 'warm-up.cab');
  await Promise.all([writePatternFile(file, size), writePatternFile(small, MiB)]);
  const expectedSha256 = await sha256OfFile(file);
  const sasUrl = (blob: string) => createSasUrl(azurite, 'ingestion', blob, { permissions: 'rwl', expiresOn: new Date(Date.now() + 600_000) });
  // Loads the storage SDK's lazily required modules, so that only the upload's own memory is measured.
  await uploadPackage({ file: small, sasUrl: await sasUrl('warm-up.cab') });
  const largeUrl = await sasUrl('large.hlkx');

  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  let result;
  try {
    result = await uploadPackage({ file, sasUrl: largeUrl });
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);

  const growthMiB = (peak - baseline) / MiB;
  const boundMiB = 64 + (DEFAULT_UPLOAD_BLOCK_SIZE * DEFAULT_UPLOAD_CONCURRENCY) / MiB;
  console.info(`256 MiB upload: ${(256 / seconds).toFixed(1)} MiB/s, peak RSS growth ${growthMiB.toFixed(1)} MiB (bound ${boundMiB} MiB)`);
  expect(growthMiB).toBeLessThanOrEqual(boundMiB);
  expect(result).toEqual({ size, sha256: expectedSha256, blockCount: 32, resumedBlocks: 0 });
  const properties = await containerClient(azurite, 'ingestion').getBlobClient('large.hlkx').getProperties();
  expect(properties.contentLength).toBe(size);
}, 60_000);
