/**
 * Client assertions (`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`), checked as
 * Entra ID checks them. Two kinds share the parameter:
 * - a *certificate* assertion, made and signed by the app itself (`iss` = `sub` = the client ID), whose header names
 *   the registered certificate by thumbprint (`x5t` or `x5t#S256`) and whose `aud` is this tenant's token endpoint;
 * - a *federated* assertion, a token from an external OIDC issuer (GitHub Actions, Kubernetes...), matched against the
 *   app's federated identity credentials by issuer, subject and audience, and verified with the issuer's keys.
 */
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import {
  assertionClientMismatch,
  assertionExpired,
  certificateAssertionAudienceInvalid,
  certificateNotRegistered,
  federatedAudienceNotFound,
  federatedIssuerNotFound,
  federatedKeyNotFound,
  federatedSubjectNotFound,
  invalidSignature,
  malformedAssertion,
  noCertificateThumbprint,
} from './aadsts.js';
import { TOKEN_EXCHANGE_AUDIENCE } from './constants.js';
import type { DirectoryApplication, FederatedCredential } from './directory.js';
import type { IssuerKeys } from './issuer-keys.js';

export interface AssertionContext {
  application: DirectoryApplication;
  /** Token endpoint URLs of the tenant, any of which a certificate assertion may name as `aud`. */
  tokenEndpoints: readonly string[];
  issuerKeys: IssuerKeys;
  /** The real time in ms: assertions are made by clocks in the real world, not the sandbox's. */
  now: number;
}

/** Five minutes of clock skew, which Entra ID allows too. */
const SKEW_SECONDS = 300;

/** Checks a client assertion, certificate or federated; throws the AADSTS error Entra ID would answer. */
export async function verifyClientAssertion(assertion: string, clientId: string, context: AssertionContext): Promise<void> {
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    throw malformedAssertion();
  }
  checkTimes(claims, context.now);
  const federated = claims.iss !== clientId && claims.iss?.toLowerCase() !== clientId.toLowerCase();
  if (federated) await verifyFederated(assertion, header, claims, context);
  else await verifyCertificate(assertion, header, claims, clientId, context);
}

function checkTimes(claims: JWTPayload, nowMs: number): void {
  const now = nowMs / 1000;
  const expiry = typeof claims.exp === 'number' ? claims.exp : undefined;
  const validFrom = typeof claims.nbf === 'number' ? claims.nbf : 0;
  if (expiry === undefined || expiry + SKEW_SECONDS < now || validFrom - SKEW_SECONDS > now) {
    throw assertionExpired(new Date(nowMs), new Date(validFrom * 1000), new Date((expiry ?? 0) * 1000));
  }
}

async function verifyCertificate(assertion: string, header: ProtectedHeaderParameters, claims: JWTPayload, clientId: string, context: AssertionContext): Promise<void> {
  if (claims.sub?.toLowerCase() !== clientId.toLowerCase()) throw assertionClientMismatch();
  const x5tS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
  const x5t = typeof header.x5t === 'string' ? header.x5t : undefined;
  if (!x5t && !x5tS256) throw noCertificateThumbprint();
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud ?? ''];
  if (!audiences.some((audience) => context.tokenEndpoints.includes(audience))) throw certificateAssertionAudienceInvalid(audiences.join(', '));
  const { application } = context;
  if (application.open) return;
  const presented = thumbprintOf(x5t, x5tS256);
  const registered = application.certificates.find((certificate) => (x5tS256 ? certificate.x5tS256 === x5tS256 : certificate.x5t === x5t));
  if (!registered) throw certificateNotRegistered(presented, application.clientId);
  try {
    await compactVerify(assertion, registered.certificate.publicKey);
  } catch {
    throw invalidSignature(registered.thumbprint);
  }
}

async function verifyFederated(assertion: string, header: ProtectedHeaderParameters, claims: JWTPayload, context: AssertionContext): Promise<void> {
  const { application } = context;
  if (application.open) return;
  const issuer = claims.iss ?? '';
  const byIssuer = application.federatedCredentials.filter((credential) => credential.issuer === issuer);
  if (byIssuer.length === 0) throw federatedIssuerNotFound(issuer);
  const bySubject = byIssuer.filter((credential) => credential.subject === claims.sub);
  if (bySubject.length === 0) throw federatedSubjectNotFound(claims.sub ?? '');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud ?? ''];
  const credential = bySubject.find((candidate) => (candidate.audiences ?? [TOKEN_EXCHANGE_AUDIENCE]).some((audience) => audiences.includes(audience)));
  if (!credential) throw federatedAudienceNotFound(audiences.join(', '));
  await verifyIssuerSignature(assertion, header, credential, context.issuerKeys);
}

async function verifyIssuerSignature(assertion: string, header: ProtectedHeaderParameters, credential: FederatedCredential, issuerKeys: IssuerKeys): Promise<void> {
  const keys = credential.jwks ? createLocalJWKSet(credential.jwks) : await issuerKeys.forIssuer(credential.issuer);
  try {
    await compactVerify(assertion, keys);
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
      throw federatedKeyNotFound(header.kid ?? header.x5t ?? '(none)', credential.issuer);
    }
    throw invalidSignature(header.kid ?? header.x5t ?? '(none)');
  }
}

/** The thumbprint a client presented, in Entra ID's upper-case hex. */
function thumbprintOf(x5t: string | undefined, x5tS256: string | undefined): string {
  return Buffer.from((x5tS256 ?? x5t)!, 'base64url').toString('hex').toUpperCase();
}
