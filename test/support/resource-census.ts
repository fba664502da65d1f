/**
 * Counts what a run left at the service, through the API itself: products, their submissions and those submissions'
 * shipping labels, and how many of each carry the same name. "No duplicates" is then a fact read back from the
 * service, not a belief about the client.
 */
import type { HdcClient } from '../../src/client/client.js';

export interface ResourceCensus {
  products: number;
  submissions: number;
  shippingLabels: number;
  /** Names that occur more than once among products, among a product's submissions, or among a submission's labels. */
  duplicateNames: string[];
}

export async function resourceCensus(client: HdcClient): Promise<ResourceCensus> {
  const census: ResourceCensus = { products: 0, submissions: 0, shippingLabels: 0, duplicateNames: [] };
  const productNames: string[] = [];
  for await (const product of client.products.list()) {
    census.products++;
    productNames.push(`product ${product.productName}`);
    const submissionNames: string[] = [];
    for await (const submission of client.submissions.list(product.id!)) {
      census.submissions++;
      submissionNames.push(`submission ${submission.name} of product ${product.id}`);
      const labelNames: string[] = [];
      for await (const label of client.shippingLabels.list(product.id!, submission.id!, { includeTargetingInfo: false })) {
        census.shippingLabels++;
        labelNames.push(`shipping label ${label.name} of submission ${submission.id}`);
      }
      census.duplicateNames.push(...duplicates(labelNames));
    }
    census.duplicateNames.push(...duplicates(submissionNames));
  }
  census.duplicateNames.push(...duplicates(productNames));
  return census;
}

function duplicates(names: string[]): string[] {
  return [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
}
