/**
 * The token endpoints: v2 (`/{tenant}/oauth2/v2.0/token`, `scope=<resource>/.default`, what MSAL and
 * `@azure/identity` call) and v1 (`/{tenant}/oauth2/token`, `resource=<resource>`, what the Hardware Dev Center docs
 * and many public tools call). Grants: `client_credentials` with a client secret (in the body or HTTP Basic), a
 * certificate assertion or a federated assertion. Other grants are refused as Entra ID refuses a grant an app may
 * not use; a later grant (device code for `hwdash login`) plugs in beside `client_credentials` ({@link TokenService}).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { SandboxClock } from '../clock.js';
import {
  invalidClientSecret,
  invalidScope,
  missingClientCredential,
  missingParameter,
  moreThanOneResource,
  resourceNotFound,
  unsupportedAssertionType,
  unsupportedGrantType,
} from './aadsts.js';
import { verifyClientAssertion } from './client-assertion.js';
import type { DirectoryApplication, EntraDirectory, Tenant } from './directory.js';
import type { IssuerKeys } from './issuer-keys.js';
import type { PersonSignIn } from './person-sign-in.js';
import type { SigningKey } from './signing-key.js';
import { HDC_RESOURCE } from './constants.js';

export type EndpointVersion = 'v1' | 'v2';

/** Resources the stand-in issues tokens for: the API, and a few others so that "a token for another audience" is real. */
const KNOWN_RESOURCES = [HDC_RESOURCE, 'https://graph.microsoft.com', 'https://management.azure.com', 'https://management.core.windows.net', 'https://storage.azure.com', 'https://vault.azure.net'];

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Scopes OIDC clients add that name no resource. */
const RESERVED_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
/** Real seconds: shorter tokens would be refreshed before every call by clients that refresh 5 minutes ahead. */
const MINIMUM_LIFETIME_SECONDS = 120;

export interface TokenServiceOptions {
  directory: EntraDirectory;
  key: SigningKey;
  issuerKeys: IssuerKeys;
  clock: SandboxClock;
  /** Access-token lifetime in sandbox seconds. */
  tokenLifetimeSeconds: number;
  /** The device code and refresh token grants of a person's sign-in. */
  personSignIn: PersonSignIn;
}

export interface TokenRequest {
  version: EndpointVersion;
  tenant: Tenant;
  form: URLSearchParams;
  /** The `Authorization` header, for client_secret_basic. */
  authorization?: string;
  /** `https://127.0.0.1:PORT`: issuer and token endpoint URLs are built on it. */
  origin: string;
}

export class TokenService {
  constructor(private readonly options: TokenServiceOptions) {}

  /** Grants by `grant_type`: the app-only grant, and a person's (device code or browser, then refresh tokens). */
  readonly #grants: Record<string, (request: TokenRequest) => Promise<Record<string, unknown>>> = {
    client_credentials: (request) => this.clientCredentials(request),
    // A person's sign-in (`hwdash login`): MSAL sends the short name, RFC 8628 the URN; Entra ID takes both.
    device_code: (request) => this.options.personSignIn.redeemDeviceCode(request.form, request.tenant, request.origin),
    'urn:ietf:params:oauth:grant-type:device_code': (request) => this.options.personSignIn.redeemDeviceCode(request.form, request.tenant, request.origin),
    refresh_token: (request) => this.options.personSignIn.redeemRefreshToken(request.form, request.tenant, request.origin),
    authorization_code: (request) => this.options.personSignIn.redeemAuthorizationCode(request.form, request.tenant, request.origin),
  };

  async issue(request: TokenRequest): Promise<Record<string, unknown>> {
    const grantType = request.form.get('grant_type');
    if (!grantType) throw missingParameter('grant_type');
    const grant = Object.hasOwn(this.#grants, grantType) ? this.#grants[grantType] : undefined;
    if (!grant) throw unsupportedGrantType(grantType);
    return grant(request);
  }

  private async clientCredentials(request: TokenRequest): Promise<Record<string, unknown>> {
    const { form, tenant } = request;
    const basic = basicCredentials(request.authorization);
    const clientId = form.get('client_id') ?? basic?.clientId;
    if (!clientId) throw missingParameter('client_id');
    const resource = requestedResource(request.version, form, tenant);
    const application = this.options.directory.application(clientId, tenant);
    const appidacr = await this.authenticate(application, form, basic?.secret, request);
    return this.tokenResponse(request, application, resource, appidacr);
  }

  /** Checks the client's credential; returns `appidacr`: 1 for a secret, 2 for a certificate or federated assertion. */
  private async authenticate(application: DirectoryApplication, form: URLSearchParams, basicSecret: string | undefined, request: TokenRequest): Promise<'1' | '2'> {
    const secret = form.get('client_secret') ?? basicSecret;
    const assertion = form.get('client_assertion');
    if (assertion) {
      if (form.get('client_assertion_type') !== JWT_BEARER) throw unsupportedAssertionType();
      const base = `${request.origin}/`;
      const tenantNames = [request.tenant.name, request.tenant.id];
      await verifyClientAssertion(assertion, application.clientId, {
        application,
        tokenEndpoints: tenantNames.flatMap((name) => [`${base}${name}/oauth2/v2.0/token`, `${base}${name}/oauth2/token`]),
        issuerKeys: this.options.issuerKeys,
        now: Date.now(),
      });
      return '2';
    }
    if (!secret) throw missingClientCredential();
    if (!application.open && !application.secrets.some((candidate) => sameText(candidate, secret))) throw invalidClientSecret(application.clientId);
    return '1';
  }

  private async tokenResponse(request: TokenRequest, application: DirectoryApplication, resource: string, appidacr: '1' | '2'): Promise<Record<string, unknown>> {
    const { clock } = this.options;
    const issuedAt = Math.floor(clock.now() / 1000);
    const lifetime = Math.max(MINIMUM_LIFETIME_SECONDS, Math.round(this.options.tokenLifetimeSeconds / clock.speed));
    const issuer = `${request.origin}/${request.tenant.id}/`;
    const accessToken = await this.options.key.sign({
      aud: resource,
      iss: issuer,
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + lifetime,
      appid: application.clientId,
      appidacr,
      idp: issuer,
      idtyp: 'app',
      oid: application.objectId,
      sub: application.objectId,
      tid: request.tenant.id,
      uti: randomUUID().replace(/-/g, ''),
      ver: '1.0',
    });
    if (request.version === 'v2') {
      return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
    }
    // The v1 endpoint sends its numbers as strings, and says which resource the token is for.
    return {
      token_type: 'Bearer',
      expires_in: String(lifetime),
      ext_expires_in: String(lifetime),
      expires_on: String(issuedAt + lifetime),
      not_before: String(issuedAt),
      resource,
      access_token: accessToken,
    };
  }
}

/** The resource a token is asked for: v1 names it, v2 asks for `<resource>/.default`. */
function requestedResource(version: EndpointVersion, form: URLSearchParams, tenant: Tenant): string {
  let resource: string;
  if (version === 'v1') {
    resource = form.get('resource') ?? '';
    if (!resource) throw missingParameter('resource');
  } else {
    const scope = form.get('scope') ?? '';
    const scopes = scope.split(/\s+/).filter((item) => item !== '' && !RESERVED_SCOPES.has(item.toLowerCase()));
    if (scopes.length === 0) throw missingParameter('scope');
    const invalid = scopes.find((item) => !item.endsWith('/.default'));
    if (invalid) throw invalidScope(invalid);
    const resources = new Set(scopes.map((item) => item.slice(0, -'/.default'.length)));
    if (resources.size > 1) throw moreThanOneResource(scope);
    resource = [...resources][0]!;
  }
  if (!KNOWN_RESOURCES.includes(resource.replace(/\/+$/, '').toLowerCase())) throw resourceNotFound(resource, tenant.name);
  return resource;
}

/** client_secret_basic: `Authorization: Basic base64(urlencode(client_id):urlencode(client_secret))` (RFC 6749 2.3.1). */
function basicCredentials(header: string | undefined): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

function sameText(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}
