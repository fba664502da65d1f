import { HdcError } from '../errors/hdc-error.js';
import { InvalidStateError } from '../errors/invalid-state-error.js';
import { restate } from '../errors/restate.js';
import { isAmbiguousFailure } from '../pipeline/retry.js';
import { isCommitPending, isCommitted } from '../vocabulary.js';

/** How a commit ended. */
export interface CommitOutcome {
  /** The submission's `commitStatus` when it was read back, if it had to be. */
  commitStatus?: string;
  /** True when an ambiguous failure was resolved by reading the submission instead of by a 202. */
  verified: boolean;
  /** How many commit requests were sent (1 unless the first one verifiably did not take). */
  attempts: number;
}

/** One resend after a verified non-commit; a second verified non-commit means something else is wrong. */
const MAX_COMMIT_REQUESTS = 2;

/**
 * Did this failure leave the commit's fate unknown? A timeout or reset may hit after the service acted; a
 * 5xx (the service is known to answer 502 while committing) may too; and `RequestInvalidForCurrentState`
 * ("Only pending submissions can be committed") is what an earlier, successful commit looks like.
 */
export function isAmbiguousCommitFailure(error: unknown): boolean {
  if (isAmbiguousFailure(error)) return true;
  return error instanceof InvalidStateError && error.code?.toLowerCase() === 'requestinvalidforcurrentstate';
}

export async function commitSubmission(steps: {
  commit: () => Promise<{ error?: HdcError | undefined; response: Response }>;
  read: () => Promise<{ commitStatus?: string | null }>;
}): Promise<CommitOutcome> {
  for (let attempts = 1; ; attempts++) {
    let failure: unknown;
    try {
      const { error } = await steps.commit();
      if (!error) return { verified: false, attempts };
      failure = error;
    } catch (error) {
      failure = error;
    }
    if (!isAmbiguousCommitFailure(failure)) throw failure;
    const ambiguous = failure as HdcError;

    let commitStatus: string | null | undefined;
    try {
      ({ commitStatus } = await steps.read());
    } catch (readError) {
      // An abort or a non-HTTP failure is the caller's to see as it is; a failed read leaves the commit unknown.
      if (!(readError instanceof HdcError)) throw readError;
      throw restate(
        ambiguous,
        `${ambiguous.message}; the submission could not be read back to check (${readError.message}), so it may or may not have been committed: read the submission's commitStatus before committing again`,
        readError,
      );
    }
    if (isCommitted(commitStatus)) return { commitStatus: commitStatus!, verified: true, attempts };
    if (isCommitPending(commitStatus) && attempts >= MAX_COMMIT_REQUESTS) {
      throw restate(ambiguous, `${ambiguous.message}; after ${attempts} commit requests the submission is still ${commitStatus}, so nothing was committed: try again later`, ambiguous.cause);
    }
    if (!isCommitPending(commitStatus)) {
      if (commitStatus) {
        throw new InvalidStateError(`the commit failed (${ambiguous.message}) and the submission's commitStatus is now "${commitStatus}"`, {
          status: ambiguous.status,
          code: ambiguous.code,
          requestId: ambiguous.requestId,
          cause: ambiguous,
        });
      }
      throw ambiguous;
    }
    // Verified still pending: the failed request did not commit, so sending one more is not blind.
  }
}
