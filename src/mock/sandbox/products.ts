/** Product routes: list (paged), create, get, update (with the service's UpdateUnauthorized rules). */
import { callerOf } from './caller.js';
import type { SandboxEnvironment } from './environment.js';
import { updateUnauthorized } from './errors.js';
import { pageOf } from './paging.js';
import type { Reply, RequestContext, Route } from './router.js';
import { receiveCompletedShares } from './relationships.js';
import { additionalAttributesValue, DEVICE_TYPES, enumValue, TEST_HARNESSES } from './request-values.js';
import type { ProductRecord } from './store.js';
import { submissionProgressOf } from './submissions.js';

/** A create-product body as the spec allows it: nothing required, most members nullable (Microsoft's library sends null). */
interface NewProduct {
  productName?: string | null;
  testHarness?: string | null;
  announcementDate?: string;
  deviceType?: string | null;
  selectedProductTypes?: Record<string, string> | null;
  requestedSignatures?: string[] | null;
  deviceMetadataIds?: string[] | null;
  firmwareVersion?: string | null;
  isTestSign?: boolean;
  isFlightSign?: boolean;
  marketingNames?: string[] | null;
  additionalAttributes?: Record<string, unknown> | null;
}

interface ProductUpdate {
  productName?: string;
  announcementDate?: string;
  marketingNames?: string[];
}

function productBody(environment: SandboxEnvironment, context: RequestContext, product: ProductRecord): Record<string, unknown> {
  const url = `${context.apiBase}/products/${product.id}`;
  const isCommitted = environment.store.submissionsOf(product.id).some((submission) => submission.committedAt !== undefined);
  return {
    id: product.id,
    sharedProductId: product.sharedProductId,
    links: [
      { href: url, rel: 'self', method: 'GET' },
      { href: `${url}/submissions`, rel: 'get_submissions', method: 'GET' },
    ],
    isCommitted,
    deviceMetadataIds: product.deviceMetadataIds,
    deviceType: product.deviceType,
    isTestSign: product.isTestSign,
    isFlightSign: product.isFlightSign,
    marketingNames: product.marketingNames,
    productName: product.productName,
    selectedProductTypes: product.selectedProductTypes,
    requestedSignatures: product.requestedSignatures,
    additionalAttributes: product.additionalAttributes,
    testHarness: product.testHarness,
    announcementDate: product.announcementDate,
    ...(product.firmwareVersion === undefined ? {} : { firmwareVersion: product.firmwareVersion }),
    originType: 'author',
    sourceProductId: product.sourceProductId ?? '0',
    sourcePublisherId: product.sourcePublisherId ?? '0',
    isRetpolineCompiled: false,
    message: '',
    // Not in the docs; Microsoft's client library (HDCM-lib Product) reads them.
    createdBy: product.createdBy,
    updatedBy: product.updatedBy,
    createdDateTime: environment.clock.iso(product.createdAt),
    updatedDateTime: environment.clock.iso(product.updatedAt),
  };
}

function listProducts(environment: SandboxEnvironment, context: RequestContext): Reply {
  receiveCompletedShares(environment);
  const page = pageOf([...environment.store.products.values()], context.query, environment.pageSize, `${context.apiBase}/products`);
  return { status: 200, json: { value: page.value.map((product) => productBody(environment, context, product)), links: page.links } };
}

function createProduct(environment: SandboxEnvironment, context: RequestContext): Reply {
  const { store, ids } = environment;
  const request = context.body as NewProduct;
  const [caller, now] = [callerOf(context.request), environment.clock.now()];
  const product: ProductRecord = {
    id: ids.productId(),
    sharedProductId: ids.sequenceId(),
    productName: request.productName ?? '',
    // The docs' requests send `Attestation`/`HLK`; the service answers with its own lowercase values.
    testHarness: enumValue(request.testHarness, TEST_HARNESSES, 'notset'),
    announcementDate: request.announcementDate,
    deviceMetadataIds: request.deviceMetadataIds ?? [],
    firmwareVersion: request.firmwareVersion ?? undefined,
    deviceType: enumValue(request.deviceType, DEVICE_TYPES, 'notSet'),
    isTestSign: request.isTestSign ?? false,
    isFlightSign: request.isFlightSign ?? false,
    marketingNames: request.marketingNames ?? [],
    selectedProductTypes: request.selectedProductTypes ?? {},
    requestedSignatures: request.requestedSignatures ?? [],
    additionalAttributes: additionalAttributesValue(request.additionalAttributes),
    createdBy: caller,
    createdAt: now,
    updatedBy: caller,
    updatedAt: now,
  };
  store.products.set(product.id, product);
  return { status: 201, json: productBody(environment, context, product) };
}

function getProduct(environment: SandboxEnvironment, context: RequestContext): Reply {
  receiveCompletedShares(environment);
  return { status: 200, json: productBody(environment, context, environment.store.product(context.params.productId!)) };
}

/** The service's UpdateUnauthorized rules: what may change depends on how far the initial submission has got. */
function checkProductUpdate(environment: SandboxEnvironment, productId: string, update: ProductUpdate): void {
  const initial = environment.store.initialSubmissionOf(productId);
  if (!initial) throw updateUnauthorized("Can't update product without an initial submission");
  const progress = submissionProgressOf(environment, initial);
  if (progress.state === 'failed') throw updateUnauthorized("Can't update product because the workflow failed");
  if (update.announcementDate !== undefined && progress.signedPackageReady) {
    throw updateUnauthorized("Announcement Date can't be updated after the ingestion process is finished");
  }
  // While ingestion runs, the name is part of what is being signed; the service asks to try again later.
  if (update.productName !== undefined && progress.commitStatus !== 'commitPending' && !progress.signedPackageReady) {
    throw updateUnauthorized("Product Name can't be updated at this time. Try again.");
  }
}

function updateProduct(environment: SandboxEnvironment, context: RequestContext): Reply {
  const product = environment.store.product(context.params.productId!);
  const update = context.body as ProductUpdate;
  checkProductUpdate(environment, product.id, update);
  if (update.productName !== undefined) product.productName = update.productName;
  if (update.announcementDate !== undefined) product.announcementDate = update.announcementDate;
  if (update.marketingNames !== undefined) product.marketingNames = update.marketingNames;
  product.updatedBy = callerOf(context.request);
  product.updatedAt = environment.clock.now();
  return { status: 204 };
}

export function productRoutes(environment: SandboxEnvironment): Route[] {
  return [
    {
      method: 'GET',
      path: '/products',
      operationId: 'listProducts',
      body: 'none',
      handle: (context) => listProducts(environment, context),
    },
    {
      method: 'POST',
      path: '/products',
      operationId: 'createProduct',
      body: 'json',
      handle: (context) => createProduct(environment, context),
    },
    {
      method: 'GET',
      path: '/products/{productId}',
      operationId: 'getProduct',
      body: 'none',
      handle: (context) => getProduct(environment, context),
    },
    {
      method: 'PATCH',
      path: '/products/{productId}',
      operationId: 'updateProduct',
      body: 'json',
      handle: (context) => updateProduct(environment, context),
    },
  ];
}
