/**
 * The Entra ID stand-in over real TLS, in-process: what the token endpoints issue and refuse (with Entra ID's AADSTS
 * bodies), what the discovery documents say, and what the API then accepts (401 and 403 as Partner Center answers).
 * The clients are plain https requests here; real @azure/identity runs in the CLI tests beside this file.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, jwtVerify, createLocalJWKSet } from 'jose';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { call, ManualClock } from '../sandbox/support.js';
import { appCertificate, CLIENT_ID, CLIENT_SECRET, claimsOf, HDC_SCOPE, headerOf, https, startFakeIssuer, TENANT_ID, type FakeIssuer } from './support.js';

const NO_ACCESS_CLIENT = '0f0f0f0f-1111-4222-8333-444444444444';
const CERT_CLIENT = '5a5a5a5a-1111-4222-8333-555555555555';
const FEDERATED_CLIENT = '6b6b6b6b-1111-4222-8333-666666666666';
const SUBJECT = 'repo:contoso/drivers:ref:refs/heads/main';

describe('the Entra ID stand-in (registered apps, one tenant)', () => {
  const clock = new ManualClock(Date.now());
  let sandbox: Sandbox;
  let ca: string;
  let host: string;
  let certificate: Awaited<ReturnType<typeof appCertificate>>;
  let otherCertificate: Awaited<ReturnType<typeof appCertificate>>;
  let issuer: FakeIssuer;

  const token = (form: Record<string, string>, tenant = TENANT_ID, version = 'v2.0/') => https(`${host}/${tenant}/oauth2/${version}token`, ca, { form });
  const secretForm = (overrides: Record<string, string> = {}) => ({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: HDC_SCOPE, ...overrides });
  const api = (accessToken: string) => call(sandbox.baseUrl, 'GET', '/products', { token: accessToken });

  /** A certificate assertion as MSAL makes one. */
  const certificateAssertion = async (cert = certificate, overrides: Record<string, unknown> = {}) => {
    const der = new X509Certificate(cert.certificate).raw;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ aud: `${host}/${TENANT_ID}/oauth2/v2.0/token`, iss: CERT_CLIENT, sub: CERT_CLIENT, jti: 'j1', nbf: now, exp: now + 600, ...overrides })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: createHash('sha1').update(der).digest('base64url') })
      .sign(cert.privateKey);
  };
  const assertionForm = (clientId: string, assertion: string) => ({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: HDC_SCOPE,
  });

  beforeAll(async () => {
    [certificate, otherCertificate] = await Promise.all([appCertificate(), appCertificate('another')]);
    issuer = await startFakeIssuer(SUBJECT);
    sandbox = await startSandbox({
      now: clock.now,
      entra: {
        tenantId: TENANT_ID,
        applications: [
          { clientId: CLIENT_ID, secrets: [CLIENT_SECRET] },
          { clientId: NO_ACCESS_CLIENT, secrets: [CLIENT_SECRET], partnerCenterAccess: false },
          { clientId: CERT_CLIENT, certificates: [certificate.certificate] },
          { clientId: FEDERATED_CLIENT, federatedCredentials: [{ issuer: issuer.issuer, subject: SUBJECT }] },
        ],
      },
    });
    ca = sandbox.entra!.caCertificate;
    host = sandbox.entra!.authorityHost;
  });

  afterAll(async () => {
    await sandbox?.stop();
    await issuer?.stop();
  });

  it('serves on its own https origin, apart from the API', () => {
    expect(host).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(host).port).not.toBe(new URL(sandbox.baseUrl).port);
  });

  it('v2 client secret: an RS256 JWT for the API, tenant and app, that the API accepts', async () => {
    const answer = await token(secretForm());
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.any(String) });
    const accessToken: string = answer.body.access_token;
    expect(headerOf(accessToken)).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String), x5t: expect.any(String) });
    const claims = claimsOf(accessToken);
    expect(claims).toMatchObject({ aud: 'https://manage.devcenter.microsoft.com', tid: TENANT_ID, appid: CLIENT_ID, appidacr: '1', iss: `${host}/${TENANT_ID}/`, ver: '1.0' });
    expect(claims.exp).toBe(Math.floor(clock.now() / 1000) + 3599);
    // The keys published in discovery verify it.
    const configuration = await https(`${host}/${TENANT_ID}/v2.0/.well-known/openid-configuration`, ca);
    const keys = await https(configuration.body.jwks_uri, ca);
    await expect(jwtVerify(accessToken, createLocalJWKSet(keys.body), { currentDate: new Date(clock.now()) })).resolves.toBeDefined();
    expect((await api(accessToken)).status).toBe(200);
  });

  it('v1 (resource=, the documented flow): string numbers, expires_on and the resource', async () => {
    const answer = await token({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, resource: 'https://manage.devcenter.microsoft.com' }, TENANT_ID, '');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: '3599', resource: 'https://manage.devcenter.microsoft.com', expires_on: expect.stringMatching(/^\d+$/) });
    expect((await api(answer.body.access_token)).status).toBe(200);
  });

  it('client_secret_basic works too', async () => {
    const basic = Buffer.from(`${CLIENT_ID}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64');
    const answer = await https(`${host}/${TENANT_ID}/oauth2/v2.0/token`, ca, {
      form: { grant_type: 'client_credentials', scope: HDC_SCOPE },
      headers: { Authorization: `Basic ${basic}` },
    });
    expect(answer.status).toBe(200);
  });

  it.each([
    ['a wrong secret', () => token(secretForm({ client_secret: 'wrong' })), 401, 'invalid_client', 7000215, /^AADSTS7000215: Invalid client secret provided\. Ensure the secret being sent/],
    ['an unknown tenant (token)', () => token(secretForm(), '00000000-1111-2222-3333-444444444444'), 400, 'invalid_request', 90002, /^AADSTS90002: Tenant '00000000-1111-2222-3333-444444444444' not found/],
    ['an unknown client', () => token(secretForm({ client_id: '99999999-2222-3333-4444-555555555555' })), 400, 'unauthorized_client', 700016, /^AADSTS700016: Application with identifier '99999999-/],
    ['an unsupported grant', () => token(secretForm({ grant_type: 'password' })), 400, 'unsupported_grant_type', 70003, /^AADSTS70003: The app requested an unsupported grant type 'password'/],
    ['no grant type', () => token({ client_id: CLIENT_ID }), 400, 'invalid_request', 900144, /'grant_type'/],
    ['no secret or assertion', () => token(secretForm({ client_secret: '' })), 401, 'invalid_client', 7000218, /'client_assertion' or 'client_secret'/],
    ['a scope without /.default', () => token(secretForm({ scope: 'https://manage.devcenter.microsoft.com/user_impersonation' })), 400, 'invalid_scope', 1002012, /\/\.default suffixed/],
    ['an unknown resource', () => token(secretForm({ scope: 'https://contoso.example/.default' })), 400, 'invalid_resource', 500011, /resource principal named https:\/\/contoso\.example/],
  ])('%s: the AADSTS body Entra ID sends', async (_name, send, status, error, code, description) => {
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({
      error,
      error_description: expect.stringMatching(description),
      error_codes: [code],
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
      trace_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      error_uri: `${host}/error?code=${code}`,
    });
    expect(answer.body.error_description).toMatch(/\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: /);
    // The secret never comes back.
    expect(JSON.stringify(answer.body)).not.toContain(CLIENT_SECRET);
  });

  it('echoes the client-request-id as the correlation ID', async () => {
    const answer = await https(`${host}/${TENANT_ID}/oauth2/v2.0/token?client-request-id=0ca18020-fc87-404e-bbfd-7d684cc953a6`, ca, { form: secretForm({ client_secret: 'x' }) });
    expect(answer.body.correlation_id).toBe('0ca18020-fc87-404e-bbfd-7d684cc953a6');
  });

  it('discovery: v2 and v1 OpenID configurations on the tenant, AADSTS90002 for another tenant, instance discovery, keys', async () => {
    const v2 = await https(`${host}/${TENANT_ID}/v2.0/.well-known/openid-configuration`, ca);
    expect(v2.body).toMatchObject({ issuer: `${host}/${TENANT_ID}/v2.0`, token_endpoint: `${host}/${TENANT_ID}/oauth2/v2.0/token`, authorization_endpoint: `${host}/${TENANT_ID}/oauth2/v2.0/authorize` });
    const v1 = await https(`${host}/${TENANT_ID}/.well-known/openid-configuration`, ca);
    expect(v1.body).toMatchObject({ issuer: `${host}/${TENANT_ID}/`, token_endpoint: `${host}/${TENANT_ID}/oauth2/token` });
    const unknown = await https(`${host}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`, ca);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error_codes).toEqual([90002]);
    const instance = await https(`${host}/common/discovery/instance?api-version=1.1&authorization_endpoint=${host}/${TENANT_ID}/oauth2/v2.0/authorize`, ca);
    expect(instance.body.metadata[0].aliases).toEqual([new URL(host).host]);
    expect((await https(`${host}/common/discovery/keys`, ca)).body.keys).toHaveLength(1);
  });

  it('certificate assertion: accepted with the registered certificate (appidacr 2); refused with another, expired, or for another audience', async () => {
    const accepted = await token(assertionForm(CERT_CLIENT, await certificateAssertion()));
    expect(accepted.status).toBe(200);
    expect(claimsOf(accepted.body.access_token)).toMatchObject({ appid: CERT_CLIENT, appidacr: '2' });

    const otherKey = await token(assertionForm(CERT_CLIENT, await certificateAssertion(otherCertificate)));
    expect([otherKey.status, otherKey.body.error_codes]).toEqual([401, [700027]]);
    expect(otherKey.body.error_description).toMatch(/not registered on application.*Thumbprint of key used by client: '[0-9A-F]{40}'/);

    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await token(assertionForm(CERT_CLIENT, await certificateAssertion(certificate, { nbf: past - 600, exp: past })));
    expect([expired.status, expired.body.error_codes]).toEqual([401, [700024]]);
    expect(expired.body.error_description).toMatch(/^AADSTS700024: Client assertion is not within its valid time range\. Current time: \S+Z, assertion valid from \S+Z, expiry time of assertion \S+Z\./);

    const elsewhere = await token(assertionForm(CERT_CLIENT, await certificateAssertion(certificate, { aud: 'https://login.microsoftonline.com/x/oauth2/v2.0/token' })));
    expect(elsewhere.body.error_codes).toEqual([70017]);

    const forgedSignature = (await certificateAssertion()).replace(/\.[^.]+$/, '.AAAA');
    expect((await token(assertionForm(CERT_CLIENT, forgedSignature))).body.error_codes).toEqual([700027]);
    expect((await token(assertionForm(CERT_CLIENT, 'not-a-jwt'))).body.error_codes).toEqual([50027]);
  });

  it('federated assertion: accepted from the trusted issuer and subject (keys read from its discovery); refused by issuer, subject, audience, expiry or key', async () => {
    const accepted = await token(assertionForm(FEDERATED_CLIENT, await issuer.token()));
    expect(accepted.status).toBe(200);
    expect(claimsOf(accepted.body.access_token)).toMatchObject({ appid: FEDERATED_CLIENT, appidacr: '2', aud: 'https://manage.devcenter.microsoft.com' });
    expect(issuer.keyFetches).toBeGreaterThan(0);
    expect((await api(accepted.body.access_token)).status).toBe(200);

    const refusals = [
      [{ iss: 'https://token.actions.githubusercontent.com' }, 700211, /presented assertion issuer 'https:\/\/token\.actions\.githubusercontent\.com'/],
      [{ sub: 'repo:contoso/drivers:ref:refs/heads/Main' }, 700213, /presented assertion subject 'repo:contoso\/drivers:ref:refs\/heads\/Main'/],
      [{ aud: 'api://SomethingElse' }, 700212, /presented assertion audience 'api:\/\/SomethingElse'/],
      [{ exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 4000 }, 700024, /not within its valid time range/],
    ] as const;
    for (const [claims, code, description] of refusals) {
      const answer = await token(assertionForm(FEDERATED_CLIENT, await issuer.token(claims)));
      expect({ code: answer.body.error_codes?.[0], status: answer.status }).toEqual({ code, status: 401 });
      expect(answer.body.error_description).toMatch(description);
    }
    const foreignKey = await new SignJWT({ aud: 'api://AzureADTokenExchange', iss: issuer.issuer, sub: SUBJECT, exp: Math.floor(Date.now() / 1000) + 300 })
      .setProtectedHeader({ alg: 'RS256', kid: 'unknown-key' })
      .sign(otherCertificate.privateKey);
    expect((await token(assertionForm(FEDERATED_CLIENT, foreignKey))).body.error_codes).toEqual([7000272]);
  });

  it('the API: 401 for a token for another audience, not from this stand-in, or expired on the sandbox clock; 403 for an app Partner Center does not know', async () => {
    const graph = await token(secretForm({ scope: 'https://graph.microsoft.com/.default' }));
    expect(claimsOf(graph.body.access_token).aud).toBe('https://graph.microsoft.com');
    const wrongAudience = await api(graph.body.access_token);
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.body.message).toMatch(/audience 'https:\/\/graph\.microsoft\.com' is invalid/);

    const forged = `${graph.body.access_token.split('.').slice(0, 2).join('.')}.c2lnbmF0dXJl`;
    expect((await api(forged)).status).toBe(401);
    expect((await api('any-opaque-token')).status).toBe(401);

    const valid = (await token(secretForm())).body.access_token as string;
    expect((await api(valid)).status).toBe(200);
    clock.advance(3600);
    const expired = await api(valid);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('The access token has expired');

    const noAccess = await token(secretForm({ client_id: NO_ACCESS_CLIENT }));
    expect(noAccess.status).toBe(200);
    const forbidden = await api(noAccess.body.access_token);
    expect(forbidden.status).toBe(403);
  });

  it('records what clients asked for, never a secret', () => {
    const requests = sandbox.entra!.requests;
    expect(requests.some((record) => record.path === `/${TENANT_ID}/oauth2/v2.0/token` && record.grantType === 'client_credentials' && record.status === 200)).toBe(true);
    expect(JSON.stringify(requests)).not.toContain(CLIENT_SECRET);
  });
});

describe('the Entra ID stand-in, open (no app registered)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ entra: true, speed: 60 });
  });
  afterAll(() => sandbox?.stop());

  it('signs in any client ID with any secret, in any tenant GUID or domain, and the API takes any bearer token as before', async () => {
    const { caCertificate: ca, authorityHost: host } = sandbox.entra!;
    for (const tenant of [TENANT_ID, 'contoso.onmicrosoft.com']) {
      const answer = await https(`${host}/${tenant}/oauth2/v2.0/token`, ca, {
        form: { grant_type: 'client_credentials', client_id: '12345678-1234-1234-1234-123456789012', client_secret: 'anything', scope: HDC_SCOPE },
      });
      expect(answer.status).toBe(200);
      // At clock ×60 a token's hour is a real minute, but never less than two: clients refresh 5 minutes ahead anyway.
      expect(answer.body.expires_in).toBe(120);
    }
    expect((await https(`${host}/not a tenant/oauth2/v2.0/token`.replace(/ /g, '%20'), ca, { form: { grant_type: 'client_credentials' } })).body.error_codes).toEqual([90002]);
    expect((await call(sandbox.baseUrl, 'GET', '/products', { token: 'whatever' })).status).toBe(200);
  });
});
