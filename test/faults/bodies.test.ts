/** Broken bodies: HTML, empty, truncated and oversized answers give typed errors, never undefined data or a crash. */
import { describe, expect, it, jest } from '@jest/globals';
import { MalformedResponseError, ServerError, ValidationError } from '../../src/client/index.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../../src/client/pipeline/response-body.js';
import { empty, html, json, text } from './server.js';
import { caught, expectNoSecrets, leakyMessage, PRODUCT_ID, scenarioClient, SUBMISSION_ID, useScenarioServer } from './support.js';

const PRODUCT_PATH = `/products/${PRODUCT_ID}`;
const loginPage = `<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><form>${leakyMessage()}</form></body></html>`;

const scenario = useScenarioServer();

describe('bodies that are not the JSON asked for', () => {
  it('an HTML page with 200 (a login wall or proxy): MalformedResponseError, not data, one request', async () => {
    scenario.server.route('GET', PRODUCT_PATH, html(200, loginPage));
    const { client, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.products.get(PRODUCT_ID));

    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).status).toBe(200);
    expect((error as MalformedResponseError).message).toMatch(/not valid JSON.*starts with "<!DOCTYPE html>/);
    expect(scenario.server.requests).toHaveLength(1);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('an HTML error page with 500: ServerError named after the page title, after the retries', async () => {
    scenario.server.route('GET', PRODUCT_PATH, html(500, `<html><head><title>500 - Internal server error.</title></head><body>${leakyMessage()}</body></html>`));
    const { client, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.products.get(PRODUCT_ID));

    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).message).toContain('HTML error page: 500 - Internal server error.');
    expect(scenario.server.requests).toHaveLength(4);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('an HTML page with 400: ValidationError with the title, one request', async () => {
    scenario.server.route('POST', '/products', html(400, '<html><head><title>Bad Request - Invalid Header</title></head></html>'));
    const { client } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.products.create({ productName: 'x' } as never));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('Bad Request - Invalid Header');
    expect(scenario.server.requests).toHaveLength(1);
  });

  it('an empty 200 on a read: MalformedResponseError, not undefined', async () => {
    scenario.server.route('GET', PRODUCT_PATH, empty(200, { 'content-type': 'application/json' }));
    const { client } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.products.get(PRODUCT_ID));

    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).message).toContain('body is empty');
    expect(scenario.server.requests).toHaveLength(1);
  });

  it('an empty 200 on a typed GET call: the error, not data', async () => {
    scenario.server.route('GET', PRODUCT_PATH, empty(200));
    const { client } = scenarioClient(scenario.server.baseUrl);

    await expect(client.GET('/products/{productId}', { params: { path: { productId: PRODUCT_ID } } })).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it('an empty 201 on a create: MalformedResponseError, one request', async () => {
    scenario.server.route('POST', `/products/${PRODUCT_ID}/submissions`, empty(201));
    const { client } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.create(PRODUCT_ID, { name: 'x', type: 'initial' }));

    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).message).toContain('creating a submission returned 201 without the submission in its body');
    expect(scenario.server.requests).toHaveLength(1);
  });

  it('an empty error body (503, no text): retried like any 503', async () => {
    scenario.server.route('GET', PRODUCT_PATH, empty(503), json(200, `{"id":${PRODUCT_ID}}`));
    const { client } = scenarioClient(scenario.server.baseUrl);

    expect((await client.products.get(PRODUCT_ID)).id).toBe(PRODUCT_ID);
    expect(scenario.server.requests).toHaveLength(2);
  });

  it('truncated JSON (a complete answer whose JSON stops short): MalformedResponseError, one request', async () => {
    scenario.server.route('GET', `${PRODUCT_PATH}/submissions/${SUBMISSION_ID}`, json(200, `{"id":${SUBMISSION_ID},"name":"Contoso dri`));
    const { client, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.get(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).message).toMatch(/not valid JSON/);
    expect(scenario.server.requests).toHaveLength(1);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('truncated JSON in an error body: still mapped by status', async () => {
    scenario.server.route('GET', PRODUCT_PATH, json(404, '{"error":{"code":"entityNotFound","mess'));
    const { client } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.products.get(PRODUCT_ID));

    expect((error as { kind?: string }).kind).toBe('not-found');
    expect(scenario.server.requests).toHaveLength(1);
  });
});

describe('the response size limit', () => {
  it('a body over maxResponseBytes without Content-Length (chunked): MalformedResponseError, one request', async () => {
    const big = `{"value":[${Array.from({ length: 5000 }, (_, i) => `{"id":${i},"productName":"p${i}"}`).join(',')}]}`;
    scenario.server.route('GET', '/products', { kind: 'respond', status: 200, headers: { 'content-type': 'application/json' }, body: big, chunked: true });
    const { client } = scenarioClient(scenario.server.baseUrl, { maxResponseBytes: 64 * 1024 });

    const error = await caught(async () => {
      for await (const product of client.products.list()) void product;
    });

    expect(big.length).toBeGreaterThan(64 * 1024);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).message).toContain('exceeds the 65536-byte response size limit');
    expect(scenario.server.requests).toHaveLength(1);
  });

  it('a declared Content-Length over the default 32 MiB: refused before the body is read', async () => {
    const declared = DEFAULT_MAX_RESPONSE_BYTES + 1;
    scenario.server.route('GET', PRODUCT_PATH, {
      kind: 'trickle',
      status: 200,
      // Only the headers and a first chunk go out; the client must refuse on the header alone.
      headers: { 'content-type': 'application/json', 'content-length': String(declared) },
      body: `{"id":${PRODUCT_ID},"productName":"`,
      chunkBytes: 16,
      intervalMs: 60_000,
    });
    const { client } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.products.get(PRODUCT_ID));

    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).message).toContain(`(${declared} bytes) exceeds the ${DEFAULT_MAX_RESPONSE_BYTES}-byte response size limit`);
    expect(scenario.server.requests).toHaveLength(1);
  });

  it('an error body over the limit: MalformedResponseError instead of reading it all', async () => {
    scenario.server.route('GET', PRODUCT_PATH, text(500, 'x'.repeat(200 * 1024)));
    const { client } = scenarioClient(scenario.server.baseUrl, { maxResponseBytes: 64 * 1024 });

    expect(await caught(() => client.products.get(PRODUCT_ID))).toBeInstanceOf(MalformedResponseError);
    expect(scenario.server.requests).toHaveLength(1);
  });
});
