/**
 * The signing flow a CI job runs, end to end over real HTTP and real SAS URLs: create a product and a submission,
 * upload the package to Azurite, commit, poll on a fast clock, download the signed package and the driver metadata.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { BlobClient, BlockBlobClient } from '@azure/storage-blob';
import yauzl from 'yauzl';
import { SANDBOX_SIGNER, SIGNATURE_MANIFEST_NAME } from '../../src/mock/sandbox/index.js';
import { useSandbox } from './fixture.js';
import { call, DEVICE_IDS, driverCab, expectResponsesMatchSpec, newProductBody, OS_CODES, TOKEN, waitFor } from './support.js';

function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('sandbox signing flow', () => {
  const suite = useSandbox({ speed: 1000, token: TOKEN });
  const { recorder } = suite;
  let base: string;
  beforeAll(() => {
    base = suite.base;
  });

  it('creates, uploads, commits, signs and serves the signed package and driver metadata', async () => {
    const product = await call(base, 'POST', '/products', { body: newProductBody() });
    expect(product.status).toBe(201);
    // An odd ID above 2^53: JSON.parse would turn it into ...836. It must travel as an exact bare number.
    expect(product.body.id).toBe('9007199267351835');
    expect(product.text).toContain('"id":9007199267351835,');
    expect(product.body).toMatchObject({ isCommitted: false, testHarness: 'attestation', productName: 'Contoso sandbox device' });
    expect(BigInt(product.body.sharedProductId)).toBeGreaterThanOrEqual(2n ** 60n);
    const productId: string = product.body.id;

    const created = await call(base, 'POST', `/products/${productId}/submissions`, { body: { name: 'v1.2.3.4', type: 'initial' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ productId, commitStatus: 'commitPending', type: 'initial', name: 'v1.2.3.4' });
    const submissionId: string = created.body.id;
    expect(created.text).toContain(`"id":${submissionId},`);
    expect(created.body.links.map((link: { rel: string }) => link.rel)).toEqual(['self', 'update_submission', 'commit_submission']);
    expect(created.body.downloads.items).toHaveLength(1);
    const uploadUrl = new URL(created.body.downloads.items[0].url);
    expect(created.body.downloads.items[0].type).toBe('initialPackage');
    expect(uploadUrl.origin + uploadUrl.pathname).toMatch(new RegExp(`^${suite.sandbox.azurite.blobEndpoint}/ingestion/[0-9a-f-]{36}$`));
    expect(uploadUrl.searchParams.get('sp')).toBe('rcw');
    const expiresIn = Date.parse(uploadUrl.searchParams.get('se')!) - Date.now();
    expect(expiresIn).toBeGreaterThan(55 * 60 * 1000);
    expect(expiresIn).toBeLessThanOrEqual(60 * 60 * 1000);

    const cab = driverCab();
    await new BlockBlobClient(uploadUrl.toString()).uploadData(cab);

    const commit = await call(base, 'POST', `/products/${productId}/submissions/${submissionId}/commit`, { contentType: 'application/json' });
    expect(commit.status).toBe(202);
    expect(commit.text).toBe('');

    const done = await waitFor(
      () => call(base, 'GET', `/products/${productId}/submissions/${submissionId}`),
      (response) => response.body.downloads.items.some((item: { type: string }) => item.type === 'driverMetadata'),
    );
    expect(done.body.commitStatus).toBe('commitComplete');
    expect(done.body.workflowStatus).toEqual({ currentStep: 'finalizeIngestion', state: 'completed', messages: [] });
    expect(done.body.isExtensionInf).toBe(true);
    const items = new Map<string, string>(done.body.downloads.items.map((item: { type: string; url: string }) => [item.type, item.url]));
    expect([...items.keys()]).toEqual(['initialPackage', 'signedPackage', 'certificationReport', 'driverMetadata']);
    expect(items.get('certificationReport')).toBe(
      // The host and path get-a-submission.md prints.
      `https://manage.devcenter.microsoft.com/dashboard/hardware/Driver/DownloadCertificationReport/29963920/${productId}/${submissionId}`,
    );

    const signedUrl = items.get('signedPackage')!;
    expect(new URL(signedUrl).searchParams.get('sp')).toBe('r');
    const signed = await new BlobClient(signedUrl).downloadToBuffer();
    const entries = await unzip(signed);
    expect([...entries.keys()].sort()).toEqual([SIGNATURE_MANIFEST_NAME, 'package.cab'].sort());
    expect(entries.get('package.cab')!.equals(cab)).toBe(true);
    const manifest = JSON.parse(entries.get(SIGNATURE_MANIFEST_NAME)!.toString('utf8'));
    expect(manifest).toMatchObject({
      signedBy: SANDBOX_SIGNER,
      package: { fileName: 'package.cab', size: cab.length, sha256: createHash('sha256').update(cab).digest('hex') },
      subject: { productId, submissionId },
    });
    expect(manifest.signedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    // Download links are read-only.
    await expect(new BlockBlobClient(signedUrl).uploadData(Buffer.from('tampered'))).rejects.toMatchObject({ statusCode: 403 });

    const metadata = JSON.parse((await new BlobClient(items.get('driverMetadata')!).downloadToBuffer()).toString('utf8'));
    const bundles = Object.values(metadata.BundleInfoMap) as { InfInfoMap: Record<string, { OSPnPInfoMap: Record<string, object> }> }[];
    expect(bundles).toHaveLength(1);
    const driverInf = bundles[0]!.InfInfoMap['contoso.inf']!;
    // Only the OS codes the product asked to be signed for, and exactly the INF's hardware IDs under each.
    expect(Object.keys(driverInf.OSPnPInfoMap).sort()).toEqual([...OS_CODES].sort());
    for (const code of OS_CODES) expect(Object.keys(driverInf.OSPnPInfoMap[code]!)).toEqual(DEVICE_IDS);

    const after = await call(base, 'GET', `/products/${productId}`);
    expect(after.body.isCommitted).toBe(true);
  });

  it('answers only with statuses and bodies the spec documents', async () => {
    await expectResponsesMatchSpec(recorder.records);
  });
});
