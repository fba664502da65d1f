import type { Command } from 'commander';
import type { NewProduct, ProductUpdate } from '../../client/resources/products.js';
import { examples, parseId } from '../arguments.js';
import { readJsonInput } from '../input.js';
import { describeProduct, productTable } from '../render.js';
import { action } from '../run.js';

export function registerProductCommands(program: Command): void {
  const product = program
    .command('product')
    .description('list, show, create and update products (a product holds the driver submissions)')
    .addHelpText('after', examples('hwdash product list', 'hwdash product create product.json --json', 'hwdash product get 14631253285588838'));

  product
    .command('list')
    .description('list every product of the account (all pages)')
    .addHelpText('after', examples('hwdash product list', 'hwdash product list --json | jq -r ".[].id"'))
    .action(
      action(async (context) => {
        const client = await context.client();
        const products = await Array.fromAsync(client.products.list({ signal: context.signal }));
        context.output.result(products, () => productTable(products));
      }),
    );

  product
    .command('get')
    .description('show one product')
    .argument('<productId>', 'product ID', parseId)
    .addHelpText('after', examples('hwdash product get 14631253285588838', 'hwdash product get 14631253285588838 --json'))
    .action(
      action(async (context, productId: string) => {
        const client = await context.client();
        const found = await client.products.get(productId, { signal: context.signal });
        context.output.result(found, () => describeProduct(found));
      }),
    );

  product
    .command('create')
    .description('create a product from a JSON file (the API\'s NewProduct body; checked against the spec before sending)')
    .argument('<file>', 'JSON file with productName, testHarness, deviceType, announcementDate, selectedProductTypes, requestedSignatures')
    .addHelpText(
      'after',
      `${examples('hwdash product create product.json', 'hwdash product create product.json --json | jq -r .id')}
product.json:
  {
    "productName": "Contoso virtual sensor",
    "testHarness": "Attestation",
    "deviceType": "internal",
    "announcementDate": "2025-12-01T00:00:00Z",
    "selectedProductTypes": { "Windows_v100": "Unclassified" },
    "requestedSignatures": ["WINDOWS_v100_X64_VB_FULL"]
  }
`,
    )
    .action(
      action(async (context, file: string) => {
        const body = await readJsonInput<NewProduct>(file, 'NewProduct', context.output);
        const client = await context.client();
        const { createProduct } = await import('../../workflow/steps/product.js');
        const created = await createProduct(client, body, context.createOptions());
        context.output.result(created, () => `created product ${created.id} (${created.productName ?? ''})`);
      }),
    );

  product
    .command('update')
    .description('change a product\'s productName, marketingNames or announcementDate from a JSON file (ProductUpdate)')
    .argument('<productId>', 'product ID', parseId)
    .argument('<file>', 'JSON file with the fields to change')
    .addHelpText('after', `${examples('hwdash product update 14631253285588838 changes.json')}
changes.json:
  { "productName": "Contoso virtual sensor v2", "marketingNames": ["Contoso Sensor"] }
`)
    .action(
      action(async (context, productId: string, file: string) => {
        const changes = await readJsonInput<ProductUpdate>(file, 'ProductUpdate', context.output);
        const client = await context.client();
        await client.products.update(productId, changes, { signal: context.signal });
        const updated = await client.products.get(productId, { signal: context.signal });
        context.output.result(updated, () => `updated product ${productId}`);
      }),
    );
}
