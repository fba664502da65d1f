/** Tokens: refreshed ahead of expiry (never sent expired), re-acquired once on a 401, and never leaked. */
import { describe, expect, it, jest } from '@jest/globals';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { AuthenticationError, createHdcClient, HDC_SCOPE } from '../../src/client/index.js';
import { dynamic, json, type RecordedRequest } from './server.js';
import { bearerOf, caught, CLIENT_SECRET, expectNoSecrets, FakeClock, leakyMessage, PRODUCT_ID, scenarioClient, SUBMISSION_ID, TOKEN, useScenarioServer } from './support.js';

const SUBMISSION_PATH = `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`;
const submission = `{"id":${SUBMISSION_ID},"commitStatus":"commitPending"}`;
const MINUTE = 60_000;
const unauthorized = json(401, { statusCode: 401, message: leakyMessage('Unauthorized. ') }, { 'www-authenticate': 'Bearer error="invalid_token"' });

const scenario = useScenarioServer();

/**
 * An Entra-like credential: each `getToken` issues a new token valid for `lifetimeMs` from the (faked) now,
 * and the service side checks every presented token against what was issued.
 */
function issuingCredential(lifetimeMs: number) {
  const issued = new Map<string, number>();
  const scopes: string[] = [];
  const credential: TokenCredential = {
    getToken: async (scope): Promise<AccessToken> => {
      scopes.push(String(scope));
      const token = `${TOKEN}-${issued.size + 1}`;
      const expiresOnTimestamp = Date.now() + lifetimeMs;
      issued.set(token, expiresOnTimestamp);
      return { token, expiresOnTimestamp };
    },
  };
  /** 200 for a token that was issued and has not expired when the request arrives; 401 otherwise. */
  const service = dynamic((request: RecordedRequest) => {
    const expiresOn = issued.get(bearerOf(request) ?? '');
    return expiresOn !== undefined && request.at < expiresOn ? json(200, submission) : unauthorized;
  });
  const validAtArrival = () => scenario.server.requests.map((request) => (issued.get(bearerOf(request) ?? '') ?? 0) > request.at);
  return { credential, issued, scopes, service, validAtArrival };
}

/** Fakes only `Date`: sockets, timers and the retry clock stay real, while token expiry can be jumped across. */
function fakeDate(): void {
  jest.useFakeTimers({
    now: new Date('2030-01-01T00:00:00Z'),
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
}
const advance = (ms: number) => jest.setSystemTime(Date.now() + ms);

describe('a token that expires mid-run', () => {
  it('is refreshed 5 minutes ahead of expiry, so an expired token is never sent', async () => {
    fakeDate();
    const { credential, issued, scopes, service, validAtArrival } = issuingCredential(60 * MINUTE);
    scenario.server.route('GET', SUBMISSION_PATH, service);
    const { client, retries } = scenarioClient(scenario.server.baseUrl, { credential });

    await client.submissions.get(PRODUCT_ID, SUBMISSION_ID); // t = 0: token 1
    advance(30 * MINUTE);
    await client.submissions.get(PRODUCT_ID, SUBMISSION_ID); // t = 30 min: token 1, cached
    advance(26 * MINUTE);
    await client.submissions.get(PRODUCT_ID, SUBMISSION_ID); // t = 56 min: inside the refresh window, token 2
    advance(10 * MINUTE);
    await client.submissions.get(PRODUCT_ID, SUBMISSION_ID); // t = 66 min: token 1 expired, token 2 used

    expect(scenario.server.requests.map(bearerOf)).toEqual([`${TOKEN}-1`, `${TOKEN}-1`, `${TOKEN}-2`, `${TOKEN}-2`]);
    expect(validAtArrival()).toEqual([true, true, true, true]);
    expect(issued.size).toBe(2);
    expect(scopes).toEqual([HDC_SCOPE, HDC_SCOPE]);
    expectNoSecrets(retries, scenario.logs);
  });

  it('expires during a Retry-After wait: the retry carries a fresh token', async () => {
    fakeDate();
    // Valid for 5 min 1 s: usable now, due for refresh one second later.
    const { credential, service, validAtArrival } = issuingCredential(5 * MINUTE + 1000);
    scenario.server.route('GET', SUBMISSION_PATH, json(503, { error: { code: 'serviceUnavailable', message: 'busy' } }, { 'retry-after': '2' }), service);
    const clock = new FakeClock(advance);
    const { client } = scenarioClient(scenario.server.baseUrl, { credential, clock });

    await client.submissions.get(PRODUCT_ID, SUBMISSION_ID);

    expect(clock.delays).toEqual([2000]);
    expect(scenario.server.requests.map(bearerOf)).toEqual([`${TOKEN}-1`, `${TOKEN}-2`]);
    expect(validAtArrival()).toEqual([true, true]);
  });

  it('a failed refresh while the old token is still valid: the old token is used', async () => {
    fakeDate();
    let calls = 0;
    const credential: TokenCredential = {
      getToken: async () => {
        calls++;
        if (calls > 1) throw new Error('AADSTS50058: login service unavailable');
        return { token: TOKEN, expiresOnTimestamp: Date.now() + 60 * MINUTE };
      },
    };
    scenario.server.route('GET', SUBMISSION_PATH, json(200, submission));
    const { client } = scenarioClient(scenario.server.baseUrl, { credential });

    await client.submissions.get(PRODUCT_ID, SUBMISSION_ID);
    advance(57 * MINUTE);
    await client.submissions.get(PRODUCT_ID, SUBMISSION_ID);

    expect(calls).toBe(2);
    expect(scenario.server.requests.map(bearerOf)).toEqual([TOKEN, TOKEN]);
  });

  it('no token can be obtained: AuthenticationError, nothing sent, the client secret not in the error', async () => {
    const previous = process.env.AZURE_CLIENT_SECRET;
    process.env.AZURE_CLIENT_SECRET = CLIENT_SECRET;
    try {
      const credential: TokenCredential = {
        getToken: async () => {
          throw new Error(`ClientSecretCredential: AADSTS7000215 invalid client secret "${CLIENT_SECRET}" for app 00000000-0000-0000-0000-000000000001`);
        },
      };
      scenario.server.route('GET', SUBMISSION_PATH, json(200, submission));
      const { client, retries } = scenarioClient(scenario.server.baseUrl, { credential });

      const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).code).toBe('TokenAcquisitionFailed');
      expect((error as AuthenticationError).message).toContain('AADSTS7000215');
      expect(scenario.server.requests).toHaveLength(0);
      expectNoSecrets(error, retries, scenario.logs);
    } finally {
      if (previous === undefined) delete process.env.AZURE_CLIENT_SECRET;
      else process.env.AZURE_CLIENT_SECRET = previous;
    }
  });
});

describe('401 Unauthorized', () => {
  /** A token function that hands out a new token per call, as a vault or a federated identity would. */
  function rotatingTokens() {
    const handedOut: string[] = [];
    const token = () => {
      const next = `${TOKEN}-${handedOut.length + 1}`;
      handedOut.push(next);
      return next;
    };
    return { token, handedOut };
  }

  it('once, then success: the token is re-acquired once and the request resent', async () => {
    const tokens = rotatingTokens();
    scenario.server.route('GET', SUBMISSION_PATH, unauthorized, json(200, submission));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl, { token: tokens.token });

    const result = await client.submissions.get(PRODUCT_ID, SUBMISSION_ID);

    expect(result.id).toBe(SUBMISSION_ID);
    expect(scenario.server.requests.map(bearerOf)).toEqual([`${TOKEN}-1`, `${TOKEN}-2`]);
    expect(tokens.handedOut).toHaveLength(2);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(retries, scenario.logs);
  });

  it('once on a create POST (rejected before acting): resent once with the new token', async () => {
    const tokens = rotatingTokens();
    scenario.server.route('POST', `/products/${PRODUCT_ID}/submissions`, unauthorized, json(200, submission));
    const { client } = scenarioClient(scenario.server.baseUrl, { token: tokens.token });

    await client.submissions.create(PRODUCT_ID, { name: 'x', type: 'initial' });

    expect(scenario.server.requests.map(bearerOf)).toEqual([`${TOKEN}-1`, `${TOKEN}-2`]);
  });

  it('always: AuthenticationError after exactly 2 requests', async () => {
    const tokens = rotatingTokens();
    scenario.server.route('GET', SUBMISSION_PATH, unauthorized);
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl, { token: tokens.token });

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(2);
    expect(tokens.handedOut).toHaveLength(2);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('a fixed string token cannot be renewed: AuthenticationError after one request', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, unauthorized);
    const client = createHdcClient({ baseUrl: scenario.server.baseUrl, token: TOKEN, retry: { sleep: new FakeClock().sleep } });

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(1);
    expectNoSecrets(error, scenario.logs);
  });

  it('one caller aborting a shared token request does not fail the others', async () => {
    let calls = 0;
    const credential: TokenCredential = {
      // A token endpoint that takes 100 ms, and gives up when its abortSignal fires, as @azure/identity does.
      getToken: (_scope, options) =>
        new Promise<AccessToken>((resolve, reject) => {
          calls++;
          const timer = setTimeout(() => resolve({ token: TOKEN, expiresOnTimestamp: Date.now() + 60 * MINUTE }), 100);
          options?.abortSignal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('token request aborted'));
          });
        }),
    };
    scenario.server.route('GET', SUBMISSION_PATH, json(200, submission));
    const { client } = scenarioClient(scenario.server.baseUrl, { credential });
    const cancelled = new AbortController();
    const reason = new Error('this caller gave up');

    const first = caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID, { signal: cancelled.signal }));
    const second = client.submissions.get(PRODUCT_ID, SUBMISSION_ID);
    setTimeout(() => cancelled.abort(reason), 20);

    expect(await first).toBe(reason);
    expect((await second).id).toBe(SUBMISSION_ID);
    expect(calls).toBe(1);
    expect(scenario.server.requests.map(bearerOf)).toEqual([TOKEN]);
  });

  it('concurrent calls share one token request', async () => {
    let calls = 0;
    const credential: TokenCredential = {
      getToken: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { token: TOKEN, expiresOnTimestamp: Date.now() + 60 * MINUTE };
      },
    };
    scenario.server.route('GET', SUBMISSION_PATH, json(200, submission));
    const { client } = scenarioClient(scenario.server.baseUrl, { credential });

    await Promise.all(Array.from({ length: 5 }, () => client.submissions.get(PRODUCT_ID, SUBMISSION_ID)));

    expect(calls).toBe(1);
    expect(scenario.server.requests.map(bearerOf)).toEqual(Array(5).fill(TOKEN));
  });
});
