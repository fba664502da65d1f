/**
 * The action signing in keyless, as on a GitHub runner with `permissions: id-token: write`: `tenant-id` and
 * `client-id` and no secret. The bundle asks a loopback stand-in for GitHub's ID-token endpoint for a token with the
 * audience api://AzureADTokenExchange and hands it to the sandbox's Entra ID as the client assertion of a federated
 * credential; the API accepts only the access tokens that Entra ID issued. Every token is masked and never printed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { buildExamplePackage } from '../../scripts/build-example-package.js';
import { claimsOf, startFakeIssuer, type FakeIssuer } from '../entra/support.js';
import { startGitHubTokenEndpoint, type GitHubTokenEndpoint } from './github-token-endpoint.js';
import { assertBundled, runAction, withoutMaskCommands } from './support.js';


const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '5a1f0c3e-7b9d-4e2a-8c6f-0d1e2f3a4b5c';
const SUBJECT = 'repo:contoso/drivers:ref:refs/heads/main';

let dir: string;
let cab: string;
let issuer: FakeIssuer;
let github: GitHubTokenEndpoint;
let sandbox: Sandbox;

beforeAll(async () => {
  assertBundled();
  dir = await mkdtemp(join(tmpdir(), 'hwdash-action-keyless-'));
  cab = (await buildExamplePackage(join(dir, 'contoso-keyless.cab'))).path;
  issuer = await startFakeIssuer(SUBJECT);
  github = await startGitHubTokenEndpoint(issuer);
  sandbox = await startSandbox({
    speed: 200,
    entra: { tenantId: TENANT_ID, applications: [{ clientId: CLIENT_ID, federatedCredentials: [{ issuer: issuer.issuer, subject: SUBJECT }] }] },
  });
});

afterAll(async () => {
  await sandbox?.stop();
  await github?.stop();
  await issuer?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The runner's environment of a job with `id-token: write`, and the stand-in's authority trusted. */
const runnerEnv = (): Record<string, string> => ({
  ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
  AZURE_AUTHORITY_HOST: sandbox.entra!.authorityHost,
  NODE_EXTRA_CA_CERTS: sandbox.entra!.caCertificatePath,
});

describe('keyless: tenant-id and client-id, no secret', () => {
  it('signs with GitHub\'s OIDC token as the federated assertion, masking every token', async () => {
    const entraRequestsBefore = sandbox.entra!.requests.length;
    const run = await runAction(
      dir,
      { package: cab, 'out-dir': 'signed', 'tenant-id': TENANT_ID, 'client-id': CLIENT_ID, 'base-url': sandbox.baseUrl, 'poll-interval': '0.1', label: 'true' },
      runnerEnv(),
    );
    expect(run.stdout).toContain(`signed in with keyless: GitHub's OIDC token as a federated credential of app ${CLIENT_ID}`);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ 'submission-id': expect.stringMatching(/^\d+$/), 'shipping-label-id': expect.stringMatching(/^\d+$/) });

    // GitHub was asked for the token-exchange audience, with the job's request token.
    expect(github.requests.length).toBeGreaterThan(0);
    expect(github.requests.every((request) => request.authorised && request.audience === 'api://AzureADTokenExchange')).toBe(true);
    // Entra ID issued the access token against the federated credential (a client_credentials grant, answered 200).
    const tokenRequests = sandbox.entra!.requests.slice(entraRequestsBefore).filter((request) => request.grantType === 'client_credentials');
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests.every((request) => request.status === 200)).toBe(true);

    // Masked: the request token and each OIDC token, before anything else could print them; never printed otherwise.
    const masks = run.stdout.split('\n').filter((line) => line.startsWith('::add-mask::'));
    expect(masks).toContain(`::add-mask::${github.requestToken}`);
    for (const token of github.issued) expect(masks).toContain(`::add-mask::${token}`);
    // …and the access token Entra ID issued for the API to this app: masked too.
    const accessTokens = masks.map((line) => line.slice('::add-mask::'.length)).filter((value) => value.split('.').length === 3 && !github.issued.includes(value));
    expect(accessTokens.map((token) => claimsOf(token))).toContainEqual(expect.objectContaining({ appid: CLIENT_ID, tid: TENANT_ID, aud: 'https://manage.devcenter.microsoft.com' }));
    const visible = withoutMaskCommands(run.everything);
    for (const secret of [github.requestToken, ...github.issued, ...masks.map((line) => line.slice('::add-mask::'.length))]) expect(visible).not.toContain(secret);
  });

  it('a federated credential for another subject is refused by Entra ID: exit 1, AADSTS70021, nothing printed that is secret', async () => {
    const other = '6b2e1d4f-8c0a-4f3b-9d7e-1f2a3b4c5d6e';
    sandbox.entra!.register({ clientId: other, federatedCredentials: [{ issuer: issuer.issuer, subject: 'repo:contoso/drivers:environment:production' }] });
    const run = await runAction(dir, { package: cab, 'out-dir': 'refused', 'tenant-id': TENANT_ID, 'client-id': other, 'base-url': sandbox.baseUrl }, runnerEnv());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::.*AADSTS70021/m);
    expect(run.summary).toContain('Driver signing failed');
    const visible = withoutMaskCommands(run.everything);
    for (const token of [github.requestToken, ...github.issued]) expect(visible).not.toContain(token);
  });
});
