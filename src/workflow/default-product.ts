/**
 * The product a signing run creates when it is given none: named after the package, for the harness its extension
 * implies, signed for current Windows 10/11 on x64 and ARM64 unless told otherwise. The CLI's `submit` and the GitHub
 * Action both create this one, so a package signed either way lands in the same kind of product.
 */
import { basename, extname } from 'node:path';
import type { NewProduct } from '../client/resources/products.js';

/** What attestation signs for when the user does not say: current Windows 10/11 on x64 and ARM64. */
export const DEFAULT_SIGNATURES = ['WINDOWS_v100_X64_VB_FULL', 'WINDOWS_v100_ARM64_VB_FULL'];

export function defaultProduct(packagePath: string, options: { productName?: string; signatures?: readonly string[]; now?: Date } = {}): NewProduct {
  const extension = extname(packagePath).toLowerCase();
  return {
    productName: options.productName ?? basename(packagePath, extname(packagePath)),
    testHarness: extension === '.hlkx' ? 'hlk' : extension === '.hckx' ? 'hck' : 'attestation',
    deviceType: 'internal',
    announcementDate: `${(options.now ?? new Date()).toISOString().slice(0, 10)}T00:00:00Z`,
    selectedProductTypes: { Windows_v100: 'Unclassified' },
    requestedSignatures: [...(options.signatures ?? DEFAULT_SIGNATURES)],
  } as NewProduct;
}
