/**
 * Partner submissions: the undocumented relationships endpoint that Microsoft's SDCM (`-translate`) and library
 * (`GetPartnerSubmission`) call to turn a partner's publisher, product and submission IDs into the receiving
 * account's own IDs for the shared submission.
 *
 * The sandbox is one account, so it plays the receiving partner too: when a shipping label with destination
 * `anotherPartner` finishes sharing, the shared product and submission arrive in this same account under new IDs
 * (with `sourceProductId`/`sourcePublisherId` naming the sharer), and the relationship from the sharer's IDs
 * (publisher {@link SELLER_ID}) to them exists from then on. Like every time-dependent state of the sandbox this is
 * derived when a request looks at it, not by a timer.
 */
import type { SandboxEnvironment } from './environment.js';
import { entityNotFound, invalidInput } from './errors.js';
import type { Route } from './router.js';
import { labelProgressOf } from './shipping-labels.js';
import type { ProductRecord, ShippingLabelRecord, SubmissionRecord } from './store.js';
import { SELLER_ID, submissionBody } from './submissions.js';

const relationshipKey = (publisherId: string, productId: string, submissionId: string): string => `${publisherId}/${productId}/${submissionId}`;

/** Brings every completed share into the account (once each): the received product, submission and relationship. */
export function receiveCompletedShares(environment: SandboxEnvironment): void {
  const { store } = environment;
  for (const label of store.shippingLabels.values()) {
    if (label.destination !== 'anotherPartner' || label.cancelledAt !== undefined) continue;
    const key = relationshipKey(SELLER_ID, label.productId, label.submissionId);
    if (store.relationships.has(key) || !labelProgressOf(environment, label).finished) continue;
    store.relationships.set(key, receive(environment, label));
  }
}

function receive(environment: SandboxEnvironment, label: ShippingLabelRecord): { productId: string; submissionId: string } {
  const { store, ids } = environment;
  const source = store.product(label.productId);
  const shared = store.submission(label.productId, label.submissionId);
  const product: ProductRecord = {
    ...structuredClone(source),
    id: ids.productId(),
    sharedProductId: ids.sequenceId(),
    sourceProductId: source.id,
    sourcePublisherId: SELLER_ID,
  };
  store.products.set(product.id, product);
  // The received submission is the signed one: same package, same ingestion result, under the receiver's IDs.
  const submission: SubmissionRecord = { ...shared, id: ids.sequenceId(), productId: product.id, type: 'initial' };
  store.submissions.set(submission.id, submission);
  return { productId: product.id, submissionId: submission.id };
}

export function relationshipRoutes(environment: SandboxEnvironment): Route[] {
  const { store } = environment;
  return [
    {
      method: 'GET',
      // `sourcepubliherid` is misspelt in the service itself.
      path: '/products/relationships/sourcepubliherid/{publisherId}/sourceproductid/{productId}/sourcesubmissionid/{submissionId}',
      operationId: 'getPartnerSubmission',
      body: 'none',
      async handle(context) {
        const publisherId = context.params.publisherId!;
        const productId = context.params.productId!;
        const submissionId = context.params.submissionId!;
        if (!/^[0-9]+$/.test(publisherId)) {
          throw invalidInput('The publisherId in the path is not a valid ID.', [{ target: 'publisherId', message: `publisherId must be the partner's seller ID (digits only), got "${publisherId}".` }]);
        }
        receiveCompletedShares(environment);
        const relationship = store.relationships.get(relationshipKey(publisherId, productId, submissionId));
        if (!relationship) throw entityNotFound('No submission with these IDs has been shared with this account.');
        const submission = store.submission(relationship.productId, relationship.submissionId);
        return { status: 200, json: await submissionBody(environment, context, submission, true) };
      },
    },
  ];
}
