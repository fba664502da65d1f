import type { components } from '../../../generated/hdc.js';
import type { HdcClient } from '../client.js';
import { toId, type IdInput } from '../ids.js';
import { unwrap, unwrapCreated, type CallOptions } from './call.js';
import { commitSubmission, type CommitOutcome } from './commit.js';
import { paginate } from './paging.js';

export type Submission = components['schemas']['Submission'];
export type NewSubmission = components['schemas']['NewSubmission'];
export type SubmissionUpdate = components['schemas']['SubmissionUpdate'];

export interface SubmissionsResource {
  list(productId: IdInput, options?: CallOptions): AsyncGenerator<Submission, void, undefined>;
  get(productId: IdInput, submissionId: IdInput, options?: CallOptions): Promise<Submission>;
  /** Creates a submission; its `downloads.items` holds the `initialPackage` SAS URL to upload the package to. */
  create(productId: IdInput, submission: NewSubmission, options?: CallOptions): Promise<Submission>;
  /** Renames a submission (the name is the only updatable field). */
  update(productId: IdInput, submissionId: IdInput, changes: SubmissionUpdate, options?: CallOptions): Promise<void>;
  /**
   * Commits a submission. After an ambiguous failure (timeout, reset, 5xx, or `RequestInvalidForCurrentState`)
   * it reads the submission's `commitStatus` to learn whether the commit took, and commits again only when
   * the submission is verifiably still pending: never twice blind.
   */
  commit(productId: IdInput, submissionId: IdInput, options?: CallOptions): Promise<CommitOutcome>;
  /** Asks for publisher driver metadata on a submission shared with you (202; it takes hours). */
  createPublisherMetadata(productId: IdInput, submissionId: IdInput, options?: CallOptions): Promise<void>;
}

export function submissionsResource(client: Pick<HdcClient, 'GET' | 'POST' | 'PATCH'>, send: HdcClient['send'], apiBase: URL): SubmissionsResource {
  const path = (productId: IdInput, submissionId: IdInput) => ({
    productId: toId('productId', productId),
    submissionId: toId('submissionId', submissionId),
  });
  const resource: SubmissionsResource = {
    list: (productId, { signal } = {}) => {
      const params = { path: { productId: toId('productId', productId) } };
      return paginate<Submission>(() => unwrap(client.GET('/products/{productId}/submissions', { params, signal })), send, apiBase, signal);
    },
    get: async (productId, submissionId, { signal } = {}) =>
      unwrap(client.GET('/products/{productId}/submissions/{submissionId}', { params: { path: path(productId, submissionId) }, signal })),
    create: async (productId, submission, { signal, timeoutMs } = {}) =>
      unwrapCreated(
        client.POST('/products/{productId}/submissions', { params: { path: { productId: toId('productId', productId) } }, body: submission, signal, timeoutMs }),
        'submission',
      ) as Promise<Submission>,
    update: async (productId, submissionId, changes, { signal } = {}) => {
      await unwrap(client.PATCH('/products/{productId}/submissions/{submissionId}', { params: { path: path(productId, submissionId) }, body: changes, signal }));
    },
    commit: async (productId, submissionId, { signal, timeoutMs } = {}) =>
      commitSubmission({
        // The docs ask for `Content-Type: application/json` on this body-less POST; fetch sends `Content-Length: 0` itself.
        commit: () =>
          client.POST('/products/{productId}/submissions/{submissionId}/commit', {
            params: { path: path(productId, submissionId) },
            headers: { 'content-type': 'application/json' },
            signal,
            timeoutMs,
          }),
        read: () => resource.get(productId, submissionId, { signal }),
      }),
    createPublisherMetadata: async (productId, submissionId, { signal } = {}) => {
      await unwrap(client.POST('/products/{productId}/submissions/{submissionId}/createpublishermetadata', { params: { path: path(productId, submissionId) }, signal }));
    },
  };
  return resource;
}
