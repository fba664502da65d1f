/**
 * Generated list pages for the JSON benchmarks, shaped like the service's own answers (compact, as the service
 * writes them) and deterministic (seeded), so that every run parses the same text:
 * - an ID-sparse page of submissions, as `GET /products/{productId}/submissions` returns it: two bare IDs per item,
 *   links whose hrefs repeat them, workflow status on most items and service messages on failed ones (some quote JSON,
 *   as validation messages do). No SAS URLs: list items carry no downloads (see the API reference, 2.3);
 * - an ID-dense page of products, as `GET /products` returns it: four bare int64 fields per product
 *   (`id`, `sharedProductId`, `sourceProductId`, `sourcePublisherId`) among short fields.
 */
import { seededRandom } from '../../src/mock/sandbox/faults.js';

const API = 'https://manage.devcenter.microsoft.com/v2.0/my/hardware';

export type PageKind = 'submissions' | 'products';

export const PAGE_KINDS: Record<PageKind, { label: string; generate: (targetBytes: number) => string }> = {
  submissions: { label: 'ID-sparse submissions page', generate: submissionsPage },
  products: { label: 'ID-dense products page', generate: productsPage },
};

/** A page of submissions, `count` growing until the text reaches `targetBytes`. */
export function submissionsPage(targetBytes: number): string {
  const random = seededRandom(0x5eed);
  const productId = (2n ** 53n + 12345678901n).toString();
  const steps = ['packageInfoValidation', 'preparation', 'scanning', 'validation', 'catalogCreation', 'manualReview', 'signing', 'finalizeIngestion'];
  const items: string[] = [];
  let size = 0;
  for (let n = 0; size < targetBytes; n++) {
    const id = (2n ** 60n + 14594954n + BigInt(n * 7 + Math.floor(random() * 7))).toString();
    const self = `${API}/products/${productId}/submissions/${id}`;
    const roll = random();
    const state = roll < 0.08 ? 'failed' : roll < 0.2 ? 'started' : 'completed';
    const step = state === 'completed' ? 'finalizeIngestion' : steps[Math.floor(random() * steps.length)]!;
    const messages =
      state !== 'failed'
        ? ''
        : pick(random, [
            '"Test \\"DF - Reinstall with IO Before and After (Reboot and Hibernate)\\" failed on 2 of 8 machines."',
            `"Submission ${id} could not be validated: the package signature is missing.","See {\\"id\\": ${id}, \\"step\\": \\"validation\\"} for details."`,
            '"INF file touch.inf: [Version] section is missing CatalogFile."',
          ]);
    const workflow = random() < 0.85 ? `"workflowStatus":{"currentStep":"${step}","state":"${state}","messages":[${messages}]},` : '';
    const item =
      `{"id":${id},"productId":${productId},${workflow}` +
      `"links":[{"href":"${self}","rel":"self","method":"GET"},{"href":"${self}","rel":"update_submission","method":"PATCH"}],` +
      `"commitStatus":"${state === 'started' && random() < 0.3 ? 'commitPending' : 'commitComplete'}","isExtensionInf":${random() < 0.3},` +
      `"isUniversal":${random() < 0.8},"isDeclarativeInf":${random() < 0.7},` +
      `"name":"Contoso Touch Controller 10.0.${Math.floor(n / 50)}.${n % 50}${n % 5 === 0 ? '' : ' (derived)'}","type":"${n % 5 === 0 ? 'initial' : 'derived'}"}`;
    items.push(item);
    size += item.length + 1;
  }
  return `{"value":[${items.join(',')}],"links":[{"href":"${API}/products/${productId}/submissions","rel":"self","method":"GET"}]}`;
}

/** A page of products, `count` growing until the text reaches `targetBytes`. */
export function productsPage(targetBytes: number): string {
  const random = seededRandom(0xd15c);
  const categories = ['Input.Digitizer.Multitouch', 'Display.Monitor', 'Audio.Speaker', 'Network.Wireless', 'Storage.Controller'];
  const signatures = ['WINDOWS_v100_X64_TH1_FULL', 'WINDOWS_v100_RS5_FULL', 'WINDOWS_v100_X64_CO_FULL', 'WINDOWS_v100_ARM64_CO_FULL', 'WINDOWS_v63_X64'];
  const items: string[] = [];
  let size = 0;
  for (let n = 0; size < targetBytes; n++) {
    // Private product IDs sit between 2^53 and 2^54, shared product IDs at 2^60 + n.
    const id = (2n ** 53n + 14246104n + BigInt(n * 13 + Math.floor(random() * 13))).toString();
    const shared = (2n ** 60n + 6971255n + BigInt(n)).toString();
    const copied = random() < 0.2;
    const self = `${API}/products/${id}`;
    const item =
      `{"id":${id},"sharedProductId":${shared},` +
      `"links":[{"href":"${self}","rel":"self","method":"GET"},{"href":"${self}/submissions","rel":"get_submissions","method":"GET"}],` +
      `"isCommitted":${random() < 0.9},"isExtensionInf":${random() < 0.2},"originType":"${copied ? 'copied' : 'author'}",` +
      `"sourceProductId":${copied ? (2n ** 53n + BigInt(Math.floor(random() * 1e9))).toString() : 0},"sourcePublisherId":${copied ? 27691110 + Math.floor(random() * 1000) : 0},` +
      `"isRetpolineCompiled":false,"message":"","announcementDate":"2024-${String(1 + (n % 12)).padStart(2, '0')}-15T00:00:00Z",` +
      `"deviceMetadataCategory":"${pick(random, categories)}","deviceMetadataIds":[],"deviceType":"internalExternal",` +
      `"isTestSign":false,"isFlightSign":false,"marketingNames":["Contoso Device ${n}"],"productName":"Contoso Device ${n}",` +
      `"selectedProductTypes":{"Windows_v100":"Touch"},"requestedSignatures":["${pick(random, signatures)}","${pick(random, signatures)}"],` +
      `"additionalAttributes":{},"testHarness":"hlk"}`;
    items.push(item);
    size += item.length + 1;
  }
  return `{"value":[${items.join(',')}],"links":[{"href":"${API}/products?pageSize=100","rel":"self","method":"GET"}]}`;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

