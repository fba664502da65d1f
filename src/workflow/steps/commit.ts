/**
 * Step 5: the commit. A product has one initial submission, and a commit without a package burns it, so the commit
 * is refused unless the package is on the upload URL (a HEAD on the blob), or the caller forces it.
 */
import type { HdcClient } from '../../client/client.js';
import { InvalidStateError } from '../../client/errors/invalid-state-error.js';
import type { Int64Id } from '../../client/ids.js';
import type { CommitOutcome } from '../../client/resources/commit.js';
import type { Submission } from '../../client/resources/submissions.js';
import { isCommitPending, isCommitted } from '../../client/vocabulary.js';
import { blobPipeline, describeBlobFailure, parseSasUrl, storageSdk } from '../blob-storage.js';
import type { SigningRun } from '../signing-run.js';
import { initialPackageUrl } from './upload.js';

export interface CommitSubmissionOptions {
  signal?: AbortSignal;
  /** Commit without checking that the package was uploaded. */
  force?: boolean;
  /** The submission as just read; read again when absent. */
  submission?: Submission;
}

/**
 * Commits the submission after checking that it is pending and (unless `force`) that its package is uploaded.
 * @throws InvalidStateError `AlreadyCommitted`, or `PackageNotUploaded` (nothing at the upload URL, or an empty blob).
 */
export async function commitSubmissionPackage(client: HdcClient, productId: Int64Id, submissionId: Int64Id, options: CommitSubmissionOptions = {}): Promise<CommitOutcome> {
  const { signal } = options;
  const submission = options.submission ?? (await client.submissions.get(productId, submissionId, { signal }));
  if (submission.commitStatus && !isCommitPending(submission.commitStatus)) {
    throw new InvalidStateError(`submission ${submissionId} is already committed (commitStatus ${submission.commitStatus}); only pending submissions can be committed.`, {
      code: 'AlreadyCommitted',
    });
  }
  if (!options.force) await assertPackageUploaded(submission, signal);
  return client.submissions.commit(productId, submissionId, { signal });
}

async function assertPackageUploaded(submission: Submission, signal: AbortSignal | undefined): Promise<void> {
  const url = initialPackageUrl(submission);
  const parsed = parseSasUrl(url);
  const refuse = (why: string): InvalidStateError =>
    new InvalidStateError(
      `submission ${submission.id}: ${why}. Upload the package first (hwdash submission upload), or pass --force to commit anyway; ` +
        `a commit without a package fails the submission, and a product has only one initial submission.`,
      { code: 'PackageNotUploaded' },
    );
  if ('problem' in parsed) throw refuse(`its upload URL ${parsed.problem}`);
  const { BlobClient } = await storageSdk();
  let size: number | undefined;
  try {
    ({ contentLength: size } = await new BlobClient(parsed.url.toString(), await blobPipeline()).getProperties({ abortSignal: signal }));
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const failure = describeBlobFailure(error);
    throw refuse(failure.status === 404 ? 'nothing has been uploaded to its upload URL' : `the uploaded package could not be checked (${failure.detail})`);
  }
  if (!size) throw refuse('the package at its upload URL is empty');
}

/** The run's commit: skipped when recorded, or when the service already has it (an earlier run committed before it stopped). */
export async function commitStep(run: SigningRun, createdThisRun: boolean): Promise<void> {
  const { state, client } = run;
  if (state.committed) {
    run.skipped('commit', 'committed (from the state file)');
    return;
  }
  const current = createdThisRun ? undefined : await client.submissions.get(state.productId!, state.submissionId!, { signal: run.signal });
  if (current && isCommitted(current.commitStatus)) {
    await run.record({ committed: true });
    run.skipped('commit', `the service already has the commit (${current.commitStatus})`);
    return;
  }
  run.started('commit');
  // The upload is recorded in the state file, so the blob check would only cost a request.
  const outcome = await client.submissions.commit(state.productId!, state.submissionId!, { signal: run.signal });
  await run.record({ committed: true });
  run.completed('commit', outcome.verified ? `verified by reading commitStatus ${outcome.commitStatus}` : undefined);
}
