/**
 * Shipping label routes: create (checked against the submission's driver metadata), get/list (targeting only on
 * request), update (targeting changes restart the workflow) and cancel (only in Microsoft Approval or Gradual Rollout).
 */
import type { DriverMetadata } from '../../package/driver-metadata.js';
import { isKnownAudience } from './audiences.js';
import type { SandboxEnvironment } from './environment.js';
import { invalidForCurrentState, invalidInput } from './errors.js';
import { forcedShippingLabelFailure } from './failures.js';
import { pageOf } from './paging.js';
import { ACTIONS, coEngValue, DESTINATIONS, enumValue, withoutNulls } from './request-values.js';
import type { Reply, RequestContext, Route } from './router.js';
import type { HardwareIdRecord, ShippingLabelRecord, SubmissionRecord, TargetingRecord } from './store.js';
import { submissionProgressOf, submissionUrl } from './submissions.js';
import { cancellationComplete, shippingLabelProgress, type ShippingLabelProgress, type ShippingLabelRun } from './shipping-label-workflow.js';
import {
  checkChids,
  checkCombinations,
  checkExtensionInfs,
  checkManualAcquisition,
  sameHardwareId,
  type HardwareIdKey,
  type PublishingFlags,
} from './targeting-rules.js';

export const NOT_READY_MESSAGE = 'Submission isn\'t yet ready to create shipping label. Retry after some time.';
export const WORKFLOW_IN_PROGRESS_MESSAGE = "Can't update the shipping label when another workflow is in progress. Try again.";

interface NewShippingLabel {
  name: string;
  destination: 'windowsUpdate' | 'anotherPartner' | 'notSet';
  publishingSpecifications?: Record<string, unknown> & PublishingFlags;
  recipientSpecifications?: Record<string, unknown>;
  targeting?: {
    hardwareIds?: HardwareIdKey[];
    chids?: { chid: string }[];
    restrictedToAudiences?: string[];
    inServicePublishInfo?: { flooring: string; ceiling: string };
    coEngDriverPublishInfo?: { flooringBuildNumber?: unknown; ceilingBuildNumber?: unknown } | null;
  };
}

interface ShippingLabelUpdate {
  targeting: {
    hardwareIds?: (HardwareIdKey & { action: 'add' | 'remove' })[];
    chids?: { action: 'add' | 'remove'; chid: string }[];
    restrictedToAudiences?: string[];
    inServicePublishInfo?: { flooring: string; ceiling: string };
    businessJustification?: string;
  };
}

function labelRunOf(environment: SandboxEnvironment, label: ShippingLabelRecord): ShippingLabelRun {
  const { clock } = environment;
  return {
    destination: label.destination,
    seconds: clock.secondsSince(label.runStartedAt),
    cancelledAt: label.cancelledAt === undefined ? undefined : clock.secondsBetween(label.runStartedAt, label.cancelledAt),
    failure: label.failure,
  };
}

export function labelProgressOf(environment: SandboxEnvironment, label: ShippingLabelRecord): ShippingLabelProgress {
  return shippingLabelProgress(labelRunOf(environment, label));
}

/** Once a run has finished, its pending targeting changes have been published: adds become added, removes disappear. */
function settle(targeting: TargetingRecord): void {
  targeting.hardwareIds = targeting.hardwareIds.filter((entry) => entry.pending !== 'remove').map(({ pending: _, ...entry }) => entry);
  targeting.chids = targeting.chids.filter((entry) => entry.pending !== 'remove').map(({ pending: _, ...entry }) => entry);
}

const HARDWARE_ID_STATES = { add: 'pendingAdd', remove: 'pendingRemove', none: 'added' } as const;
// CHID states are PascalCase in the current docs, unlike hardware IDs'.
const CHID_STATES = { add: 'PendingAdd', remove: 'PendingRemove', none: 'Added' } as const;

/**
 * A cancel expires the whole label ("The Cancel button ends an entire shipping label (expiration)", gradual-rollout.md):
 * its hardware IDs and CHIDs are pending removal while the cancellation runs, and gone once it is done.
 */
function targetingBody(targeting: TargetingRecord, cancellation: 'none' | 'pending' | 'done'): Record<string, unknown> {
  const state = (pending: 'add' | 'remove' | undefined): 'add' | 'remove' | 'none' => (cancellation === 'pending' ? 'remove' : (pending ?? 'none'));
  const withdrawn = cancellation === 'done';
  return {
    hardwareIds: withdrawn ? [] : targeting.hardwareIds.map(({ pending, ...key }) => ({ ...key, distributionState: HARDWARE_ID_STATES[state(pending)] })),
    chids: withdrawn ? [] : targeting.chids.map(({ pending, chid }) => ({ chid, distributionState: CHID_STATES[state(pending)] })),
    restrictedToAudiences: targeting.restrictedToAudiences,
    ...(targeting.inServicePublishInfo ? { inServicePublishInfo: targeting.inServicePublishInfo } : {}),
    ...(targeting.coEngDriverPublishInfo ? { coEngDriverPublishInfo: targeting.coEngDriverPublishInfo } : {}),
    ...(targeting.businessJustification ? { businessJustification: targeting.businessJustification } : {}),
  };
}

function labelBody(environment: SandboxEnvironment, context: RequestContext, label: ShippingLabelRecord, includeTargeting: boolean): Record<string, unknown> {
  const run = labelRunOf(environment, label);
  const progress = shippingLabelProgress(run);
  if (progress.finished) settle(label.targeting);
  const cancellation = label.cancelledAt === undefined ? 'none' : cancellationComplete(run) ? 'done' : 'pending';
  const url = `${context.apiBase}/products/${label.productId}/submissions/${label.submissionId}/shippingLabels/${label.id}`;
  return {
    id: label.id,
    productId: label.productId,
    submissionId: label.submissionId,
    name: label.name,
    destination: label.destination,
    ...(label.publishingSpecifications ? { publishingSpecifications: label.publishingSpecifications } : {}),
    ...(label.recipientSpecifications ? { recipientSpecifications: label.recipientSpecifications } : {}),
    ...(includeTargeting ? { targeting: targetingBody(label.targeting, cancellation) } : {}),
    workflowStatus: { currentStep: progress.currentStep, state: progress.state, messages: progress.messages },
    links: [
      { href: url, rel: 'self', method: 'GET' },
      { href: url, rel: 'update_shippinglabel', method: 'PATCH' },
    ],
  };
}

function includeTargetingInfo(query: URLSearchParams): boolean {
  const raw = query.get('includeTargetingInfo');
  if (raw === null) return false;
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  throw invalidInput('includeTargetingInfo must be true or false.', [{ target: 'includeTargetingInfo', message: `Expected true or false, got "${raw}".` }]);
}

/** The driver metadata of a submission that has finished ingestion, or the service's "not ready" refusal. */
function readyMetadata(environment: SandboxEnvironment, submission: SubmissionRecord): DriverMetadata {
  const progress = submissionProgressOf(environment, submission);
  if (progress.state === 'failed') {
    throw invalidForCurrentState(`The submission failed in ${progress.currentStep}; a shipping label can only be created for a signed submission.`);
  }
  const metadata = submission.ingestion?.driverMetadata;
  if (!progress.signedPackageReady || !metadata) throw invalidForCurrentState(NOT_READY_MESSAGE);
  return metadata;
}

function checkAudiences(audiences: readonly string[], target: string): void {
  const unknown = audiences.filter((id) => !isKnownAudience(id));
  if (unknown.length > 0) {
    throw invalidInput('Unknown audience.', unknown.map((id) => ({ target, message: `${id} is not an audience of this account; see GET /audiences.` })));
  }
}

function applyHardwareIdChanges(metadata: DriverMetadata, targeting: TargetingRecord, changes: ShippingLabelUpdate['targeting']['hardwareIds'] = []): void {
  checkCombinations(metadata, changes.filter((change) => enumValue(change.action, ACTIONS, 'add') === 'add'), 'targeting.hardwareIds');
  for (const { action: sent, ...key } of changes) {
    const action = enumValue(sent, ACTIONS, 'add');
    const existing = targeting.hardwareIds.find((entry) => sameHardwareId(entry, key));
    if (action === 'add') {
      if (!existing) targeting.hardwareIds.push({ ...key, pending: 'add' });
      else if (existing.pending === 'remove') delete existing.pending;
      continue;
    }
    if (!existing || existing.pending === 'remove') {
      throw invalidInput('Hardware ID not targeted.', [{ target: 'targeting.hardwareIds', message: `${key.pnpString} (${key.operatingSystemCode}, ${key.infId}) is not targeted by this shipping label.` }]);
    }
    if (existing.pending === 'add') targeting.hardwareIds.splice(targeting.hardwareIds.indexOf(existing), 1);
    else existing.pending = 'remove';
  }
}

function applyChidChanges(targeting: TargetingRecord, changes: ShippingLabelUpdate['targeting']['chids'] = []): void {
  for (const { action: sent, chid } of changes) {
    const action = enumValue(sent, ACTIONS, 'add');
    const existing = targeting.chids.find((entry) => entry.chid.toLowerCase() === chid.toLowerCase());
    if (action === 'add') {
      if (!existing) targeting.chids.push({ chid, pending: 'add' });
      else if (existing.pending === 'remove') delete existing.pending;
      continue;
    }
    if (!existing || existing.pending === 'remove') {
      throw invalidInput('CHID not targeted.', [{ target: 'targeting.chids', message: `${chid} is not targeted by this shipping label.` }]);
    }
    if (existing.pending === 'add') targeting.chids.splice(targeting.chids.indexOf(existing), 1);
    else existing.pending = 'remove';
  }
}

const activeHardwareIds = (targeting: TargetingRecord): HardwareIdRecord[] => targeting.hardwareIds.filter((entry) => entry.pending !== 'remove');

function listShippingLabels(environment: SandboxEnvironment, context: RequestContext): Reply {
  const submission = environment.store.submission(context.params.productId!, context.params.submissionId!);
  const includeTargeting = includeTargetingInfo(context.query);
  const page = pageOf(
    environment.store.shippingLabelsOf(submission.id),
    context.query,
    environment.pageSize,
    `${submissionUrl(context, submission)}/shippingLabels`,
    includeTargeting ? { includeTargetingInfo: 'true' } : {},
  );
  return { status: 200, json: { value: page.value.map((label) => labelBody(environment, context, label, includeTargeting)), links: page.links } };
}

/** The checks of a new label's publishing and targeting against the submission's driver metadata, in the service's order. */
function checkNewTargeting(metadata: DriverMetadata, request: NewShippingLabel, hardwareIds: HardwareIdKey[], chids: { chid: string }[]): void {
  if (request.publishingSpecifications) checkManualAcquisition(request.publishingSpecifications);
  if (request.destination === 'windowsUpdate' && hardwareIds.length === 0) {
    throw invalidInput('A Windows Update shipping label needs hardware IDs.', [
      { target: 'targeting.hardwareIds', message: 'Add at least one hardware ID from the submission\'s driver metadata.' },
    ]);
  }
  checkChids(hardwareIds, chids.length);
  checkCombinations(metadata, hardwareIds, 'targeting.hardwareIds');
  if (request.destination === 'windowsUpdate' && request.publishingSpecifications) {
    checkExtensionInfs(metadata, hardwareIds, request.publishingSpecifications);
  }
  checkAudiences(request.targeting?.restrictedToAudiences ?? [], 'targeting.restrictedToAudiences');
}

function createShippingLabel(environment: SandboxEnvironment, context: RequestContext): Reply {
  const { store, ids, clock } = environment;
  const submission = store.submission(context.params.productId!, context.params.submissionId!);
  const request = context.body as NewShippingLabel;
  // The service binds the destination in any case; a missing one is notSet.
  request.destination = enumValue(request.destination, DESTINATIONS, 'notSet');
  if (request.destination === 'notSet') {
    throw invalidInput('A shipping label needs a destination.', [
      { target: 'destination', message: 'Use windowsUpdate to publish the driver or anotherPartner to share it.' },
    ]);
  }
  const metadata = readyMetadata(environment, submission);
  const hardwareIds = request.targeting?.hardwareIds ?? [];
  const chids = request.targeting?.chids ?? [];
  checkNewTargeting(metadata, request, hardwareIds, chids);
  const label: ShippingLabelRecord = {
    id: ids.sequenceId(),
    productId: submission.productId,
    submissionId: submission.id,
    name: request.name,
    destination: request.destination,
    publishingSpecifications: withoutNulls(request.publishingSpecifications),
    recipientSpecifications: withoutNulls(request.recipientSpecifications),
    targeting: {
      hardwareIds: hardwareIds.map(({ bundleId, infId, operatingSystemCode, pnpString }) => ({ bundleId, infId, operatingSystemCode, pnpString, pending: 'add' })),
      chids: chids.map(({ chid }) => ({ chid, pending: 'add' })),
      restrictedToAudiences: request.targeting?.restrictedToAudiences ?? [],
      inServicePublishInfo: request.targeting?.inServicePublishInfo,
      coEngDriverPublishInfo: coEngValue(request.targeting?.coEngDriverPublishInfo),
    },
    runStartedAt: clock.now(),
    failure: forcedShippingLabelFailure(environment.failures),
  };
  store.shippingLabels.set(label.id, label);
  // The create response omits targeting, as in the docs' example.
  return { status: 201, json: labelBody(environment, context, label, false) };
}

function labelOf(environment: SandboxEnvironment, context: RequestContext): ShippingLabelRecord {
  return environment.store.shippingLabel(context.params.productId!, context.params.submissionId!, context.params.shippingLabelId!);
}

function getShippingLabel(environment: SandboxEnvironment, context: RequestContext): Reply {
  const label = labelOf(environment, context);
  return { status: 200, json: labelBody(environment, context, label, includeTargetingInfo(context.query)) };
}

function updateShippingLabel(environment: SandboxEnvironment, context: RequestContext): Reply {
  const label = labelOf(environment, context);
  const submission = environment.store.submission(label.productId, label.submissionId);
  if (label.cancelledAt !== undefined) throw invalidForCurrentState('The shipping label was cancelled; it can\'t be updated.');
  const progress = labelProgressOf(environment, label);
  // Preprocessing runs on the latest targeting; in Microsoft Approval and Gradual Rollout the label is locked
  // for edits (gradual-rollout.md). The service has one documented answer for both.
  if (progress.preprocessing || progress.cancellable) throw invalidInput(WORKFLOW_IN_PROGRESS_MESSAGE);
  if (progress.finished) settle(label.targeting);
  const changes = (context.body as ShippingLabelUpdate).targeting;
  // Work on a copy: a refused update must leave the label as it was.
  const targeting: TargetingRecord = structuredClone(label.targeting);
  const metadata = submission.ingestion!.driverMetadata!;
  applyHardwareIdChanges(metadata, targeting, changes.hardwareIds);
  applyChidChanges(targeting, changes.chids);
  // Every targeted hardware ID passed the metadata check, and the metadata knows Windows 10+ codes only, so
  // added CHIDs cannot break the CHID rule here; an added extension INF can break the auto-install rule.
  if (label.publishingSpecifications) checkExtensionInfs(metadata, activeHardwareIds(targeting), label.publishingSpecifications);
  if (changes.restrictedToAudiences !== undefined) {
    checkAudiences(changes.restrictedToAudiences, 'targeting.restrictedToAudiences');
    targeting.restrictedToAudiences = changes.restrictedToAudiences;
  }
  if (changes.inServicePublishInfo !== undefined) targeting.inServicePublishInfo = changes.inServicePublishInfo;
  if (changes.businessJustification !== undefined) targeting.businessJustification = changes.businessJustification;
  label.targeting = targeting;
  label.runStartedAt = environment.clock.now();
  return { status: 204 };
}

function cancelShippingLabel(environment: SandboxEnvironment, context: RequestContext): Reply {
  const label = labelOf(environment, context);
  if (label.destination === 'anotherPartner') {
    throw invalidForCurrentState("Shipping labels shared with another partner can't be cancelled; revoke the sharing once its workflow has completed.");
  }
  if (label.cancelledAt !== undefined) throw invalidForCurrentState('The shipping label has already been cancelled.');
  if (!labelProgressOf(environment, label).cancellable) {
    throw invalidForCurrentState('A shipping label can only be cancelled while it is in Microsoft Approval or Gradual Rollout.');
  }
  label.cancelledAt = environment.clock.now();
  return { status: 204 };
}

export function shippingLabelRoutes(environment: SandboxEnvironment): Route[] {
  const labelPath = '/products/{productId}/submissions/{submissionId}/shippingLabels';
  return [
    {
      method: 'GET',
      path: labelPath,
      operationId: 'listShippingLabels',
      body: 'none',
      handle: (context) => listShippingLabels(environment, context),
    },
    {
      method: 'POST',
      path: labelPath,
      operationId: 'createShippingLabel',
      body: 'json',
      handle: (context) => createShippingLabel(environment, context),
    },
    {
      method: 'GET',
      path: `${labelPath}/{shippingLabelId}`,
      operationId: 'getShippingLabel',
      body: 'none',
      handle: (context) => getShippingLabel(environment, context),
    },
    {
      method: 'PATCH',
      path: `${labelPath}/{shippingLabelId}`,
      operationId: 'updateShippingLabel',
      body: 'json',
      handle: (context) => updateShippingLabel(environment, context),
    },
    {
      method: 'PUT',
      path: `${labelPath}/{shippingLabelId}/cancel`,
      operationId: 'cancelShippingLabel',
      body: 'none',
      handle: (context) => cancelShippingLabel(environment, context),
    },
  ];
}
