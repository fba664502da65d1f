import { http, HttpResponse, type HttpResponseResolver, type RequestHandler } from 'msw';
import { operations, type OperationRecord } from '../../generated/operations.js';
import { DEFAULT_BASE_URL } from '../client/options.js';

/** The spec's operation IDs, e.g. `createSubmission`. */
export type OperationId = (typeof operations)[number]['operationId'];

const METHOD = {
  GET: http.get,
  PUT: http.put,
  POST: http.post,
  PATCH: http.patch,
  DELETE: http.delete,
  HEAD: http.head,
  OPTIONS: http.options,
} as const;

function operation(operationId: string): OperationRecord {
  const found = operations.find((op) => op.operationId === operationId);
  if (!found) throw new Error(`no operation "${operationId}" in the spec; known: ${operations.map((op) => op.operationId).join(', ')}`);
  return found;
}

/** `/products/{productId}` -> `${baseUrl}/products/:productId`, msw's path syntax. */
function urlPattern(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/$/, '')}${path.replace(/\{([^}]+)\}/g, ':$1')}`;
}

/**
 * The only binary answer (a preproduction asset download) is documented as a zip of signed files but has no example
 * bytes in the spec; an empty zip archive (its end-of-central-directory record alone) is the smallest valid one.
 */
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

/**
 * The documented success answer of an operation: its status and the spec's example body, sent as the exact
 * JSON text of `spec/examples/` so that IDs above 2^53 reach the client unrounded.
 */
export function exampleResponse(operationId: OperationId | string): Response {
  const op = operation(operationId);
  if (op.responseExample === null && op.successContentType === 'application/octet-stream') {
    return new HttpResponse(EMPTY_ZIP.slice(), { status: op.successStatus, headers: { 'content-type': op.successContentType } });
  }
  if (op.responseExample === null) return new HttpResponse(null, { status: op.successStatus });
  return new HttpResponse(op.responseExample, { status: op.successStatus, headers: { 'content-type': op.successContentType ?? 'application/json' } });
}

/**
 * An error answer in the service's shape: `{"error": {"code", "message", "validationErrors"}}`.
 * @example server.use(hdcHandler('createSubmission', () => hdcError(400, 'RequestInvalidForCurrentState', 'Initial submission already exists')))
 */
export function hdcError(status: number, code: string, message: string, validationErrors: { target?: string; message: string }[] = []): Response {
  return HttpResponse.json({ error: { code, message, validationErrors } }, { status });
}

/**
 * A handler for one operation, answering with `resolver` (default: the documented example). Use it in
 * `server.use(...)` to override a single operation in a test.
 */
export function hdcHandler(operationId: OperationId | string, resolver?: HttpResponseResolver, options: { baseUrl?: string } = {}): RequestHandler {
  const op = operation(operationId);
  const method = METHOD[op.method as keyof typeof METHOD];
  return method(urlPattern(options.baseUrl ?? DEFAULT_BASE_URL, op.path), resolver ?? (() => exampleResponse(op.operationId)));
}

/**
 * One handler per operation in the spec, each answering with its documented example.
 * @example const server = setupServer(...createHandlers({ baseUrl: 'https://manage.devcenter.microsoft.com/v2.0/my/hardware' }))
 */
export function createHandlers(options: { baseUrl?: string } = {}): RequestHandler[] {
  return operations.map((op) => hdcHandler(op.operationId, undefined, options));
}

/** {@link createHandlers} for the default v2.0 base URL. */
export const handlers: readonly RequestHandler[] = createHandlers();
