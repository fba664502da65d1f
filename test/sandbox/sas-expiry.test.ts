/**
 * SAS URLs that expire on the sandbox's scaled clock (`sasLifetime`, in sandbox minutes): Azurite refuses them once
 * expired, a fresh GET of the submission hands out fresh ones, and hwdash's upload and download recover by that read.
 * The waits are for real expiry, bounded generously; nothing asserts how long anything took.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BlobClient, BlockBlobClient, RestError } from '@azure/storage-blob';
import { createHdcClient, type HdcClient } from '../../src/client/client.js';
import type { Sandbox } from '../../src/mock/sandbox/index.js';
import { downloadSubmissionArtifacts } from '../../src/workflow/artifacts.js';
import { uploadPackage } from '../../src/workflow/upload.js';
import { useSandbox } from './fixture.js';
import { call, driverCab, newProductBody, TOKEN, waitFor, type ApiResponse } from './support.js';

/** Sandbox seconds per real second. */
const SPEED = 60;
/** Sandbox minutes: at speed 60, five real seconds. */
const LIFETIME_MINUTES = 5;
const LIFETIME_MS = (LIFETIME_MINUTES * 60_000) / SPEED;
/** How long to wait for a URL to expire: its lifetime, plus plenty for a busy machine. */
const EXPIRY_WAIT_MS = LIFETIME_MS + 30_000;

/** The storage status of a request with the URL: 201/200 when accepted, the refusal's status otherwise. */
async function statusOf(request: Promise<unknown>): Promise<{ status: number; code?: string }> {
  try {
    await request;
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof RestError)) throw error;
    return { status: error.statusCode ?? 0, code: error.code };
  }
}

const urlOf = (submission: ApiResponse, type: string): string => submission.body.downloads.items.find((item: { type: string }) => item.type === type).url;

describe('sandbox SAS URL lifetime', () => {
  const suite = useSandbox({ speed: SPEED, sasLifetime: LIFETIME_MINUTES, token: TOKEN });
  let sandbox: Sandbox;
  let client: HdcClient;
  let dir: string;
  let packagePath: string;

  beforeAll(async () => {
    sandbox = suite.sandbox;
    client = createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN });
    dir = await mkdtemp(join(tmpdir(), 'hwdash-sas-expiry-'));
    packagePath = join(dir, 'contoso.cab');
    await writeFile(packagePath, driverCab());
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const newSubmission = async (): Promise<{ productId: string; submission: ApiResponse }> => {
    const productId: string = (await call(sandbox.baseUrl, 'POST', '/products', { body: newProductBody() })).body.id;
    const submission = await call(sandbox.baseUrl, 'POST', `/products/${productId}/submissions`, { body: { name: 's', type: 'initial' } });
    return { productId, submission };
  };
  const read = (productId: string, submissionId: string): Promise<ApiResponse> => call(sandbox.baseUrl, 'GET', `/products/${productId}/submissions/${submissionId}`);

  it('scales the lifetime by the clock, refuses an expired upload URL, and hands out a fresh one on GET', async () => {
    const before = Date.now();
    const { productId, submission } = await newSubmission();
    const after = Date.now();
    const uploadUrl = urlOf(submission, 'initialPackage');
    const expires = Date.parse(new URL(uploadUrl).searchParams.get('se')!);
    // `se` has whole seconds: the lifetime from the moment of the create, truncated.
    expect(expires).toBeGreaterThan(before + LIFETIME_MS - 1000);
    expect(expires).toBeLessThanOrEqual(after + LIFETIME_MS);

    const upload = (url: string) => statusOf(new BlockBlobClient(url).uploadData(Buffer.from('MSCF')));
    const refused = await waitFor(() => upload(uploadUrl), (outcome) => outcome.status !== 201 && outcome.status !== 200, EXPIRY_WAIT_MS);
    // Azure says AuthenticationFailed for an expired SAS; Azurite says AuthorizationFailure.
    expect(refused).toEqual({ status: 403, code: 'AuthorizationFailure' });

    const fresh = urlOf(await read(productId, submission.body.id), 'initialPackage');
    expect(fresh).not.toBe(uploadUrl);
    expect(await upload(fresh)).toEqual({ status: 200 });
  });

  it('hwdash recovers: the upload and the download read the submission again for fresh URLs', async () => {
    const { productId, submission } = await newSubmission();
    const submissionId: string = submission.body.id;
    const expiredUpload = urlOf(submission, 'initialPackage');
    await waitFor(() => statusOf(new BlobClient(expiredUpload).getProperties()), (outcome) => outcome.status === 403, EXPIRY_WAIT_MS);

    let refreshes = 0;
    const uploaded = await uploadPackage({
      file: packagePath,
      sasUrl: expiredUpload,
      sha256: true,
      refreshSasUrl: async () => {
        refreshes += 1;
        return urlOf(await read(productId, submissionId), 'initialPackage');
      },
    });
    expect(refreshes).toBe(1);
    expect(uploaded.sha256).toBe(createHash('sha256').update(driverCab()).digest('hex'));

    expect((await call(sandbox.baseUrl, 'POST', `/products/${productId}/submissions/${submissionId}/commit`)).status).toBe(202);
    await waitFor(() => read(productId, submissionId), (response) => response.body.downloads.items.some((item: { type: string }) => item.type === 'signedPackage'));
    const signed = await client.submissions.get(productId, submissionId);
    const signedUrl = signed.downloads!.items.find((item) => item.type === 'signedPackage')!.url;
    await waitFor(() => statusOf(new BlobClient(signedUrl).getProperties()), (outcome) => outcome.status === 403, EXPIRY_WAIT_MS);

    const outDir = join(dir, 'out');
    const [result] = await downloadSubmissionArtifacts(client, signed, { outDir, items: ['signedPackage'] });
    expect(result).toMatchObject({ type: 'signedPackage', status: 'downloaded', path: join(outDir, `signed-${submissionId}.zip`) });
    expect((await readFile(join(outDir, `signed-${submissionId}.zip`))).subarray(0, 2).toString('latin1')).toBe('PK');
  });
});
