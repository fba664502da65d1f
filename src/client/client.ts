import { createFinalURL, createQuerySerializer, mergeHeaders, removeTrailingSlash, type HeadersOptions } from 'openapi-fetch';
import { int64PathParams } from '../../generated/int64-keys.js';
import { TokenCache } from './auth/token-cache.js';
import type { HdcClientMethod } from './call-types.js';
import { errorFromResponse } from './errors/from-response.js';
import type { HdcError } from './errors/hdc-error.js';
import { SecurityError } from './errors/security-error.js';
import { createPathSerializer } from './ids.js';
import { stringifyJson } from './json/lossless.js';
import { DEFAULT_BASE_URL, type HdcClientOptions } from './options.js';
import { bearerTokenPolicy } from './pipeline/bearer-token.js';
import { createPipeline, isSecureTransport, type Policy, type SendRequest } from './pipeline/pipeline.js';
import { requestHeadersPolicy } from './pipeline/request-headers.js';
import { DEFAULT_MAX_RESPONSE_BYTES, errorOf, parsedValue, rereadableResponse, responseBodyPolicy, type ParsedBody } from './pipeline/response-body.js';
import { rateLimitGatePolicy } from './pipeline/rate-limit-gate.js';
import { RETRY_DEFAULTS, retryPolicy, type RetryHooks, type RetryOptions } from './pipeline/retry.js';
import { timeoutPolicy } from './pipeline/timeout.js';
import { createTransport } from './pipeline/transport.js';
import { createResources, type HdcResources } from './resources/index.js';
import { VERSION } from './version.js';

/**
 * The client: typed `GET/POST/PATCH/PUT` calls on the spec's paths (returning `{ data, error, response }`,
 * never throwing for an HTTP error status), plus resource helpers (`products`, `submissions`, ...) that return
 * data or throw. Transport failures (network, timeout, abort) always throw.
 */
export interface HdcClient extends HdcResources {
  GET: HdcClientMethod<'get'>;
  POST: HdcClientMethod<'post'>;
  PUT: HdcClientMethod<'put'>;
  PATCH: HdcClientMethod<'patch'>;
  DELETE: HdcClientMethod<'delete'>;
  /** The resolved API root, e.g. `https://manage.devcenter.microsoft.com/v2.0/my/hardware`. */
  readonly baseUrl: string;
  /** The `MS-CorrelationId` every request of this client carries. */
  readonly correlationId: string;
  /**
   * Sends a request through the full pipeline (auth, retries, timeouts, lossless JSON, error mapping) to any
   * URL: used to follow `next_link` and for raw bodies. The token is only attached on the API's origin.
   */
  send(request: {
    method: string;
    url: string | URL;
    headers?: ConstructorParameters<typeof Headers>[0];
    body?: string | Uint8Array | Blob;
    signal?: AbortSignal;
    /** False when a resend could create something twice; the retry policy then treats it like a POST. */
    idempotent?: boolean;
    /** Per-attempt timeout of this request, overriding the client's `timeoutMs`. */
    timeoutMs?: number;
  }): Promise<Response>;
}

/**
 * Creates a Hardware Dev Center client.
 *
 * @example
 * const client = createHdcClient({ credential: new DefaultAzureCredential() });
 * const { data, error } = await client.POST('/products/{productId}/submissions', {
 *   params: { path: { productId: '14631253285588838' } },
 *   body: { name: 'Contoso driver 1.2', type: 'initial' },
 * });
 */
export function createHdcClient(options: HdcClientOptions = {}): HdcClient {
  const baseUrl = parseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const correlationId = crypto.randomUUID();
  const tokens = options.credential
    ? new TokenCache({ credential: options.credential })
    : options.token !== undefined
      ? new TokenCache({ token: options.token })
      : undefined;
  const userAgent = `${options.userAgent ? `${options.userAgent} ` : ''}hwdash/${VERSION} node/${process.versions.node}`;
  const { sleep, random, onRetry, ...retry } = options.retry ?? {};

  const send = createPipeline(
    [
      requestHeadersPolicy({ correlationId, userAgent }),
      retryPolicy(retry, { sleep, random, onRetry }),
      ...rateLimitBudget(retry, sleep),
      bearerTokenPolicy({ apiOrigin: baseUrl.origin, tokens }),
      timeoutPolicy(checkTimeout(options.timeoutMs ?? 60_000)),
      responseBodyPolicy({ maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, correlationId }),
    ],
    createTransport(options.fetch),
  );

  // Requests are built with openapi-fetch's own URL, query and header rules, but sent straight into the pipeline:
  // going through its Request/Response objects cost more than the whole pipeline (see bench/call-stub.ts).
  const apiRoot = removeTrailingSlash(baseUrl.toString());
  const querySerializer = createQuerySerializer();
  const pathSerializer = createPathSerializer(new Set(int64PathParams));
  const call = (method: string) => async (path: string, init: TypedCallInit = {}) => {
    const { params = {}, body, headers: callHeaders, parseAs = 'json', signal, timeoutMs } = init;
    const url = createFinalURL(path, { baseUrl: apiRoot, params, querySerializer, pathSerializer });
    const headers = mergeHeaders(body === undefined ? undefined : { 'content-type': 'application/json' }, callHeaders, params.header);
    const parsed: ParsedBody = {};
    const response = await send({
      method,
      url: new URL(url),
      headers,
      ...(body === undefined ? {} : { body: serializeBody(body, headers) as string | Uint8Array | Blob }),
      ...(signal ? { signal } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs: checkTimeout(timeoutMs) }),
      jsonOnly: parseAs === 'json',
      parsed,
    });
    if (!response.ok) return { error: errorOf(response) ?? unmappedError(method, response), response };
    // As openapi-fetch: no data for 204, HEAD or an empty body; otherwise the body as `parseAs` asks (JSON: lossless).
    if (response.status === 204 || method === 'HEAD' || response.headers.get('content-length') === '0') return { data: undefined, response };
    const json = parsedValue(parsed, response);
    if (json) return { data: parseAs === 'json' ? json.value : await bodyAs(rereadableResponse(response, parsed), parseAs), response };
    return { data: parseAs === 'stream' ? response.body : ((await response[parseAs]()) as unknown), response };
  };

  const sendAny = sendAnyRequest(send, baseUrl);

  const typed = {
    GET: call('GET'),
    POST: call('POST'),
    PUT: call('PUT'),
    PATCH: call('PATCH'),
    DELETE: call('DELETE'),
  } as unknown as Pick<HdcClient, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;

  return {
    ...typed,
    ...createResources(typed, sendAny, baseUrl),
    baseUrl: baseUrl.toString().replace(/\/$/, ''),
    correlationId,
    send: sendAny,
  };
}

/** A JSON answer's body in the form `parseAs` asks for, from a response that serves the bytes again. */
function bodyAs(reread: Response, parseAs: Exclude<TypedCallInit['parseAs'], 'json' | undefined>): Promise<unknown> {
  return parseAs === 'stream' ? Promise.resolve(reread.body) : reread[parseAs]();
}

/** `client.send()`: any request through the pipeline; a JSON answer comes back readable again, `json()` lossless. */
function sendAnyRequest(send: SendRequest, baseUrl: URL): HdcClient['send'] {
  return async (request) => {
    const parsed: ParsedBody = {};
    const response = await send({
      method: request.method.toUpperCase(),
      url: new URL(request.url, baseUrl),
      headers: new Headers(request.headers),
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.idempotent === undefined ? {} : { idempotent: request.idempotent }),
      ...(request.timeoutMs === undefined ? {} : { timeoutMs: checkTimeout(request.timeoutMs) }),
      parsed,
    });
    return rereadableResponse(response, parsed);
  };
}

/**
 * One rate-limit budget for all calls of a client: a 429 holds them all (batch signing shares one client). Without
 * retries the caller handles throttling itself, and a hold it cannot see would only get in its way.
 */
function rateLimitBudget(retry: RetryOptions, sleep: RetryHooks['sleep']): Policy[] {
  if ((retry.maxRetries ?? RETRY_DEFAULTS.maxRetries) === 0) return [];
  return [
    rateLimitGatePolicy({
      defaultHoldMs: retry.initialDelayMs ?? RETRY_DEFAULTS.initialDelayMs,
      maxHoldMs: retry.maxRetryAfterMs ?? RETRY_DEFAULTS.maxRetryAfterMs,
      ...(sleep ? { sleep } : {}),
    }),
  ];
}

/**
 * JSON bodies are written with exact int64 IDs. A body the caller marked with another content type (the octet-stream
 * package of `PUT /preprod/packages`) goes out as it is: JSON-encoding it would upload a quoted string.
 */
function serializeBody(body: unknown, headers?: Headers | Record<string, unknown>): unknown {
  const contentType = headers instanceof Headers ? headers.get('content-type') : undefined;
  return contentType && !/\bjson\b/i.test(contentType) ? body : stringifyJson(body);
}

/** What a typed call reads from its init argument (the typed signature checks it against the spec). */
interface TypedCallInit {
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown>; header?: HeadersOptions };
  body?: unknown;
  headers?: HeadersOptions;
  parseAs?: 'json' | 'text' | 'blob' | 'arrayBuffer' | 'stream';
  signal?: AbortSignal;
  timeoutMs?: number;
}

function parseBaseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value.endsWith('/') ? value : `${value}/`);
  } catch {
    throw new SecurityError(`baseUrl ${JSON.stringify(value)} is not a valid URL`, { code: 'InvalidBaseUrl' });
  }
  if (!isSecureTransport(url)) {
    throw new SecurityError(`baseUrl ${url.origin} uses plain http; the access token may only travel over https (http is allowed for loopback only)`, {
      code: 'InsecureTransport',
    });
  }
  return url;
}

/** Only reachable when a custom openapi-fetch middleware replaced the response; map it the same way. */
function unmappedError(method: string, response: Response): HdcError {
  return errorFromResponse({ method, url: response.url, status: response.status, statusText: response.statusText, headers: response.headers, bodyText: '' });
}

/** A timeout is a positive number of milliseconds, or `Infinity` for none; 0, negative and NaN are mistakes. */
function checkTimeout(timeoutMs: number): number {
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number of milliseconds (or Infinity for no timeout), got ${timeoutMs}`);
  return timeoutMs;
}
