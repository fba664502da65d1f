/**
 * Step 3 of the signing flow: the submission, created exactly once (see `createOnce`). Its name is fixed when the
 * run first starts (the default derives from the run's start time, recorded in the state file), so that a rerun
 * looks for the same name an earlier attempt used.
 */
import type { HdcClient } from '../../client/client.js';
import type { Int64Id } from '../../client/ids.js';
import type { NewSubmission, Submission } from '../../client/resources/submissions.js';
import { createOnce, type CreatableResource, type CreateOptions } from '../create-once.js';
import type { SigningRun } from '../signing-run.js';

function creatableSubmission(client: HdcClient, productId: Int64Id, body: NewSubmission): CreatableResource<Submission> {
  return {
    what: 'submission',
    name: body.name ?? '',
    list: async function* (signal) {
      for await (const item of client.submissions.list(productId, { signal })) yield { id: item.id, name: item.name };
    },
    create: (timeoutMs, signal) => client.submissions.create(productId, body, { signal, timeoutMs }),
  };
}

/**
 * Creates a submission; its `downloads` hold the `initialPackage` URL to upload to. When the answer is lost, the
 * submission is looked up by its name: the result is the submission created, or an error saying it was not.
 */
export async function createSubmission(client: HdcClient, productId: Int64Id, body: NewSubmission, options: CreateOptions = {}): Promise<Submission> {
  const outcome = await createOnce({ ...creatableSubmission(client, productId, body), ...options });
  return 'created' in outcome ? outcome.created : await client.submissions.get(productId, outcome.id, { signal: options.signal });
}

/** The default submission name: the package's name and the minute the run first started (UTC). */
export function defaultSubmissionName(run: SigningRun): string {
  return `${run.packageStem} ${run.state.startedAt.slice(0, 16).replace('T', ' ')}`;
}

/**
 * The run's submission: from the state file, or created (once). Returns it when this run created it (its upload URL
 * is then fresh), undefined when it came from the state file or an earlier attempt.
 */
export async function ensureSubmission(run: SigningRun, body: NewSubmission): Promise<Submission | undefined> {
  if (run.state.submissionId !== undefined) {
    run.skipped('createSubmission', `submission ${run.state.submissionId} (from the state file)`);
    return undefined;
  }
  run.started('createSubmission');
  const outcome = await run.createOnce('submission', 'createSubmission', creatableSubmission(run.client, run.state.productId!, body));
  await run.recordIntent('submission', undefined, { submissionId: outcome.id });
  run.completed('createSubmission', `submission ${outcome.id}${'found' in outcome ? ' (created by an earlier attempt)' : ''}`);
  return 'created' in outcome ? outcome.created : undefined;
}
