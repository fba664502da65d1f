/** Network failures: refused connections are safe to resend even for a POST; resets are only resent for reads. */
import { describe, expect, it, jest } from '@jest/globals';
import { NetworkError } from '../../src/client/index.js';
import { closedPort, json, resetBeforeHeaders, resetMidBody, startScenarioServer, type ScenarioServer } from './server.js';
import { caught, expectDelaysWithin, expectNoSecrets, FakeClock, PRODUCT_ID, scenarioClient, SUBMISSION_ID, TOKEN, useScenarioServer } from './support.js';

const submission = `{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID},"name":"Contoso driver 1.2","commitStatus":"commitPending"}`;
const SUBMISSION_PATH = `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`;
const SUBMISSIONS_PATH = `/products/${PRODUCT_ID}/submissions`;
/** A body long enough that a reset after 20 bytes leaves most of it unsent. */
const longSubmission = `{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID},"name":"${'Contoso driver '.repeat(200)}"}`;

const scenario = useScenarioServer();

/** A fetch that counts attempts, for the cases where no server is there to count them. */
function countingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    },
  };
}

describe('connection refused (nothing listening): the request surely never arrived', () => {
  it('GET: retried 3 times with backoff, then NetworkError ECONNREFUSED', async () => {
    const port = await closedPort();
    const counting = countingFetch();
    const { client, clock, retries } = scenarioClient(`http://127.0.0.1:${port}/v2.0/my/hardware`, { fetch: counting.fetch });

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('ECONNREFUSED');
    expect(counting.urls).toHaveLength(4);
    expectDelaysWithin(clock.delays, [
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
    ]);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('POST create submission: resent once the service is back, and created exactly once', async () => {
    const port = await closedPort();
    let revived: ScenarioServer | undefined;
    // The service comes up during the backoff, on the port that refused the first attempt.
    const clock = new FakeClock();
    const sleep = async (ms: number, signal?: AbortSignal) => {
      await clock.sleep(ms, signal);
      if (!revived) {
        revived = await startScenarioServer(port);
        revived.route('POST', SUBMISSIONS_PATH, json(200, submission));
      }
    };
    const { client } = scenarioClient(`http://127.0.0.1:${port}/v2.0/my/hardware`, { retry: { sleep } });

    try {
      const created = await client.submissions.create(PRODUCT_ID, { name: 'Contoso driver 1.2', type: 'initial' });
      expect(created.id).toBe(SUBMISSION_ID);
      expect(revived!.count('POST', SUBMISSIONS_PATH)).toBe(1);
      expect(JSON.parse(revived!.requests[0]!.body)).toEqual({ name: 'Contoso driver 1.2', type: 'initial' });
      expect(revived!.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expectDelaysWithin(clock.delays, [[500, 1000]]);
    } finally {
      await revived?.close();
    }
  });
});

describe('a DNS failure (the name did not resolve): the request surely never left', () => {
  it('POST create submission: resent, and created exactly once', async () => {
    scenario.server.route('POST', SUBMISSIONS_PATH, json(200, submission));
    // Loopback has no DNS to break, so the first attempt fails the way undici reports ENOTFOUND.
    let attempts = 0;
    const fetchWithDnsOutage: typeof fetch = (input, init) => {
      if (attempts++ === 0) {
        const lookup = Object.assign(new Error('getaddrinfo ENOTFOUND manage.devcenter.microsoft.com'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' });
        return Promise.reject(new TypeError('fetch failed', { cause: lookup }));
      }
      return fetch(input, init);
    };
    const { client, clock } = scenarioClient(scenario.server.baseUrl, { fetch: fetchWithDnsOutage });

    const created = await client.submissions.create(PRODUCT_ID, { name: 'x', type: 'initial' });

    expect(created.id).toBe(SUBMISSION_ID);
    expect(attempts).toBe(2);
    expect(scenario.server.count('POST', SUBMISSIONS_PATH)).toBe(1);
    expectDelaysWithin(clock.delays, [[500, 1000]]);
  });
});

describe('connection reset before the response headers', () => {
  it('GET: retried, and the second attempt succeeds', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, resetBeforeHeaders(), json(200, submission));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const result = await client.submissions.get(PRODUCT_ID, SUBMISSION_ID);

    expect(result.id).toBe(SUBMISSION_ID);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(2);
    expectDelaysWithin(clock.delays, [[500, 1000]]);
    expectNoSecrets(retries, scenario.logs);
  });

  it('POST create submission: NetworkError after one request (the service may have created it)', async () => {
    scenario.server.route('POST', SUBMISSIONS_PATH, resetBeforeHeaders(), json(200, submission));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.create(PRODUCT_ID, { name: 'x', type: 'initial' }));

    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('ECONNRESET');
    expect((error as NetworkError).message).toMatch(/POST .*\/submissions failed before a complete response arrived/);
    expect(scenario.server.count('POST', SUBMISSIONS_PATH)).toBe(1);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(error, retries, scenario.logs);
  });
});

describe('connection reset in the middle of the response body', () => {
  it('GET: retried, and the second attempt succeeds', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, resetMidBody(200, longSubmission, 20), json(200, submission));
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    const result = await client.submissions.get(PRODUCT_ID, SUBMISSION_ID);

    expect(result.id).toBe(SUBMISSION_ID);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(2);
    expectDelaysWithin(clock.delays, [[500, 1000]]);
  });

  it('GET reset mid-body every time: NetworkError after 4 requests', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, resetMidBody(200, longSubmission, 20));
    const { client, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('ECONNRESET');
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(4);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('POST create submission: NetworkError after one request', async () => {
    scenario.server.route('POST', SUBMISSIONS_PATH, resetMidBody(200, longSubmission, 20), json(200, submission));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.create(PRODUCT_ID, { name: 'x', type: 'initial' }));

    expect(error).toBeInstanceOf(NetworkError);
    expect(scenario.server.count('POST', SUBMISSIONS_PATH)).toBe(1);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(error, retries, scenario.logs);
  });
});
