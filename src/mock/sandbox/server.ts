/**
 * The sandbox's HTTP front: node:http on 127.0.0.1. Each request goes through fault injection, the gateway
 * (auth, routing), body checks, then its route's handler; the reply is serialised with lossless JSON so IDs leave as
 * exact JSON numbers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pipeline } from 'node:stream/promises';
import { parseJson, stringifyJson } from '../../client/json/lossless.js';
import { invalidInput, unauthorized, unprocessable } from './errors.js';
import { GatewayError } from './gateway-error.js';
import { ServiceError } from './service-error.js';
import { actsFirst, DEFAULT_LATE_MS, DEFAULT_SLOW_MS, type FaultRequest, type FaultSpec } from './faults.js';
import { checkPathParams, type Reply, type Route, Router } from './router.js';
import type { RequestValidator } from './validation.js';
import { newGuid } from './ids.js';

/** What the sandbox answered, for observers such as the spec-conformance tests. */
export interface ResponseRecord {
  method: string;
  /** Request path and query. */
  url: string;
  /** Undefined for requests that matched no route. */
  operationId?: string;
  status: number;
  contentType?: string;
  /** The body text, for JSON responses. */
  body?: string;
}

export interface ServerOptions {
  routes: Route[];
  validator: RequestValidator;
  /** Seconds a throttled client is told to wait. */
  retryAfterSeconds: number;
  token?: string;
  /** Checks bearer tokens beyond their presence (the Entra ID stand-in's tokens, when it has apps registered). */
  checkBearer?: (token: string) => Promise<void>;
  nextFault?: (request: FaultRequest) => FaultSpec | undefined;
  onResponse?: (record: ResponseRecord) => void;
}

export interface SandboxServer {
  server: Server;
  port: number;
  /** HTTP requests received so far, faulted ones included. */
  readonly requests: number;
  close(): Promise<void>;
}

const MAX_JSON_BODY_BYTES = 1024 * 1024;

export async function startServer(port: number, options: ServerOptions): Promise<SandboxServer> {
  const router = new Router(options.routes);
  let requests = 0;
  // Ends the waits of slow and late answers when the server closes, so that nothing outlives it.
  const closing = new AbortController();
  const server = createServer((request, response) => {
    requests += 1;
    handle(router, options, request, response, closing.signal).catch((error: unknown) => {
      // Only reachable if writing the response itself failed (client gone); nothing left to tell the client.
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(router: Router, options: ServerOptions, request: IncomingMessage, response: ServerResponse, closing: AbortSignal): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  const match = router.match(method, url.pathname);
  const fault = options.nextFault?.({ method, operationId: match.kind === 'route' ? match.route.operationId : undefined });
  const correlation = {
    'MS-CorrelationId': headerValue(request, 'ms-correlationid') ?? newGuid(),
    'MS-RequestId': headerValue(request, 'ms-requestid') ?? newGuid(),
  };
  let operationId: string | undefined;
  let reply: Reply;
  if (fault?.kind === 'reset') {
    request.socket.destroy();
    return;
  }
  try {
    const injected = fault && injectedError(fault, options.retryAfterSeconds);
    if (injected) throw injected;
    await checkAuthorization(request, options.token, options.checkBearer);
    if (match.kind === 'notFound') throw new GatewayError(404, `Resource not found: ${method} ${url.pathname}`);
    if (match.kind === 'methodNotAllowed') {
      throw new GatewayError(405, `Method ${method} is not allowed here; use ${match.allow.join(', ')}.`, { Allow: match.allow.join(', ') });
    }
    operationId = match.route.operationId;
    checkPathParams(match.params);
    const body = match.route.body === 'json' ? await readJsonBody(request, options.validator, operationId) : undefined;
    if (match.route.body === 'binary') checkBinaryContentType(request);
    reply = await match.route.handle({
      version: match.version,
      apiBase: `http://${request.headers.host ?? '127.0.0.1'}/${match.version}/my/hardware`,
      params: match.params,
      query: url.searchParams,
      body,
      request,
    });
  } catch (error) {
    reply = errorReply(error);
  }
  if (actsFirst(fault)) {
    // The service has acted; what the client gets to know of it is spoilt.
    if (fault.kind === 'lost' || !(await pause(fault.delayMs ?? DEFAULT_LATE_MS, closing)) || request.socket.destroyed) {
      if ('stream' in reply) reply.stream.destroy();
      request.socket.destroy();
      return;
    }
  }
  const record: ResponseRecord = { method, url: url.pathname + url.search, operationId, status: reply.status };
  const headers = { ...correlation, ...reply.headers };
  const slowMs = fault?.kind === 'slow' ? (fault.delayMs ?? DEFAULT_SLOW_MS) : 0;
  if ('stream' in reply) {
    response.writeHead(reply.status, { ...headers, 'Content-Type': reply.contentType });
    if (slowMs > 0 && !(await pause(slowMs, closing))) {
      reply.stream.destroy();
      return;
    }
    options.onResponse?.({ ...record, contentType: reply.contentType });
    await pipeline(reply.stream, response);
    return;
  }
  if (reply.json === undefined) {
    response.writeHead(reply.status, headers).end();
    options.onResponse?.(record);
    return;
  }
  const text = stringifyJson(reply.json);
  const contentType = 'application/json; charset=utf-8';
  options.onResponse?.({ ...record, contentType, body: text });
  response.writeHead(reply.status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  await writeBody(response, Buffer.from(text), slowMs, closing);
}

/** Waits `ms` of real time; false when the server closed meanwhile. */
async function pause(ms: number, closing: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: closing });
    return true;
  } catch {
    return false;
  }
}

/** A slow body: the headers go out at once, the bytes trickle out in ten parts over `slowMs`. */
async function writeBody(response: ServerResponse, bytes: Buffer, slowMs: number, closing: AbortSignal): Promise<void> {
  if (slowMs === 0) {
    response.end(bytes);
    return;
  }
  const parts = 10;
  const size = Math.ceil(bytes.length / parts);
  for (let offset = 0; offset < bytes.length; offset += size) {
    if (!(await pause(slowMs / parts, closing))) return;
    if (response.destroyed) return;
    response.write(bytes.subarray(offset, offset + size));
  }
  response.end();
}

function injectedError(fault: FaultSpec, retryAfterSeconds: number): GatewayError | ServiceError | undefined {
  switch (fault.kind) {
    case '429':
      return new GatewayError(429, `Rate limit is exceeded. Try again in ${retryAfterSeconds} seconds.`, {
        'Retry-After': String(retryAfterSeconds),
      });
    case '500':
      return new ServiceError(500, 'internalServerError', 'An unexpected error occurred. Try again later.');
    case '502':
      return new ServiceError(502, 'badGateway', 'The service did not answer in time. Try again later.');
    case '503':
      return new ServiceError(503, 'serviceUnavailable', 'The service is temporarily unavailable. Try again later.', [], {
        'Retry-After': String(retryAfterSeconds),
      });
    default:
      return undefined;
  }
}

async function checkAuthorization(request: IncomingMessage, token: string | undefined, checkBearer: ServerOptions['checkBearer']): Promise<void> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(request, 'authorization') ?? '');
  if (!match || (token !== undefined && match[1] !== token)) {
    throw unauthorized('Unauthorized. Access token is missing or invalid.');
  }
  await checkBearer?.(match[1]!);
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

async function readJsonBody(request: IncomingMessage, validator: RequestValidator, operationId: string): Promise<unknown> {
  const contentType = headerValue(request, 'content-type');
  if (!isJson(contentType)) {
    throw new ServiceError(415, 'unsupportedMediaType', `Content-Type ${contentType ? `"${contentType}"` : '(none)'} is not supported; send application/json.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY_BYTES) throw invalidInput(`The request body is larger than ${MAX_JSON_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw invalidInput('The request body is empty; this operation needs a JSON body.');
  let wire: unknown;
  try {
    // Plain JSON.parse sees the wire types (IDs as numbers), which is what the request schema describes.
    wire = validator.canonicalBody(JSON.parse(text));
  } catch (error) {
    throw invalidInput(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  const problems = validator.validateRequestBody(operationId, wire);
  if (problems.length > 0) throw unprocessable(problems);
  return validator.canonicalBody(parseJson(text));
}

function checkBinaryContentType(request: IncomingMessage): void {
  const contentType = headerValue(request, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== undefined && mediaType !== 'application/octet-stream') {
    throw new ServiceError(415, 'unsupportedMediaType', `Content-Type "${contentType}" is not supported; send the package bytes as application/octet-stream.`);
  }
}

function errorReply(error: unknown): Reply {
  if (error instanceof ServiceError || error instanceof GatewayError) {
    return { status: error.status, json: error.toBody(), headers: error.headers };
  }
  // A sandbox bug: say so in the answer rather than hide it behind a generic 500.
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, json: new ServiceError(500, 'internalServerError', `Sandbox internal error: ${message}`).toBody() };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
