/** Timeouts and cancellation: a slow body times out, and an abort stops at once, in flight or during a backoff. */
import { describe, expect, it, jest } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { createHdcClient, TimeoutError } from '../../src/client/index.js';
import { hang, json, trickle } from './server.js';
import { caught, expectNoSecrets, PRODUCT_ID, scenarioClient, SUBMISSION_ID, TOKEN, useScenarioServer } from './support.js';

const SUBMISSION_PATH = `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`;
const SUBMISSIONS_PATH = `/products/${PRODUCT_ID}/submissions`;
const slowBody = trickle(200, `{"id":${SUBMISSION_ID},"name":"${'x'.repeat(400)}"}`, { chunkBytes: 8, intervalMs: 50 });

const scenario = useScenarioServer();

/** Resolves when the server has seen `count` requests (polling; the test's own timeout bounds it). */
async function arrivals(count: number): Promise<void> {
  while (scenario.server.requests.length < count) await delay(5);
}

describe('a body that trickles in slower than the timeout', () => {
  it('GET: each attempt times out; TimeoutError after 4 requests', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, slowBody);
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl, { timeoutMs: 150 });

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('Timeout');
    expect((error as TimeoutError).message).toContain('timed out after 150 ms');
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(4);
    expect(clock.delays).toHaveLength(3);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('GET: a slow first answer, then a quick one, succeeds', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, slowBody, json(200, `{"id":${SUBMISSION_ID}}`));
    const { client } = scenarioClient(scenario.server.baseUrl, { timeoutMs: 150 });

    expect((await client.submissions.get(PRODUCT_ID, SUBMISSION_ID)).id).toBe(SUBMISSION_ID);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(2);
  });

  it('POST create submission: TimeoutError after one request (the service may have acted)', async () => {
    scenario.server.route('POST', SUBMISSIONS_PATH, slowBody);
    const { client, clock } = scenarioClient(scenario.server.baseUrl, { timeoutMs: 150 });

    const error = await caught(() => client.submissions.create(PRODUCT_ID, { name: 'x', type: 'initial' }));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(scenario.server.count('POST', SUBMISSIONS_PATH)).toBe(1);
    expect(clock.delays).toEqual([]);
  });

  it('timeoutMs: Infinity means no timeout (Node would otherwise fire such a timer after 1 ms)', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, trickle(200, `{"id":${SUBMISSION_ID},"name":"${'x'.repeat(400)}"}`, { chunkBytes: 100, intervalMs: 50 }));
    const { client } = scenarioClient(scenario.server.baseUrl, { timeoutMs: Infinity });

    expect((await client.submissions.get(PRODUCT_ID, SUBMISSION_ID)).id).toBe(SUBMISSION_ID);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(1);
  });

  it.each([0, -1, Number.NaN])('timeoutMs: %d is refused when the client is created', (timeoutMs) => {
    expect(() => createHdcClient({ baseUrl: scenario.server.baseUrl, token: TOKEN, timeoutMs })).toThrow(RangeError);
  });

  it('a server that never answers: TimeoutError, not a hang', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, hang());
    const { client } = scenarioClient(scenario.server.baseUrl, { timeoutMs: 100, retry: { maxRetries: 1 } });

    expect(await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID))).toBeInstanceOf(TimeoutError);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(2);
  });
});

describe('abort', () => {
  it('during a backoff sleep (the real one): rejects at once with the abort reason, and sends nothing more', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, json(503, { error: { code: 'serviceUnavailable', message: 'busy' } }));
    const controller = new AbortController();
    const reason = new Error('the CI job was cancelled');
    // The real sleep, a minute long; the abort comes 50 ms into it.
    const client = createHdcClient({
      baseUrl: scenario.server.baseUrl,
      token: () => TOKEN,
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, onRetry: () => void setTimeout(() => controller.abort(reason), 50) },
    });

    const pending = caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID, { signal: controller.signal }));
    // A bound on the measured clock: far below the minute of backoff, so the sleep did end on the abort.
    const guard = new AbortController();
    const first = await Promise.race([pending, delay(5000, 'still sleeping', { signal: guard.signal }).catch(() => 'guard cancelled')]);
    guard.abort();

    expect(first).toBe(reason);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(1);
  });

  it('while the request is in flight: rejects with the abort reason, one request', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, hang());
    const controller = new AbortController();
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    const pending = caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID, { signal: controller.signal }));
    await arrivals(1);
    controller.abort();
    const error = await pending;

    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(1);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(error, scenario.logs);
  });

  it('while the body trickles in: rejects with the abort reason, not a TimeoutError', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, slowBody);
    const controller = new AbortController();
    const { client } = scenarioClient(scenario.server.baseUrl);

    const pending = caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID, { signal: controller.signal }));
    await arrivals(1);
    await delay(60);
    controller.abort(new Error('stop'));

    expect(((await pending) as Error).message).toBe('stop');
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(1);
  });

  it('an already-aborted signal: nothing is sent', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, json(200, '{}'));
    const { client } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID, { signal: AbortSignal.abort(new Error('early')) }));

    expect((error as Error).message).toBe('early');
    expect(scenario.server.requests).toHaveLength(0);
  });

  it('while paging: stops between pages with the abort reason', async () => {
    const page = (n: number) => json(200, { value: [{ id: n }], links: [{ rel: 'next_link', href: `${scenario.server.baseUrl}/audiences?page=${n + 1}`, method: 'GET' }] });
    scenario.server.route('GET', '/audiences', page(1), page(2), page(3));
    const controller = new AbortController();
    const { client } = scenarioClient(scenario.server.baseUrl);

    const seen: unknown[] = [];
    const error = await caught(async () => {
      for await (const audience of client.audiences.list({ signal: controller.signal })) {
        seen.push(audience);
        if (seen.length === 2) controller.abort(new Error('enough'));
      }
    });

    expect((error as Error).message).toBe('enough');
    expect(seen).toHaveLength(2);
    expect(scenario.server.count('GET', '/audiences')).toBe(2);
  });
});
