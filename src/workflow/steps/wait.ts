/** Step 6: wait until the submission is signed and its driver metadata is there (it can arrive after the package). */
import type { Submission } from '../../client/resources/submissions.js';
import type { SigningRun } from '../signing-run.js';
import { waitForSubmission } from '../wait.js';

/** The run's wait: skipped when the state file records the submission as signed. Returns the signed submission it read. */
export async function waitStep(run: SigningRun): Promise<Submission | undefined> {
  if (run.state.signed) {
    run.skipped('wait', 'signed (from the state file)');
    return undefined;
  }
  run.started('wait');
  const signed = await waitForSubmission(run.client, run.state.productId!, run.state.submissionId!, { ...run.waitOptions, until: 'driverMetadata' });
  await run.record({ signed: true });
  run.completed('wait');
  return signed;
}
