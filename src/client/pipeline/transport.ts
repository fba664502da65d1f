import { NetworkError } from '../errors/network-error.js';
import type { PipelineRequest, SendRequest } from './pipeline.js';

/**
 * Socket error codes that prove the request never reached the server (no connection was made), so even a
 * POST can be resent safely. Everything else (reset, timeout mid-request) is ambiguous for a POST.
 */
export const NEVER_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * The innermost step: one fetch. `fetch` is looked up at call time so that test tools that patch the global
 * (msw) take effect even for clients created before they started. Redirects are not followed: the API does
 * not redirect, and following one could carry the request to another host.
 */
export function createTransport(fetchImpl?: typeof fetch): SendRequest {
  return async (request: PipelineRequest) => {
    const doFetch = fetchImpl ?? globalThis.fetch;
    try {
      return await doFetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body as BodyInit | undefined,
        signal: request.signal,
        redirect: 'manual',
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw toNetworkError(error, request);
    }
  };
}

/** Wraps a fetch/undici failure (or a body stream that broke mid-way) in a NetworkError carrying the socket code. */
export function toNetworkError(error: unknown, request: PipelineRequest): NetworkError {
  if (error instanceof NetworkError) return error;
  const code = socketCode(error);
  const reason = code ?? (error instanceof Error ? error.message : String(error));
  return new NetworkError(`${request.method} ${request.url.pathname} failed before a complete response arrived (${reason})`, {
    code: code ?? 'NetworkError',
    request: { method: request.method, url: request.url },
    cause: error,
  });
}

function socketCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_INVALID_STATE') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
