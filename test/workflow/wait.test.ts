/**
 * Waiting for workflows, on a fake clock: a loopback server plays scripted sequences of resource states (mixed-case
 * enums, numeric steps, missing workflow status, throttling, failures, late driver metadata) and the tests count the
 * polls and the fake-clock sleeps between them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHdcClient, NotFoundError, type HdcClient } from '../../src/client/index.js';
import {
  waitForPreprodPackage,
  waitForShippingLabel,
  waitForSubmission,
  WorkflowFailedError,
  WorkflowTimeoutError,
  type WorkflowEvent,
} from '../../src/workflow/index.js';
import { renderings } from '../blob/fixtures.js';

const PRODUCT = '13635057453741329';
const SUBMISSION = '1152921504621441930';
const LABEL = '1152921504606980300';
const PACKAGE = 'pp-0c1f6b2e';
const SUBMISSION_PATH = `/v2.0/my/hardware/products/${PRODUCT}/submissions/${SUBMISSION}`;
const LABEL_PATH = `${SUBMISSION_PATH}/shippingLabels/${LABEL}`;
const PACKAGE_PATH = `/v2.0/my/hardware/preprod/packages/${PACKAGE}`;
const SAS_SIG = 'c2VjcmV0LXNhcy1zaWduYXR1cmU%3D';

interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  /** Raw JSON text, so that IDs travel as bare numbers above 2^53. */
  body: string;
}

/** A loopback API that answers each path from a script; the last entry repeats. */
class ScriptedApi {
  private server!: Server;
  private scripts = new Map<string, Scripted[]>();
  readonly requests: { path: string; query: string }[] = [];
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      this.requests.push({ path: url.pathname, query: url.search });
      const script = this.scripts.get(url.pathname);
      const next = script && (script.length > 1 ? script.shift()! : script[0]);
      if (!next) {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'EntityNotFound', message: 'No such entity' } }));
        return;
      }
      response.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers }).end(next.body);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2.0/my/hardware`;
  }

  script(path: string, responses: Scripted[]): void {
    this.scripts.set(path, [...responses]);
    this.requests.length = 0;
  }

  polls(path: string): number {
    return this.requests.filter((request) => request.path === path).length;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** JSON with every `id`-like string of digits written as a bare number, as the service sends them. */
function rawJson(value: unknown): string {
  return JSON.stringify(value).replace(/"(id|productId|submissionId)":"(\d+)"/g, '"$1":$2');
}

function submission(workflowStatus: Record<string, unknown> | undefined, downloads: string[] = [], commitStatus = 'commitComplete'): Scripted {
  return {
    body: rawJson({
      id: SUBMISSION,
      productId: PRODUCT,
      commitStatus,
      ...(workflowStatus ? { workflowStatus } : {}),
      downloads: { items: downloads.map((type) => ({ type, url: `https://ingestionpackages.blob.core.windows.net/ingestion/${type}?sv=2017-04-17&sr=b&sig=${SAS_SIG}&sp=rl` })) },
    }),
  };
}

const status = (currentStep: string | number, state: string, messages: string[] = []) => ({ currentStep, state, messages });

function label(currentStep: string, state: string, messages: string[] = []): Scripted {
  return { body: rawJson({ id: LABEL, productId: PRODUCT, submissionId: SUBMISSION, destination: 'windowsUpdate', workflowStatus: status(currentStep, state, messages) }) };
}

function preprod(signingStatus: string | undefined, error?: string): Scripted {
  return { body: JSON.stringify({ id: PACKAGE, ...(signingStatus ? { signingStatus } : {}), ...(error ? { error: { message: error } } : {}) }) };
}

const throttled = (retryAfterSeconds: number): Scripted => ({
  status: 429,
  headers: { 'retry-after': String(retryAfterSeconds) },
  body: JSON.stringify({ statusCode: 429, message: 'Rate limit is exceeded. Try again later.' }),
});

/** A fake clock: `sleep` records the delay and moves time on at once. */
function fakeClock() {
  let time = 1_750_000_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      time += ms;
    },
  };
}

function eventRecorder() {
  const events: WorkflowEvent[] = [];
  return { events, onEvent: (event: WorkflowEvent) => events.push(event), steps: () => events.map((event) => `${event.step}/${event.state}`) };
}

const api = new ScriptedApi();
let client: HdcClient;

beforeAll(async () => {
  await api.start();
  // No client-side retries: each scripted answer is one poll, and throttling reaches the wait as a RateLimitError.
  client = createHdcClient({ baseUrl: api.baseUrl, token: 'test-token', retry: { maxRetries: 0 } });
});

afterAll(() => api.stop());

describe('waitForSubmission', () => {
  let clock: ReturnType<typeof fakeClock>;
  let recorder: ReturnType<typeof eventRecorder>;
  beforeEach(() => {
    clock = fakeClock();
    recorder = eventRecorder();
  });

  it('reports each step and state change once, in the docs’ spelling, and returns when the signed package is there', async () => {
    api.script(SUBMISSION_PATH, [
      submission(status('PackageInfoValidation', 'Started')),
      submission(status('packageinfovalidation', 'started')),
      submission(status('Scanning', 'Completed')),
      submission(status('SIGNING', 'started')),
      submission(status('FinalizeIngestion', 'Completed')),
      submission(status('finalizeIngestion', 'completed'), ['initialPackage', 'SignedPackage']),
    ]);

    const result = await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, onEvent: recorder.onEvent });

    expect(result.id).toBe(SUBMISSION);
    expect(result.productId).toBe(PRODUCT);
    expect(recorder.steps()).toEqual(['packageInfoValidation/started', 'scanning/completed', 'signing/started', 'finalizeIngestion/completed']);
    expect(recorder.events.every((event) => event.kind === 'workflow' && event.subject === 'submission')).toBe(true);
    expect(api.polls(SUBMISSION_PATH)).toBe(6);
    expect(clock.sleeps).toEqual([5000, 5000, 5000, 5000, 5000]);
  });

  it('accepts a numeric currentStep, reporting it as digits, and finishes on completed + signedPackage', async () => {
    api.script(SUBMISSION_PATH, [
      submission(status(3, 'started')),
      submission(status(7, 'completed')),
      submission(status(7, 'completed'), ['signedPackage']),
    ]);

    await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, onEvent: recorder.onEvent, pollIntervalMs: 1000 });

    expect(recorder.steps()).toEqual(['3/started', '7/completed']);
    expect(api.polls(SUBMISSION_PATH)).toBe(3);
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it('keeps polling at the interval, never faster, while workflowStatus is missing', async () => {
    api.script(SUBMISSION_PATH, [
      submission(undefined, [], 'commitPending'),
      submission(undefined, [], 'CommitReceived'),
      submission(undefined),
      submission(status('packageInfoValidation', 'notStarted')),
      submission(status('finalizeIngestion', 'completed'), ['signedPackage']),
    ]);

    await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, onEvent: recorder.onEvent, pollIntervalMs: 2000 });

    expect(api.polls(SUBMISSION_PATH)).toBe(5);
    expect(clock.sleeps).toEqual([2000, 2000, 2000, 2000]);
    expect(recorder.steps()).toEqual(['packageInfoValidation/notStarted', 'finalizeIngestion/completed']);
  });

  it('backs off on 429 for max(Retry-After, interval) and carries on', async () => {
    api.script(SUBMISSION_PATH, [
      submission(status('scanning', 'started')),
      throttled(30),
      throttled(1),
      submission(status('finalizeIngestion', 'completed'), ['signedPackage']),
    ]);

    await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, onEvent: recorder.onEvent });

    expect(clock.sleeps).toEqual([5000, 30_000, 5000]);
    expect(api.polls(SUBMISSION_PATH)).toBe(4);
    expect(recorder.steps()).toEqual(['scanning/started', 'finalizeIngestion/completed']);
  });

  it('backs off on a Retry-After longer than the client pipeline accepts to wait itself', async () => {
    // The default retry policy hands back a 429 at once when Retry-After exceeds maxRetryAfterMs (60 s).
    const retrying = createHdcClient({ baseUrl: api.baseUrl, token: 'test-token', retry: { sleep: async () => undefined } });
    api.script(SUBMISSION_PATH, [throttled(120), submission(status('finalizeIngestion', 'completed'), ['signedPackage'])]);

    await waitForSubmission(retrying, PRODUCT, SUBMISSION, clock);

    expect(clock.sleeps).toEqual([120_000]);
    expect(api.polls(SUBMISSION_PATH)).toBe(2);
  });

  it('stops on failed with the service’s messages in a WorkflowFailedError, without leaking the error report’s SAS signature', async () => {
    const errorReport = `https://ingestionpackages.blob.core.windows.net/reports/r1.txt?sv=2017-04-17&sr=b&sig=${SAS_SIG}&sp=r`;
    api.script(SUBMISSION_PATH, [
      submission(status('validation', 'started')),
      submission({ ...status('Validation', 'Failed', ['InfVerif failed: contoso.inf(12): missing [SourceDisksFiles]', 'Fix the INF and submit again.']), errorReport }),
      submission(status('finalizeIngestion', 'completed'), ['signedPackage']),
    ]);

    const error = await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, onEvent: recorder.onEvent }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failed = error as WorkflowFailedError;
    expect({ subject: failed.subject, step: failed.step, state: failed.state, messages: failed.messages, kind: failed.kind }).toEqual({
      subject: 'submission',
      step: 'validation',
      state: 'failed',
      messages: ['InfVerif failed: contoso.inf(12): missing [SourceDisksFiles]', 'Fix the INF and submit again.'],
      kind: 'workflow-failed',
    });
    expect(failed.message).toContain(`submission ${SUBMISSION} of product ${PRODUCT} failed in step validation`);
    expect(failed.message).toContain('"InfVerif failed: contoso.inf(12): missing [SourceDisksFiles]"');
    expect(failed.errorReportUrl).toBe(errorReport);
    for (const [how, text] of Object.entries(renderings(failed))) {
      expect({ how, leaks: text.includes(SAS_SIG) || text.includes(decodeURIComponent(SAS_SIG)) }).toEqual({ how, leaks: false });
    }
    expect(recorder.steps()).toEqual(['validation/started', 'validation/failed']);
    expect(recorder.events[1]!.messages).toHaveLength(2);
    expect(api.polls(SUBMISSION_PATH)).toBe(2);
  });

  it('stops when the commit fails instead of waiting out the timeout', async () => {
    api.script(SUBMISSION_PATH, [submission(undefined, [], 'CommitFailed')]);

    const error = await waitForSubmission(client, PRODUCT, SUBMISSION, clock).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).step).toBe('commit');
    expect((error as WorkflowFailedError).message).toContain('the service gave no message');
    expect(api.polls(SUBMISSION_PATH)).toBe(1);
  });

  it("with until: 'driverMetadata', keeps polling after the signed package until the driver metadata arrives", async () => {
    const sequence = [
      submission(status('finalizeIngestion', 'completed'), ['signedPackage', 'certificationReport']),
      submission(status('finalizeIngestion', 'completed'), ['signedPackage', 'certificationReport']),
      submission(status('finalizeIngestion', 'completed'), ['signedPackage', 'certificationReport', 'DriverMetadata']),
    ];
    api.script(SUBMISSION_PATH, sequence);
    const withMetadata = await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, until: 'driverMetadata', onEvent: recorder.onEvent });
    expect(withMetadata.downloads?.items.map((item) => item.type)).toContain('DriverMetadata');
    expect(api.polls(SUBMISSION_PATH)).toBe(3);
    expect(clock.sleeps).toEqual([5000, 5000]);
    expect(recorder.steps()).toEqual(['finalizeIngestion/completed']);

    api.script(SUBMISSION_PATH, sequence);
    const signedOnly = await waitForSubmission(client, PRODUCT, SUBMISSION, { ...fakeClock() });
    expect(signedOnly.downloads?.items.map((item) => item.type)).toEqual(['signedPackage', 'certificationReport']);
    expect(api.polls(SUBMISSION_PATH)).toBe(1);
  });

  it('times out with the last step and state seen, cutting the last sleep short so the final poll lands on the deadline', async () => {
    api.script(SUBMISSION_PATH, [submission(status('manualReview', 'Started'))]);

    const error = await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, timeoutMs: 12_000 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkflowTimeoutError);
    const timeout = error as WorkflowTimeoutError;
    expect({ lastStep: timeout.lastStep, lastState: timeout.lastState, waitedMs: timeout.waitedMs, timeoutMs: timeout.timeoutMs, subject: timeout.subject }).toEqual({
      lastStep: 'manualReview',
      lastState: 'started',
      waitedMs: 12_000,
      timeoutMs: 12_000,
      subject: 'submission',
    });
    expect(timeout.message).toContain('after 12s');
    expect(timeout.message).toContain('last seen in step manualReview (started)');
    expect(clock.sleeps).toEqual([5000, 5000, 2000]);
    expect(api.polls(SUBMISSION_PATH)).toBe(4);
  });

  it('says so when it timed out without ever seeing a workflow step', async () => {
    api.script(SUBMISSION_PATH, [submission(undefined, [], 'commitPending')]);

    const error = (await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, timeoutMs: 2 * 60 * 60 * 1000, pollIntervalMs: 60_000 }).catch(
      (caught: unknown) => caught,
    )) as WorkflowTimeoutError;

    expect(error).toBeInstanceOf(WorkflowTimeoutError);
    expect(error.lastStep).toBeUndefined();
    expect(error.message).toContain('after 2h');
    expect(error.message).toContain('the service never reported a workflow step');
    expect(api.polls(SUBMISSION_PATH)).toBe(121);
    expect(clock.sleeps.every((ms) => ms === 60_000)).toBe(true);
  });

  it('stops at once when aborted during a sleep, rejecting with the signal’s reason', async () => {
    api.script(SUBMISSION_PATH, [submission(status('scanning', 'started'))]);
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    let sleeping = 0;
    const sleep = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        sleeping++;
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        queueMicrotask(() => controller.abort(reason));
      });

    await expect(waitForSubmission(client, PRODUCT, SUBMISSION, { sleep, now: clock.now, signal: controller.signal })).rejects.toBe(reason);
    expect(sleeping).toBe(1);
    expect(api.polls(SUBMISSION_PATH)).toBe(1);
  });

  it('stops at once when aborted during the default sleep too', async () => {
    api.script(SUBMISSION_PATH, [submission(status('scanning', 'started'))]);
    const controller = new AbortController();
    const reason = new Error('job cancelled');

    const waiting = waitForSubmission(client, PRODUCT, SUBMISSION, {
      signal: controller.signal,
      pollIntervalMs: 10 * 60 * 1000,
      onEvent: () => setImmediate(() => controller.abort(reason)),
    });

    await expect(waiting).rejects.toBe(reason);
    expect(api.polls(SUBMISSION_PATH)).toBe(1);
  });

  it('does not poll at all with an already aborted signal', async () => {
    api.script(SUBMISSION_PATH, [submission(status('scanning', 'started'))]);
    const reason = new Error('already cancelled');

    await expect(waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(api.polls(SUBMISSION_PATH)).toBe(0);
  });

  it('rides out an outage (5xx answers, then a dead port) on its own budget, backing off, and says so', async () => {
    const down = { status: 503, body: JSON.stringify({ error: { code: 'serviceUnavailable', message: 'The service is temporarily unavailable.' } }) };
    api.script(SUBMISSION_PATH, [submission(status('scanning', 'started')), down, down, down, down, submission(status('finalizeIngestion', 'completed'), ['signedPackage'])]);
    const notices: string[] = [];

    const result = await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, onEvent: recorder.onEvent, onNotice: (message) => notices.push(message) });

    expect(result.id).toBe(SUBMISSION);
    // The interval, then doubling while the service is down, then the interval again.
    expect(clock.sleeps).toEqual([5000, 5000, 10_000, 20_000, 40_000]);
    expect(notices).toHaveLength(4);
    expect(notices[0]).toMatch(/^polling submission .* failed \(.*503.*\); trying again in 5 s$/);

    const unreachable = createHdcClient({ baseUrl: 'http://127.0.0.1:9/v2.0/my/hardware', token: 'test-token', retry: { maxRetries: 0 } });
    const timedOut = await waitForSubmission(unreachable, PRODUCT, SUBMISSION, { ...clock, timeoutMs: 10 * 60_000 }).catch((error: unknown) => error);
    // Minutes of a dead port end as a timeout of the wait, not as the first network error.
    expect(timedOut).toBeInstanceOf(WorkflowTimeoutError);
  });

  it('fails at once on a submission nobody committed, with requireCommitted', async () => {
    api.script(SUBMISSION_PATH, [submission(undefined, ['initialPackage'], 'CommitPending')]);
    const error = await waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, requireCommitted: true }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'invalid-state', code: 'NotCommitted' });
    expect(api.polls(SUBMISSION_PATH)).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('lets other API errors through unchanged', async () => {
    api.script(SUBMISSION_PATH, []);

    await expect(waitForSubmission(client, PRODUCT, SUBMISSION, clock)).rejects.toBeInstanceOf(NotFoundError);
    expect(api.polls(SUBMISSION_PATH)).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('refuses an interval that would hammer the API, before polling', async () => {
    api.script(SUBMISSION_PATH, [submission(status('scanning', 'started'))]);

    await expect(waitForSubmission(client, PRODUCT, SUBMISSION, { ...clock, pollIntervalMs: 0 })).rejects.toThrow(RangeError);
    expect(api.polls(SUBMISSION_PATH)).toBe(0);
  });
});

describe('waitForShippingLabel', () => {
  it('asks for targeting and returns once a Windows Update label reaches Microsoft approval', async () => {
    const clock = fakeClock();
    const recorder = eventRecorder();
    api.script(LABEL_PATH, [
      label('PreProcessShippingLabel', 'NotStarted'),
      label('preProcessShippingLabel', 'started'),
      label('PublishJobValidation', 'Completed'),
      label('MicrosoftApproval', 'Started'),
      label('publishing', 'started'),
    ]);

    const result = await waitForShippingLabel(client, PRODUCT, SUBMISSION, LABEL, { ...clock, onEvent: recorder.onEvent });

    expect(result.id).toBe(LABEL);
    expect(recorder.steps()).toEqual(['preProcessShippingLabel/notStarted', 'preProcessShippingLabel/started', 'publishJobValidation/completed', 'microsoftApproval/started']);
    expect(recorder.events.every((event) => event.subject === 'shippingLabel')).toBe(true);
    expect(api.polls(LABEL_PATH)).toBe(4);
    expect(api.requests.every((request) => request.query === '?includeTargetingInfo=true')).toBe(true);
  });

  it("with until: 'completed', waits for finalizePublishing to complete", async () => {
    const clock = fakeClock();
    const recorder = eventRecorder();
    api.script(LABEL_PATH, [
      label('microsoftApproval', 'started'),
      label('Publishing', 'Started'),
      label('finalizePublishing', 'started'),
      label('FinalizePublishing', 'Completed'),
    ]);

    await waitForShippingLabel(client, PRODUCT, SUBMISSION, LABEL, { ...clock, onEvent: recorder.onEvent, until: 'completed' });

    expect(recorder.steps()).toEqual(['microsoftApproval/started', 'publishing/started', 'finalizePublishing/started', 'finalizePublishing/completed']);
    expect(clock.sleeps).toEqual([5000, 5000, 5000]);
  });

  it('returns a label shared with another partner once finalizeSharing has completed', async () => {
    const clock = fakeClock();
    api.script(LABEL_PATH, [label('ProcessSharing', 'Started'), label('FinalizeSharing', 'Started'), label('finalizeSharing', 'completed')]);

    await waitForShippingLabel(client, PRODUCT, SUBMISSION, LABEL, clock);

    expect(api.polls(LABEL_PATH)).toBe(3);
  });

  it('fails with the service’s messages when a label fails (a cancelled label included)', async () => {
    const clock = fakeClock();
    api.script(LABEL_PATH, [label('microsoftApproval', 'started'), label('MicrosoftApproval', 'Failed', ['The shipping label was cancelled.'])]);

    const error = await waitForShippingLabel(client, PRODUCT, SUBMISSION, LABEL, { ...clock, until: 'completed' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).subject).toBe('shippingLabel');
    expect((error as WorkflowFailedError).step).toBe('microsoftApproval');
    expect((error as WorkflowFailedError).messages).toEqual(['The shipping label was cancelled.']);
    expect((error as Error).message).toContain(`shipping label ${LABEL} of submission ${SUBMISSION}`);
  });
});

describe('waitForPreprodPackage', () => {
  it('follows signingStatus to Succeeded, whatever its case', async () => {
    const clock = fakeClock();
    const recorder = eventRecorder();
    api.script(PACKAGE_PATH, [preprod(undefined), preprod('NotStarted'), preprod('PROCESSING'), preprod('processing'), preprod('Succeeded')]);

    const result = await waitForPreprodPackage(client, PACKAGE, { ...clock, onEvent: recorder.onEvent });

    expect(result.signingStatus).toBe('Succeeded');
    expect(recorder.steps()).toEqual(['signing/notStarted', 'signing/processing', 'signing/succeeded']);
    expect(recorder.events.every((event) => event.subject === 'preprodPackage')).toBe(true);
    expect(api.polls(PACKAGE_PATH)).toBe(5);
  });

  it('fails with the package’s error message', async () => {
    const clock = fakeClock();
    api.script(PACKAGE_PATH, [preprod('Processing'), preprod('Failed', 'The package is not signed with an EV certificate.')]);

    const error = await waitForPreprodPackage(client, PACKAGE, clock).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).messages).toEqual(['The package is not signed with an EV certificate.']);
    expect((error as WorkflowFailedError).subject).toBe('preprodPackage');
    expect((error as Error).message).toContain('"The package is not signed with an EV certificate."');
  });
});
