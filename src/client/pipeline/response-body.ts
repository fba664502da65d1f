import { errorFromResponse } from '../errors/from-response.js';
import type { HdcError } from '../errors/hdc-error.js';
import { MalformedResponseError } from '../errors/malformed-response-error.js';
import { bufferWithSpare } from '../json/byte-text.js';
import { parseJsonBytes } from '../json/lossless.js';
import type { Policy, PipelineRequest } from './pipeline.js';

/**
 * Largest JSON body hwdash reads: 32 MiB. The biggest documented bodies (a page of submissions with their
 * workflow status and download links) are a few hundred KiB, so anything far larger is a broken or hostile
 * answer, and reading it all would only exhaust memory. Binary downloads are streamed and not limited.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * Where the body policy leaves a successful JSON answer for the caller that made the request (see
 * {@link PipelineRequest.parsed}): the response it belongs to, the lossless value, and the body's bytes unless the
 * request was `jsonOnly` (parsing may then have reused them).
 */
export interface ParsedBody {
  response?: Response;
  value?: unknown;
  bytes?: Buffer;
}

/** The parsed value of `response`, if the body policy left it in `slot`. */
export function parsedValue(slot: ParsedBody, response: Response): { value: unknown } | undefined {
  return slot.response === response ? { value: slot.value } : undefined;
}

/**
 * A Response that serves the body again, for callers of `send()`: `json()` gives the lossless value (what `JSON.parse`
 * would round, it never sees), `text()` and the others the bytes. Other answers are returned as they are.
 */
export function rereadableResponse(response: Response, slot: ParsedBody): Response {
  if (slot.response !== response) return response;
  const { value, bytes } = slot;
  const copy = new Response(bytes?.length ? (bytes as Uint8Array<ArrayBuffer>) : null, { status: response.status, statusText: response.statusText, headers: response.headers });
  copy.json = () => Promise.resolve(value);
  return copy;
}

const errors = new WeakMap<Response, HdcError>();

/** The typed error the pipeline mapped for a non-2xx response, if any. */
export function errorOf(response: Response): HdcError | undefined {
  return errors.get(response);
}

/**
 * Reads every JSON and error body (bounded), parses JSON losslessly, and maps error answers to typed errors,
 * so that the policies above (retry, auth) and the client can act on kinds instead of raw bodies.
 */
export function responseBodyPolicy(options: { maxResponseBytes: number; correlationId: string }): Policy {
  return async (request, next) => {
    const response = await next(request);
    if (response.ok && !expectsJson(request, response)) return response;

    const { bytes, spare } = await readBytes(response, options.maxResponseBytes, request);

    if (!response.ok) {
      const text = bytes.toString('utf8');
      const failed = new Response(text, { status: response.status, statusText: response.statusText, headers: headersOfBody(response.headers, bytes.length) });
      errors.set(
        failed,
        errorFromResponse({
          method: request.method,
          url: request.url.toString(),
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
          bodyText: text,
          correlationId: options.correlationId,
          response: failed,
        }),
      );
      return failed;
    }
    if (isBlank(bytes)) {
      // Every read of this API answers with a resource or a list; an empty 200 (a misbehaving proxy, a cut
      // that still ended cleanly) must not turn into `undefined` data. Writes may answer 2xx without a body.
      if (request.method === 'GET' && response.status === 200) throw malformed(request, response, 'its body is empty where JSON was expected');
      fill(request.parsed, response, undefined);
      return response;
    }
    // Quoting IDs in place (only for a caller that reads nothing but the value) changes the bytes: keep their start.
    const inPlace = spare && request.jsonOnly === true;
    const head = inPlace ? bytes.toString('utf8', 0, 320) : undefined;
    let value: unknown;
    try {
      value = parseJsonBytes(bytes, { spare: inPlace });
    } catch (error) {
      const start = (head ?? bytes.toString('utf8', 0, 320)).slice(0, 80);
      throw malformed(request, response, `its body is not valid JSON (${(error as Error).message}); it starts with ${JSON.stringify(start)}`, error);
    }
    fill(request.parsed, response, value, request.jsonOnly ? undefined : bytes);
    return response;
  };
}

function fill(slot: ParsedBody | undefined, response: Response, value: unknown, bytes?: Buffer): void {
  if (!slot) return;
  slot.response = response;
  slot.value = value;
  slot.bytes = bytes;
}

/**
 * The headers that describe an error body as read: its length, and no transfer or content coding (fetch has decoded
 * it). The Response built from them copies them anyway, so they are copied here only when one of them changes.
 */
function headersOfBody(headers: Headers, length: number): Headers {
  const declared = String(length);
  if (headers.get('content-length') === declared && !headers.has('content-encoding') && !headers.has('transfer-encoding')) return headers;
  const copy = new Headers(headers);
  copy.set('content-length', declared);
  copy.delete('content-encoding');
  copy.delete('transfer-encoding');
  return copy;
}

/** Whether the body is empty or only JSON whitespace. */
function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}

/**
 * JSON is expected when the caller asked only for JSON (every API call but the preprod asset download)
 * or the service says it sent JSON. A 200 that is an HTML login or proxy page must fail loudly, not pass as data.
 */
function expectsJson(request: PipelineRequest, response: Response): boolean {
  if (response.status === 204 || response.status === 205) return false;
  const contentType = response.headers.get('content-type') ?? '';
  if (/\bjson\b/i.test(contentType)) return true;
  const accept = request.headers.get('accept') ?? '';
  return /^application\/json\s*$/i.test(accept);
}

/**
 * The body's bytes, at most `limit` of them. A body that arrived in several chunks is joined into a buffer with room
 * after it (`spare`), where the lossless parse may quote IDs in place instead of copying the body again.
 */
async function readBytes(response: Response, limit: number, request: PipelineRequest): Promise<{ bytes: Buffer; spare: boolean }> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    // Not awaited: a body source whose cancel never settles (msw's mocked streams, a custom fetch) must not
    // hang the call past its timeout. The error is what matters here.
    void response.body?.cancel().catch(() => undefined);
    throw malformed(request, response, `its body (${declared} bytes) exceeds the ${limit}-byte response size limit`);
  }
  if (!response.body) return { bytes: Buffer.alloc(0), spare: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      void reader.cancel().catch(() => undefined);
      throw malformed(request, response, `its body exceeds the ${limit}-byte response size limit`);
    }
    chunks.push(value);
  }
  // A small body usually arrives in one chunk, which the reader has handed over: use it without a copy.
  const [only] = chunks;
  if (chunks.length <= 1) return { bytes: only ? Buffer.from(only.buffer, only.byteOffset, only.byteLength) : Buffer.alloc(0), spare: false };
  const joined = bufferWithSpare(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes: joined.subarray(0, total), spare: true };
}

function malformed(request: PipelineRequest, response: Response, why: string, cause?: unknown): MalformedResponseError {
  return new MalformedResponseError(`${request.method} ${request.url.pathname} returned ${response.status}, but ${why}`, {
    status: response.status,
    code: 'MalformedResponse',
    request: { method: request.method, url: request.url },
    requestId: response.headers.get('ms-requestid') ?? undefined,
    cause,
  });
}
