import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { createSasUrl, startAzurite, type AzuriteHandle } from '../../src/mock/azurite.js';
import { downloadToFile, writeStreamToFile } from '../../src/workflow/download.js';
import { DownloadError } from '../../src/workflow/download-error.js';
import { KiB, MiB, containerClient, makeTempDir, progressRecorder, renderings, sasSignature } from './fixtures.js';
import { startBlobProxy, type BlobProxy } from './proxy.js';

let azurite: AzuriteHandle;
let proxy: BlobProxy;
let dir: { path: string; remove(): Promise<void> };
let testNumber = 0;
/** A fresh, empty directory per test, so that "nothing was left behind" is a plain directory listing. */
let out: string;

const content = randomBytes(3 * MiB + 7);
/** The blob the kill tests download: large enough that a paced download is well under way when it is killed. */
const large = randomBytes(4 * MiB + 11);
const CHILD = fileURLToPath(new URL('./download-child.ts', import.meta.url));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  [azurite, dir] = await Promise.all([startAzurite(), makeTempDir()]);
  proxy = await startBlobProxy(azurite.blobEndpoint);
  await containerClient(azurite, 'signed').createIfNotExists();
  await containerClient(azurite, 'signed').getBlockBlobClient('package.cab').uploadData(content);
  await containerClient(azurite, 'signed').getBlockBlobClient('empty.cab').uploadData(Buffer.alloc(0));
  await containerClient(azurite, 'signed').getBlockBlobClient('large.cab').uploadData(large);
});

afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
  await dir?.remove();
});

beforeEach(async () => {
  out = join(dir.path, `test-${++testNumber}`);
  await mkdir(out);
});

const readUrl = (blob: string, expiresInMs = 3_600_000) =>
  createSasUrl(azurite, 'signed', blob, { permissions: 'r', expiresOn: new Date(Date.now() + expiresInMs) });

function expectNoSignature(error: unknown, sasUrl: string): void {
  const sig = sasSignature(sasUrl);
  for (const [how, text] of Object.entries(renderings(error))) {
    expect({ how, leaks: text.includes(sig) || text.includes(encodeURIComponent(sig)) }).toEqual({ how, leaks: false });
  }
}

describe('downloadToFile', () => {
  it('downloads in a single streamed request, with monotonic progress', async () => {
    const url = proxy.via(await readUrl('package.cab'));
    const progress = progressRecorder();
    proxy.reset();

    const result = await downloadToFile({ url, dest: join(out, 'signed.cab'), onProgress: progress.onProgress });

    // No SHA-256 unless asked for (it costs a fifth of a fast download).
    expect(result).toEqual({ path: join(out, 'signed.cab'), size: content.length });
    expect((await readFile(result.path)).equals(content)).toBe(true);
    expect(proxy.log.map((entry) => [entry.method, entry.status, entry.range])).toEqual([['GET', 200, undefined]]);
    expect(progress.isMonotonic()).toBe(true);
    expect(progress.events.every((event) => event.totalBytes === content.length)).toBe(true);
    expect(progress.last()).toEqual({ loadedBytes: content.length, totalBytes: content.length });
  });

  it('resumes a response that breaks off from its last byte, with the same ETag', async () => {
    const url = proxy.via(await readUrl('package.cab'));
    const progress = progressRecorder();
    proxy.reset();
    proxy.cutNextResponseAfter = MiB + 5;

    const result = await downloadToFile({ url, dest: join(out, 'signed.cab'), sha256: true, onProgress: progress.onProgress });

    expect(result.sha256).toBe(sha256(content));
    expect((await readFile(result.path)).equals(content)).toBe(true);
    const gets = proxy.log.filter((entry) => entry.method === 'GET');
    expect(gets[0]).toMatchObject({ status: 200, cut: true });
    // The SDK asks for the rest from where the body stopped; how much of it reached the client before the cut is
    // up to the socket, but never more than the proxy sent.
    expect(gets).toHaveLength(2);
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(gets[1]!.range ?? '')?.[1]);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThanOrEqual(MiB + 5);
    expect(gets[1]!.status).toBe(206);
    const { etag } = await containerClient(azurite, 'signed').getBlobClient('package.cab').getProperties();
    expect(gets[1]!.ifMatch).toBe(etag);
    expect(progress.isMonotonic()).toBe(true);
    expect(progress.last()).toEqual({ loadedBytes: content.length, totalBytes: content.length });
    expect(await readdir(out)).toEqual(['signed.cab']);
  });

  it('stops a single-request download when aborted, without waiting for the rest of the body, leaving no file', async () => {
    const url = proxy.via(await readUrl('package.cab'));
    const controller = new AbortController();
    // The rest of the body never comes: the download can only end by giving up on it when aborted.
    proxy.stallNextResponseAfter = 64 * KiB;
    const error = await downloadToFile({
      url,
      dest: join(out, 'signed.cab'),
      signal: controller.signal,
      onProgress: ({ loadedBytes }) => {
        if (loadedBytes > 0) controller.abort();
      },
    }).catch((caught: unknown) => caught);
    expect(controller.signal.aborted).toBe(true);
    expect(error).toBe(controller.signal.reason);
    expect(await readdir(out)).toEqual([]);
  });

  it('writes an empty blob as an empty file', async () => {
    const result = await downloadToFile({ url: await readUrl('empty.cab'), dest: join(out, 'empty.cab'), expectedLength: 0, sha256: true });
    expect(result).toMatchObject({ size: 0, sha256: sha256(Buffer.alloc(0)) });
    expect((await stat(result.path)).size).toBe(0);
    expect(await readdir(out)).toEqual(['empty.cab']);
  });

  it('creates missing parent directories and replaces an existing file, but never a directory', async () => {
    const url = await readUrl('package.cab');
    const nested = join(out, 'a', 'b', 'signed.cab');
    await downloadToFile({ url, dest: nested });
    expect((await readFile(nested)).equals(content)).toBe(true);

    const existing = join(out, 'existing.cab');
    await writeFile(existing, 'old content');
    await downloadToFile({ url, dest: existing });
    expect((await readFile(existing)).equals(content)).toBe(true);

    const directory = join(out, 'a');
    const error = await downloadToFile({ url, dest: directory }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ code: 'EISDIR', dest: directory });
    expect(await readdir(directory)).toEqual(['b']);
    expect((await readdir(out)).sort()).toEqual(['a', 'existing.cab']);
  });

  it('rejects a blob whose length is not the expected one, leaving no file', async () => {
    const url = await readUrl('package.cab');

    const error = await downloadToFile({ url, dest: join(out, 'signed.cab'), expectedLength: content.length - 1 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ kind: 'download', code: 'LengthMismatch' });
    expect((error as Error).message).toBe(
      `The blob to download to ${join(out, 'signed.cab')} has ${content.length} bytes, but ${content.length - 1} were expected; the URL may point to another file. Nothing was written.`,
    );
    expect(await readdir(out)).toEqual([]);
  });

  it('stops when aborted, rejects with the abort reason and leaves no file', async () => {
    const url = proxy.via(await readUrl('package.cab'));
    const controller = new AbortController();
    proxy.stallNextResponseAfter = 64 * KiB;
    const error = await downloadToFile({
      url,
      dest: join(out, 'new', 'signed.cab'),
      signal: controller.signal,
      onProgress: ({ loadedBytes }) => {
        if (loadedBytes > 0) controller.abort();
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
    expect(await readdir(out)).toEqual([]);
  });

  it('reports an expired URL as a DownloadError that asks for a fresh URL, leaving nothing behind', async () => {
    const url = await readUrl('package.cab', -60_000);

    const error = await downloadToFile({ url, dest: join(out, 'new', 'signed.cab') }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ status: 403, code: 'AuthorizationFailure', urlRejected: true });
    expect((error as Error).message).toContain('read the submission again for a fresh URL');
    expect((error as DownloadError).request?.url).toContain('sig=REDACTED');
    expectNoSignature(error, url);
    expect(await readdir(out)).toEqual([]);
  });

  it('reports a missing blob as a 404 DownloadError', async () => {
    const url = await readUrl('not-yet-signed.cab');

    const error = await downloadToFile({ url, dest: join(out, 'signed.cab') }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ kind: 'download', status: 404, code: 'BlobNotFound', urlRejected: false });
    expectNoSignature(error, url);
    expect(await readdir(out)).toEqual([]);
  });

  it('fails when the blob is replaced mid-download instead of mixing two versions', async () => {
    const blob = containerClient(azurite, 'signed').getBlockBlobClient('changing.cab');
    await blob.uploadData(content);
    const url = proxy.via(await readUrl('changing.cab'));
    proxy.reset();
    // The first response breaks off; the blob is replaced before the rest is asked for (of the old version).
    proxy.cutNextResponseAfter = 256 * KiB;
    proxy.hold = (entry) => (entry.method === 'GET' && entry.range !== undefined ? blob.uploadData(randomBytes(content.length)).then(() => undefined) : undefined);
    try {
      const error = await downloadToFile({ url, dest: join(out, 'signed.cab') }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DownloadError);
      expect(error).toMatchObject({ status: 412, code: 'ConditionNotMet' });
      expect((error as Error).message).toContain('The blob changed while it was being downloaded');
      const gets = proxy.log.filter((entry) => entry.method === 'GET');
      expect(gets.map((entry) => [entry.status, entry.cut ?? false, entry.range === undefined, entry.ifMatch === undefined])).toEqual([
        [200, true, true, true],
        [412, false, false, false],
      ]);
    } finally {
      proxy.reset();
    }
    expect(await readdir(out)).toEqual([]);
  });
});

describe('writeStreamToFile', () => {
  const body = randomBytes(200 * KiB + 3);

  it('writes a web stream (a fetch response body) atomically and returns its SHA-256', async () => {
    const progress = progressRecorder();
    const result = await writeStreamToFile(new Response(body).body!, join(out, 'asset.bin'), { expectedLength: body.length, onProgress: progress.onProgress });

    expect(result).toEqual({ path: join(out, 'asset.bin'), size: body.length, sha256: sha256(body) });
    expect((await readFile(result.path)).equals(body)).toBe(true);
    expect(progress.isMonotonic()).toBe(true);
    expect(progress.last()).toEqual({ loadedBytes: body.length, totalBytes: body.length });
  });

  it('writes a Node stream without a known length', async () => {
    const result = await writeStreamToFile(Readable.from([body.subarray(0, 1000), body.subarray(1000)]), join(out, 'asset.bin'));
    expect(result.size).toBe(body.length);
    expect((await readFile(result.path)).equals(body)).toBe(true);
  });

  it('rejects a body shorter or longer than expected, leaving no file', async () => {
    for (const expectedLength of [body.length + 1, body.length - 1]) {
      const error = await writeStreamToFile(new Response(body).body!, join(out, 'asset.bin'), { expectedLength }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DownloadError);
      expect(error).toMatchObject({ code: 'LengthMismatch' });
    }
    expect(await readdir(out)).toEqual([]);
  });

  it('turns a body that breaks off into a DownloadError, leaving no file', async () => {
    const broken = new Readable({
      read() {
        this.push(body.subarray(0, 1000));
        this.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
      },
    });
    const error = await writeStreamToFile(broken, join(out, 'asset.bin')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect((error as Error).message).toBe(`Receiving the download for ${join(out, 'asset.bin')} failed: other side closed.`);
    expect(await readdir(out)).toEqual([]);
  });

  it('stops when aborted and leaves no file', async () => {
    const controller = new AbortController();
    const endless = new Readable({
      read() {
        setTimeout(() => {
          this.push(Buffer.alloc(1024));
          controller.abort();
        }, 5);
      },
    });
    const error = await writeStreamToFile(endless, join(out, 'asset.bin'), { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBe(controller.signal.reason);
    expect(endless.destroyed).toBe(true);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('downloadToFile after the process was killed', () => {
  /**
   * Starts the download in a child process through the proxy, with the body paced so that it lasts seconds, and
   * kills it (SIGKILL: nothing runs after it) once it reports `atLeast` bytes received.
   */
  async function killMidway(url: string, dest: string, atLeast: number): Promise<void> {
    proxy.pace = { bytes: 32 * KiB, delayMs: 10 };
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, dest, 'sha256'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      for await (const line of createInterface({ input: child.stdout! })) {
        const message = JSON.parse(line) as { loaded?: number; done?: unknown };
        if (message.done) throw new Error('the download finished before it could be killed');
        if (message.loaded! >= atLeast) break;
      }
    } finally {
      child.kill('SIGKILL');
      const [code, signal] = (await exited) as [number | null, string | null];
      proxy.pace = undefined;
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
    }
  }

  const pair = ['.large.cab.partial', '.large.cab.partial.json'];
  const etagOf = async (blob: string) => (await containerClient(azurite, 'signed').getBlobClient(blob).getProperties()).etag!;

  it('continues from the bytes the killed run wrote, asking only for the rest, and hashes the whole file', async () => {
    const url = proxy.via(await readUrl('large.cab'));
    const dest = join(out, 'large.cab');
    await killMidway(url, dest, 5 * MiB / 2);

    // A kill leaves exactly the resumable pair: the partial file, and the blob's ETag and size beside it.
    expect((await readdir(out)).sort()).toEqual(pair);
    const written = (await stat(join(out, pair[0]!))).size;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(large.length);
    const record = JSON.parse(await readFile(join(out, pair[1]!), 'utf8')) as { etag: string; size: number };
    expect(record).toMatchObject({ etag: await etagOf('large.cab'), size: large.length });

    proxy.reset();
    const result = await downloadToFile({ url, dest, sha256: true });

    expect(result).toEqual({ path: dest, size: large.length, sha256: sha256(large) });
    expect((await readFile(dest)).equals(large)).toBe(true);
    expect(await readdir(out)).toEqual(['large.cab']);
    // One check that the blob is still that version, then one GET for exactly the missing bytes, of that version.
    expect(proxy.log.map((entry) => [entry.method, entry.status, entry.range, entry.ifMatch])).toEqual([
      ['HEAD', 200, undefined, record.etag],
      ['GET', 206, `bytes=${written}-`, record.etag],
    ]);
  });

  it('starts over when the blob changed after the kill, leaving only the new version', async () => {
    const blob = containerClient(azurite, 'signed').getBlockBlobClient('replaced.cab');
    await blob.uploadData(large);
    const url = proxy.via(await readUrl('replaced.cab'));
    const dest = join(out, 'replaced.cab');
    await killMidway(url, dest, 5 * MiB / 2);
    expect((await readdir(out)).sort()).toEqual(['.replaced.cab.partial', '.replaced.cab.partial.json']);
    const replacement = randomBytes(large.length - 5);
    await blob.uploadData(replacement);

    proxy.reset();
    const result = await downloadToFile({ url, dest, sha256: true });

    expect(result).toEqual({ path: dest, size: replacement.length, sha256: sha256(replacement) });
    expect(await readdir(out)).toEqual(['replaced.cab']);
    expect(proxy.log.map((entry) => [entry.method, entry.status, entry.range])).toEqual([
      ['HEAD', 412, undefined],
      ['GET', 200, undefined],
    ]);
  });

  it('finishes a killed run that had written every byte without downloading again', async () => {
    const dest = join(out, 'large.cab');
    await writeFile(join(out, pair[0]!), large);
    await writeFile(join(out, pair[1]!), JSON.stringify({ version: 1, etag: await etagOf('large.cab'), size: large.length }));
    const url = proxy.via(await readUrl('large.cab'));
    proxy.reset();

    const result = await downloadToFile({ url, dest, sha256: true });

    expect(result).toEqual({ path: dest, size: large.length, sha256: sha256(large) });
    expect(proxy.log.map((entry) => entry.method)).toEqual(['HEAD']);
    expect(await readdir(out)).toEqual(['large.cab']);
  });

  it('discards leftovers that do not form a pair (a partial without its record, a record it cannot read)', async () => {
    const url = proxy.via(await readUrl('large.cab'));
    for (const leftovers of [{ [pair[0]!]: 'stale bytes' }, { [pair[0]!]: 'stale', [pair[1]!]: '{not json' }, { [pair[1]!]: JSON.stringify({ version: 1, etag: '"x"', size: 1 }) }]) {
      for (const [name, text] of Object.entries(leftovers)) await writeFile(join(out, name), text);
      proxy.reset();
      await downloadToFile({ url, dest: join(out, 'large.cab') });
      expect(await readdir(out)).toEqual(['large.cab']);
      expect(proxy.log.map((entry) => [entry.method, entry.range])).toEqual([['GET', undefined]]);
      expect((await readFile(join(out, 'large.cab'))).equals(large)).toBe(true);
    }
  });

  it('removes the pair when the rerun fails, so that no partial file is ever orphaned', async () => {
    await writeFile(join(out, pair[0]!), large.subarray(0, MiB));
    await writeFile(join(out, pair[1]!), JSON.stringify({ version: 1, etag: await etagOf('large.cab'), size: large.length }));
    const expired = await readUrl('large.cab', -60_000);

    const error = await downloadToFile({ url: expired, dest: join(out, 'large.cab') }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ kind: 'download', urlRejected: true });
    expect(await readdir(out)).toEqual([]);
  });
});
