/**
 * External OIDC issuers' signing keys, found the way Entra ID finds them: `{issuer}/.well-known/openid-configuration`,
 * then its `jwks_uri`. Cached per issuer for the life of the stand-in (jose refetches on an unknown `kid`).
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { federatedMetadataUnavailable } from './aadsts.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class IssuerKeys {
  readonly #byIssuer = new Map<string, Promise<JWTVerifyGetKey>>();

  forIssuer(issuer: string): Promise<JWTVerifyGetKey> {
    let keys = this.#byIssuer.get(issuer);
    if (!keys) {
      keys = discover(issuer);
      // A failed discovery is not cached: the issuer may come up later.
      keys.catch(() => this.#byIssuer.delete(issuer));
      this.#byIssuer.set(issuer, keys);
    }
    return keys;
  }
}

async function discover(issuer: string): Promise<JWTVerifyGetKey> {
  const metadataUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  checkScheme(issuer, metadataUrl);
  let jwksUri: unknown;
  try {
    const response = await fetch(metadataUrl, { signal: AbortSignal.timeout(10_000), headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${metadataUrl}`);
    jwksUri = ((await response.json()) as { jwks_uri?: unknown }).jwks_uri;
  } catch (error) {
    throw federatedMetadataUnavailable(issuer, (error as Error).message);
  }
  if (typeof jwksUri !== 'string') throw federatedMetadataUnavailable(issuer, `${metadataUrl} has no jwks_uri.`);
  checkScheme(issuer, jwksUri);
  return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10_000 });
}

/** Entra ID fetches issuer metadata over https only; the sandbox also allows plain http on loopback, for test issuers. */
function checkScheme(issuer: string, url: string): void {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname))) return;
  throw federatedMetadataUnavailable(issuer, `${url} is neither https nor on loopback.`);
}
