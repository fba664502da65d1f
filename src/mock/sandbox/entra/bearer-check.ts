/**
 * The API side of the stand-in: what Partner Center's gateway checks in a bearer token. A token must be one this
 * stand-in signed, unexpired on the sandbox's clock, for the Hardware Dev Center resource, from the configured tenant;
 * and its app must be associated with the Partner Center account (else 403, as for a real app nobody added).
 */
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { SandboxClock } from '../clock.js';
import { GatewayError } from '../gateway-error.js';
import type { EntraDirectory } from './directory.js';
import type { SigningKey } from './signing-key.js';
import { HDC_RESOURCE } from './constants.js';

/** Resolves when the API accepts the token; throws the API's 401 or 403 otherwise. */
export type BearerCheck = (token: string) => Promise<void>;

export function createBearerCheck(context: { directory: EntraDirectory; key: SigningKey; clock: SandboxClock; origin: string }): BearerCheck {
  return async (token) => {
    // An open stand-in (no application registered) leaves the API as it was: any bearer token goes.
    if (!context.directory.strict) return;
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, context.key.publicKey, { algorithms: ['RS256'], currentDate: new Date(context.clock.now()) }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthorized('The access token has expired.', 'The access token has expired');
      throw unauthorized('Access token is missing or invalid.', 'The access token is not valid');
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud ?? ''];
    if (!audiences.some((audience) => audience.replace(/\/+$/, '') === HDC_RESOURCE)) {
      throw unauthorized(`The audience '${audiences.join(', ')}' is invalid; the token must be for ${HDC_RESOURCE}.`, `The audience '${audiences.join(', ')}' is invalid`);
    }
    const tenantId = typeof claims.tid === 'string' ? claims.tid : '';
    if (claims.iss !== `${context.origin}/${tenantId}/` || (context.directory.tenantId !== undefined && tenantId !== context.directory.tenantId)) {
      throw unauthorized(`The issuer '${String(claims.iss)}' is invalid.`, 'The issuer is invalid');
    }
    const application = context.directory.registered(String(claims.appid ?? ''));
    if (!application) throw unauthorized('The application of the access token is not known.', 'The application is not known');
    if (!application.partnerCenterAccess) {
      throw new GatewayError(403, 'The caller does not have permission to access this resource.');
    }
  };
}

/** 401 as the gateway words it, with the reason in `WWW-Authenticate` as Azure resource providers put it. */
function unauthorized(detail: string, headerReason: string): GatewayError {
  return new GatewayError(401, `Unauthorized. ${detail}`, {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${headerReason}"`,
  });
}
