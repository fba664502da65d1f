/**
 * A person's sign-in, as `hwdash login --device-code` and MSAL's device code flow meet it: the device authorization
 * endpoint hands out a device code and a user code, the person enters the user code on the verification page
 * (`/devicelogin` here, where entering it is the whole sign-in: the stand-in has no passwords), and the client's polls
 * of the token endpoint get `authorization_pending` until then, and tokens after: an access token for the resource,
 * an ID token and `client_info` (from which MSAL names the account in its cache), and a refresh token, which the
 * `refresh_token` grant redeems for new tokens on a later run. The browser sign-in (`hwdash login`) is the
 * authorization code grant with PKCE: the authorize page signs the person in at once and sends the browser back to the
 * app's loopback redirect URI with a code.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SandboxClock } from '../clock.js';
import { authorizationCodeInvalid, authorizationPending, deviceCodeExpired, deviceCodeUnknown, missingParameter, refreshTokenInvalid } from './aadsts.js';
import { HDC_RESOURCE } from './constants.js';
import { derivedGuid, type EntraDirectory, type Tenant } from './directory.js';
import type { SigningKey } from './signing-key.js';

/** The person who signs in when the verification page is not told who. */
export const DEFAULT_USERNAME = 'driver.engineer@contoso.com';
/** Real seconds a device code stays valid (Entra ID: 15 minutes). */
const DEVICE_CODE_SECONDS = 900;
/** Scopes OIDC clients add that name no resource. */
const RESERVED_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
/** Real seconds: as the app tokens, never so short that a client refreshes before every call. */
const MINIMUM_LIFETIME_SECONDS = 120;

interface PendingDeviceCode {
  userCode: string;
  clientId: string;
  scope: string;
  tenant: Tenant;
  expiresAt: number;
  username?: string;
}

interface Grant {
  clientId: string;
  scope: string;
  tenant: Tenant;
  username: string;
  /** The authorization request's nonce, which the ID token must carry back (OpenID Connect). */
  nonce?: string;
}

interface PendingAuthorizationCode extends Grant {
  redirectUri: string;
  codeChallenge: string;
  expiresAt: number;
}

export interface PersonSignInOptions {
  directory: EntraDirectory;
  key: SigningKey;
  clock: SandboxClock;
  tokenLifetimeSeconds: number;
}

export class PersonSignIn {
  readonly #byDeviceCode = new Map<string, PendingDeviceCode>();
  readonly #refreshTokens = new Map<string, Grant>();
  readonly #byAuthorizationCode = new Map<string, PendingAuthorizationCode>();

  constructor(private readonly options: PersonSignInOptions) {}

  /** `POST /{tenant}/oauth2/v2.0/devicecode`: RFC 8628's device authorization answer, with Entra ID's `message`. */
  startDeviceCode(form: URLSearchParams, tenant: Tenant, origin: string): Record<string, unknown> {
    const clientId = form.get('client_id');
    if (!clientId) throw missingParameter('client_id');
    const scope = form.get('scope') ?? '';
    if (!scope) throw missingParameter('scope');
    this.options.directory.application(clientId, tenant);
    const deviceCode = randomBytes(32).toString('base64url');
    // Entra ID's user codes are nine letters and digits, without look-alikes.
    const userCode = Array.from(randomBytes(9), (byte) => 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'[byte % 32]).join('');
    this.#byDeviceCode.set(deviceCode, { userCode, clientId, scope, tenant, expiresAt: Date.now() + DEVICE_CODE_SECONDS * 1000 });
    const verificationUri = `${origin}/devicelogin`;
    return {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: DEVICE_CODE_SECONDS,
      interval: 1,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    };
  }

  /** The verification page: entering the user code signs `username` in. False for a code that is unknown or expired. */
  approve(userCode: string, username: string = DEFAULT_USERNAME): boolean {
    for (const pending of this.#byDeviceCode.values()) {
      if (pending.userCode === userCode.trim().toUpperCase() && pending.expiresAt > Date.now()) {
        pending.username = username;
        return true;
      }
    }
    return false;
  }

  /** The `device_code` grant: pending until the person entered the code, then tokens (once). */
  async redeemDeviceCode(form: URLSearchParams, tenant: Tenant, origin: string): Promise<Record<string, unknown>> {
    const deviceCode = form.get('device_code');
    if (!deviceCode) throw missingParameter('device_code');
    const pending = this.#byDeviceCode.get(deviceCode);
    if (!pending || pending.tenant.id !== tenant.id) throw deviceCodeUnknown();
    if (pending.expiresAt <= Date.now()) {
      this.#byDeviceCode.delete(deviceCode);
      throw deviceCodeExpired();
    }
    if (!pending.username) throw authorizationPending();
    this.#byDeviceCode.delete(deviceCode);
    return this.#tokens({ clientId: pending.clientId, scope: pending.scope, tenant, username: pending.username }, origin);
  }

  /**
   * `GET /{tenant}/oauth2/v2.0/authorize` of the browser sign-in (authorization code with PKCE, as MSAL sends it): the
   * person (`login_hint`, else {@link DEFAULT_USERNAME}) signs in at once, and the browser is sent back to the app's
   * loopback `redirect_uri` with a code. Returns that redirect.
   */
  authorize(query: URLSearchParams, tenant: Tenant): string {
    const clientId = query.get('client_id');
    if (!clientId) throw missingParameter('client_id');
    this.options.directory.application(clientId, tenant);
    const redirectUri = query.get('redirect_uri') ?? '';
    // A sandbox sends codes to the machine it runs on only.
    if (!/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(redirectUri)) throw missingParameter('redirect_uri');
    const codeChallenge = query.get('code_challenge') ?? '';
    if (!codeChallenge || (query.get('code_challenge_method') ?? 'plain') !== 'S256') throw missingParameter('code_challenge');
    const code = randomBytes(32).toString('base64url');
    const nonce = query.get('nonce') ?? undefined;
    this.#byAuthorizationCode.set(code, {
      clientId,
      scope: query.get('scope') ?? '',
      tenant,
      username: query.get('login_hint') || DEFAULT_USERNAME,
      ...(nonce ? { nonce } : {}),
      redirectUri,
      codeChallenge,
      expiresAt: Date.now() + 600_000,
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = query.get('state');
    if (state) back.searchParams.set('state', state);
    return back.toString();
  }

  /** The `authorization_code` grant: the code once, for the same app and redirect URI, with the PKCE verifier. */
  async redeemAuthorizationCode(form: URLSearchParams, tenant: Tenant, origin: string): Promise<Record<string, unknown>> {
    const code = form.get('code');
    if (!code) throw missingParameter('code');
    const pending = this.#byAuthorizationCode.get(code);
    this.#byAuthorizationCode.delete(code);
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (!pending || pending.expiresAt <= Date.now() || pending.tenant.id !== tenant.id || pending.clientId.toLowerCase() !== (form.get('client_id') ?? '').toLowerCase()) {
      throw authorizationCodeInvalid();
    }
    if (pending.redirectUri !== form.get('redirect_uri') || challenge !== pending.codeChallenge) throw authorizationCodeInvalid();
    const { redirectUri: _uri, codeChallenge: _challenge, expiresAt: _expiry, ...grant } = pending;
    return this.#tokens(grant, origin);
  }

  /** The `refresh_token` grant: new tokens for the same person, app and resource; the old refresh token stays valid. */
  async redeemRefreshToken(form: URLSearchParams, tenant: Tenant, origin: string): Promise<Record<string, unknown>> {
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) throw missingParameter('refresh_token');
    const grant = this.#refreshTokens.get(refreshToken);
    if (!grant || grant.tenant.id !== tenant.id || grant.clientId.toLowerCase() !== (form.get('client_id') ?? '').toLowerCase()) throw refreshTokenInvalid();
    return this.#tokens({ ...grant, scope: form.get('scope') ?? grant.scope }, origin);
  }

  async #tokens(grant: Grant, origin: string): Promise<Record<string, unknown>> {
    const { clock, key } = this.options;
    const issuedAt = Math.floor(clock.now() / 1000);
    const lifetime = Math.max(MINIMUM_LIFETIME_SECONDS, Math.round(this.options.tokenLifetimeSeconds / clock.speed));
    const userId = derivedUserId(grant.tenant.id, grant.username);
    const resources = grant.scope.split(/\s+/).filter((item) => item && !RESERVED_SCOPES.has(item.toLowerCase()));
    const resource = (resources[0] ?? `${HDC_RESOURCE}/.default`).replace(/\/\.default$/, '');
    const common = { iat: issuedAt, nbf: issuedAt, exp: issuedAt + lifetime, tid: grant.tenant.id, oid: userId, name: grant.username.split('@')[0] };
    const accessToken = await key.sign({
      ...common,
      aud: resource,
      iss: `${origin}/${grant.tenant.id}/`,
      appid: grant.clientId,
      appidacr: '0',
      idtyp: 'user',
      scp: 'user_impersonation',
      sub: userId,
      upn: grant.username,
      unique_name: grant.username,
      uti: randomUUID().replace(/-/g, ''),
      ver: '1.0',
    });
    const idToken = await key.sign({
      ...common,
      aud: grant.clientId,
      iss: `${origin}/${grant.tenant.id}/v2.0`,
      sub: userId,
      preferred_username: grant.username,
      ver: '2.0',
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
    });
    const refreshToken = randomBytes(48).toString('base64url');
    const { nonce: _nonce, ...kept } = grant;
    this.#refreshTokens.set(refreshToken, kept);
    return {
      token_type: 'Bearer',
      scope: grant.scope,
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: Buffer.from(JSON.stringify({ uid: userId, utid: grant.tenant.id })).toString('base64url'),
    };
  }
}

/** The person's object ID: the same for the same name in the same tenant. */
function derivedUserId(tenantId: string, username: string): string {
  return derivedGuid(`user:${tenantId}:${username.toLowerCase()}`);
}
