/**
 * What happens to a committed submission's package: it is read back from the upload SAS blob, checked like the
 * service's packageInfoValidation would (preflight rules, INF files), its driver metadata is extracted, and it is
 * "signed". The outcome is recorded; the workflow clock decides when clients get to see it.
 */
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { redactText } from '../../client/redact.js';
import { driverMetadataFromPackage } from '../../package/driver-metadata.js';
import { PackageFormatError } from '../../package/package-format-error.js';
import { sniffFile } from '../../package/package-reader.js';
import { preflightPackage } from '../../package/preflight.js';
import { INGESTION_CONTAINER, SIGNED_CONTAINER, type SandboxBlobs } from './blob-storage.js';
import { judgeDchu } from './dchu.js';
import { forcedIngestionFailure, type SandboxFailures } from './failures.js';
import { newGuid } from './ids.js';
import { signPackage } from './signer.js';
import type { IngestionResult, ProductRecord, SubmissionRecord } from './store.js';
import type { PreflightHarness } from '../../package/preflight.js';

export const MISSING_PACKAGE_MESSAGE =
  'No package was uploaded for this submission. Upload the package to the initialPackage URL before committing.';
export const EMPTY_PACKAGE_MESSAGE = 'The uploaded package is empty. Upload the package again and create a new submission.';

export interface IngestionInput {
  blobs: SandboxBlobs;
  submission: SubmissionRecord;
  product: ProductRecord;
  failures: SandboxFailures;
  signedAt: string;
}

/** Never rejects: whatever goes wrong becomes a failed packageInfoValidation with a message saying what. */
export async function ingestSubmission(input: IngestionInput): Promise<IngestionResult> {
  const workDir = await mkdtemp(join(tmpdir(), 'hwdash-sandbox-'));
  try {
    return await ingest(input, workDir);
  } catch (error) {
    const message = withoutWorkDir(redactText(error instanceof Error ? error.message : String(error)), workDir);
    return packageRejected([error instanceof PackageFormatError ? message : `The sandbox could not process the package: ${message}`]);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Why a package with a co-installer is refused (develop/removing-coinstallers.md). */
export function coInstallerMessage(infPath: string): string {
  return `${infPath} installs a co-installer. Since January 2023, driver packages containing a co-installer are no longer signed (policy Device.DevFund.INF.Declarative); remove the DDInstall.CoInstallers section.`;
}

/** Messages name the file they are about; the client knows it by its upload, not by the sandbox's temp path. */
function withoutWorkDir(message: string, workDir: string): string {
  return message.replaceAll(`${workDir}/`, '');
}

function packageRejected(messages: string[]): IngestionResult {
  return { outcome: { failed: true, step: 'packageInfoValidation', messages }, isExtensionInf: false, isUniversal: false, isDeclarativeInf: false };
}

const HARNESSES: readonly string[] = ['attestation', 'hlk', 'hck'] satisfies PreflightHarness[];

/**
 * The upload carries no file name, and the preflight rules read the harness from it: name it after its content and
 * the product's test harness, as the user's file would have been (`.cab`, `.hlkx`, `.hckx`, or a zipped folder).
 */
async function packageFileName(path: string, harness: PreflightHarness | undefined): Promise<string> {
  const format = await sniffFile(path);
  if (format === 'zip' && (harness === 'hlk' || harness === 'hck')) return `package.${harness}x`;
  return format === 'unknown' ? 'package.bin' : `package.${format}`;
}

async function ingest({ blobs, submission, product, failures, signedAt }: IngestionInput, workDir: string): Promise<IngestionResult> {
  const size = await blobs.size(INGESTION_CONTAINER, submission.packageBlob);
  if (size === undefined) return packageRejected([MISSING_PACKAGE_MESSAGE]);
  if (size === 0) return packageRejected([EMPTY_PACKAGE_MESSAGE]);

  const downloaded = join(workDir, 'upload');
  await blobs.downloadToFile(INGESTION_CONTAINER, submission.packageBlob, downloaded);
  const harness = HARNESSES.includes(product.testHarness) ? (product.testHarness as PreflightHarness) : undefined;
  const fileName = await packageFileName(downloaded, harness);
  const packagePath = join(workDir, fileName);
  await rename(downloaded, packagePath);

  const preflight = await preflightPackage(packagePath, { harness });
  if (!preflight.ok) return packageRejected(preflight.problems.map((problem) => withoutWorkDir(problem.message, workDir)));

  // The service reports metadata only for the OS codes it signed: the product's requestedSignatures.
  const driverMetadata = await driverMetadataFromPackage(packagePath, { operatingSystemCodes: product.requestedSignatures });
  const isExtensionInf = Object.values(driverMetadata.BundleInfoMap).some((bundle) =>
    Object.values(bundle.InfInfoMap).some((inf) => inf.ExtensionId !== null),
  );
  const { isUniversal, isDeclarativeInf, coInstallerInfs } = await judgeDchu(packagePath);
  if (coInstallerInfs.length > 0) return packageRejected(coInstallerInfs.map(coInstallerMessage));
  const judged = { isExtensionInf, isUniversal, isDeclarativeInf, driverMetadata };
  const forced = forcedIngestionFailure(failures);
  if (forced) return { outcome: { failed: true, ...forced }, ...judged };

  const { zip } = await signPackage(packagePath, fileName, { productId: submission.productId, submissionId: submission.id }, signedAt);
  const signedPackageBlob = `${newGuid()}.zip`;
  await blobs.upload(SIGNED_CONTAINER, signedPackageBlob, zip, 'application/zip');
  const driverMetadataBlob = `${newGuid()}.json`;
  await blobs.upload(SIGNED_CONTAINER, driverMetadataBlob, Readable.from([JSON.stringify(driverMetadata, null, 2)]), 'application/json');
  return { outcome: { failed: false }, signedPackageBlob, driverMetadataBlob, ...judged };
}
