/**
 * Step 4: the package goes to the submission's `initialPackage` SAS URL. Only a submission that still waits for
 * its commit takes a package: uploading to a committed one would report "uploaded" for bytes the service never
 * looks at.
 */
import { basename } from 'node:path';
import type { HdcClient } from '../../client/client.js';
import { InvalidStateError } from '../../client/errors/invalid-state-error.js';
import type { Int64Id } from '../../client/ids.js';
import type { Submission } from '../../client/resources/submissions.js';
import { downloadItem, isCommitPending } from '../../client/vocabulary.js';
import type { SigningRun } from '../signing-run.js';
import { uploadPackage, type UploadPackageOptions, type UploadPackageResult } from '../upload.js';

export interface UploadSubmissionPackageOptions extends Pick<UploadPackageOptions, 'maxSingleShotSize' | 'blockSize' | 'concurrency' | 'signal' | 'onProgress'> {
  /** The submission as just read or created (its URL is fresh); read again when absent. */
  submission?: Submission;
}

/**
 * The submission's upload URL, after checking that it still takes a package.
 * @throws InvalidStateError `AlreadyCommitted` for a committed submission, `NoUploadUrl` when it offers no URL.
 */
export function initialPackageUrl(submission: Submission): string {
  if (submission.commitStatus && !isCommitPending(submission.commitStatus)) {
    throw new InvalidStateError(
      `submission ${submission.id} is already committed (commitStatus ${submission.commitStatus}): a committed submission takes no package. Create a new submission to sign another package.`,
      { code: 'AlreadyCommitted' },
    );
  }
  const url = downloadItem(submission.downloads, 'initialPackage')?.url;
  if (!url) {
    throw new InvalidStateError(`submission ${submission.id} offers no initialPackage upload URL (commit status ${submission.commitStatus ?? 'unknown'}).`, {
      code: 'NoUploadUrl',
    });
  }
  return url;
}

/**
 * Uploads `file` to the submission (see `uploadPackage`), with its SHA-256 (the state file recognises the package by
 * it); an expired URL is replaced by reading the submission again.
 */
export async function uploadSubmissionPackage(
  client: HdcClient,
  productId: Int64Id,
  submissionId: Int64Id,
  file: string,
  options: UploadSubmissionPackageOptions = {},
): Promise<UploadPackageResult & { sha256: string }> {
  const { submission, ...transfer } = options;
  const read = (signal: AbortSignal | undefined) => client.submissions.get(productId, submissionId, { signal });
  const sasUrl = initialPackageUrl(submission ?? (await read(options.signal)));
  return uploadPackage({ ...transfer, file, sasUrl, refreshSasUrl: async (signal) => initialPackageUrl(await read(signal)), sha256: true });
}

/** The run's upload: skipped when the state file records one, else sent and recorded with its size and SHA-256. */
export async function uploadStep(run: SigningRun, submission: Submission | undefined, transfer: Pick<UploadPackageOptions, 'maxSingleShotSize' | 'blockSize' | 'concurrency'> = {}): Promise<void> {
  const { state } = run;
  if (state.upload) {
    run.skipped('upload', `${state.upload.size} bytes, SHA-256 ${state.upload.sha256} (from the state file)`);
    return;
  }
  run.started('upload');
  const file = basename(run.packagePath);
  const uploaded = await uploadSubmissionPackage(run.client, state.productId!, state.submissionId!, run.packagePath, {
    ...transfer,
    ...(submission ? { submission } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
    onProgress: ({ loadedBytes, totalBytes }) => run.emit({ kind: 'upload', loadedBytes, totalBytes, file }),
  });
  await run.record({ upload: { size: uploaded.size, sha256: uploaded.sha256 } });
  run.completed('upload', `${uploaded.size} bytes, SHA-256 ${uploaded.sha256}`);
}
