/**
 * Step 2 of the signing flow: the product. An existing one is used as given; a new one is created exactly once
 * (see `createOnce`), also when a run is killed or loses the answer mid-create.
 */
import type { HdcClient } from '../../client/client.js';
import type { NewProduct, Product } from '../../client/resources/products.js';
import { createOnce, type CreatableResource, type CreateOptions } from '../create-once.js';
import type { SigningRun } from '../signing-run.js';

function creatableProduct(client: HdcClient, product: NewProduct): CreatableResource<Product> {
  return {
    what: 'product',
    name: product.productName ?? '',
    list: async function* (signal) {
      for await (const item of client.products.list({ signal })) yield { id: item.id, name: item.productName };
    },
    create: (timeoutMs, signal) => client.products.create(product, { signal, timeoutMs }),
  };
}

/**
 * Creates a product. When the answer is lost, the product is looked up by its name before anything else happens:
 * the result is the product created, or an error saying it was not.
 */
export async function createProduct(client: HdcClient, product: NewProduct, options: CreateOptions = {}): Promise<Product> {
  const outcome = await createOnce({ ...creatableProduct(client, product), ...options });
  return 'created' in outcome ? outcome.created : await client.products.get(outcome.id, { signal: options.signal });
}

/** The run's product: from the state file, the one asked for, or created (once). */
export async function ensureProduct(run: SigningRun, product: NewProduct | undefined): Promise<void> {
  if (run.state.productId !== undefined) {
    run.skipped('createProduct', `product ${run.state.productId} (from the state file)`);
    return;
  }
  if (product === undefined) {
    await run.record({ productId: run.requestedProductId });
    run.skipped('createProduct', `using product ${run.requestedProductId}`);
    return;
  }
  run.started('createProduct');
  const outcome = await run.createOnce('product', 'createProduct', creatableProduct(run.client, product));
  await run.recordIntent('product', undefined, { productId: outcome.id, productCreated: true });
  run.completed('createProduct', `product ${outcome.id}${'found' in outcome ? ' (created by an earlier attempt)' : ''}`);
}
