/**
 * The sandbox judged by outside clients: the bodies and calls of clients written by others for the live service
 * (a public GitHub Action, PowerShell scripts, Microsoft's P4VFS client and HardwareDevCenterManager library) are
 * accepted as the service accepts them, and a shipping label shared with another partner creates the relationship
 * that SDCM's `-translate` looks up, once its sharing completes.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { SECONDS_UNTIL_UPDATABLE, secondsUntilFinished } from '../../src/mock/sandbox/shipping-label-workflow.js';
import { DRIVER_METADATA_DELAY_SECONDS, SECONDS_UNTIL_SIGNED } from '../../src/mock/sandbox/submission-workflow.js';
import {
  ACTION_SIGNATURES,
  ACTION_SUBMISSION,
  actionProductBody,
  hdcmLibProductBody,
  hdcmLibShippingLabelBody,
  p4vfsProductBody,
  POWERSHELL_SUBMISSION,
  powerShellProductBody,
} from '../support/outside-bodies.js';
import { useSandbox } from './fixture.js';
import { call, DEVICE_IDS, driverCab, expectResponsesMatchSpec, OS_CODES, signedSubmission, waitFor } from './support.js';

const DONE = SECONDS_UNTIL_SIGNED + DRIVER_METADATA_DELAY_SECONDS;
/** The sandbox account's seller ID: the publisher of everything it shares. */
const SANDBOX_PUBLISHER = '29963920';

describe('the sandbox accepts what outside clients send', () => {
  const suite = useSandbox({ manualClock: true });
  const { clock, recorder } = suite;
  let base: string;
  beforeAll(() => {
    base = suite.base;
  });

  it('the public GitHub Action’s whole flow: trailing slashes, IDs from links[0], a plain PUT upload, an empty JSON commit', async () => {
    const product = await call(base, 'POST', '/products/', { body: actionProductBody('Contoso Action driver', ACTION_SIGNATURES) });
    expect(product.status).toBe(201);
    const productId = (product.body.links[0].href as string).split('/').slice(-1)[0]!;
    expect(productId).toBe(product.body.id);
    expect(product.body.selectedProductTypes).toEqual({});
    expect(product.body.testHarness).toBe('attestation');

    const submission = await call(base, 'POST', `/products/${productId}/submissions/`, { body: ACTION_SUBMISSION });
    expect(submission.status).toBe(201);
    const submissionId = (submission.body.links[0].href as string).split('/').slice(-1)[0]!;
    expect(submissionId).toBe(submission.body.id);

    const upload = await fetch(submission.body.downloads.items[0].url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: new Uint8Array(driverCab()) });
    expect(upload.status).toBe(201);
    const commit = await fetch(`${base}/products/${productId}/submissions/${submissionId}/commit`, {
      method: 'POST',
      headers: { Authorization: 'Bearer token', 'Content-Type': 'application/json', 'Content-Length': '0' },
    });
    expect(commit.status).toBe(202);

    clock.advance(DONE);
    const signed = await waitFor(
      () => call(base, 'GET', `/products/${productId}/submissions/${submissionId}`, { contentType: 'application/json', headers: { 'Content-Length': '0' } }),
      (response) => response.body.workflowStatus.state === 'completed' && response.body.downloads.items.some((item: { type: string }) => item.type === 'signedPackage'),
    );
    const signedUrl = signed.body.downloads.items.find((item: { type: string }) => item.type === 'signedPackage').url;
    const download = await fetch(signedUrl);
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('a PowerShell-style product (nulls, HLK, lowercase family key) and a PascalCase submission', async () => {
    const product = await call(base, 'POST', '/products', { body: powerShellProductBody('Contoso PowerShell') });
    expect(product.status).toBe(201);
    expect(product.body).toMatchObject({ testHarness: 'hlk', deviceMetadataIds: [], marketingNames: [], additionalAttributes: {}, selectedProductTypes: { windows_v100_RS4: 'Unclassified' } });
    const submission = await call(base, 'POST', `/products/${product.body.id}/submissions`, { body: POWERSHELL_SUBMISSION });
    expect(submission.status).toBe(201);
    expect(submission.body).toMatchObject({ name: 'driver', type: 'initial' });
  });

  it('Microsoft P4VFS’s PascalCase product and submission', async () => {
    const product = await call(base, 'POST', '/products', { body: p4vfsProductBody('Microsoft P4VFS') });
    expect(product.status).toBe(201);
    expect(product.body).toMatchObject({ productName: 'Microsoft P4VFS', deviceType: 'internal', testHarness: 'attestation', announcementDate: '11/19/2025 9:26:03 AM', additionalAttributes: {} });
    const submission = await call(base, 'POST', `/products/${product.body.id}/submissions`, { body: { Name: 'P4VFS_DRIVER', Type: 'Initial' } });
    expect(submission.status).toBe(201);
    expect(submission.body.type).toBe('initial');
  });

  it('HardwareDevCenterManager’s product (nulls, SVVP sizes as strings) and Windows Update label (null members, empty floor)', async () => {
    const product = await call(base, 'POST', '/products', { body: hdcmLibProductBody('Contoso HDCM') });
    expect(product.status).toBe(201);
    expect(product.body.additionalAttributes).toEqual({ svvp: { maxProcessors: 64, maxMemory: 2048 } });

    const { productId, submissionId } = await signedSubmission(base, clock, DONE);
    const metadata = await call(base, 'GET', `/products/${productId}/submissions/${submissionId}`);
    const bundleId = await bundleIdOf(metadata.body.downloads.items.find((item: { type: string }) => item.type === 'driverMetadata').url);
    const label = await call(base, 'POST', `/products/${productId}/submissions/${submissionId}/shippingLabels`, {
      body: hdcmLibShippingLabelBody([{ bundleId, infId: 'contoso.inf', operatingSystemCode: OS_CODES[0]!, pnpString: DEVICE_IDS[0]! }]),
    });
    expect(label.status).toBe(201);
    expect(label.body).toMatchObject({ destination: 'windowsUpdate', name: 'Contoso to Windows Update' });
    expect(label.body.recipientSpecifications).toBeUndefined();
  });

  it('a destination and update actions in another case', async () => {
    const { productId, submissionId } = await signedSubmission(base, clock, DONE);
    const labels = `/products/${productId}/submissions/${submissionId}/shippingLabels`;
    const shared = await call(base, 'POST', labels, { body: { name: 'share', destination: 'AnotherPartner', recipientSpecifications: { receiverPublisherId: '27691110' } } });
    expect(shared.status).toBe(201);
    expect(shared.body.destination).toBe('anotherPartner');

    const metadata = await call(base, 'GET', `/products/${productId}/submissions/${submissionId}`);
    const bundleId = await bundleIdOf(metadata.body.downloads.items.find((item: { type: string }) => item.type === 'driverMetadata').url);
    const hardwareId = { bundleId, infId: 'contoso.inf', operatingSystemCode: OS_CODES[0]!, pnpString: DEVICE_IDS[0]! };
    const published = await call(base, 'POST', labels, { body: { ...hdcmLibShippingLabelBody([hardwareId]), destination: 'WINDOWSUPDATE' } });
    expect(published.status).toBe(201);
    clock.advance(SECONDS_UNTIL_UPDATABLE);
    const update = await call(base, 'PATCH', `${labels}/${published.body.id}`, { body: { targeting: { hardwareIds: [{ action: 'Remove', ...hardwareId }] } } });
    expect(update.status).toBe(204);
    const after = await call(base, 'GET', `${labels}/${published.body.id}?includeTargetingInfo=true`);
    // Removing an ID whose addition has not been published yet withdraws it: 'Remove' was read as remove.
    expect(after.body.targeting.hardwareIds).toEqual([]);
  });

  it('every answer matches the spec', async () => {
    await expectResponsesMatchSpec(recorder.records);
  });
});

describe('a label shared with another partner creates the relationship when its sharing completes', () => {
  const suite = useSandbox({ manualClock: true });
  const { clock, recorder } = suite;
  let base: string;
  let source: { productId: string; submissionId: string };
  const relationship = (publisherId: string, productId: string, submissionId: string) =>
    call(base, 'GET', `/products/relationships/sourcepubliherid/${publisherId}/sourceproductid/${productId}/sourcesubmissionid/${submissionId}`);

  beforeAll(async () => {
    base = suite.base;
    source = await signedSubmission(base, clock, DONE);
  });

  it('nothing is shared before the label, nor while its sharing runs', async () => {
    const before = await relationship(SANDBOX_PUBLISHER, source.productId, source.submissionId);
    expect(before.status).toBe(404);
    expect(before.body.error.code).toBe('entityNotFound');

    const label = await call(base, 'POST', `/products/${source.productId}/submissions/${source.submissionId}/shippingLabels`, {
      body: { name: 'to Fabrikam', destination: 'anotherPartner', recipientSpecifications: { receiverPublisherId: '27691110', enforceChidTargeting: false } },
    });
    expect(label.status).toBe(201);
    clock.advance(secondsUntilFinished('anotherPartner') - 1);
    expect((await relationship(SANDBOX_PUBLISHER, source.productId, source.submissionId)).status).toBe(404);
  });

  it('once finalizeSharing completes, the partner’s IDs translate into this account’s, exactly', async () => {
    clock.advance(1);
    const translated = await relationship(SANDBOX_PUBLISHER, source.productId, source.submissionId);
    expect(translated.status).toBe(200);
    const { id, productId } = translated.body as { id: string; productId: string };
    expect(id).not.toBe(source.submissionId);
    expect(productId).not.toBe(source.productId);
    // IDs above 2^53 on the wire, parsed exactly: the received product is odd or even, never rounded.
    expect(BigInt(id)).toBeGreaterThan(2n ** 60n);
    expect(translated.text).toContain(`"id":${id}`);
    expect(translated.body.downloads.items.map((item: { type: string }) => item.type)).toEqual(expect.arrayContaining(['signedPackage', 'driverMetadata']));

    // The same answer twice: the relationship is made once.
    expect((await relationship(SANDBOX_PUBLISHER, source.productId, source.submissionId)).body.id).toBe(id);
    // The translated IDs work with the other operations, and the received product names its source.
    const submission = await call(base, 'GET', `/products/${productId}/submissions/${id}`);
    expect(submission.status).toBe(200);
    const product = await call(base, 'GET', `/products/${productId}`);
    expect(product.body).toMatchObject({ sourceProductId: source.productId, sourcePublisherId: SANDBOX_PUBLISHER });
    expect((await call(base, 'POST', `/products/${productId}/submissions/${id}/createpublishermetadata`)).status).toBe(202);
  });

  it('another partner’s IDs, or the wrong submission, are not found; a non-numeric publisher is refused', async () => {
    expect((await relationship('27691110', source.productId, source.submissionId)).status).toBe(404);
    expect((await relationship(SANDBOX_PUBLISHER, source.productId, String(BigInt(source.submissionId) + 1000n))).status).toBe(404);
    const bad = await relationship('contoso', source.productId, source.submissionId);
    expect(bad.status).toBe(400);
    expect(bad.body.error.validationErrors[0].target).toBe('publisherId');
  });

  it('every answer matches the spec', async () => {
    await expectResponsesMatchSpec(recorder.records);
  });
});

async function bundleIdOf(metadataUrl: string): Promise<string> {
  const metadata = (await (await fetch(metadataUrl)).json()) as { BundleInfoMap: Record<string, unknown> };
  return Object.keys(metadata.BundleInfoMap)[0]!;
}
