/**
 * The built `hwdash` signs in against the sandbox's Entra ID stand-in with unmodified `@azure/identity`, configured
 * by the standard environment variables only (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or
 * AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST, NODE_EXTRA_CA_CERTS), and
 * `hwdash doctor` words each Entra ID failure. Secrets never appear in anything printed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { assertBuilt, finished, PRODUCT, runCli, startCli, waitForOutput, type CliRun } from '../cli/support.js';
import { appCertificate, CLIENT_ID, CLIENT_SECRET, HDC_SCOPE, https, startFakeIssuer, TENANT_ID, type FakeIssuer } from './support.js';

const CERT_CLIENT = '5a5a5a5a-1111-4222-8333-555555555555';
const FEDERATED_CLIENT = '6b6b6b6b-1111-4222-8333-666666666666';
const NO_ACCESS_CLIENT = '0f0f0f0f-1111-4222-8333-444444444444';
const SUBJECT = 'repo:contoso/drivers:environment:release';

describe('hwdash signs in with @azure/identity against the Entra ID stand-in', () => {
  let sandbox: Sandbox;
  let dir: string;
  let issuer: FakeIssuer;
  let certificatePath: string;
  let productFile: string;
  /** The environment `hwdash sandbox` prints, plus the tenant. */
  let base: Record<string, string>;

  const hwdash = (args: string[], env: Record<string, string>) => runCli(args, { env: { ...base, ...env } });
  const tokenFile = async (name: string, token: string) => {
    const path = join(dir, name);
    await writeFile(path, token);
    return path;
  };
  const doctor = async (env: Record<string, string>): Promise<{ run: CliRun; detail: string }> => {
    const run = await hwdash(['doctor', '--json'], env);
    const report = JSON.parse(run.stdout) as { checks: { ok: boolean; detail: string }[] };
    return { run, detail: report.checks.find((check) => !check.ok)?.detail ?? '' };
  };

  beforeAll(async () => {
    assertBuilt();
    dir = await mkdtemp(join(tmpdir(), 'hwdash-entra-cli-'));
    const certificate = await appCertificate();
    certificatePath = join(dir, 'app.pem');
    await writeFile(certificatePath, certificate.pem);
    productFile = join(dir, 'product.json');
    await writeFile(productFile, JSON.stringify(PRODUCT));
    issuer = await startFakeIssuer(SUBJECT);
    sandbox = await startSandbox({
      speed: 600,
      entra: {
        tenantId: TENANT_ID,
        applications: [
          { clientId: CLIENT_ID, secrets: [CLIENT_SECRET] },
          { clientId: CERT_CLIENT, certificates: [certificate.certificate] },
          { clientId: FEDERATED_CLIENT, federatedCredentials: [{ issuer: issuer.issuer, subject: SUBJECT }] },
          { clientId: NO_ACCESS_CLIENT, secrets: [CLIENT_SECRET], partnerCenterAccess: false },
        ],
      },
    });
    base = {
      HWDASH_BASE_URL: sandbox.baseUrl,
      AZURE_AUTHORITY_HOST: sandbox.entra!.authorityHost,
      NODE_EXTRA_CA_CERTS: sandbox.entra!.caCertificatePath,
      AZURE_TENANT_ID: TENANT_ID,
    };
  });

  afterAll(async () => {
    await sandbox?.stop();
    await issuer?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('client secret: product create and list run; MSAL asked only for the v2 discovery document and the v2 token endpoint', async () => {
    const before = sandbox.entra!.requests.length;
    const created = await hwdash(['product', 'create', productFile, '--json'], { AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET });
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    expect(id).toMatch(/^\d+$/);
    expect(BigInt(id)).toBeGreaterThan(2n ** 53n);
    const listed = await hwdash(['product', 'list', '--json'], { AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`"id": "${id}"`);
    const asked = sandbox.entra!.requests.slice(before).map((record) => `${record.method} ${record.path} ${record.status}`);
    expect(new Set(asked)).toEqual(new Set([`GET /${TENANT_ID}/v2.0/.well-known/openid-configuration 200`, `POST /${TENANT_ID}/oauth2/v2.0/token 200`]));
  });

  it('certificate (AZURE_CLIENT_CERTIFICATE_PATH): the command runs', async () => {
    const run = await hwdash(['audience', 'list', '--json'], { AZURE_CLIENT_ID: CERT_CLIENT, AZURE_CLIENT_CERTIFICATE_PATH: certificatePath });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual(expect.any(Array));
  });

  it('federated token file (AZURE_FEDERATED_TOKEN_FILE, workload identity): the command runs', async () => {
    const run = await hwdash(['product', 'list', '--json'], { AZURE_CLIENT_ID: FEDERATED_CLIENT, AZURE_FEDERATED_TOKEN_FILE: await tokenFile('fed.jwt', await issuer.token()) });
    expect(run).toMatchObject({ code: 0, stderr: '' });
  });

  it('a wrong secret exits 2 and neither secret is printed, plain, --verbose or --json', async () => {
    const wrong = 'Wr0ng~secret~value~that~must~never~be~printed';
    for (const flags of [[], ['--verbose'], ['--json']]) {
      const run = await hwdash(['product', 'list', ...flags], { AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: wrong });
      expect({ flags, code: run.code }).toEqual({ flags, code: 2 });
      expect(run.stderr).toContain('AADSTS7000215');
      expect(run.stdout + run.stderr).not.toContain(wrong);
      expect(run.stdout + run.stderr).not.toContain(CLIENT_SECRET);
    }
  });

  it('doctor: everything right with the secret', async () => {
    const { run, detail } = await doctor({ AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET });
    expect({ code: run.code, detail }).toEqual({ code: 0, detail: '' });
  });

  it.each([
    ['a wrong secret', () => ({ AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: 'not-the-secret' }), /^the client secret is wrong: set AZURE_CLIENT_SECRET to the secret's Value \(not its Secret ID\)\.$/],
    ['an unknown tenant', () => ({ AZURE_TENANT_ID: '00000000-1111-4222-8333-444444444444', AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET }), /^the tenant was not found: AZURE_TENANT_ID is wrong/],
    ['an unknown client', () => ({ AZURE_CLIENT_ID: '99999999-1111-4222-8333-444444444444', AZURE_CLIENT_SECRET: CLIENT_SECRET }), /^the application was not found in that tenant: AZURE_CLIENT_ID is wrong/],
  ])('doctor: %s', async (_name, env, words) => {
    const { run, detail } = await doctor(env());
    expect(run.code).toBe(2);
    expect(detail).toMatch(words);
    expect(run.stdout + run.stderr).not.toContain(CLIENT_SECRET);
  });

  it('doctor: an expired federated token', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const file = await tokenFile('expired.jwt', await issuer.token({ iat: past - 300, nbf: past - 300, exp: past }));
    const { run, detail } = await doctor({ AZURE_CLIENT_ID: FEDERATED_CLIENT, AZURE_FEDERATED_TOKEN_FILE: file });
    expect(run.code).toBe(2);
    expect(detail).toMatch(/^the client assertion has expired \(or is not valid yet\): a federated token \(AZURE_FEDERATED_TOKEN_FILE/);
  });

  it('doctor: a federated token from a subject the app does not trust', async () => {
    const file = await tokenFile('other-subject.jwt', await issuer.token({ sub: 'repo:contoso/drivers:ref:refs/heads/feature' }));
    const { run, detail } = await doctor({ AZURE_CLIENT_ID: FEDERATED_CLIENT, AZURE_FEDERATED_TOKEN_FILE: file });
    expect(run.code).toBe(2);
    expect(detail).toMatch(/^the federated token matches no federated credential of the app/);
  });

  it('doctor: a token for another audience (HWDASH_TOKEN from the stand-in for Microsoft Graph)', async () => {
    const graph = await https(`${base.AZURE_AUTHORITY_HOST}/${TENANT_ID}/oauth2/v2.0/token`, sandbox.entra!.caCertificate, {
      form: { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' },
    });
    const { run, detail } = await doctor({ HWDASH_TOKEN: graph.body.access_token });
    expect(run.code).toBe(2);
    expect(detail).toBe(`HWDASH_TOKEN is for "https://graph.microsoft.com", not for https://manage.devcenter.microsoft.com; request it with the scope ${HDC_SCOPE}.`);
    expect(run.stdout + run.stderr).not.toContain(graph.body.access_token);
  });

  it('doctor: 403 from the API for an app that is not associated with the Partner Center account', async () => {
    const { run, detail } = await doctor({ AZURE_CLIENT_ID: NO_ACCESS_CLIENT, AZURE_CLIENT_SECRET: CLIENT_SECRET });
    expect(run.code).toBe(2);
    expect(detail).toMatch(/^the API refused access \(403\): the Entra ID app is not associated with the Partner Center account/);
  });
});

describe('hwdash sandbox with --tenant-id, --client-id and --client-secret', () => {
  beforeAll(assertBuilt);

  it('prints NAME=value lines that point a client at it, accepts only that credential, and stops on Ctrl-C', async () => {
    const secret = 'S4ndbox~cli~secret~0123456789';
    const sandbox = startCli(['sandbox', '--speed', '600', '--tenant-id', TENANT_ID, '--client-id', CLIENT_ID, '--client-secret', secret]);
    const stopped = finished(sandbox);
    await waitForOutput(sandbox, /Ctrl-C stops it/, 60_000);
    const lines = stopped.output().stdout.trim().split('\n');
    expect(lines.map((line) => line.split('=')[0])).toEqual(['HWDASH_BASE_URL', 'AZURE_AUTHORITY_HOST', 'NODE_EXTRA_CA_CERTS', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID']);
    const env = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    expect(env.AZURE_AUTHORITY_HOST).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const ok = await runCli(['audience', 'list'], { env: { ...env, AZURE_CLIENT_SECRET: secret } });
    expect(ok.code).toBe(0);
    const refused = await runCli(['audience', 'list'], { env: { ...env, AZURE_CLIENT_SECRET: 'wrong' } });
    expect(refused.code).toBe(2);
    // Any bearer token no longer goes: the API takes the stand-in's tokens only.
    const foreign = await runCli(['audience', 'list'], { env: { HWDASH_BASE_URL: env.HWDASH_BASE_URL!, HWDASH_TOKEN: 'sandbox' } });
    expect(foreign.code).toBe(2);

    sandbox.kill('SIGINT');
    const result = await stopped;
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});
