import type { Policy } from './pipeline.js';

/**
 * Adds the headers every call carries. `MS-CorrelationId` ties all requests of one client together and
 * `MS-RequestId` identifies one logical request (the same across its retries), as Microsoft's own client
 * sends them, so that support can trace a failure. The UUIDs come from the global Web Crypto, which Node loads on
 * first use: importing `node:crypto` would load it with the client, before any call needs it.
 */
export function requestHeadersPolicy(options: { correlationId: string; userAgent: string }): Policy {
  return (request, next) => {
    const { headers } = request;
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    headers.set('user-agent', options.userAgent);
    headers.set('ms-correlationid', options.correlationId);
    if (!headers.has('ms-requestid')) headers.set('ms-requestid', crypto.randomUUID());
    return next(request);
  };
}
