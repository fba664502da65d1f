/**
 * Fields and rules of products and submissions beyond the signing flow, each from a source: who created a resource
 * and when (Microsoft's client library, HDCM-lib), isDeclarativeInf and isUniversal (get-product-data.md), the
 * derivedPackage shell (get-a-submission.md) and the products that cannot have derived submissions (SDCM issue #69),
 * and co-installers, which the service no longer signs (develop/removing-coinstallers.md).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { BlobClient, BlockBlobClient } from '@azure/storage-blob';
import { ANONYMOUS_CALLER } from '../../src/mock/sandbox/caller.js';
import { coInstallerMessage } from '../../src/mock/sandbox/ingestion.js';
import { DERIVED_NOT_ALLOWED_MESSAGE } from '../../src/mock/sandbox/submissions.js';
import { DRIVER_METADATA_DELAY_SECONDS, SECONDS_UNTIL_SIGNED } from '../../src/mock/sandbox/submission-workflow.js';
import { useSandbox } from './fixture.js';
import { call, driverCab, driverHlkx, expectResponsesMatchSpec, legacyDriverCab, newProductBody, waitFor, type ApiResponse } from './support.js';

const DONE = SECONDS_UNTIL_SIGNED + DRIVER_METADATA_DELAY_SECONDS;

/** An unsigned JWT with these claims: the sandbox reads who is calling from the token, as the service does. */
function tokenFor(claims: Record<string, string>): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('sandbox resources', () => {
  const suite = useSandbox({ ownAzurite: true, manualClock: true });
  const { clock, recorder } = suite;
  let base: string;
  beforeAll(() => {
    base = suite.base;
  });

  const createProduct = async (overrides: Record<string, unknown> = {}, token?: string): Promise<string> =>
    (await call(base, 'POST', '/products', { body: newProductBody(overrides), token })).body.id;
  const createSubmission = (productId: string, type = 'initial', token?: string): Promise<ApiResponse> =>
    call(base, 'POST', `/products/${productId}/submissions`, { body: { name: type, type }, token });
  const getSubmission = (productId: string, submissionId: string): Promise<ApiResponse> => call(base, 'GET', `/products/${productId}/submissions/${submissionId}`);
  /** Uploads, commits and runs the clock past the workflow; resolves with the submission once it signed or failed. */
  const ingest = async (productId: string, submission: ApiResponse, bytes: Buffer): Promise<ApiResponse> => {
    await new BlockBlobClient(submission.body.downloads.items[0].url).uploadData(bytes);
    expect((await call(base, 'POST', `/products/${productId}/submissions/${submission.body.id}/commit`)).status).toBe(202);
    clock.advance(DONE);
    return waitFor(
      () => getSubmission(productId, submission.body.id),
      (response) => response.body.workflowStatus.state === 'failed' || response.body.downloads.items.some((item: { type: string }) => item.type === 'driverMetadata'),
    );
  };
  const itemTypes = (response: ApiResponse): string[] => response.body.downloads.items.map((item: { type: string }) => item.type);

  describe('who and when', () => {
    it('records the calling app and the sandbox time on products (created and updated) and submissions (created)', async () => {
      const createdAt = new Date(clock.time).toISOString();
      const productId = await createProduct({}, tokenFor({ appid: '11111111-2222-3333-4444-555555555555', oid: 'ignored' }));
      const product = await call(base, 'GET', `/products/${productId}`);
      expect(product.body).toMatchObject({
        createdBy: '11111111-2222-3333-4444-555555555555',
        updatedBy: '11111111-2222-3333-4444-555555555555',
        createdDateTime: createdAt,
        updatedDateTime: createdAt,
      });

      clock.advance(90);
      const submission = await createSubmission(productId, 'initial', tokenFor({ azp: 'v2-client-id' }));
      expect(submission.body).toMatchObject({ createdBy: 'v2-client-id', createdDateTime: new Date(clock.time).toISOString() });

      clock.advance(30);
      expect((await call(base, 'PATCH', `/products/${productId}`, { body: { marketingNames: ['Renamed'] } })).status).toBe(204);
      expect((await call(base, 'GET', `/products/${productId}`)).body).toMatchObject({
        createdBy: '11111111-2222-3333-4444-555555555555',
        createdDateTime: createdAt,
        updatedBy: ANONYMOUS_CALLER,
        updatedDateTime: new Date(clock.time).toISOString(),
      });
    });
  });

  describe('isDeclarativeInf and isUniversal', () => {
    it('are false until the package has been examined, then say whether the driver is declarative and universal', async () => {
      const productId = await createProduct();
      const created = await createSubmission(productId);
      expect(created.body).toMatchObject({ isDeclarativeInf: false, isUniversal: false, isExtensionInf: false });
      const signed = await ingest(productId, created, driverCab());
      expect(signed.body).toMatchObject({ isDeclarativeInf: true, isUniversal: true, isExtensionInf: true });
      const listed = await call(base, 'GET', `/products/${productId}/submissions`);
      expect(listed.body.value[0]).toMatchObject({ isDeclarativeInf: true, isUniversal: true });
    });

    it('are false for a driver with non-declarative directives and a desktop-only binary, which is still signed', async () => {
      const productId = await createProduct();
      const signed = await ingest(productId, await createSubmission(productId), legacyDriverCab());
      expect(signed.body.workflowStatus).toEqual({ currentStep: 'finalizeIngestion', state: 'completed', messages: [] });
      expect(signed.body).toMatchObject({ isDeclarativeInf: false, isUniversal: false, isExtensionInf: false });
    });

    it('refuses to sign a package that installs a co-installer', async () => {
      const productId = await createProduct();
      const failed = await ingest(productId, await createSubmission(productId), legacyDriverCab({ coInstaller: true }));
      expect(failed.body.workflowStatus).toEqual({ currentStep: 'packageInfoValidation', state: 'failed', messages: [coInstallerMessage('legacy/legacy.inf')] });
    });
  });

  describe('derived submissions', () => {
    it.each([
      ['an attestation product', { testHarness: 'Attestation' }],
      ['a test-signed HLK product', { testHarness: 'HLK', isTestSign: true }],
    ])('are refused for %s, with the service\'s words (SDCM issue #69)', async (_case, overrides) => {
      const productId = await createProduct(overrides);
      await createSubmission(productId);
      const derived = await createSubmission(productId, 'derived');
      expect([derived.status, derived.body.error]).toEqual([400, { code: 'invalidInput', message: DERIVED_NOT_ALLOWED_MESSAGE, validationErrors: [] }]);
    });

    it('are refused once the initial submission turned out to be an extension INF', async () => {
      const productId = await createProduct({ testHarness: 'HLK' });
      const signed = await ingest(productId, await createSubmission(productId), await driverHlkx({ extension: true }));
      expect(signed.body.isExtensionInf).toBe(true);
      expect(itemTypes(signed)).toEqual(['initialPackage', 'signedPackage', 'certificationReport', 'driverMetadata']);
      expect((await createSubmission(productId, 'derived')).body.error.message).toBe(DERIVED_NOT_ALLOWED_MESSAGE);
    });

    it('start from the derivedPackage shell a signed HLK submission offers; a derived submission gets its own upload URL', async () => {
      const productId = await createProduct({ testHarness: 'HLK' });
      const hlkx = await driverHlkx();
      const signed = await ingest(productId, await createSubmission(productId), hlkx);
      expect(signed.body.workflowStatus.state).toBe('completed');
      expect(itemTypes(signed)).toEqual(['initialPackage', 'derivedPackage', 'signedPackage', 'certificationReport', 'driverMetadata']);
      const shellUrl: string = signed.body.downloads.items[1].url;
      expect(new URL(shellUrl).searchParams.get('sp')).toBe('r');
      expect((await new BlobClient(shellUrl).downloadToBuffer()).equals(hlkx)).toBe(true);

      const derived = await createSubmission(productId, 'derived');
      expect(derived.status).toBe(201);
      expect(derived.body).toMatchObject({ type: 'derived', commitStatus: 'commitPending' });
      expect(itemTypes(derived)).toEqual(['initialPackage']);
      expect(new URL(derived.body.downloads.items[0].url).searchParams.get('sp')).toBe('rcw');
      const derivedSigned = await ingest(productId, derived, hlkx);
      expect(itemTypes(derivedSigned)).toEqual(['initialPackage', 'derivedPackage', 'signedPackage', 'certificationReport', 'driverMetadata']);
    });
  });

  it('answers only with statuses and bodies the spec documents', async () => {
    await expectResponsesMatchSpec(recorder.records);
  });
});
