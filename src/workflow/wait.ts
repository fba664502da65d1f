/**
 * Waiting for the service's long-running workflows: a submission's ingestion (minutes to hours), a shipping label's
 * publishing or sharing, and preproduction signing. Each wait polls the resource at an interval, reports every step
 * and state change once, stops on `failed` with the service's own messages, backs off when throttled, and gives up
 * after an overall timeout. The service has no push notifications, so polling is the only way (reference section 5).
 */
import type { HdcClient } from '../client/client.js';
import { RateLimitError } from '../client/errors/rate-limit-error.js';
import { toId, type IdInput } from '../client/ids.js';
import { sleep as abortableSleep } from '../client/pipeline/pipeline.js';
import type { PreprodPackage } from '../client/resources/preprod.js';
import type { ShippingLabel } from '../client/resources/shipping-labels.js';
import type { Submission } from '../client/resources/submissions.js';
import { WorkflowFailedError, type WorkflowSubject } from './workflow-failed-error.js';
import { WorkflowTimeoutError } from './workflow-timeout-error.js';
import {
  PREPROD_SIGNING_STATUSES,
  SHARING_LABEL_STEPS,
  SUBMISSION_STEPS,
  WINDOWS_UPDATE_LABEL_STEPS,
  WORKFLOW_STATES,
  hasDownload,
  isNumericStep,
  normalise,
} from '../client/vocabulary.js';

export type { WorkflowSubject } from './workflow-failed-error.js';

/** A step or state change of a workflow, reported once when a poll first sees it. */
export interface WorkflowEvent {
  kind: 'workflow';
  subject: WorkflowSubject;
  /**
   * The current step in the docs' camelCase spelling (`packageInfoValidation`, `microsoftApproval`), whatever case the
   * service sent. A numeric step is reported as its digits. Preprod packages have one step, `signing`.
   */
  step: string;
  /** `notStarted`, `started`, `completed` or `failed`; for preprod packages the `signingStatus` in camelCase. */
  state: string;
  /** The service's messages about the step, when it sent any. */
  messages?: string[];
}

/** Options of every wait. */
export interface WaitOptions {
  /**
   * Milliseconds between polls. Microsoft's own CLI polls every 5 s; the service publishes no rate limit beyond a
   * per-minute one per account, so do not go much lower when several jobs share an account.
   * @default 5000
   */
  pollIntervalMs?: number;
  /**
   * Overall limit on the wait in milliseconds, checked between polls (each poll is bounded by the client's own
   * `timeoutMs`). Ingestion with manual review can take hours; `Infinity` waits for good.
   * @default 7200000 (2 hours)
   */
  timeoutMs?: number;
  /** Stops the wait at once, even in the middle of a sleep or a poll; the wait rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called for every step and every state change, once each, in the order the polls saw them. */
  onEvent?: (event: WorkflowEvent) => void;
  /**
   * Waits between polls. Replace it (with `now`) to run waits on a fake clock in tests.
   * @default an abortable `setTimeout`
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The clock the timeout is measured on, in milliseconds.
   * @default Date.now
   */
  now?: () => number;
}

export interface WaitForSubmissionOptions extends WaitOptions {
  /**
   * `completed`: until ingestion has completed and the `signedPackage` download is there.
   * `driverMetadata`: also until the `driverMetadata` download is there; it can appear after the signed package, and
   * shipping labels are built from it.
   * @default 'completed'
   */
  until?: 'completed' | 'driverMetadata';
}

export interface WaitForShippingLabelOptions extends WaitOptions {
  /**
   * `microsoftApproval`: until a Windows Update label reaches Microsoft approval (or a later step), where it may stay for
   * days while people at Microsoft review it; Microsoft's own CLI stops there too.
   * `completed`: until the label's last step (`finalizePublishing`) has completed.
   * A label shared with another partner is done, either way, when `finalizeSharing` has completed.
   * @default 'microsoftApproval'
   */
  until?: 'microsoftApproval' | 'completed';
}

/** @see WaitOptions.pollIntervalMs */
export const DEFAULT_POLL_INTERVAL_MS = 5000;
/** @see WaitOptions.timeoutMs */
export const DEFAULT_WAIT_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/**
 * Polls a submission until ingestion has completed (state `completed` at `finalizeIngestion`, with the `signedPackage`
 * download present) and, with `until: 'driverMetadata'`, the `driverMetadata` download too.
 *
 * @throws WorkflowFailedError when a step fails (or the commit does), with the service's messages.
 * @throws WorkflowTimeoutError when `timeoutMs` runs out first.
 */
export function waitForSubmission(
  client: HdcClient,
  productId: IdInput,
  submissionId: IdInput,
  options: WaitForSubmissionOptions = {},
): Promise<Submission> {
  const product = toId('productId', productId);
  const submission = toId('submissionId', submissionId);
  const withMetadata = options.until === 'driverMetadata';
  return pollWorkflow(
    {
      subject: 'submission',
      resource: `submission ${submission} of product ${product}`,
      waitingFor: withMetadata ? 'the signed package and the driver metadata' : 'the signed package',
      read: (signal) => client.submissions.get(product, submission, signalOption(signal)),
      inspect: (value) => inspectSubmission(value, withMetadata),
    },
    options,
  );
}

/**
 * Polls a shipping label until it reaches Microsoft approval or finishes (see `until`), or, for a label shared with
 * another partner, until sharing has completed. Returns the label with its targeting.
 *
 * @throws WorkflowFailedError when a step fails, with the service's messages; a cancelled label fails this way too.
 * @throws WorkflowTimeoutError when `timeoutMs` runs out first.
 */
export function waitForShippingLabel(
  client: HdcClient,
  productId: IdInput,
  submissionId: IdInput,
  shippingLabelId: IdInput,
  options: WaitForShippingLabelOptions = {},
): Promise<ShippingLabel> {
  const product = toId('productId', productId);
  const submission = toId('submissionId', submissionId);
  const label = toId('shippingLabelId', shippingLabelId);
  const untilCompleted = options.until === 'completed';
  return pollWorkflow(
    {
      subject: 'shippingLabel',
      resource: `shipping label ${label} of submission ${submission} (product ${product})`,
      waitingFor: untilCompleted ? 'the end of the publishing or sharing workflow' : 'Microsoft approval or completed sharing',
      read: (signal) => client.shippingLabels.get(product, submission, label, signalOption(signal)),
      inspect: (value) => inspectShippingLabel(value, untilCompleted),
    },
    options,
  );
}

/**
 * Polls a preproduction package until `signingStatus` is `Succeeded`; its signed files are then in `assets`.
 *
 * @throws WorkflowFailedError when signing fails, with the package's `error.message`.
 * @throws WorkflowTimeoutError when `timeoutMs` runs out first.
 */
export function waitForPreprodPackage(client: HdcClient, packageId: string, options: WaitOptions = {}): Promise<PreprodPackage> {
  return pollWorkflow(
    {
      subject: 'preprodPackage',
      resource: `preprod package ${packageId}`,
      waitingFor: 'preproduction signing',
      read: (signal) => client.preprod.get(packageId, signalOption(signal)),
      inspect: inspectPreprodPackage,
    },
    options,
  );
}

/** What one poll says about a workflow. `step` is undefined when the service sent no workflow status. */
interface Reading {
  step?: string;
  state?: string;
  messages: string[];
  errorReport?: string;
  done: boolean;
}

interface PollPlan<T> {
  subject: WorkflowSubject;
  resource: string;
  waitingFor: string;
  read: (signal: AbortSignal | undefined) => Promise<T>;
  inspect: (value: T) => Reading;
}

async function pollWorkflow<T>(plan: PollPlan<T>, options: WaitOptions): Promise<T> {
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const timeout = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  // A zero interval would hammer the API (and trip its per-account rate limit) for hours.
  if (!(Number.isFinite(interval) && interval > 0)) throw new RangeError(`pollIntervalMs must be a positive number of milliseconds, got ${interval}.`);
  if (!(timeout >= 0)) throw new RangeError(`timeoutMs must be zero or more milliseconds, got ${timeout}.`);
  const { signal } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const started = now();
  let last: { step: string; state: string } | undefined;

  for (;;) {
    signal?.throwIfAborted();
    let delay = interval;
    let value: { read: T } | undefined;
    try {
      value = { read: await plan.read(signal) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // Throttling outlasted the client's own retries: not a failure of the workflow, so wait it out and poll again.
      if (!(error instanceof RateLimitError)) throw error;
      delay = Math.max(error.retryAfterMs ?? 0, interval);
    }
    if (value) {
      const reading = plan.inspect(value.read);
      if (reading.step !== undefined) {
        const state = reading.state ?? 'unknown';
        if (reading.step !== last?.step || state !== last.state) {
          last = { step: reading.step, state };
          options.onEvent?.({
            kind: 'workflow',
            subject: plan.subject,
            step: reading.step,
            state,
            ...(reading.messages.length > 0 ? { messages: reading.messages } : {}),
          });
        }
        if (state === 'failed') {
          throw new WorkflowFailedError({
            subject: plan.subject,
            resource: plan.resource,
            step: reading.step,
            state,
            messages: reading.messages,
            ...(reading.errorReport === undefined ? {} : { errorReport: reading.errorReport }),
          });
        }
      }
      if (reading.done) return value.read;
    }
    const waited = now() - started;
    if (waited >= timeout) {
      throw new WorkflowTimeoutError({
        subject: plan.subject,
        resource: plan.resource,
        lastStep: last?.step,
        lastState: last?.state,
        waitedMs: waited,
        timeoutMs: timeout,
        waitingFor: plan.waitingFor,
      });
    }
    // The last sleep is cut short so that the final poll happens at the deadline, not after it.
    await sleep(Math.min(delay, timeout - waited), signal);
  }
}

function inspectSubmission(submission: Submission, withMetadata: boolean): Reading {
  const status = submission.workflowStatus;
  if (submission.commitStatus?.toLowerCase() === 'commitfailed') {
    // No ingestion step runs after a failed commit; without this the wait would sit out its whole timeout.
    return { step: 'commit', state: 'failed', messages: status?.messages ?? [], ...errorReportOf(status), done: false };
  }
  if (!status) return { messages: [], done: false };
  const step = normalise(status.currentStep, SUBMISSION_STEPS);
  const state = normalise(status.state, WORKFLOW_STATES);
  // A numeric step cannot be named; the signed package only appears once ingestion has finished, so it is the evidence.
  const finished =
    state === 'completed' && (step === 'finalizeIngestion' || isNumericStep(status.currentStep)) && hasDownload(submission.downloads, 'signedPackage');
  return {
    ...(step === undefined ? {} : { step }),
    ...(state === undefined ? {} : { state }),
    messages: status.messages ?? [],
    ...errorReportOf(status),
    done: finished && (!withMetadata || hasDownload(submission.downloads, 'driverMetadata')),
  };
}

const LABEL_STEPS = [...new Set<string>([...WINDOWS_UPDATE_LABEL_STEPS, ...SHARING_LABEL_STEPS])];
/** Microsoft approval and the steps after it: where Microsoft's CLI considers a Windows Update label done. */
const APPROVAL_OR_LATER = new Set(['microsoftApproval', 'publishing', 'finalizePublishing']);
const FINAL_LABEL_STEPS = new Set(['finalizePublishing', 'finalizeSharing']);

function inspectShippingLabel(label: ShippingLabel, untilCompleted: boolean): Reading {
  const status = label.workflowStatus;
  if (!status) return { messages: [], done: false };
  const step = normalise(status.currentStep, LABEL_STEPS);
  const state = normalise(status.state, WORKFLOW_STATES);
  const completedAtEnd = state === 'completed' && step !== undefined && FINAL_LABEL_STEPS.has(step);
  const approved = step !== undefined && APPROVAL_OR_LATER.has(step) && state !== 'failed';
  return {
    ...(step === undefined ? {} : { step }),
    ...(state === undefined ? {} : { state }),
    messages: status.messages ?? [],
    ...errorReportOf(status),
    done: completedAtEnd || (!untilCompleted && approved),
  };
}

function inspectPreprodPackage(pkg: PreprodPackage): Reading {
  const state = normalise(pkg.signingStatus, PREPROD_SIGNING_STATUSES);
  if (state === undefined) return { messages: [], done: false };
  const message = pkg.error?.message?.trim();
  return { step: 'signing', state, messages: message ? [message] : [], done: state === 'succeeded' };
}

function errorReportOf(status: { errorReport?: string } | undefined): { errorReport?: string } {
  return status?.errorReport ? { errorReport: status.errorReport } : {};
}

function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
