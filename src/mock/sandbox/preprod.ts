/**
 * Preproduction signing routes (v2.0 only): PUT the raw package, poll its signingStatus, then list, read and
 * download its SignedFilesZip asset through the API itself (no SAS URL here).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { redactText } from '../../client/redact.js';
import { sniffFormat } from '../../package/package-reader.js';
import { PREPROD_CONTAINER } from './blob-storage.js';
import type { SandboxEnvironment } from './environment.js';
import { entityNotFound, invalidInput } from './errors.js';
import { newGuid } from './ids.js';
import { pageOf } from './paging.js';
import type { Route } from './router.js';
import { signPackage } from './signer.js';
import type { PreprodAssetRecord, PreprodPackageRecord } from './store.js';

/** Sandbox seconds a package stays in Processing. */
export const PREPROD_SIGNING_SECONDS = 10;

export const NOT_A_PACKAGE_MESSAGE = 'The package is neither a CAB nor a ZIP file. Submit the EV-signed CAB, as for an attestation submission.';

type SigningStatus = 'Processing' | 'Succeeded' | 'Failed';

function packageBlob(record: PreprodPackageRecord): string {
  return `${record.id}/package`;
}

function signingStatus(environment: SandboxEnvironment, record: PreprodPackageRecord): SigningStatus {
  if (!record.signing || environment.clock.secondsSince(record.submittedAt) < PREPROD_SIGNING_SECONDS) return 'Processing';
  return 'asset' in record.signing ? 'Succeeded' : 'Failed';
}

function assetsOf(environment: SandboxEnvironment, record: PreprodPackageRecord): PreprodAssetRecord[] {
  return signingStatus(environment, record) === 'Succeeded' && record.signing && 'asset' in record.signing ? [record.signing.asset] : [];
}

function assetBody(record: PreprodPackageRecord, asset: PreprodAssetRecord): Record<string, unknown> {
  return { id: asset.id, packageId: record.id, assetType: 'SignedFilesZip', createdDate: asset.createdDate, contentHash: asset.contentHash };
}

function packageBody(environment: SandboxEnvironment, record: PreprodPackageRecord, withAssets: boolean): Record<string, unknown> {
  const status = signingStatus(environment, record);
  return {
    id: record.id,
    etag: record.etag,
    lastModified: record.lastModified,
    signingStatus: status,
    ...(status === 'Failed' && record.signing && 'error' in record.signing ? { error: { message: record.signing.error } } : {}),
    ...(withAssets ? { assets: assetsOf(environment, record).map((asset) => assetBody(record, asset)) } : {}),
  };
}

function findAsset(environment: SandboxEnvironment, record: PreprodPackageRecord, assetId: string): PreprodAssetRecord {
  const asset = assetsOf(environment, record).find((candidate) => candidate.id === assetId);
  if (!asset) throw entityNotFound('Asset not found');
  return asset;
}

/** Pipes `source` through a pass-through that hashes and counts the bytes and keeps the first four (the file magic). */
function measured(source: Readable): { stream: Transform; result: () => { sha256: string; size: number; magic: Buffer } } {
  const hash = createHash('sha256');
  let size = 0;
  let magic = Buffer.alloc(0);
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      if (magic.length < 4) magic = Buffer.concat([magic, chunk.subarray(0, 4 - magic.length)]);
      callback(null, chunk);
    },
  });
  source.on('error', (error) => stream.destroy(error));
  source.pipe(stream);
  return { stream, result: () => ({ sha256: hash.digest('hex'), size, magic }) };
}

/**
 * Builds the SignedFilesZip asset, or records why the package can't be signed. Either way the package as submitted is
 * dropped afterwards: the API never serves it again, and the blob store should not grow with it.
 */
async function signPreprodPackage(environment: SandboxEnvironment, record: PreprodPackageRecord, magic: Buffer): Promise<void> {
  try {
    await sign(environment, record, magic);
  } finally {
    await environment.blobs.remove(PREPROD_CONTAINER, packageBlob(record));
  }
}

async function sign(environment: SandboxEnvironment, record: PreprodPackageRecord, magic: Buffer): Promise<void> {
  const { blobs, clock } = environment;
  const format = sniffFormat(magic);
  if (format === 'unknown') {
    record.signing = { error: NOT_A_PACKAGE_MESSAGE };
    return;
  }
  const fileName = `package.${format}`;
  const workDir = await mkdtemp(join(tmpdir(), 'hwdash-sandbox-preprod-'));
  try {
    const packagePath = join(workDir, fileName);
    await blobs.downloadToFile(PREPROD_CONTAINER, packageBlob(record), packagePath);
    const { zip } = await signPackage(packagePath, fileName, { preprodPackageId: record.id }, clock.iso());
    const signed = measured(zip);
    const assetId = newGuid();
    const blobName = `${record.id}/${assetId}.zip`;
    await blobs.upload(PREPROD_CONTAINER, blobName, signed.stream, 'application/zip');
    const { sha256, size } = signed.result();
    record.signing = { asset: { id: assetId, blobName, createdDate: clock.iso(), contentHash: sha256, size } };
  } catch (error) {
    record.signing = { error: `The sandbox could not sign the package: ${redactText(error instanceof Error ? error.message : String(error))}` };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

export function preprodRoutes(environment: SandboxEnvironment): Route[] {
  const { store, blobs, clock, background } = environment;
  const v2Only = ['v2.0'] as const;
  return [
    {
      method: 'PUT',
      path: '/preprod/packages',
      operationId: 'submitPreprodPackage',
      body: 'binary',
      versions: v2Only,
      async handle(context) {
        const id = newGuid();
        const record: PreprodPackageRecord = { id, etag: '', lastModified: '', submittedAt: clock.now() };
        const upload = measured(context.request);
        const etag = await blobs.upload(PREPROD_CONTAINER, packageBlob(record), upload.stream, 'application/octet-stream');
        const { size, magic } = upload.result();
        if (size === 0) {
          await blobs.remove(PREPROD_CONTAINER, packageBlob(record));
          throw invalidInput('The request body is empty; send the package bytes as application/octet-stream.');
        }
        record.etag = etag;
        record.lastModified = clock.iso();
        store.preprodPackages.set(id, record);
        background.run(() => signPreprodPackage(environment, record, magic));
        return { status: 200, json: packageBody(environment, record, false) };
      },
    },
    {
      method: 'GET',
      path: '/preprod/packages/{packageId}',
      operationId: 'getPreprodPackage',
      body: 'none',
      versions: v2Only,
      handle(context) {
        return { status: 200, json: packageBody(environment, store.preprodPackage(context.params.packageId!), true) };
      },
    },
    {
      method: 'GET',
      path: '/preprod/packages/{packageId}/assets',
      operationId: 'listPreprodPackageAssets',
      body: 'none',
      versions: v2Only,
      handle(context) {
        const record = store.preprodPackage(context.params.packageId!);
        const page = pageOf(assetsOf(environment, record), context.query, environment.pageSize, `${context.apiBase}/preprod/packages/${record.id}/assets`);
        return { status: 200, json: { value: page.value.map((asset) => assetBody(record, asset)), links: page.links } };
      },
    },
    {
      method: 'GET',
      path: '/preprod/packages/{packageId}/assets/{assetId}',
      operationId: 'getPreprodPackageAsset',
      body: 'none',
      versions: v2Only,
      handle(context) {
        const record = store.preprodPackage(context.params.packageId!);
        return { status: 200, json: assetBody(record, findAsset(environment, record, context.params.assetId!)) };
      },
    },
    {
      method: 'GET',
      path: '/preprod/packages/{packageId}/assets/{assetId}/download',
      operationId: 'downloadPreprodPackageAsset',
      body: 'none',
      versions: v2Only,
      async handle(context) {
        const record = store.preprodPackage(context.params.packageId!);
        const asset = findAsset(environment, record, context.params.assetId!);
        return {
          status: 200,
          stream: await blobs.openRead(PREPROD_CONTAINER, asset.blobName),
          contentType: 'application/octet-stream',
          headers: { 'Content-Length': String(asset.size), 'Content-Disposition': `attachment; filename="${asset.id}.zip"` },
        };
      },
    },
  ];
}
