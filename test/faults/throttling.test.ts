/** Throttling (429, and 503 with a wait): every way the service names a wait is honoured, and a wait too long fails at once. */
import { describe, expect, it, jest } from '@jest/globals';
import { RateLimitError, ServerError } from '../../src/client/index.js';
import { json, text } from './server.js';
import { caught, expectDelaysWithin, expectNoSecrets, leakyMessage, PRODUCT_ID, scenarioClient, useScenarioServer } from './support.js';

const product = `{"id":${PRODUCT_ID},"productName":"Contoso widget"}`;
const PRODUCT_PATH = `/products/${PRODUCT_ID}`;

const scenario = useScenarioServer();

describe('429 with a named wait, then success', () => {
  it.each([
    ['Retry-After in seconds', { 'retry-after': '3' }, [3000, 3000]],
    ['retry-after-ms', { 'retry-after-ms': '1500' }, [1500, 1500]],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '2500' }, [2500, 2500]],
    ['retry-after-ms ahead of Retry-After', { 'retry-after-ms': '1200', 'retry-after': '9' }, [1200, 1200]],
  ] as const)('%s: one retry after exactly that wait', async (_name, headers, bounds) => {
    scenario.server.route('GET', PRODUCT_PATH, json(429, { statusCode: 429, message: leakyMessage() }, headers), json(200, product));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const result = await client.products.get(PRODUCT_ID);

    expect(result.id).toBe(PRODUCT_ID);
    expect(scenario.server.count('GET', PRODUCT_PATH)).toBe(2);
    expectDelaysWithin(clock.delays, [bounds]);
    // Both attempts are the same logical request, so support can trace them together.
    expect(scenario.server.requests[1]!.headers['ms-requestid']).toBe(scenario.server.requests[0]!.headers['ms-requestid']);
    expectNoSecrets(retries, scenario.logs);
  });

  it('Retry-After as an HTTP date: waits until that time', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    scenario.server.route('GET', PRODUCT_PATH, json(429, { statusCode: 429, message: 'Rate limit is exceeded.' }, { 'retry-after': at }), json(200, product));
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    await client.products.get(PRODUCT_ID);

    expect(scenario.server.count('GET', PRODUCT_PATH)).toBe(2);
    // An HTTP date has whole seconds, so the wait is between 4 and 5 s (less the time the request took).
    expectDelaysWithin(clock.delays, [[3000, 5000]]);
  });

  it('the gateway body "Try again in N seconds" (no header): waits N seconds', async () => {
    scenario.server.route('GET', PRODUCT_PATH, json(429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 7 seconds.' }), json(200, product));
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    await client.products.get(PRODUCT_ID);

    expect(scenario.server.count('GET', PRODUCT_PATH)).toBe(2);
    expect(clock.delays).toEqual([7000]);
  });

  it('a plain-text 503 "Try again in N seconds": waits N seconds', async () => {
    scenario.server.route('GET', PRODUCT_PATH, text(503, 'Service is busy. Try again in 4 seconds.'), json(200, product));
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    await client.products.get(PRODUCT_ID);

    expect(scenario.server.count('GET', PRODUCT_PATH)).toBe(2);
    expect(clock.delays).toEqual([4000]);
  });
});

describe('429 that does not go away', () => {
  it('only the gateway body {statusCode, message}: exponential backoff, then RateLimitError after 4 requests', async () => {
    scenario.server.route('GET', PRODUCT_PATH, json(429, { statusCode: 429, message: leakyMessage('Rate limit is exceeded. ') }));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.products.get(PRODUCT_ID));

    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).status).toBe(429);
    expect((error as RateLimitError).retryAfterMs).toBeUndefined();
    expect((error as RateLimitError).message).toContain('Rate limit is exceeded.');
    expect(scenario.server.count('GET', PRODUCT_PATH)).toBe(4);
    // Exponential from 1 s with jitter: half the step plus a random share of the other half.
    expectDelaysWithin(clock.delays, [
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
    ]);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('a named wait every time: RateLimitError carrying it, after the 3 retries', async () => {
    scenario.server.route('GET', PRODUCT_PATH, json(429, { statusCode: 429, message: leakyMessage() }, { 'retry-after': '2' }));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.products.get(PRODUCT_ID));

    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(2000);
    expect(scenario.server.count('GET', PRODUCT_PATH)).toBe(4);
    expect(clock.delays).toEqual([2000, 2000, 2000]);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it.each([
    ['Retry-After above the default 60 s maximum', { 'retry-after': '120' }, {}, 120_000],
    ['retry-after-ms above a configured maximum', { 'retry-after-ms': '6000' }, { maxRetryAfterMs: 5000 }, 6000],
  ] as const)('%s: RateLimitError at once, one request, no wait', async (_name, headers, retry, asked) => {
    scenario.server.route('GET', PRODUCT_PATH, json(429, { statusCode: 429, message: leakyMessage() }, headers), json(200, product));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl, { retry });

    const error = await caught(() => client.products.get(PRODUCT_ID));

    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(asked);
    expect(scenario.server.count('GET', PRODUCT_PATH)).toBe(1);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('a 503 naming a wait above the maximum: ServerError at once', async () => {
    scenario.server.route('GET', PRODUCT_PATH, json(503, { error: { code: 'serviceUnavailable', message: leakyMessage() } }, { 'retry-after': '3600' }));
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.products.get(PRODUCT_ID));

    expect(error).toBeInstanceOf(ServerError);
    expect(scenario.server.count('GET', PRODUCT_PATH)).toBe(1);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(error, scenario.logs);
  });
});

describe('a POST is retried on 429 and 503: the service refused it before acting', () => {
  it.each([429, 503])('create product answered %d once: sent again with the same body, one product', async (status) => {
    const created = `{"id":${PRODUCT_ID},"productName":"Contoso widget"}`;
    scenario.server.route('POST', '/products', json(status, { statusCode: status, message: 'busy' }, { 'retry-after': '1' }), json(200, created));
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    const result = await client.products.create({ productName: 'Contoso widget', testHarness: 'Attestation', deviceType: 'internal', firmwareVersion: '1', deviceMetadataIds: [], requestedSignatures: ['WINDOWS_v100_X64_Vb_FULL'], selectedProductTypes: {}, marketingNames: [] } as never);

    expect(result.id).toBe(PRODUCT_ID);
    expect(scenario.server.count('POST', '/products')).toBe(2);
    expect(scenario.server.requests[1]!.body).toBe(scenario.server.requests[0]!.body);
    expect(JSON.parse(scenario.server.requests[0]!.body)).toMatchObject({ productName: 'Contoso widget' });
    expect(clock.delays).toEqual([1000]);
  });
});
