import type { components } from '../../../generated/hdc.js';
import type { HdcClient } from '../client.js';
import { toId, type IdInput } from '../ids.js';
import { unwrap, unwrapCreated, type CallOptions } from './call.js';
import { paginate } from './paging.js';

export type ShippingLabel = components['schemas']['ShippingLabel'];
export type NewShippingLabel = components['schemas']['NewShippingLabel'];
export type ShippingLabelUpdate = components['schemas']['ShippingLabelUpdate'];

export interface ShippingLabelOptions extends CallOptions {
  /**
   * Include `targeting` (hardware IDs, CHIDs, audiences) in the answer.
   * @default true
   */
  includeTargetingInfo?: boolean;
}

export interface ShippingLabelsResource {
  list(productId: IdInput, submissionId: IdInput, options?: ShippingLabelOptions): AsyncGenerator<ShippingLabel, void, undefined>;
  get(productId: IdInput, submissionId: IdInput, shippingLabelId: IdInput, options?: ShippingLabelOptions): Promise<ShippingLabel>;
  create(productId: IdInput, submissionId: IdInput, label: NewShippingLabel, options?: CallOptions): Promise<ShippingLabel>;
  /** Adds or removes hardware IDs and CHIDs, replaces audiences, or adds a business justification. */
  update(productId: IdInput, submissionId: IdInput, shippingLabelId: IdInput, changes: ShippingLabelUpdate, options?: CallOptions): Promise<void>;
  /** Cancels a label; only valid while it is in Microsoft approval or gradual rollout. */
  cancel(productId: IdInput, submissionId: IdInput, shippingLabelId: IdInput, options?: CallOptions): Promise<void>;
}

export function shippingLabelsResource(client: Pick<HdcClient, 'GET' | 'POST' | 'PATCH' | 'PUT'>, send: HdcClient['send'], apiBase: URL): ShippingLabelsResource {
  const submissionPath = (productId: IdInput, submissionId: IdInput) => ({
    productId: toId('productId', productId),
    submissionId: toId('submissionId', submissionId),
  });
  const labelPath = (productId: IdInput, submissionId: IdInput, shippingLabelId: IdInput) => ({
    ...submissionPath(productId, submissionId),
    shippingLabelId: toId('shippingLabelId', shippingLabelId),
  });
  return {
    list: (productId, submissionId, { signal, includeTargetingInfo = true } = {}) => {
      const params = { path: submissionPath(productId, submissionId), query: { includeTargetingInfo } };
      return paginate<ShippingLabel>(
        () => unwrap(client.GET('/products/{productId}/submissions/{submissionId}/shippingLabels', { params, signal })),
        send,
        apiBase,
        signal,
      );
    },
    get: async (productId, submissionId, shippingLabelId, { signal, includeTargetingInfo = true } = {}) =>
      unwrap(
        client.GET('/products/{productId}/submissions/{submissionId}/shippingLabels/{shippingLabelId}', {
          params: { path: labelPath(productId, submissionId, shippingLabelId), query: { includeTargetingInfo } },
          signal,
        }),
      ),
    create: async (productId, submissionId, label, { signal, timeoutMs } = {}) =>
      unwrapCreated(
        client.POST('/products/{productId}/submissions/{submissionId}/shippingLabels', {
          params: { path: submissionPath(productId, submissionId) },
          body: label,
          signal,
          timeoutMs,
        }),
        'shipping label',
      ) as Promise<ShippingLabel>,
    update: async (productId, submissionId, shippingLabelId, changes, { signal } = {}) => {
      await unwrap(
        client.PATCH('/products/{productId}/submissions/{submissionId}/shippingLabels/{shippingLabelId}', {
          params: { path: labelPath(productId, submissionId, shippingLabelId) },
          body: changes,
          signal,
        }),
      );
    },
    cancel: async (productId, submissionId, shippingLabelId, { signal } = {}) => {
      await unwrap(
        client.PUT('/products/{productId}/submissions/{submissionId}/shippingLabels/{shippingLabelId}/cancel', {
          params: { path: labelPath(productId, submissionId, shippingLabelId) },
          signal,
        }),
      );
    },
  };
}
