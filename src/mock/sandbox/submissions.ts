/**
 * Submission routes: create (with the upload SAS URL), get, list, rename, commit (which starts ingestion), and
 * createpublishermetadata.
 */
import { SIGNED_CONTAINER, INGESTION_CONTAINER } from './blob-storage.js';
import type { SandboxEnvironment } from './environment.js';
import { callerOf } from './caller.js';
import { invalidForCurrentState, invalidInput, updateUnauthorized } from './errors.js';
import { newGuid } from './ids.js';
import { ingestSubmission } from './ingestion.js';
import { pageOf, type Link } from './paging.js';
import { enumValue, SUBMISSION_TYPES } from './request-values.js';
import type { Reply, RequestContext, Route } from './router.js';
import type { SubmissionRecord } from './store.js';
import { submissionProgress, type SubmissionProgress } from './submission-workflow.js';

/** The sandbox account's seller ID: in certification report URLs (the docs' example seller) and as the publisher of what it shares. */
export const SELLER_ID = '29963920';

/**
 * The certification report link as get-a-submission.md prints it (host and path; the docs' copy has a stray space
 * after `https://`): a dashboard page that needs a Partner Center session, not a SAS URL.
 */
export function certificationReportUrl(submission: SubmissionRecord): string {
  return `https://manage.devcenter.microsoft.com/dashboard/hardware/Driver/DownloadCertificationReport/${SELLER_ID}/${submission.productId}/${submission.id}`;
}

/** SDCM issue #69: the service's answer to a derived submission for a product that cannot have one. */
export const DERIVED_NOT_ALLOWED_MESSAGE = 'Cannot create derived submission for Attestation, TestSigned and ExtensionInf type of products.';

/**
 * Derived (DUA) submissions are for HLK/HCK-certified drivers: the service refuses them for attestation-signed,
 * test-signed and extension-INF products. Whether the product's driver is an extension INF is known once its initial
 * submission's package has been examined.
 */
export function allowsDerived(environment: SandboxEnvironment, productId: string): boolean {
  const product = environment.store.product(productId);
  const initial = environment.store.initialSubmissionOf(productId);
  return product.testHarness !== 'attestation' && !product.isTestSign && initial?.ingestion?.isExtensionInf !== true;
}

export function submissionProgressOf(environment: SandboxEnvironment, submission: SubmissionRecord): SubmissionProgress {
  const seconds = submission.committedAt === undefined ? undefined : environment.clock.secondsSince(submission.committedAt);
  return submissionProgress(seconds, submission.ingestion?.outcome);
}

export function submissionUrl(context: RequestContext, submission: SubmissionRecord): string {
  return `${context.apiBase}/products/${submission.productId}/submissions/${submission.id}`;
}

async function downloadItems(environment: SandboxEnvironment, submission: SubmissionRecord, progress: SubmissionProgress): Promise<{ type: string; url: string }[]> {
  const { blobs } = environment;
  // Before the commit the initial package URL is where the package goes; afterwards it is a read-only copy of it.
  const items = [
    {
      type: 'initialPackage',
      url:
        submission.committedAt === undefined
          ? await blobs.uploadUrl(submission.packageBlob)
          : await blobs.downloadUrl(INGESTION_CONTAINER, submission.packageBlob),
    },
  ];
  const ingestion = submission.ingestion;
  if (progress.signedPackageReady && ingestion?.signedPackageBlob) {
    // The shell that derived submissions start from, offered where the product may have them (get-a-submission.md
    // shows it on a completed HLK submission). The sandbox's shell is the package as uploaded.
    if (allowsDerived(environment, submission.productId)) {
      items.push({ type: 'derivedPackage', url: await blobs.downloadUrl(INGESTION_CONTAINER, submission.packageBlob) });
    }
    items.push({ type: 'signedPackage', url: await blobs.downloadUrl(SIGNED_CONTAINER, ingestion.signedPackageBlob) });
    items.push({ type: 'certificationReport', url: certificationReportUrl(submission) });
  }
  if (progress.driverMetadataReady && ingestion?.driverMetadataBlob) {
    items.push({ type: 'driverMetadata', url: await blobs.downloadUrl(SIGNED_CONTAINER, ingestion.driverMetadataBlob) });
  }
  return items;
}

/** The submission as the service sends it; `full` adds downloads (get and create), which list items lack. */
export async function submissionBody(environment: SandboxEnvironment, context: RequestContext, submission: SubmissionRecord, full: boolean): Promise<Record<string, unknown>> {
  const progress = submissionProgressOf(environment, submission);
  const url = submissionUrl(context, submission);
  const links: Link[] = [
    { href: url, rel: 'self', method: 'GET' },
    { href: url, rel: 'update_submission', method: 'PATCH' },
    { href: `${url}/commit`, rel: 'commit_submission', method: 'POST' },
  ];
  return {
    id: submission.id,
    productId: submission.productId,
    name: submission.name,
    type: submission.type,
    commitStatus: progress.commitStatus,
    // Known once the package has been examined; false before, as in the docs' create example.
    isExtensionInf: submission.ingestion?.isExtensionInf ?? false,
    isUniversal: submission.ingestion?.isUniversal ?? false,
    isDeclarativeInf: submission.ingestion?.isDeclarativeInf ?? false,
    // Not in the docs; Microsoft's client library (HDCM-lib Submission) reads them.
    createdBy: submission.createdBy,
    createdDateTime: environment.clock.iso(submission.createdAt),
    workflowStatus: { currentStep: progress.currentStep, state: progress.state, messages: progress.messages },
    ...(full ? { downloads: { items: await downloadItems(environment, submission, progress), messages: [] } } : {}),
    links,
  };
}

async function listSubmissions(environment: SandboxEnvironment, context: RequestContext): Promise<Reply> {
  const { store } = environment;
  const productId = context.params.productId!;
  store.product(productId);
  const page = pageOf(store.submissionsOf(productId), context.query, environment.pageSize, `${context.apiBase}/products/${productId}/submissions`);
  const value = await Promise.all(page.value.map((submission) => submissionBody(environment, context, submission, false)));
  return { status: 200, json: { value, links: page.links } };
}

async function createSubmission(environment: SandboxEnvironment, context: RequestContext): Promise<Reply> {
  const { store, ids, clock } = environment;
  const productId = context.params.productId!;
  store.product(productId);
  const body = context.body as { name?: string | null; type?: string | null };
  const name = body.name ?? '';
  // Sent in any case (P4VFS sends `Initial`); a missing type is the first member of the service's enum.
  const type = enumValue(body.type, SUBMISSION_TYPES, 'initial');
  const initial = store.initialSubmissionOf(productId);
  if (type === 'initial' && initial) throw invalidForCurrentState('Initial submission already exists');
  if (type === 'derived' && !allowsDerived(environment, productId)) throw invalidInput(DERIVED_NOT_ALLOWED_MESSAGE);
  if (type === 'derived' && !initial) throw invalidForCurrentState("Can't create derived submission since no initial submission created");
  const submission: SubmissionRecord = {
    id: ids.sequenceId(),
    productId,
    name,
    type,
    packageBlob: newGuid(),
    createdBy: callerOf(context.request),
    createdAt: clock.now(),
  };
  store.submissions.set(submission.id, submission);
  return { status: 201, json: await submissionBody(environment, context, submission, true) };
}

async function getSubmission(environment: SandboxEnvironment, context: RequestContext): Promise<Reply> {
  const submission = environment.store.submission(context.params.productId!, context.params.submissionId!);
  return { status: 200, json: await submissionBody(environment, context, submission, true) };
}

function updateSubmission(environment: SandboxEnvironment, context: RequestContext): Reply {
  const submission = environment.store.submission(context.params.productId!, context.params.submissionId!);
  if (submissionProgressOf(environment, submission).state === 'failed') {
    throw updateUnauthorized("Can't update the submission since the workflows failed");
  }
  submission.name = (context.body as { name: string }).name;
  return { status: 204 };
}

function commitSubmission(environment: SandboxEnvironment, context: RequestContext): Reply {
  const { store, clock, background } = environment;
  const submission = store.submission(context.params.productId!, context.params.submissionId!);
  if (submission.committedAt !== undefined) throw invalidForCurrentState('Only pending submissions can be committed.');
  submission.committedAt = clock.now();
  background.run(async () => {
    submission.ingestion = await ingestSubmission({
      blobs: environment.blobs,
      submission,
      product: store.product(submission.productId),
      failures: environment.failures,
      signedAt: clock.iso(),
    });
  });
  return { status: 202 };
}

function createPublisherMetadata(environment: SandboxEnvironment, context: RequestContext): Reply {
  // Only meaningful for submissions shared with the caller; the sandbox's own submissions already have metadata.
  environment.store.submission(context.params.productId!, context.params.submissionId!);
  return { status: 202 };
}

export function submissionRoutes(environment: SandboxEnvironment): Route[] {
  const submissionPath = '/products/{productId}/submissions/{submissionId}';
  return [
    {
      method: 'GET',
      path: '/products/{productId}/submissions',
      operationId: 'listSubmissions',
      body: 'none',
      handle: (context) => listSubmissions(environment, context),
    },
    {
      method: 'POST',
      path: '/products/{productId}/submissions',
      operationId: 'createSubmission',
      body: 'json',
      handle: (context) => createSubmission(environment, context),
    },
    {
      method: 'GET',
      path: submissionPath,
      operationId: 'getSubmission',
      body: 'none',
      handle: (context) => getSubmission(environment, context),
    },
    {
      method: 'PATCH',
      path: submissionPath,
      operationId: 'updateSubmission',
      body: 'json',
      handle: (context) => updateSubmission(environment, context),
    },
    {
      method: 'POST',
      path: `${submissionPath}/commit`,
      operationId: 'commitSubmission',
      body: 'none',
      handle: (context) => commitSubmission(environment, context),
    },
    {
      method: 'POST',
      path: `${submissionPath}/createpublishermetadata`,
      operationId: 'createPublisherMetadata',
      body: 'none',
      handle: (context) => createPublisherMetadata(environment, context),
    },
  ];
}
