/**
 * The sandbox's in-memory state. Records hold what the service would have stored; everything time-dependent
 * (workflow steps, download links) is derived from them when a response is rendered.
 */
import { entityNotFound } from './errors.js';
import type { IngestionOutcome } from './submission-workflow.js';
import type { ShippingLabelDestination, ShippingLabelStep } from './shipping-label-workflow.js';
import type { PublishingFlags } from './targeting-rules.js';
import type { DriverMetadata } from '../../package/driver-metadata.js';

export interface ProductRecord {
  id: string;
  sharedProductId: string;
  productName: string;
  testHarness: string;
  announcementDate?: string;
  deviceMetadataIds: string[];
  firmwareVersion?: string;
  deviceType: string;
  isTestSign: boolean;
  isFlightSign: boolean;
  marketingNames: string[];
  selectedProductTypes: Record<string, string>;
  requestedSignatures: string[];
  additionalAttributes: Record<string, unknown>;
  /** For a product another partner shared with this account: the partner's product and publisher IDs. */
  sourceProductId?: string;
  sourcePublisherId?: string;
  /** Who created and last changed the product (the caller's app), and when: sandbox-clock milliseconds. */
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
}

/** What examining the uploaded package produced; set once, when ingestion has run. */
export interface IngestionResult {
  outcome: IngestionOutcome;
  /** Blob names in the signed container, present when the package passed. */
  signedPackageBlob?: string;
  driverMetadataBlob?: string;
  driverMetadata?: DriverMetadata;
  isExtensionInf: boolean;
  /** The Universal API test passed (dchu.ts). */
  isUniversal: boolean;
  /** The Declarative INF (InfVerif) test passed (dchu.ts). */
  isDeclarativeInf: boolean;
}

export interface SubmissionRecord {
  id: string;
  productId: string;
  name: string;
  type: 'initial' | 'derived';
  /** Blob name in the ingestion container: the initialPackage upload target. */
  packageBlob: string;
  createdBy: string;
  /** Sandbox-clock milliseconds of the create. */
  createdAt: number;
  /** Wall-clock milliseconds of the commit. */
  committedAt?: number;
  ingestion?: IngestionResult;
}

export interface HardwareIdRecord {
  bundleId: string;
  infId: string;
  operatingSystemCode: string;
  pnpString: string;
  /** A change not yet published by the label's workflow run. */
  pending?: 'add' | 'remove';
}

export interface ChidRecord {
  chid: string;
  pending?: 'add' | 'remove';
}

export interface TargetingRecord {
  hardwareIds: HardwareIdRecord[];
  chids: ChidRecord[];
  restrictedToAudiences: string[];
  inServicePublishInfo?: { flooring: string; ceiling: string };
  coEngDriverPublishInfo?: { flooringBuildNumber: number; ceilingBuildNumber: number };
  businessJustification?: string;
}

export interface ShippingLabelRecord {
  id: string;
  productId: string;
  submissionId: string;
  name: string;
  destination: ShippingLabelDestination;
  publishingSpecifications?: Record<string, unknown> & PublishingFlags;
  recipientSpecifications?: Record<string, unknown>;
  targeting: TargetingRecord;
  /** Wall-clock milliseconds when the current workflow run started (create, or the latest update). */
  runStartedAt: number;
  /** Wall-clock milliseconds of the cancel. */
  cancelledAt?: number;
  failure?: { step: ShippingLabelStep; messages: string[] };
}

export interface PreprodAssetRecord {
  id: string;
  blobName: string;
  createdDate: string;
  contentHash: string;
  size: number;
}

export interface PreprodPackageRecord {
  id: string;
  etag: string;
  lastModified: string;
  /** Wall-clock milliseconds of the PUT. */
  submittedAt: number;
  /** Set when signing has run: an asset, or the reason it failed. */
  signing?: { asset: PreprodAssetRecord } | { error: string };
}

/** A submission shared with this account, as the relationships endpoint translates it: this account's IDs for it. */
export interface RelationshipRecord {
  productId: string;
  submissionId: string;
}

export class SandboxStore {
  readonly products = new Map<string, ProductRecord>();
  /** Keyed by `publisherId/productId/submissionId` of the sharing partner. */
  readonly relationships = new Map<string, RelationshipRecord>();
  readonly submissions = new Map<string, SubmissionRecord>();
  readonly shippingLabels = new Map<string, ShippingLabelRecord>();
  readonly preprodPackages = new Map<string, PreprodPackageRecord>();

  product(productId: string): ProductRecord {
    const product = this.products.get(productId);
    if (!product) throw entityNotFound('Product not found');
    return product;
  }

  /** The submission, which must belong to the product; the product is checked first, as its 404 says more. */
  submission(productId: string, submissionId: string): SubmissionRecord {
    this.product(productId);
    const submission = this.submissions.get(submissionId);
    if (!submission || submission.productId !== productId) throw entityNotFound('No submission found');
    return submission;
  }

  shippingLabel(productId: string, submissionId: string, shippingLabelId: string): ShippingLabelRecord {
    this.submission(productId, submissionId);
    const label = this.shippingLabels.get(shippingLabelId);
    if (!label || label.submissionId !== submissionId) throw entityNotFound('No shipping label found');
    return label;
  }

  submissionsOf(productId: string): SubmissionRecord[] {
    return [...this.submissions.values()].filter((submission) => submission.productId === productId);
  }

  initialSubmissionOf(productId: string): SubmissionRecord | undefined {
    return this.submissionsOf(productId).find((submission) => submission.type === 'initial');
  }

  shippingLabelsOf(submissionId: string): ShippingLabelRecord[] {
    return [...this.shippingLabels.values()].filter((label) => label.submissionId === submissionId);
  }

  preprodPackage(packageId: string): PreprodPackageRecord {
    const record = this.preprodPackages.get(packageId);
    if (!record) throw entityNotFound('Package not found');
    return record;
  }
}
