import { SecurityError } from '../errors/security-error.js';
import type { TokenCache } from '../auth/token-cache.js';
import { isSecureTransport, type PipelineRequest, type Policy, type SendRequest } from './pipeline.js';

/**
 * Adds `Authorization: Bearer` to requests for the API's own origin, and only there: never to blob SAS URLs,
 * a `next_link` on another host, or plain http other than loopback. On a 401 it re-acquires the token once
 * and resends, since Entra tokens can be revoked or expire early.
 *
 * The header is set on the request's own headers (the pipeline's copy; see {@link PipelineRequest}) on every
 * attempt, so a retry always carries the current token. A cached token is used without waiting on a promise.
 */
export function bearerTokenPolicy(options: { apiOrigin: string; tokens: TokenCache | undefined }): Policy {
  const { tokens } = options;
  return (request, next) => {
    if (!tokens || request.url.origin !== options.apiOrigin) {
      request.headers.delete('authorization');
      return next(request);
    }
    if (!isSecureTransport(request.url)) {
      return Promise.reject(
        new SecurityError(`refusing to send the access token over plain http to ${request.url.host}; use https (plain http is allowed only for loopback)`, {
          code: 'InsecureTransport',
          request: { method: request.method, url: request.url },
        }),
      );
    }
    const cached = tokens.freshToken;
    if (cached !== undefined) return sendWithToken(request, next, tokens, cached);
    return tokens.getToken(request.signal).then((token) => sendWithToken(request, next, tokens, token));
  };
}

async function sendWithToken(request: PipelineRequest, next: SendRequest, tokens: TokenCache, token: string): Promise<Response> {
  request.headers.set('authorization', `Bearer ${token}`);
  const response = await next(request);
  if (response.status !== 401 || !tokens.canRenew) return response;

  tokens.invalidate(token);
  await response.body?.cancel().catch(() => undefined);
  const renewed = await tokens.getToken(request.signal);
  request.headers.set('authorization', `Bearer ${renewed}`);
  return next(request);
}
