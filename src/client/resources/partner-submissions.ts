import type { HdcClient } from '../client.js';
import { toId, type IdInput } from '../ids.js';
import { unwrap, type CallOptions } from './call.js';
import type { Submission } from './submissions.js';

const RELATIONSHIP_PATH = '/products/relationships/sourcepubliherid/{publisherId}/sourceproductid/{productId}/sourcesubmissionid/{submissionId}';

export interface PartnerSubmissionsResource {
  /**
   * A submission another partner shared with you (through a shipping label to `anotherPartner`), looked up by the
   * partner's IDs: the partner's seller ID and its own product and submission IDs. The answer is the submission as
   * your account sees it: its `productId` and `id` are **your** IDs for it, which every other operation needs.
   *
   * The endpoint is undocumented; Microsoft's SDCM (`-translate`) and HardwareDevCenterManager library
   * (`GetPartnerSubmission`) use it. Throws a `NotFoundError` when nothing with these IDs was shared with you.
   *
   * @example
   * const mine = await client.partnerSubmissions.get('29963920', '14631253285588838', '1152921504621465124');
   * await client.submissions.createPublisherMetadata(mine.productId!, mine.id);
   */
  get(publisherId: IdInput, productId: IdInput, submissionId: IdInput, options?: CallOptions): Promise<Submission>;
}

export function partnerSubmissionsResource(client: Pick<HdcClient, 'GET'>): PartnerSubmissionsResource {
  return {
    get: async (publisherId, productId, submissionId, { signal } = {}) =>
      unwrap(
        client.GET(RELATIONSHIP_PATH, {
          params: { path: { publisherId: toId('publisherId', publisherId), productId: toId('productId', productId), submissionId: toId('submissionId', submissionId) } },
          signal,
        }),
      ),
  };
}
