import { SecurityError } from '../errors/security-error.js';
import type { TokenCache } from '../auth/token-cache.js';
import { isSecureTransport, type Policy } from './pipeline.js';

/**
 * Adds `Authorization: Bearer` to requests for the API's own origin, and only there: never to blob SAS URLs,
 * a `next_link` on another host, or plain http other than loopback. On a 401 it re-acquires the token once
 * and resends, since Entra tokens can be revoked or expire early.
 */
export function bearerTokenPolicy(options: { apiOrigin: string; tokens: TokenCache | undefined }): Policy {
  return async (request, next) => {
    const headers = new Headers(request.headers);
    headers.delete('authorization');
    if (!options.tokens || request.url.origin !== options.apiOrigin) return next({ ...request, headers });
    if (!isSecureTransport(request.url)) {
      throw new SecurityError(`refusing to send the access token over plain http to ${request.url.host}; use https (plain http is allowed only for loopback)`, {
        code: 'InsecureTransport',
        request: { method: request.method, url: request.url },
      });
    }
    const token = await options.tokens.getToken(request.signal);
    headers.set('authorization', `Bearer ${token}`);
    const response = await next({ ...request, headers });
    if (response.status !== 401 || !options.tokens.canRenew) return response;

    options.tokens.invalidate(token);
    await response.body?.cancel().catch(() => undefined);
    const renewed = await options.tokens.getToken(request.signal);
    const retryHeaders = new Headers(headers);
    retryHeaders.set('authorization', `Bearer ${renewed}`);
    return next({ ...request, headers: retryHeaders });
  };
}
