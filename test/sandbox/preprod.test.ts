/** Preproduction signing: PUT the raw package, poll signingStatus, then read and download the signed-files asset. */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import yauzl from 'yauzl';
import { SIGNATURE_MANIFEST_NAME } from '../../src/mock/sandbox/index.js';
import { NOT_A_PACKAGE_MESSAGE, PREPROD_SIGNING_SECONDS } from '../../src/mock/sandbox/preprod.js';
import { useSandbox } from './fixture.js';
import { call, driverCab, expectResponsesMatchSpec, TOKEN, waitFor, type ApiResponse } from './support.js';

function zipEntryNames(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(entries));
      zip.readEntry();
    });
  });
}

describe('sandbox preproduction signing', () => {
  const suite = useSandbox({ manualClock: true });
  const { clock, recorder } = suite;
  let base: string;
  beforeAll(() => {
    base = suite.base;
  });

  const submit = (bytes: Uint8Array, contentType = 'application/octet-stream'): Promise<ApiResponse> =>
    call(base, 'PUT', '/preprod/packages', { raw: bytes, contentType });
  /** Moves the clock past processing and waits until signing, which runs in the background, has finished. */
  const settled = async (id: string): Promise<ApiResponse> => {
    clock.advance(PREPROD_SIGNING_SECONDS);
    return waitFor(() => call(base, 'GET', `/preprod/packages/${id}`), (response) => response.body.signingStatus !== 'Processing');
  };

  it('signs a CAB: Processing, then Succeeded with one SignedFilesZip asset whose hash matches the download', async () => {
    const cab = driverCab();
    const submitted = await submit(cab);
    expect(submitted.status).toBe(200);
    const id: string = submitted.body.id;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(submitted.body).toEqual({ id, etag: expect.any(String), lastModified: new Date(clock.time).toISOString(), signingStatus: 'Processing' });
    expect(submitted.body.etag).not.toBe('');

    const processing = await call(base, 'GET', `/preprod/packages/${id}`);
    expect(processing.body).toMatchObject({ signingStatus: 'Processing', assets: [] });
    expect((await call(base, 'GET', `/preprod/packages/${id}/assets`)).body.value).toEqual([]);

    const succeeded = await settled(id);
    expect(succeeded.body.signingStatus).toBe('Succeeded');
    expect(succeeded.body.error).toBeUndefined();
    expect(succeeded.body.assets).toHaveLength(1);
    const asset = succeeded.body.assets[0];
    expect(asset).toEqual({ id: expect.any(String), packageId: id, assetType: 'SignedFilesZip', createdDate: expect.any(String), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    expect((await call(base, 'GET', `/preprod/packages/${id}/assets`)).body.value).toEqual([asset]);
    expect((await call(base, 'GET', `/preprod/packages/${id}/assets/${asset.id}`)).body).toEqual(asset);

    const download = await fetch(`${base}/preprod/packages/${id}/assets/${asset.id}/download`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(download.headers.get('content-length')).toBe(String(bytes.length));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(asset.contentHash);
    const entries = await zipEntryNames(bytes);
    expect(entries.get('package.cab')!.equals(cab)).toBe(true);
    expect(JSON.parse(entries.get(SIGNATURE_MANIFEST_NAME)!.toString('utf8')).subject).toEqual({ preprodPackageId: id });
  });

  it('fails signing with a message when the bytes are neither a CAB nor a ZIP', async () => {
    const submitted = await submit(Buffer.from('just some text, no package'));
    expect(submitted.status).toBe(200);
    const failed = await settled(submitted.body.id);
    expect(failed.body).toMatchObject({ signingStatus: 'Failed', error: { message: NOT_A_PACKAGE_MESSAGE }, assets: [] });
  });

  it('refuses other content types and empty bodies', async () => {
    const text = await submit(driverCab(), 'application/json');
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupportedMediaType');
    const empty = await submit(new Uint8Array(0));
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe('The request body is empty; send the package bytes as application/octet-stream.');
  });

  it('answers unknown packages and assets with 404, and hides assets until signing has succeeded', async () => {
    expect((await call(base, 'GET', '/preprod/packages/no-such-package')).body.error.message).toBe('Package not found');
    const submitted = await submit(driverCab());
    const asset = await call(base, 'GET', `/preprod/packages/${submitted.body.id}/assets/anything`);
    expect(asset.status).toBe(404);
    expect(asset.body.error.message).toBe('Asset not found');
    const download = await call(base, 'GET', `/preprod/packages/${submitted.body.id}/assets/anything/download`);
    expect(download.status).toBe(404);
  });

  it('answers only with statuses and bodies the spec documents', async () => {
    await expectResponsesMatchSpec(recorder.records);
  });
});
