/**
 * Who is calling, for the `createdBy`/`updatedBy` fields Microsoft's client library reads: the Entra application the
 * access token was issued to (its `appid` or `azp` claim, or the `oid` of a signed-in user). Tokens are read, never
 * verified here: the gateway has already accepted the request. A token that is no JWT gives a fixed name.
 */
import type { IncomingMessage } from 'node:http';

export const ANONYMOUS_CALLER = 'hwdash-sandbox';

export function callerOf(request: IncomingMessage): string {
  const token = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return ANONYMOUS_CALLER;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const caller = [claims.appid, claims.azp, claims.oid].find((claim) => typeof claim === 'string' && claim !== '');
    return (caller as string | undefined) ?? ANONYMOUS_CALLER;
  } catch {
    return ANONYMOUS_CALLER;
  }
}
