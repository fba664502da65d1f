/**
 * Downloading a signed submission's artifacts from the sandbox (real SAS URLs on Azurite): file names chosen by
 * hwdash, contents intact, the certification report pointed to rather than fetched, an expired URL replaced by
 * reading the submission again, and nothing left behind by a cancelled or refused download.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHdcClient, type HdcClient } from '../../src/client/client.js';
import { InvalidStateError } from '../../src/client/errors/invalid-state-error.js';
import { parseJson } from '../../src/client/json/lossless.js';
import type { Submission } from '../../src/client/resources/submissions.js';
import { createSasUrl } from '../../src/mock/azurite.js';
import { SECONDS_UNTIL_SIGNED, SIGNATURE_MANIFEST_NAME, type Sandbox } from '../../src/mock/sandbox/index.js';
import { downloadSubmissionArtifacts, type ArtifactDownloadProgress } from '../../src/workflow/artifacts.js';
import { ZipArchive } from '../../src/package/zip.js';
import { useSandbox } from '../sandbox/fixture.js';
import { TOKEN, driverCab, signedSubmission } from '../sandbox/support.js';

const suite = useSandbox({ manualClock: true });
let sandbox: Sandbox;
let client: HdcClient;
let submission: Submission;
let workDir: string;
const { records } = suite.recorder;
let outDirs = 0;
const newOutDir = () => join(workDir, `out-${++outDirs}`);

beforeAll(async () => {
  sandbox = suite.sandbox;
  client = createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN });
  const { productId, submissionId } = await signedSubmission(sandbox.baseUrl, suite.clock, SECONDS_UNTIL_SIGNED + 60);
  submission = await client.submissions.get(productId, submissionId);
  workDir = await mkdtemp(join(tmpdir(), 'hwdash-artifacts-'));
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('downloadSubmissionArtifacts', () => {
  it('writes the signed package and driver metadata under names of its own choosing', async () => {
    const outDir = newOutDir();
    const events: ArtifactDownloadProgress[] = [];
    const results = await downloadSubmissionArtifacts(client, submission, { outDir, onProgress: (event) => events.push(event) });

    const signedName = `signed-${submission.id}.zip`;
    const metadataName = `driver-metadata-${submission.id}.json`;
    expect((await readdir(outDir)).sort()).toEqual([metadataName, signedName]);
    expect(results.map((result) => [result.type, result.status])).toEqual([
      ['signedPackage', 'downloaded'],
      ['driverMetadata', 'downloaded'],
    ]);
    for (const result of results) {
      if (result.status !== 'downloaded') throw new Error('not downloaded');
      const bytes = await readFile(result.path);
      expect(result.size).toBe(bytes.length);
      expect(result.sha256).toBe(sha256(bytes));
    }

    // The signed zip holds the package exactly as uploaded, and a manifest naming this submission by its exact IDs.
    const zip = await ZipArchive.open(join(outDir, signedName));
    try {
      expect(zip.files.map((file) => file.path).sort()).toEqual([SIGNATURE_MANIFEST_NAME, 'package.cab']);
      const [cab, manifest] = await Promise.all([zip.readFile('package.cab'), zip.readFile(SIGNATURE_MANIFEST_NAME)]);
      expect(sha256(cab)).toBe(sha256(driverCab()));
      expect(parseJson(manifest.toString('utf8'))).toMatchObject({ subject: { productId: submission.productId, submissionId: submission.id } });
    } finally {
      await zip.close();
    }
    const metadata = JSON.parse(await readFile(join(outDir, metadataName), 'utf8'));
    const infs = Object.values(metadata.BundleInfoMap).flatMap((bundle: any) => Object.keys(bundle.InfInfoMap));
    expect(infs.sort()).toEqual(['contoso.inf', 'contoso_ext.inf']);

    expect(new Set(events.map((event) => event.file))).toEqual(new Set([signedName, metadataName]));
    const lastSigned = events.filter((event) => event.file === signedName).at(-1)!;
    expect(lastSigned.loadedBytes).toBe(lastSigned.totalBytes);
    expect(lastSigned.totalBytes).toBe(results[0]!.status === 'downloaded' ? results[0]!.size : -1);
  });

  it('points to the certification report instead of failing: it needs a browser session', async () => {
    const outDir = newOutDir();
    const [report] = await downloadSubmissionArtifacts(client, submission, { outDir, items: ['certificationReport'] });
    expect(report).toEqual({
      type: 'certificationReport',
      status: 'needsBrowser',
      url: expect.stringContaining(`/DownloadCertificationReport/29963920/${submission.productId}/${submission.id}`),
      message: expect.stringContaining('in a browser signed in to Partner Center'),
    });
    await expect(readdir(outDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('downloads nothing when an asked-for item is not offered', async () => {
    const outDir = newOutDir();
    const promise = downloadSubmissionArtifacts(client, submission, { outDir, items: ['signedPackage', 'derivedPackage'] });
    await expect(promise).rejects.toThrow(InvalidStateError);
    await expect(promise).rejects.toMatchObject({ code: 'ArtifactNotAvailable', message: expect.stringContaining(`Submission ${submission.id} offers no derivedPackage download yet`) });
    await expect(readdir(outDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('replaces an expired download URL by reading the submission again', async () => {
    const outDir = newOutDir();
    const item = submission.downloads!.items.find((candidate) => candidate.type === 'signedPackage')!;
    const [container, blobName] = new URL(item.url).pathname.split('/').slice(2);
    const expired = await createSasUrl(sandbox.azurite, container!, blobName!, { permissions: 'r', expiresOn: new Date(Date.now() - 60_000) });
    const stale: Submission = {
      ...submission,
      downloads: { ...submission.downloads!, items: submission.downloads!.items.map((candidate) => (candidate === item ? { ...candidate, url: expired } : candidate)) },
    };
    const readsBefore = records.filter((record) => record.operationId === 'getSubmission').length;

    const [signed] = await downloadSubmissionArtifacts(client, stale, { outDir, items: ['signedPackage'] });

    expect(signed).toMatchObject({ type: 'signedPackage', status: 'downloaded', path: join(outDir, `signed-${submission.id}.zip`) });
    expect(records.filter((record) => record.operationId === 'getSubmission').length).toBe(readsBefore + 1);
  });

  it('leaves no file behind when cancelled mid-download', async () => {
    const outDir = newOutDir();
    const controller = new AbortController();
    const reason = new Error('cancelled by the test');
    const promise = downloadSubmissionArtifacts(client, submission, {
      outDir,
      signal: controller.signal,
      onProgress: () => controller.abort(reason),
    });
    await expect(promise).rejects.toBe(reason);
    expect(await readdir(outDir).catch(() => [])).toEqual([]);
  });
});
