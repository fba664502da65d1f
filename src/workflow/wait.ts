/**
 * Waiting for the service's long-running workflows: a submission's ingestion (minutes to hours), a shipping label's
 * publishing or sharing, and preproduction signing. Each wait polls the resource at an interval, reports every step
 * and state change once, stops on `failed` with the service's own messages, backs off when throttled, and gives up
 * after an overall timeout. The service has no push notifications, so polling is the only way (reference section 5).
 */
import type { HdcClient } from '../client/client.js';
import { InvalidStateError } from '../client/errors/invalid-state-error.js';
import { NetworkError } from '../client/errors/network-error.js';
import { RateLimitError } from '../client/errors/rate-limit-error.js';
import { ServerError } from '../client/errors/server-error.js';
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
  isCommitPending,
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
  /** Told when a poll fails and the wait carries on (the service unreachable or throttling), for a log line. */
  onNotice?: (message: string) => void;
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
  /**
   * Fail at once (`InvalidStateError`, code `NotCommitted`) when the submission is still waiting for its commit:
   * nothing will ever sign it. For waits on a submission committed earlier; right after a commit of one's own, the
   * service may still show it pending for a moment.
   * @default false
   */
  requireCommitted?: boolean;
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

/** The longest pause between polls while the service is unreachable or throttling. */
const MAX_OUTAGE_DELAY_MS = 60_000;

/** Failures that say nothing about the workflow: the service unreachable, overloaded or throttling. */
function isTransient(error: unknown): boolean {
  return error instanceof RateLimitError || error instanceof NetworkError || error instanceof ServerError;
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
      inspect: (value, first) => {
        if (first && options.requireCommitted && isCommitPending(value.commitStatus)) {
          throw new InvalidStateError(
            `submission ${submission} is not committed (commitStatus ${value.commitStatus}), so nothing will sign it: upload its package and commit it first (hwdash submission upload, then hwdash submission commit).`,
            { code: 'NotCommitted' },
          );
        }
        return inspectSubmission(value, withMetadata);
      },
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
  /** `first` is true for the first successful read. */
  inspect: (value: T, first: boolean) => Reading;
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
  const observer = new StepObserver(plan, options.onEvent);
  let failures = 0;

  for (;;) {
    signal?.throwIfAborted();
    let delay = interval;
    let value: { read: T } | undefined;
    try {
      value = { read: await plan.read(signal) };
      failures = 0;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // An outage or throttling that outlasts the client's own retries is not a failure of the workflow: the wait
      // has hours of budget, so it backs off and polls again (bounded by its timeout, like everything else here).
      if (!isTransient(error)) throw error;
      delay = outageDelay(error, interval, ++failures);
      options.onNotice?.(`polling ${plan.resource} failed (${(error as Error).message}); trying again in ${Math.ceil(delay / 1000)} s`);
    }
    if (value && observer.observe(value.read)) return value.read;
    const waited = now() - started;
    if (waited >= timeout) {
      throw new WorkflowTimeoutError({
        subject: plan.subject,
        resource: plan.resource,
        lastStep: observer.last?.step,
        lastState: observer.last?.state,
        waitedMs: waited,
        timeoutMs: timeout,
        waitingFor: plan.waitingFor,
      });
    }
    // The last sleep is cut short so that the final poll happens at the deadline, not after it.
    await sleep(Math.min(delay, timeout - waited), signal);
  }
}

/**
 * The pause after the `failures`-th poll in a row failed: a throttled poll waits what the service asks (at least the
 * interval); an outage backs off from the interval, doubling up to a minute.
 */
function outageDelay(error: unknown, interval: number, failures: number): number {
  if (error instanceof RateLimitError) return Math.max(error.retryAfterMs ?? 0, interval);
  return Math.max(interval, Math.min(MAX_OUTAGE_DELAY_MS, interval * 2 ** (failures - 1)));
}

/** Reads polls as they come: reports each new step or state once, fails on `failed`, and says when the wait is over. */
class StepObserver<T> {
  last: { step: string; state: string } | undefined;
  #reads = 0;

  constructor(
    readonly plan: PollPlan<T>,
    readonly onEvent: ((event: WorkflowEvent) => void) | undefined,
  ) {}

  /** True when the wait is over. */
  observe(value: T): boolean {
    const reading = this.plan.inspect(value, this.#reads++ === 0);
    if (reading.step === undefined) return reading.done;
    const state = reading.state ?? 'unknown';
    if (reading.step !== this.last?.step || state !== this.last.state) {
      this.last = { step: reading.step, state };
      this.onEvent?.({
        kind: 'workflow',
        subject: this.plan.subject,
        step: reading.step,
        state,
        ...(reading.messages.length > 0 ? { messages: reading.messages } : {}),
      });
    }
    if (state === 'failed') {
      throw new WorkflowFailedError({
        subject: this.plan.subject,
        resource: this.plan.resource,
        step: reading.step,
        state,
        messages: reading.messages,
        ...(reading.errorReport === undefined ? {} : { errorReport: reading.errorReport }),
      });
    }
    return reading.done;
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
