/**
 * `hwdash login --device-code` against the sandbox's Entra ID: the CLI prints the code, a person enters it on the
 * stand-in's verification page, and the sign-in is kept in a profile (no secret in config.json; the token cache
 * readable by its owner only). A later command in a new process signs in silently from that cache (MSAL redeems the
 * refresh token), the API accepting only tokens the stand-in issued; `hwdash logout` forgets the sign-in.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { https } from '../entra/support.js';
import { assertBuilt, finished, runCli, startCli, waitForOutput } from './support.js';


const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
/** A public client app registered in the tenant and associated with the Partner Center account. */
const CLIENT_ID = '9c4d2e1f-3a5b-4c6d-8e7f-0a1b2c3d4e5f';
const USERNAME = 'release.engineer@contoso.com';

let dir: string;
let configHome: string;
let sandbox: Sandbox;
let env: Record<string, string>;

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'hwdash-login-'));
  configHome = join(dir, 'config');
  sandbox = await startSandbox({ speed: 100, entra: { tenantId: TENANT_ID, applications: [{ clientId: CLIENT_ID }] } });
  env = { XDG_CONFIG_HOME: configHome, NODE_EXTRA_CA_CERTS: sandbox.entra!.caCertificatePath };
});

afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const grants = (): (string | undefined)[] => sandbox.entra!.requests.filter((request) => request.grantType).map((request) => `${request.grantType} ${request.status}`);

describe('hwdash login --device-code', () => {
  it('prints the code, waits for the person, and saves the sign-in in the default profile (no secret in config.json)', async () => {
    const authority = sandbox.entra!.authorityHost;
    const child = startCli(['--base-url', sandbox.baseUrl, 'login', '--device-code', '--tenant-id', TENANT_ID, '--client-id', CLIENT_ID, '--authority-host', authority], { env });
    const run = finished(child);
    const prompt = await waitForOutput(child, /open the page (\S+) and enter the code ([A-Z0-9]{9})/);
    const [, page, code] = /open the page (\S+) and enter the code ([A-Z0-9]{9})/.exec(prompt)!;
    expect(page).toBe(`${authority}/devicelogin`);
    // Before the person enters the code, the CLI's polls are told to keep waiting (authorization_pending).
    const pending = (): boolean => sandbox.entra!.requests.some((request) => request.path.endsWith('/oauth2/v2.0/token') && request.aadsts === 70016);
    for (let round = 0; round < 3000 && !pending(); round++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pending()).toBe(true);
    const entered = await https(page!, sandbox.entra!.caCertificate, { form: { user_code: code!, username: USERNAME } });
    expect(entered.status).toBe(200);

    const result = await run;
    expect(result.stderr).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`signed in as ${USERNAME} (tenant ${TENANT_ID}); profile "default" saved`);
    expect(grants()).toContain('device_code 200');

    const folder = join(configHome, 'hwdash');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as unknown;
    expect(config).toEqual({
      defaultProfile: 'default',
      profiles: { default: { credential: 'device-code', tenantId: TENANT_ID, clientId: CLIENT_ID, authorityHost: authority, baseUrl: sandbox.baseUrl } },
    });
    // The refresh token lives in the token cache, readable by its owner only, not in config.json.
    const caches = readdirSync(join(folder, 'token-cache'));
    expect(caches.length).toBeGreaterThan(0);
    for (const cache of caches) expect(statSync(join(folder, 'token-cache', cache)).mode & 0o077).toBe(0);
    expect(readFileSync(join(folder, 'config.json'), 'utf8')).not.toMatch(/refresh|secret|eyJ/i);
    expect(existsSync(join(folder, 'accounts', 'default.json'))).toBe(true);
  });

  it('a later command in a new process signs in silently from the cache (the refresh token redeemed), with no variables set', async () => {
    const before = grants().length;
    const run = await runCli(['product', 'list', '--json'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
    // Access tokens here live 2 minutes, inside MSAL's 5-minute renewal margin: it renews with the refresh token.
    expect(grants().slice(before)).toEqual(['refresh_token 200']);
    const show = await runCli(['config', 'show', '--json'], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ name: 'default', signedIn: { username: USERNAME, tenantId: TENANT_ID } });
  });

  it('logout forgets the sign-in; the next command asks for hwdash login (exit 2)', async () => {
    const logout = await runCli(['logout'], { env });
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain('signed out of profile "default".');
    expect(readdirSync(join(configHome, 'hwdash', 'token-cache'))).toEqual([]);
    const run = await runCli(['product', 'list'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('profile "default" has no signed-in account; run `hwdash login --profile default`.');
  });
});

describe('hwdash login --browser', () => {
  it('opens the sign-in page in the browser (a fake one: $BROWSER follows the redirect back to the CLI) and keeps the sign-in', async () => {
    const browser = join(dir, 'fake-browser.sh');
    const visited = join(dir, 'visited.txt');
    // What a browser does with the page: load it (the stand-in signs the person in at once) and follow the redirect to
    // the CLI's loopback address, which receives the code.
    await writeFile(browser, `#!/bin/sh\necho "$1" >> "${visited}"\nexec curl -sS -L --cacert "${sandbox.entra!.caCertificatePath}" -o /dev/null "$1&login_hint=browser.user%40contoso.com"\n`);
    await chmod(browser, 0o755);
    const browserEnv = { ...env, XDG_CONFIG_HOME: join(dir, 'browser-config'), BROWSER: browser };
    const run = await runCli(['--profile', 'desk', '--base-url', sandbox.baseUrl, 'login', '--browser', '--tenant-id', TENANT_ID, '--client-id', CLIENT_ID, '--authority-host', sandbox.entra!.authorityHost], { env: browserEnv });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`signed in as browser.user@contoso.com (tenant ${TENANT_ID}); profile "desk" saved`);
    const page = new URL(readFileSync(visited, 'utf8').trim());
    expect(page.origin + page.pathname).toBe(`${sandbox.entra!.authorityHost}/${TENANT_ID}/oauth2/v2.0/authorize`);
    expect(page.searchParams.get('code_challenge_method')).toBe('S256');
    expect(grants()).toContain('authorization_code 200');

    const list = await runCli(['--profile', 'desk', 'product', 'list', '--json'], { env: browserEnv });
    expect(list.code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'browser-config', 'hwdash', 'config.json'), 'utf8')) as { profiles: Record<string, unknown> };
    expect(config.profiles.desk).toMatchObject({ credential: 'browser', tenantId: TENANT_ID, clientId: CLIENT_ID });
  });
});

