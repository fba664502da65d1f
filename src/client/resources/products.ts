import type { components } from '../../../generated/hdc.js';
import type { HdcClient } from '../client.js';
import { toId, type IdInput } from '../ids.js';
import { unwrap, unwrapCreated, type CallOptions } from './call.js';
import { paginate } from './paging.js';

export type Product = components['schemas']['Product'];
export type NewProduct = components['schemas']['NewProduct'];
export type ProductUpdate = components['schemas']['ProductUpdate'];

export interface ProductsResource {
  /** Every product of the account, following `next_link` page by page. */
  list(options?: CallOptions): AsyncGenerator<Product, void, undefined>;
  get(productId: IdInput, options?: CallOptions): Promise<Product>;
  create(product: NewProduct, options?: CallOptions): Promise<Product>;
  /** Changes `productName`, `marketingNames` or `announcementDate` (the only updatable fields). */
  update(productId: IdInput, changes: ProductUpdate, options?: CallOptions): Promise<void>;
}

export function productsResource(client: Pick<HdcClient, 'GET' | 'POST' | 'PATCH'>, send: HdcClient['send'], apiBase: URL): ProductsResource {
  return {
    list: ({ signal } = {}) => paginate<Product>(() => unwrap(client.GET('/products', { signal })), send, apiBase, signal),
    get: async (productId, { signal } = {}) =>
      unwrap(client.GET('/products/{productId}', { params: { path: { productId: toId('productId', productId) } }, signal })),
    create: (product, { signal, timeoutMs } = {}) => unwrapCreated(client.POST('/products', { body: product, signal, timeoutMs }), 'product') as Promise<Product>,
    update: async (productId, changes, { signal } = {}) => {
      await unwrap(client.PATCH('/products/{productId}', { params: { path: { productId: toId('productId', productId) } }, body: changes, signal }));
    },
  };
}
