import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobServiceClient, BlockBlobClient } from '@azure/storage-blob';
import { createSasUrl, startAzurite } from '../../src/mock/azurite.js';
import { AzuriteStartError } from '../../src/mock/azurite-start-error.js';
import { isProcessRunning } from '../../src/workflow/process-alive.js';

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isProcessRunning(pid);
}

describe('startAzurite', () => {
  it('starts blob services on distinct loopback ports, usable through the connection string and SAS URLs, and stops them', async () => {
    const [first, second] = await Promise.all([startAzurite(), startAzurite()]);
    try {
      expect(first.blobEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      expect(second.blobEndpoint).not.toBe(first.blobEndpoint);
      expect(first.accountName).toBe('devstoreaccount1');

      const service = BlobServiceClient.fromConnectionString(first.connectionString);
      await service.getContainerClient('ingestion').create();
      const sasUrl = await createSasUrl(first, 'ingestion', 'package.cab', { permissions: 'rwl', expiresOn: new Date(Date.now() + 60_000) });
      const params = new URL(sasUrl).searchParams;
      expect([params.get('sr'), params.get('sp')]).toEqual(['b', 'rw']);
      await new BlockBlobClient(sasUrl).upload('MSCF', 4);
      expect((await service.getContainerClient('ingestion').getBlobClient('package.cab').downloadToBuffer()).toString()).toBe('MSCF');
      // Each emulator has its own in-memory store.
      expect(await BlobServiceClient.fromConnectionString(second.connectionString).getContainerClient('ingestion').exists()).toBe(false);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
    expect(isProcessRunning(first.pid)).toBe(false);
    expect(isProcessRunning(second.pid)).toBe(false);
    await first.stop();
  });

  it('does not outlive a parent that is killed', async () => {
    const parent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { startAzurite } = await import(${JSON.stringify(new URL('../../src/mock/azurite.ts', import.meta.url).href)});
         const azurite = await startAzurite();
         console.log(azurite.pid);
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
    const pid = Number(line.toString().trim());
    expect(isProcessRunning(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitUntilGone(pid, 120_000)).toBe(true);
  });

  it('keeps blobs in a temporary folder with persistence: disk, and removes the folder when it stops', async () => {
    const azurite = await startAzurite({ persistence: 'disk' });
    const location = azurite.location!;
    try {
      expect(location).toMatch(/hwdash-azurite-/);
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('ingestion');
      await container.create();
      const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
      await container.getBlockBlobClient('package.cab').uploadData(bytes);
      expect((await container.getBlobClient('package.cab').downloadToBuffer()).equals(bytes)).toBe(true);
      // The bytes are in the folder's extent files, not only in the emulator's memory.
      const stored = await readdir(join(location, '__blobstorage__'));
      const sizes = await Promise.all(stored.map(async (name) => (await stat(join(location, '__blobstorage__', name))).size));
      expect(sizes.reduce((sum, size) => sum + size, 0)).toBeGreaterThanOrEqual(bytes.length);
    } finally {
      await azurite.stop();
    }
    expect(existsSync(location)).toBe(false);
    expect((await startAzurite().then(async (memory) => (await memory.stop(), memory))).location).toBeUndefined();
  });

  it('removes its blob folder even when its parent is killed', async () => {
    const parent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { startAzurite } = await import(${JSON.stringify(new URL('../../src/mock/azurite.ts', import.meta.url).href)});
         const azurite = await startAzurite({ persistence: 'disk' });
         console.log(JSON.stringify({ pid: azurite.pid, location: azurite.location }));
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
    const { pid, location } = JSON.parse(line.toString()) as { pid: number; location: string };
    expect(existsSync(location)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitUntilGone(pid, 120_000)).toBe(true);
    expect(existsSync(location)).toBe(false);
  });

  it('rejects with the abort reason when aborted before it starts', async () => {
    const reason = new Error('cancelled by the sandbox');
    await expect(startAzurite({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('fails with AzuriteStartError when it cannot start, naming the cause', async () => {
    const running = await startAzurite();
    try {
      const port = Number(new URL(running.blobEndpoint).port);
      const error = await startAzurite({ port }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AzuriteStartError);
      expect((error as Error).message).toMatch(/^Azurite exited before it was ready \(exit code 1\)\.\nAzurite output:\n[\s\S]*EADDRINUSE/);
    } finally {
      await running.stop();
    }
  });
});
