/**
 * Preproduction signing (v2.0 only): the package goes to the API itself in one streamed PUT, the service signs it,
 * and the signed files come back as `SignedFilesZip` assets downloaded through the API (no SAS URLs involved).
 */
import { createHash } from 'node:crypto';
import { rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { HdcClient } from '../client/client.js';
import { HdcError } from '../client/errors/hdc-error.js';
import { restate } from '../client/errors/restate.js';
import { isAmbiguousFailure } from '../client/pipeline/retry.js';
import { toSegment } from '../client/ids.js';
import type { PreprodAsset, PreprodPackage } from '../client/resources/preprod.js';
import { partialFilePath } from './atomic-file.js';
import { writeStreamToFile } from './download.js';
import { DownloadError } from './download-error.js';
import { assertPreflight, type PreflightOptions } from '../package/preflight.js';
import { waitForPreprodPackage, type WaitOptions } from './wait.js';

export interface PreprodDownloadOptions {
  /** Folder to write the signed files to; created if needed. */
  outDir: string;
  signal?: AbortSignal;
  onProgress?: (event: { kind: 'download'; loadedBytes: number; totalBytes: number; file?: string }) => void;
}

export interface PreprodAssetFile {
  assetId: string;
  assetType: string | undefined;
  /** Absolute path of the written file. */
  path: string;
  size: number;
  /** SHA-256 of the file, lowercase hex; equal to the asset's `contentHash` when the service sent one. */
  sha256: string;
}

export interface SignPreprodPackageOptions extends PreprodDownloadOptions, Omit<WaitOptions, 'signal' | 'onEvent'> {
  /** Path of the EV-signed CAB to sign. */
  package: string;
  /** Preflight checks run before anything is sent. @default { harness: 'attestation' } */
  preflight?: PreflightOptions;
  /** Every change of `signingStatus`, as the wait sees it. */
  onEvent?: WaitOptions['onEvent'];
}

export interface SignPreprodPackageResult {
  packageId: string;
  /** The package as the service last reported it (`signingStatus` `Succeeded`). */
  package: PreprodPackage;
  files: PreprodAssetFile[];
}

/**
 * Submits a package for preproduction signing after checking it locally. The file is streamed from disk, so its size
 * does not matter to memory; there is no upload progress, as the body goes out in one request.
 */
export async function submitPreprodPackage(
  client: HdcClient,
  packagePath: string,
  options: { signal?: AbortSignal; preflight?: PreflightOptions } = {},
): Promise<PreprodPackage> {
  await assertPreflight(packagePath, options.preflight ?? { harness: 'attestation' });
  options.signal?.throwIfAborted();
  try {
    return await client.preprod.submit(resolve(packagePath), options.signal ? { signal: options.signal } : {});
  } catch (error) {
    // Unlike products and submissions, preprod packages cannot be listed, so a lost answer cannot be settled by a
    // lookup: say so rather than let a rerun sign the package twice unknowingly.
    if (!(error instanceof HdcError) || !isAmbiguousFailure(error)) throw error;
    throw restate(error, `${error.message}. The package may have been submitted anyway: the preprod API cannot list packages, so check the dashboard before submitting it again.`);
  }
}

/** The asset IDs are the service's strings; only safe characters of them go into a file name. */
export function preprodAssetFileName(packageId: string, assetId: string): string {
  const safe = (id: string) => id.replace(/[^A-Za-z0-9-]/g, '_').slice(0, 80);
  return `preprod-${safe(packageId)}-${safe(assetId)}.zip`;
}

/**
 * Downloads every asset of a signed preproduction package into `outDir`. Each file is checked against the asset's
 * `contentHash` before it gets its final name, so a corrupted download never looks like a signed file.
 */
export async function downloadPreprodAssets(client: HdcClient, packageId: string, options: PreprodDownloadOptions): Promise<PreprodAssetFile[]> {
  const id = toSegment('packageId', packageId);
  const call = options.signal ? { signal: options.signal } : {};
  const assets = await client.preprod.assets(id, call);
  const files: PreprodAssetFile[] = [];
  for (const asset of assets) files.push(await downloadAsset(client, id, asset, options));
  return files;
}

async function downloadAsset(client: HdcClient, packageId: string, asset: PreprodAsset, options: PreprodDownloadOptions): Promise<PreprodAssetFile> {
  const file = preprodAssetFileName(packageId, asset.id);
  const dest = join(resolve(options.outDir), file);
  // Written under a hidden name first: the final name appears only once the content hash has matched.
  const unverified = partialFilePath(dest);
  const download = await client.preprod.downloadAsset(packageId, asset.id, options.signal ? { signal: options.signal } : {});
  const onProgress = options.onProgress;
  let written;
  try {
    written = await writeStreamToFile(download.body, unverified, {
      ...(download.contentLength === undefined ? {} : { expectedLength: download.contentLength }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onProgress
        ? {
            onProgress: ({ loadedBytes, totalBytes }) => {
              if (totalBytes !== undefined) onProgress({ kind: 'download', loadedBytes, totalBytes, file });
            },
          }
        : {}),
    });
    if (asset.contentHash && !sameHash(asset.contentHash, written.sha256)) {
      throw new DownloadError(
        `The signed files of preproduction package ${packageId} (asset ${asset.id}) do not match their content hash: got SHA-256 ${written.sha256}, the service says ${asset.contentHash}. Nothing was kept; download again.`,
        { dest, code: 'ContentHashMismatch' },
      );
    }
    await rename(written.path, dest);
  } catch (error) {
    if (written) await unlink(written.path).catch(() => undefined);
    throw error;
  }
  return { assetId: asset.id, assetType: asset.assetType, path: dest, size: written.size, sha256: written.sha256 };
}

/** `contentHash` is documented only as "SHA-256 hash": accept it as hex or base64. */
function sameHash(contentHash: string, sha256Hex: string): boolean {
  const expected = contentHash.trim();
  if (/^[0-9a-f]{64}$/i.test(expected)) return expected.toLowerCase() === sha256Hex;
  return expected === Buffer.from(sha256Hex, 'hex').toString('base64');
}

/**
 * The whole preproduction flow: preflight, submit (streamed PUT), wait for `signingStatus` `Succeeded`, download
 * the signed files.
 *
 * @throws PreflightError before anything is sent, when the package would be rejected.
 * @throws WorkflowFailedError when signing fails, with the service's `error.message`.
 */
export async function signPreprodPackage(client: HdcClient, options: SignPreprodPackageOptions): Promise<SignPreprodPackageResult> {
  const { package: packagePath, outDir, signal, onProgress, preflight, ...wait } = options;
  const submitted = await submitPreprodPackage(client, packagePath, { ...(signal ? { signal } : {}), ...(preflight ? { preflight } : {}) });
  const signed = await waitForPreprodPackage(client, submitted.id, { ...wait, ...(signal ? { signal } : {}) });
  const files = await downloadPreprodAssets(client, submitted.id, { outDir, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
  return { packageId: submitted.id, package: signed, files };
}
