import { errorFromResponse } from '../errors/from-response.js';
import type { HdcError } from '../errors/hdc-error.js';
import { MalformedResponseError } from '../errors/malformed-response-error.js';
import { parseJson } from '../json/lossless.js';
import type { Policy, PipelineRequest } from './pipeline.js';

/**
 * Largest JSON body hwdash reads: 32 MiB. The biggest documented bodies (a page of submissions with their
 * workflow status and download links) are a few hundred KiB, so anything far larger is a broken or hostile
 * answer, and reading it all would only exhaust memory. Binary downloads are streamed and not limited.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * A Response whose JSON was already parsed losslessly. openapi-fetch calls `json()` on successful answers
 * that have a Content-Length, so this hands it the exact value instead of letting `JSON.parse` round IDs.
 *
 * Its body is served from the bytes already read, and a body stream is only built if someone asks for `body`:
 * building one for every call (a web stream is costly to set up) was the largest part of the client's overhead.
 */
export class ParsedJsonResponse extends Response {
  readonly #bytes: Uint8Array;
  readonly #text: string;
  readonly #value: unknown;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;

  constructor(bytes: Uint8Array, text: string, init: ResponseInit, value: unknown) {
    super(null, init);
    this.#bytes = bytes;
    this.#text = text;
    this.#value = value;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return (this.#stream ??= new Response(this.#bytes as Uint8Array<ArrayBuffer>).body!);
  }

  /** The parsed body, for a caller that can take it without waiting on `json()`'s promise. */
  get value(): unknown {
    return this.#value;
  }

  override json(): Promise<any> {
    return Promise.resolve(this.#value);
  }

  override text(): Promise<string> {
    return Promise.resolve(this.#text);
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.#bytes.slice().buffer as ArrayBuffer);
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return Promise.resolve(this.#bytes.slice() as Uint8Array<ArrayBuffer>);
  }

  override blob(): Promise<Blob> {
    return Promise.resolve(new Blob([this.#bytes as Uint8Array<ArrayBuffer>], { type: this.headers.get('content-type') ?? '' }));
  }

  override clone(): ParsedJsonResponse {
    return new ParsedJsonResponse(this.#bytes, this.#text, { status: this.status, statusText: this.statusText, headers: this.headers }, this.#value);
  }
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

    const bytes = await readBytes(response, options.maxResponseBytes, request);
    const text = bytes.toString('utf8');
    const init = { status: response.status, statusText: response.statusText, headers: headersOfBody(response.headers, bytes.length) };

    if (!response.ok) {
      const failed = new Response(text, init);
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
    if (!text.trim()) {
      // Every read of this API answers with a resource or a list; an empty 200 (a misbehaving proxy, a cut
      // that still ended cleanly) must not turn into `undefined` data. Writes may answer 2xx without a body.
      if (request.method === 'GET' && response.status === 200) throw malformed(request, response, 'its body is empty where JSON was expected');
      return new Response(null, { ...init, headers: withoutLength(init.headers) });
    }
    let value: unknown;
    try {
      value = parseJson(text);
    } catch (error) {
      throw malformed(request, response, `its body is not valid JSON (${(error as Error).message}); it starts with ${JSON.stringify(text.slice(0, 80))}`, error);
    }
    return new ParsedJsonResponse(bytes, text, init, value);
  };
}

/**
 * The headers that describe the body as read: its length, and no transfer or content coding (fetch has decoded
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

/** A zero-length body must not advertise a length header that openapi-fetch would trip over. */
function withoutLength(headers: Headers): Headers {
  const copy = new Headers(headers);
  copy.set('content-length', '0');
  return copy;
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

async function readBytes(response: Response, limit: number, request: PipelineRequest): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    // Not awaited: a body source whose cancel never settles (msw's mocked streams, a custom fetch) must not
    // hang the call past its timeout. The error is what matters here.
    void response.body?.cancel().catch(() => undefined);
    throw malformed(request, response, `its body (${declared} bytes) exceeds the ${limit}-byte response size limit`);
  }
  if (!response.body) return Buffer.alloc(0);
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
  return chunks.length === 1 ? Buffer.from(only!.buffer, only!.byteOffset, only!.byteLength) : Buffer.concat(chunks, total);
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
