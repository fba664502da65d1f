/**
 * The service's workflow vocabulary, and how hwdash reads it. The live service sends enums in mixed case
 * (`PreProcessShippingLabel` and `preProcessShippingLabel`, `Failed` and `failed`) and sometimes a numeric
 * `currentStep`, so every value is matched case-insensitively and reported in one spelling: the docs' camelCase.
 */

import type { components } from '../../generated/hdc.js';
import { referenceLists, type ReferenceEntry } from '../../generated/reference.js';

export type { ReferenceEntry } from '../../generated/reference.js';

/** An OS code (`requestedSignatures`, `hardwareIds[].operatingSystemCode`): a documented one, or any other `WINDOWS_…` code. */
export type OsCode = components['schemas']['OsCode'];
/** An OS family code, a key of `selectedProductTypes`. */
export type OsFamilyCode = components['schemas']['OsFamilyCode'];
/** A product type, a value of `selectedProductTypes`. */
export type ProductType = components['schemas']['ProductType'];

/**
 * The documented lists (the docs' tables, as the spec records them), for pickers, completion and checks. They are
 * not closed: the service accepts codes the docs have not listed yet, so use them to suggest, not to refuse.
 */
export const OS_CODES: readonly ReferenceEntry<components['schemas']['KnownOsCode']>[] = referenceLists.KnownOsCode;
export const OS_FAMILY_CODES: readonly ReferenceEntry<components['schemas']['KnownOsFamilyCode']>[] = referenceLists.KnownOsFamilyCode;
export const PRODUCT_TYPES: readonly ReferenceEntry<components['schemas']['KnownProductType']>[] = referenceLists.KnownProductType;
/** Releases for a shipping label's `inServicePublishInfo` floor and ceiling. */
export const IN_SERVICE_RELEASES: readonly ReferenceEntry<components['schemas']['KnownWindowsRelease']>[] = referenceLists.KnownWindowsRelease;

/** A submission's ingestion steps, in order (reference 2.3). */
export const SUBMISSION_STEPS = [
  'packageInfoValidation',
  'preparation',
  'scanning',
  'validation',
  'catalogCreation',
  'manualReview',
  'signing',
  'finalizeIngestion',
] as const;

/** A Windows Update shipping label's steps, in order (reference 2.11). */
export const WINDOWS_UPDATE_LABEL_STEPS = [
  'created',
  'preProcessShippingLabel',
  'finalizePreProcessing',
  'publishJobValidation',
  'updateGeneration',
  'microsoftApproval',
  'publishing',
  'finalizePublishing',
] as const;

/** A partner-sharing shipping label's steps, in order (reference 2.11). */
export const SHARING_LABEL_STEPS = ['created', 'preProcessShippingLabel', 'finalizePreProcessing', 'publishJobValidation', 'processSharing', 'finalizeSharing'] as const;

export const WORKFLOW_STATES = ['notStarted', 'started', 'failed', 'completed'] as const;

/** A preprod package's `signingStatus` values (reference 1, preproduction signing). */
export const PREPROD_SIGNING_STATUSES = ['notStarted', 'processing', 'succeeded', 'failed'] as const;

/**
 * The known spelling of `value`, or the value as sent when it is not a known one. A numeric step becomes its digits:
 * the docs give no number-to-step mapping, so hwdash reports it rather than guess.
 */
export function normalise(value: string | number | undefined | null, known: readonly string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  const wanted = text.toLowerCase();
  return known.find((candidate) => candidate.toLowerCase() === wanted) ?? text;
}

/** True for a numeric `currentStep` (a JSON number, or digits in a string). */
export function isNumericStep(value: string | number | undefined | null): boolean {
  return typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value));
}

/** A submission's `downloads.items` entry of this type (compared case-insensitively, like the service's enums). */
export function downloadItem<Item extends { type?: string }>(downloads: { items?: readonly Item[] } | undefined, type: string): Item | undefined {
  const wanted = type.toLowerCase();
  return downloads?.items?.find((item) => item.type?.toLowerCase() === wanted);
}

/** Whether a submission's `downloads.items` has an item of this type. */
export function hasDownload(downloads: { items?: readonly { type?: string }[] } | undefined, type: string): boolean {
  return downloadItem(downloads, type) !== undefined;
}

/**
 * `commitStatus` values meaning the service has the commit: `CommitReceived`, then `CommitComplete`; older docs and
 * responses said `commitStarted`/`commitCompleted`. Any case.
 */
const COMMITTED_STATUSES = new Set(['commitreceived', 'commitcomplete', 'commitcompleted', 'commitstarted']);

/** Whether the service has a submission's commit (see {@link COMMITTED_STATUSES}). */
export function isCommitted(commitStatus: string | null | undefined): boolean {
  return COMMITTED_STATUSES.has(commitStatus?.toLowerCase() ?? '');
}

/** Whether a submission still waits for its package and commit (`CommitPending`, any case). */
export function isCommitPending(commitStatus: string | null | undefined): boolean {
  return commitStatus?.toLowerCase() === 'commitpending';
}
