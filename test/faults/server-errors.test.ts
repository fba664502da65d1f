/** Server errors: 5xx and 408 are retried for reads, 501/505 never, and a create POST is never sent twice. */
import { describe, expect, it, jest } from '@jest/globals';
import { HdcError, ServerError } from '../../src/client/index.js';
import { html, json, text } from './server.js';
import { caught, expectDelaysWithin, expectNoSecrets, leakyMessage, PRODUCT_ID, scenarioClient, SUBMISSION_ID, useScenarioServer } from './support.js';

const submission = `{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID},"name":"Contoso driver 1.2","commitStatus":"commitPending"}`;
const SUBMISSION_PATH = `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`;
const serviceError = (code: string) => ({ error: { code, message: leakyMessage() } });

const scenario = useScenarioServer();

describe('a read that fails with a retryable status, then succeeds', () => {
  it.each([500, 502, 503, 504, 408])('GET answered %d once: one retry after a backoff of 0.5-1 s', async (status) => {
    scenario.server.route('GET', SUBMISSION_PATH, json(status, serviceError('internalServerError')), json(200, submission));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const result = await client.submissions.get(PRODUCT_ID, SUBMISSION_ID);

    expect(result.id).toBe(SUBMISSION_ID);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(2);
    expectDelaysWithin(clock.delays, [[500, 1000]]);
    expectNoSecrets(retries, scenario.logs);
  });

  it('a 502 HTML page from a proxy three times, then JSON: three growing backoffs', async () => {
    const page = html(502, `<html><head><title>502 Bad Gateway</title></head><body>${leakyMessage()}</body></html>`);
    scenario.server.route('GET', SUBMISSION_PATH, page, page, page, json(200, submission));
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    await client.submissions.get(PRODUCT_ID, SUBMISSION_ID);

    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(4);
    expectDelaysWithin(clock.delays, [
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
    ]);
  });

  it('a PATCH (idempotent) answered 500 once is retried', async () => {
    scenario.server.route('PATCH', SUBMISSION_PATH, json(500, serviceError('internalServerError')), { kind: 'respond', status: 204 });
    const { client } = scenarioClient(scenario.server.baseUrl);

    await client.submissions.update(PRODUCT_ID, SUBMISSION_ID, { name: 'renamed' });

    expect(scenario.server.count('PATCH', SUBMISSION_PATH)).toBe(2);
  });

  it('retries are configurable: maxRetries 1, initialDelayMs 200, maxDelayMs 300', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, json(500, serviceError('internalServerError')));
    const { client, clock } = scenarioClient(scenario.server.baseUrl, { retry: { maxRetries: 1, initialDelayMs: 200, maxDelayMs: 300 } });

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(ServerError);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(2);
    expectDelaysWithin(clock.delays, [[100, 200]]);
  });

  it('the cap holds: with a 1.5 s cap no backoff exceeds 1.5 s', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, json(503, serviceError('serviceUnavailable')));
    const { client, clock } = scenarioClient(scenario.server.baseUrl, { retry: { maxDelayMs: 1500 } });

    await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expectDelaysWithin(clock.delays, [
      [500, 1000],
      [750, 1500],
      [750, 1500],
    ]);
  });

  it('maxRetries 0 turns retries off', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, json(503, serviceError('serviceUnavailable')));
    const { client, clock } = scenarioClient(scenario.server.baseUrl, { retry: { maxRetries: 0 } });

    expect(await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID))).toBeInstanceOf(ServerError);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(1);
    expect(clock.delays).toEqual([]);
  });
});

describe('statuses that a retry cannot fix', () => {
  it.each([501, 505])('GET answered %d: ServerError after one request', async (status) => {
    scenario.server.route('GET', SUBMISSION_PATH, json(status, serviceError('notImplemented')), json(200, submission));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(status);
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(1);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('a 500 exhausting the retries: ServerError with the service code, after 4 requests', async () => {
    scenario.server.route('GET', SUBMISSION_PATH, json(500, serviceError('internalServerError')));
    const { client, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe('internalServerError');
    expect(scenario.server.count('GET', SUBMISSION_PATH)).toBe(4);
    expectNoSecrets(error, retries, scenario.logs);
  });
});

describe('a create POST is never resent after the service may have acted', () => {
  const creates = [
    ['create product', '/products', (c: ReturnType<typeof scenarioClient>['client']) => c.products.create({ productName: 'x' } as never)],
    ['create submission', `/products/${PRODUCT_ID}/submissions`, (c: ReturnType<typeof scenarioClient>['client']) => c.submissions.create(PRODUCT_ID, { name: 'x', type: 'initial' })],
    [
      'create shipping label',
      `${SUBMISSION_PATH}/shippingLabels`,
      (c: ReturnType<typeof scenarioClient>['client']) => c.shippingLabels.create(PRODUCT_ID, SUBMISSION_ID, { name: 'x', destination: 'anotherPartner' } as never),
    ],
    [
      'commit (the raw typed call; the helper is in commit.test.ts)',
      `${SUBMISSION_PATH}/commit`,
      async (c: ReturnType<typeof scenarioClient>['client']) => {
        const { error } = await c.POST('/products/{productId}/submissions/{submissionId}/commit', { params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } } });
        if (error) throw error;
      },
    ],
    ['create publisher metadata', `${SUBMISSION_PATH}/createpublishermetadata`, (c: ReturnType<typeof scenarioClient>['client']) => c.submissions.createPublisherMetadata(PRODUCT_ID, SUBMISSION_ID)],
  ] as const;

  it.each(creates)('%s answered 500: ServerError after exactly one request', async (_name, path, create) => {
    scenario.server.route('POST', path, json(500, serviceError('internalServerError')), json(200, '{}'));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => create(client));

    expect(error).toBeInstanceOf(ServerError);
    expect(scenario.server.count('POST', path)).toBe(1);
    expect(scenario.server.requests).toHaveLength(1);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it.each([502, 504, 408])('create submission answered %d: one request', async (status) => {
    const path = `/products/${PRODUCT_ID}/submissions`;
    scenario.server.route('POST', path, text(status, leakyMessage()), json(200, submission));
    const { client } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.create(PRODUCT_ID, { name: 'x', type: 'initial' }));

    expect(error).toBeInstanceOf(HdcError);
    expect((error as HdcError).status).toBe(status);
    expect(scenario.server.count('POST', path)).toBe(1);
    expectNoSecrets(error, scenario.logs);
  });
});

describe('PUT /preprod/packages creates a package each time: treated like a POST', () => {
  const PACKAGE = new TextEncoder().encode('MSCF preproduction package bytes');
  const created = json(200, { id: 'pkg-1', signingStatus: 'NotStarted' });

  it('answered 500: ServerError after exactly one request', async () => {
    scenario.server.route('PUT', '/preprod/packages', json(500, serviceError('internalServerError')), created);
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    expect(await caught(() => client.preprod.submit(PACKAGE))).toBeInstanceOf(ServerError);
    expect(scenario.server.count('PUT', '/preprod/packages')).toBe(1);
    expect(clock.delays).toEqual([]);
  });

  it('answered 503: resent with the same bytes', async () => {
    scenario.server.route('PUT', '/preprod/packages', json(503, serviceError('serviceUnavailable'), { 'retry-after': '1' }), created);
    const { client } = scenarioClient(scenario.server.baseUrl);

    expect((await client.preprod.submit(PACKAGE)).id).toBe('pkg-1');
    expect(scenario.server.count('PUT', '/preprod/packages')).toBe(2);
    expect(scenario.server.requests[1]!.body).toBe('MSCF preproduction package bytes');
  });

  it('other PUTs stay idempotent: cancelling a shipping label answered 500 is retried', async () => {
    const cancelPath = `${SUBMISSION_PATH}/shippingLabels/1152921504606980300/cancel`;
    scenario.server.route('PUT', cancelPath, json(500, serviceError('internalServerError')), { kind: 'respond', status: 204 });
    const { client } = scenarioClient(scenario.server.baseUrl);

    await client.shippingLabels.cancel(PRODUCT_ID, SUBMISSION_ID, '1152921504606980300');
    expect(scenario.server.count('PUT', cancelPath)).toBe(2);
  });
});
