/**
 * The AADSTS errors the stand-in answers with, worded as Entra ID words them (from public error reports and
 * Microsoft's AADSTS reference), so that clients and `hwdash doctor` meet the messages they will meet for real.
 */
import { AadstsError } from './aadsts-error.js';

const FIC_DOCS = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';
const CERTIFICATE_DOCS = 'https://learn.microsoft.com/entra/identity-platform/certificate-credentials';

export function tenantNotFound(tenant: string): AadstsError {
  return new AadstsError(
    400,
    'invalid_request',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}

export function applicationNotFound(clientId: string, tenant: string): AadstsError {
  return new AadstsError(
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );
}

export function invalidClientSecret(clientId: string): AadstsError {
  return new AadstsError(
    401,
    'invalid_client',
    7000215,
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  );
}

export function missingClientCredential(): AadstsError {
  return new AadstsError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
}

export function missingParameter(name: string): AadstsError {
  return new AadstsError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
}

export function unsupportedGrantType(grantType: string): AadstsError {
  return new AadstsError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
}

export function unsupportedAssertionType(): AadstsError {
  return new AadstsError(
    400,
    'invalid_request',
    700010,
    "Invalid 'client_assertion_type' value. Expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
  );
}

export function malformedAssertion(): AadstsError {
  return new AadstsError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
}

export function assertionExpired(now: Date, validFrom: Date, expiry: Date): AadstsError {
  return new AadstsError(
    401,
    'invalid_client',
    700024,
    `Client assertion is not within its valid time range. Current time: ${dotnetTime(now)}, assertion valid from ${dotnetTime(validFrom)}, expiry time of assertion ${dotnetTime(expiry)}. Review the documentation at ${CERTIFICATE_DOCS} .`,
  );
}

export function assertionClientMismatch(): AadstsError {
  return new AadstsError(400, 'invalid_request', 700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at " + CERTIFICATE_DOCS + ' .');
}

export function federatedAudienceNotFound(audience: string): AadstsError {
  return new AadstsError(
    401,
    'invalid_client',
    700212,
    `No matching federated identity record found for presented assertion audience '${audience}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${FIC_DOCS}`,
  );
}

/** A certificate assertion whose `aud` is not this tenant's token endpoint. */
export function certificateAssertionAudienceInvalid(audience: string): AadstsError {
  return new AadstsError(400, 'invalid_request', 70017, `The audience claim '${audience}' of the client assertion is not valid for this token endpoint. Review the documentation at ${CERTIFICATE_DOCS} .`);
}

export function certificateNotRegistered(thumbprint: string, clientId: string): AadstsError {
  return new AadstsError(
    401,
    'invalid_client',
    700027,
    `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
  );
}

export function invalidSignature(thumbprint: string): AadstsError {
  return new AadstsError(
    401,
    'invalid_client',
    700027,
    `Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprint}']`,
  );
}

export function noCertificateThumbprint(): AadstsError {
  return new AadstsError(401, 'invalid_client', 50027, 'Invalid JWT token. No certificate thumbprint specified in token header.');
}

export function federatedIssuerNotFound(issuer: string): AadstsError {
  return new AadstsError(
    401,
    'invalid_client',
    700211,
    `No matching federated identity record found for presented assertion issuer '${issuer}'. Please note that the matching is done using a case-sensitive comparison. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${FIC_DOCS}`,
  );
}

export function federatedSubjectNotFound(subject: string): AadstsError {
  return new AadstsError(
    401,
    'invalid_client',
    700213,
    `No matching federated identity record found for presented assertion subject '${subject}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${FIC_DOCS}`,
  );
}

export function federatedKeyNotFound(keyId: string, issuer: string): AadstsError {
  return new AadstsError(
    401,
    'invalid_client',
    7000272,
    `The certificate with identifier ${keyId} used to sign the federated credential could not be found in the metadata of identity provider ${issuer}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
  );
}

export function federatedMetadataUnavailable(issuer: string, reason: string): AadstsError {
  return new AadstsError(400, 'invalid_request', 50166, `Request to External OIDC endpoint failed. Issuer: '${issuer}'. ${reason}`);
}

export function invalidScope(scope: string): AadstsError {
  return new AadstsError(
    400,
    'invalid_scope',
    1002012,
    `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  );
}

export function resourceNotFound(resource: string, tenant: string): AadstsError {
  return new AadstsError(
    400,
    'invalid_resource',
    500011,
    `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  );
}

/** .NET's round-trip format with seven fraction digits, as in Entra ID's messages: 2024-10-02T22:05:03.6755165Z. */
function dotnetTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export function moreThanOneResource(scope: string): AadstsError {
  return new AadstsError(400, 'invalid_scope', 28000, `Provided value for the input parameter scope '${scope}' is not valid because it contains more than one resource. Scope ${scope} is not valid.`);
}

export function postRequired(): AadstsError {
  return new AadstsError(400, 'invalid_request', 900561, 'The endpoint only accepts POST requests. Received a GET request.');
}

export function authorizationPending(): AadstsError {
  return new AadstsError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
}

export function deviceCodeExpired(): AadstsError {
  return new AadstsError(400, 'expired_token', 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
}

export function deviceCodeUnknown(): AadstsError {
  return new AadstsError(400, 'invalid_grant', 70019, 'Verification code expired.');
}

export function refreshTokenInvalid(): AadstsError {
  return new AadstsError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
}

export function authorizationCodeInvalid(): AadstsError {
  return new AadstsError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
}
