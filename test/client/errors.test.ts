/**
 * Error mapping: every kind, every body shape the reference lists, and what an error carries (status, code,
 * message, validationErrors, requestId, method and a redacted URL) and never carries (the token).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { delay, http, HttpResponse } from 'msw';
import {
  AuthenticationError,
  HdcError,
  InvalidStateError,
  MalformedResponseError,
  NetworkError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
  createHdcClient,
  type HdcClient,
} from '../../src/client/index.js';
import { hdcError, hdcHandler } from '../../src/mock/handlers.js';
import { API, PRODUCT_ID, SUBMISSION_ID, useMockServer } from './support.js';

const { server, requests } = useMockServer();

/** Looks like an Entra access token: a JWT. */
const JWT = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZS5kZXZjZW50ZXIubWljcm9zb2Z0LmNvbSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

const noRetry = (overrides: Parameters<typeof createHdcClient>[0] = {}): HdcClient => createHdcClient({ token: JWT, retry: { maxRetries: 0 }, ...overrides });

const getSubmission = (client: HdcClient = noRetry()) =>
  client.GET('/products/{productId}/submissions/{submissionId}', { params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } } });

const SUBMISSION_PATH = `/v2.0/my/hardware/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`;

/** Answers Get submission with the given response. */
const answer = (response: () => Response | Promise<Response>) => server.use(hdcHandler('getSubmission', response));

const json = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => () => HttpResponse.json(body, { status, headers });
const text = (status: number, body: string, contentType = 'text/plain') => () => new HttpResponse(body, { status, headers: { 'content-type': contentType } });

describe('every error kind', () => {
  it.each([
    ['400 InvalidInput', json(400, { error: { code: 'InvalidInput', message: 'The request is invalid.', validationErrors: [{ target: 'name', message: 'name is required' }] } }), ValidationError, 'InvalidInput'],
    ['422 InvalidInput', json(422, { error: { code: 'InvalidInput', message: 'Validation failed.', validationErrors: [{ target: 'targeting.chids', message: 'CHIDs are allowed only when HardwareIds are for operating systems Windows 10 and later.' }] } }), ValidationError, 'InvalidInput'],
    ['400 without a code', text(400, 'Bad Request'), ValidationError, undefined],
    ['415', json(415, { statusCode: 415, message: 'Unsupported media type. Send application/json.' }), ValidationError, undefined],
    ['401', json(401, { statusCode: 401, message: 'Access denied due to invalid or expired token.' }), AuthenticationError, undefined],
    ['403', json(403, { statusCode: '403', message: 'The caller does not have permission to access this resource.' }), PermissionError, undefined],
    ['404 without a body', () => new HttpResponse(null, { status: 404, statusText: 'Not Found' }), NotFoundError, undefined],
    ['404 EntityNotFound', json(404, { error: { code: 'EntityNotFound', message: 'Product not found' } }), NotFoundError, 'EntityNotFound'],
    ['400 entityNotFound (lowerCamel, other status)', json(400, { error: { code: 'entityNotFound', message: 'No submission found' } }), NotFoundError, 'entityNotFound'],
    ['400 RequestInvalidForCurrentState', json(400, { error: { code: 'RequestInvalidForCurrentState', message: 'Initial submission already exists' } }), InvalidStateError, 'RequestInvalidForCurrentState'],
    ['400 requestInvalidForCurrentState (lowerCamel)', json(400, { error: { code: 'requestInvalidForCurrentState', message: 'Only pending submissions can be committed.' } }), InvalidStateError, 'requestInvalidForCurrentState'],
    ['422 REQUESTINVALIDFORCURRENTSTATE (any case)', json(422, { error: { code: 'REQUESTINVALIDFORCURRENTSTATE', message: 'x' } }), InvalidStateError, 'REQUESTINVALIDFORCURRENTSTATE'],
    ['400 UpdateUnauthorized', json(400, { error: { code: 'UpdateUnauthorized', message: 'Not authorized to update the product' } }), InvalidStateError, 'UpdateUnauthorized'],
    ['429', json(429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 12 seconds.' }), RateLimitError, undefined],
    ['500', json(500, { statusCode: 500, message: 'Internal server error' }), ServerError, undefined],
    ['502', text(502, 'Bad Gateway'), ServerError, undefined],
    ['503', text(503, 'Service Unavailable'), ServerError, undefined],
  ] as const)('%s', async (_name, response, Kind, code) => {
    answer(response);
    const { data, error } = await getSubmission();
    expect(data).toBeUndefined();
    expect(error).toBeInstanceOf(Kind);
    expect(error).toBeInstanceOf(HdcError);
    expect(error!.name).toBe(Kind.name);
    expect(error!.code).toBe(code);
    expect(error!.request).toEqual({ method: 'GET', url: `${API}/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}` });
  });

  it('each kind has its own stable `kind` string', () => {
    const kinds = [ValidationError, AuthenticationError, PermissionError, NotFoundError, InvalidStateError, RateLimitError, ServerError, NetworkError, TimeoutError, MalformedResponseError].map(
      (Kind) => new Kind('x').kind,
    );
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds).toEqual(['validation', 'authentication', 'permission', 'not-found', 'invalid-state', 'rate-limit', 'server', 'network', 'timeout', 'malformed-response']);
  });

  it('a validation error carries status, code, message and validationErrors', async () => {
    answer(
      json(422, {
        error: {
          code: 'InvalidInput',
          message: 'Validation failed.',
          validationErrors: [
            { target: 'targeting.chids', message: 'CHIDs are allowed only when HardwareIds are for operating systems Windows 10 and later.' },
            { target: 'publishingSpecifications.manualAcquisition', message: 'must be false for automatic updates' },
          ],
          httpErrorCode: 422,
        },
      }),
    );
    const { error } = await getSubmission();
    expect(error).toMatchObject({ status: 422, code: 'InvalidInput' });
    expect(error!.message).toBe(`GET ${SUBMISSION_PATH} failed with 422 InvalidInput: Validation failed.`);
    expect(error!.validationErrors).toEqual([
      { target: 'targeting.chids', message: 'CHIDs are allowed only when HardwareIds are for operating systems Windows 10 and later.' },
      { target: 'publishingSpecifications.manualAcquisition', message: 'must be false for automatic updates' },
    ]);
  });

  it('hdcError() from hwdash/mock produces the service shape the client maps', async () => {
    server.use(hdcHandler('createSubmission', () => hdcError(400, 'RequestInvalidForCurrentState', 'Initial submission already exists')));
    const { error } = await noRetry().POST('/products/{productId}/submissions', {
      params: { path: { productId: PRODUCT_ID } },
      body: { name: 'second initial', type: 'initial' },
    });
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error!.message).toContain('Initial submission already exists');
  });
});

describe('rate limiting', () => {
  it.each([
    ['Retry-After seconds', json(429, { statusCode: 429, message: 'Rate limit is exceeded.' }, { 'retry-after': '7' }), 7000],
    ['the gateway message', json(429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 12 seconds.' }), 12_000],
    ['retry-after-ms', json(429, { statusCode: 429, message: 'slow down' }, { 'retry-after-ms': '1500' }), 1500],
    ['nothing', json(429, { statusCode: 429, message: 'Too many requests' }), undefined],
  ] as const)('retryAfterMs from %s', async (_name, response, expected) => {
    answer(response);
    const { error } = await getSubmission();
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(expected);
    expect(error!.status).toBe(429);
  });

  it('retryAfterMs from a Retry-After HTTP date', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    answer(json(429, { statusCode: 429, message: 'Rate limit is exceeded.' }, { 'retry-after': at }));
    const { error } = await getSubmission();
    const wait = (error as RateLimitError).retryAfterMs!;
    // An HTTP date has whole seconds: the wait is at most 2 minutes and more than 1 minute away.
    expect(wait).toBeGreaterThan(60_000);
    expect(wait).toBeLessThanOrEqual(120_000);
  });

  it('a wait longer than maxRetryAfterMs is reported at once instead of slept through', async () => {
    answer(json(429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 600 seconds.' }));
    const slept: number[] = [];
    const client = createHdcClient({ token: JWT, retry: { maxRetryAfterMs: 60_000, sleep: async (ms) => void slept.push(ms) } });
    const { error } = await getSubmission(client);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(600_000);
    expect(slept).toEqual([]);
    expect(await requests()).toHaveLength(1);
  });

  it('after the retries run out the 429 is returned as RateLimitError', async () => {
    answer(json(429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 2 seconds.' }));
    const slept: number[] = [];
    const client = createHdcClient({ token: JWT, retry: { maxRetries: 2, sleep: async (ms) => void slept.push(ms) } });
    const { error } = await getSubmission(client);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(slept).toEqual([2000, 2000]);
    expect(await requests()).toHaveLength(3);
  });
});

describe('every body shape in the reference', () => {
  it('{error: {code, message, validationErrors}}', async () => {
    answer(json(400, { error: { code: 'InvalidInput', message: 'Extension drivers must be published as an Automatic update.', validationErrors: ['plain string item'] } }));
    const { error } = await getSubmission();
    expect(error).toMatchObject({ code: 'InvalidInput', validationErrors: [{ message: 'plain string item' }] });
    expect(error!.message).toMatch(/: Extension drivers must be published as an Automatic update\.$/);
  });

  it('{statusCode, message} with a numeric or string statusCode', async () => {
    answer(json(403, { statusCode: '403', message: 'The caller does not have permission to access this resource.' }));
    const { error } = await getSubmission();
    expect(error).toBeInstanceOf(PermissionError);
    expect(error!.message).toBe(`GET ${SUBMISSION_PATH} failed with 403: The caller does not have permission to access this resource.`);
  });

  it('a top-level {code, message}', async () => {
    answer(json(404, { code: 'EntityNotFound', message: 'Product not found' }));
    const { error } = await getSubmission();
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error!.code).toBe('EntityNotFound');
  });

  it('plain text', async () => {
    answer(text(500, 'Upstream request timeout\nat gateway 7'));
    const { error } = await getSubmission();
    expect(error).toBeInstanceOf(ServerError);
    expect(error!.message).toBe(`GET ${SUBMISSION_PATH} failed with 500: Upstream request timeout`);
    expect(error!.body).toBe('Upstream request timeout\nat gateway 7');
  });

  it('an HTML error page', async () => {
    answer(text(502, '<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>p{}</style></head><body><h1>Bad Gateway</h1></body></html>', 'text/html'));
    const { error } = await getSubmission();
    expect(error).toBeInstanceOf(ServerError);
    expect(error!.message).toBe(`GET ${SUBMISSION_PATH} failed with 502: HTML error page: 502 Bad Gateway`);
  });

  it('an empty body falls back to the status text', async () => {
    answer(() => new HttpResponse(null, { status: 403, statusText: 'Forbidden' }));
    const { error } = await getSubmission();
    expect(error!.message).toBe(`GET ${SUBMISSION_PATH} failed with 403: Forbidden`);
  });
});

describe('what an error carries', () => {
  it('requestId (the service’s MS-RequestId) and the client’s correlationId', async () => {
    answer(json(500, { statusCode: 500, message: 'Internal server error' }, { 'ms-requestid': '5a9c6a21-0d2b-4d4e-9f0a-1b2c3d4e5f60' }));
    const client = noRetry();
    const { error } = await getSubmission(client);
    expect(error!.requestId).toBe('5a9c6a21-0d2b-4d4e-9f0a-1b2c3d4e5f60');
    expect(error!.correlationId).toBe(client.correlationId);
  });

  it('the method and the URL with secrets redacted', async () => {
    server.use(http.get(`${API}/products`, () => json(500, { statusCode: 500, message: 'boom' })()));
    const response = await noRetry().send({ method: 'GET', url: `${API}/products?pageSize=50&sig=c2VjcmV0LXNpZw%3D%3D&continuationToken=abc&client_secret=hunter2hunter2` });
    const { errorOf } = await import('../../src/client/pipeline/response-body.js');
    const error = errorOf(response)!;
    expect(error).toBeInstanceOf(ServerError);
    expect(error.request!.method).toBe('GET');
    const url = new URL(error.request!.url);
    expect(url.searchParams.get('sig')).toBe('REDACTED');
    expect(url.searchParams.get('client_secret')).toBe('REDACTED');
    expect(url.searchParams.get('continuationToken')).toBe('abc');
    expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/c2VjcmV0LXNpZw|hunter2/);
  });

  it('the raw Response is there for callers but not enumerable', async () => {
    answer(json(404, { error: { code: 'EntityNotFound', message: 'No submission found' } }));
    const { error, response } = await getSubmission();
    expect(error!.response).toBe(response);
    expect(Object.keys(error!)).not.toContain('response');
  });

  it.each([
    ['a Bearer echo', (token: string) => `Authorization header was: Bearer ${token}`],
    ['a bare JWT', (token: string) => `token ${token} is expired`],
    ['a JSON echo', (token: string) => JSON.stringify({ statusCode: 401, message: `invalid token ${token}` })],
  ])('JSON.stringify and util.inspect never show the token (%s in the body)', async (_name, echo) => {
    answer(text(401, echo(JWT)));
    const client = createHdcClient({ credential: { getToken: async () => ({ token: JWT, expiresOnTimestamp: Date.now() + 3_600_000 }) }, retry: { maxRetries: 0 } });
    const { error } = await getSubmission(client);
    expect(error).toBeInstanceOf(AuthenticationError);
    const shown = [JSON.stringify(error), inspect(error, { depth: 10, showHidden: false }), String(error), error!.stack ?? '', error!.message, error!.body ?? ''].join('\n');
    expect(shown).not.toContain(JWT);
    expect(shown).not.toContain(JWT.split('.')[2]!);
    expect(shown).toContain('REDACTED');
    // The request did carry it: the check above is not vacuous.
    expect((await requests()).map((r) => r.headers.get('authorization'))).toContain(`Bearer ${JWT}`);
  });

  it('an opaque (non-JWT) token echoed back is not shown either', async () => {
    const opaque = 'opaque-access-token-7f3k29xq';
    answer(text(401, `rejected credential ${opaque}`));
    const client = createHdcClient({ token: () => ({ token: opaque, expiresOnTimestamp: Date.now() + 3_600_000 }), retry: { maxRetries: 0 } });
    const { error } = await getSubmission(client);
    expect([JSON.stringify(error), inspect(error), error!.stack].join('\n')).not.toContain(opaque);
  });
});

describe('errors without an HTTP answer: thrown, not returned', () => {
  it('NetworkError when the connection fails', async () => {
    answer(() => HttpResponse.error());
    const failure = await getSubmission().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(NetworkError);
    expect(failure).not.toBeInstanceOf(TimeoutError);
    expect((failure as NetworkError).request).toEqual({ method: 'GET', url: `${API}/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}` });
    expect(JSON.stringify(failure)).not.toContain(JWT);
  });

  it('TimeoutError when no answer arrives within timeoutMs', async () => {
    answer(async () => {
      await delay('infinite');
      return HttpResponse.json({});
    });
    const failure = await getSubmission(noRetry({ timeoutMs: 50 })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TimeoutError);
    expect(failure).toBeInstanceOf(NetworkError);
    expect((failure as TimeoutError).code).toBe('Timeout');
    expect((failure as TimeoutError).message).toBe(`GET ${SUBMISSION_PATH} timed out after 50 ms`);
  });

  it('the caller’s abort reason is what the caller gets back', async () => {
    answer(async () => {
      await delay('infinite');
      return HttpResponse.json({});
    });
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    const pending = noRetry().GET('/products/{productId}/submissions/{submissionId}', {
      params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
  });

  it.each([
    ['an HTML page with status 200', text(200, '<html><head><title>Sign in to your account</title></head></html>', 'text/html')],
    ['truncated JSON', text(200, '{"id": 1152921504621441930, "productId": 136350574', 'application/json')],
    ['JSON that is not JSON', text(200, "{'id': 1}", 'application/json')],
  ])('MalformedResponseError for %s', async (_name, response) => {
    answer(response);
    const failure = await getSubmission().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MalformedResponseError);
    expect((failure as MalformedResponseError).status).toBe(200);
    expect((failure as MalformedResponseError).message).toMatch(/^GET \/v2\.0\/my\/hardware\/products\/\d+\/submissions\/\d+ returned 200, but its body is not valid JSON/);
  });

  it('MalformedResponseError for a body over maxResponseBytes', async () => {
    answer(() => HttpResponse.json({ value: 'x'.repeat(4096) }));
    const failure = await getSubmission(noRetry({ maxResponseBytes: 1024 })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MalformedResponseError);
    expect((failure as Error).message).toMatch(/exceeds the 1024-byte response size limit/);
  });

  it('MalformedResponseError for a streamed body (no Content-Length) that grows past maxResponseBytes', async () => {
    const chunk = new TextEncoder().encode(`{"value":"${'x'.repeat(1000)}`);
    answer(() => new HttpResponse(new ReadableStream({ pull: (controller) => controller.enqueue(chunk) }), { headers: { 'content-type': 'application/json' } }));
    const failure = await getSubmission(noRetry({ maxResponseBytes: 1024 })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MalformedResponseError);
    expect((failure as Error).message).toMatch(/its body exceeds the 1024-byte response size limit/);
  });
});
