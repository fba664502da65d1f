/**
 * Where the CLI's credentials come from when no AZURE_* variable and no HWDASH_TOKEN is set: the developer's own
 * sign-in (a fake `az` on PATH prints what `az account get-access-token` prints), and profiles of the config file
 * (`hwdash config init|show|list`, `--profile`, the default profile), which never hold a secret.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { assertBuilt, runCli } from './support.js';


/** The token the fake `az` hands out: the only one the sandbox accepts. */
const AZ_TOKEN = 'hwdash-fake-az-token-3c9e1f7a5b2d';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0d9b1e6a-4c2f-4e8b-9a1d-5f3c7b2e8a60';
const SECRET = 'Zq8Q~profile.secret~never-printed-7Rk2';

/**
 * `az` as the Azure CLI behaves for `az account get-access-token --output json --resource R [--tenant T]`: the JSON it
 * prints, or, signed out, its message on stderr and exit code 1. Every call is logged with its arguments.
 */
const FAKE_AZ = `#!/bin/sh
echo "$*" >> "$FAKE_AZ_LOG"
if [ -n "$FAKE_AZ_SIGNED_OUT" ]; then
  echo "ERROR: Please run 'az login' to setup account." >&2
  exit 1
fi
if [ "$1 $2" != "account get-access-token" ]; then
  echo "ERROR: unexpected az command: $*" >&2
  exit 2
fi
expires=$(( $(date +%s) + 3600 ))
cat <<JSON
{
  "accessToken": "$FAKE_AZ_TOKEN",
  "expiresOn": "$(date -d @$expires '+%Y-%m-%d %H:%M:%S.000000')",
  "expires_on": $expires,
  "subscription": "00000000-0000-0000-0000-000000000000",
  "tenant": "${TENANT}",
  "tokenType": "Bearer"
}
JSON
`;

let dir: string;
let bin: string;
let sandbox: Sandbox;
let configHome: string;
let azLog: string;

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'hwdash-credentials-'));
  bin = join(dir, 'bin');
  await import('node:fs/promises').then((fs) => fs.mkdir(bin));
  await writeFile(join(bin, 'az'), FAKE_AZ);
  await chmod(join(bin, 'az'), 0o755);
  sandbox = await startSandbox({ token: AZ_TOKEN, speed: 100 });
});

afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let round = 0;
beforeEach(() => {
  round++;
  configHome = join(dir, `config-${round}`);
  azLog = join(dir, `az-${round}.log`);
});

/** An environment with the fake `az` first on PATH and this test's own config folder. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${bin}${delimiter}${process.env.PATH}`, FAKE_AZ_LOG: azLog, FAKE_AZ_TOKEN: AZ_TOKEN, XDG_CONFIG_HOME: configHome, ...extra };
}

const azCalls = async (): Promise<string[]> => (await readFile(azLog, 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('no AZURE_* and no HWDASH_TOKEN: the developer\'s own sign-in', () => {
  it('uses the Azure CLI sign-in: `az account get-access-token` for the API\'s resource, token never printed', async () => {
    const run = await runCli(['product', 'list', '--json', '--verbose', '--base-url', sandbox.baseUrl], { env: env() });
    expect(run.stderr).not.toContain(AZ_TOKEN);
    expect(run.stdout).not.toContain(AZ_TOKEN);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
    expect(await azCalls()).toEqual(['account get-access-token --output json --resource https://manage.devcenter.microsoft.com']);
  });

  it('doctor names the source and gets the token', async () => {
    const run = await runCli(['doctor', '--base-url', sandbox.baseUrl], { env: env() });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('✓ credentials: your own sign-in (Azure CLI, Azure Developer CLI or Azure PowerShell)');
    expect(run.stderr).toMatch(/✓ token: acquired for https:\/\/manage\.devcenter\.microsoft\.com\/\.default/);
    expect(run.stderr + run.stdout).not.toContain(AZ_TOKEN);
  });

  it('signed out of az (and no azd or Azure PowerShell): exit 2, "no credentials found", and how to sign in', async () => {
    const run = await runCli(['product', 'list', '--base-url', sandbox.baseUrl], { env: env({ FAKE_AZ_SIGNED_OUT: '1' }) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: no credentials found.');
    expect(run.stderr).toContain('`az login`');
    expect(run.stderr).toContain('`hwdash login`');
    expect(await azCalls()).toHaveLength(1);
  });

  it('HWDASH_TOKEN still takes precedence: az is not asked', async () => {
    const run = await runCli(['product', 'list', '--base-url', sandbox.baseUrl], {
      env: env({ HWDASH_TOKEN: AZ_TOKEN }),
    });
    expect(run.code).toBe(0);
    expect(await azCalls()).toEqual([]);
  });
});

describe('profiles', () => {
  it('config init writes a profile without any secret, and it becomes the default', async () => {
    const init = await runCli(['--profile', 'contoso', '--base-url', sandbox.baseUrl, 'config', 'init', '--credential', 'azure-cli', '--tenant-id', TENANT, '--json'], { env: env() });
    expect(init.code).toBe(0);
    const file = join(configHome, 'hwdash', 'config.json');
    expect(JSON.parse(init.stdout)).toMatchObject({ name: 'contoso', default: true, file });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      defaultProfile: 'contoso',
      profiles: { contoso: { credential: 'azure-cli', tenantId: TENANT, baseUrl: sandbox.baseUrl } },
    });

    // The default profile signs in with az, in its tenant, against its API: no --base-url, no variables.
    const run = await runCli(['product', 'list', '--json'], { env: env() });
    expect(run.code).toBe(0);
    expect(await azCalls()).toEqual([`account get-access-token --output json --resource https://manage.devcenter.microsoft.com --tenant ${TENANT}`]);

    const list = await runCli(['config', 'list'], { env: env() });
    expect(list.stdout).toMatch(new RegExp(`^\\* contoso +azure-cli +${TENANT}  ${sandbox.baseUrl.replace(/[.]/g, '\\.')}$`, 'm'));
    const show = await runCli(['config', 'show', '--json'], { env: env() });
    expect(JSON.parse(show.stdout)).toMatchObject({ name: 'contoso', default: true, profile: { credential: 'azure-cli', tenantId: TENANT } });
  });

  it('--profile picks a profile over HWDASH_TOKEN; HWDASH_TOKEN beats the default profile', async () => {
    await runCli(['--profile', 'cli', 'config', 'init', '--credential', 'azure-cli', '--tenant-id', TENANT], { env: env() });
    await runCli(['--profile', 'other', 'config', 'init', '--credential', 'client-secret', '--tenant-id', TENANT, '--client-id', CLIENT], { env: env() });

    // The default ("cli", the first one) loses to HWDASH_TOKEN: az is not asked.
    const byToken = await runCli(['product', 'list', '--base-url', sandbox.baseUrl], { env: env({ HWDASH_TOKEN: AZ_TOKEN }) });
    expect(byToken.code).toBe(0);
    expect(await azCalls()).toEqual([]);

    // A profile asked for by name wins over HWDASH_TOKEN.
    const byProfile = await runCli(['--profile', 'cli', 'product', 'list', '--base-url', sandbox.baseUrl], { env: env({ HWDASH_TOKEN: 'a-token-the-sandbox-refuses' }) });
    expect(byProfile.code).toBe(0);
    expect(await azCalls()).toHaveLength(1);

    // HWDASH_PROFILE does the same as --profile; "other" takes its secret from AZURE_CLIENT_SECRET, which is not set.
    const noSecret = await runCli(['product', 'list', '--base-url', sandbox.baseUrl], { env: env({ HWDASH_PROFILE: 'other' }) });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('profile "other" (client-secret) takes its secret from AZURE_CLIENT_SECRET, which is not set.');
  });

  it('an unknown profile is a usage error naming the ones there are', async () => {
    await runCli(['--profile', 'cli', 'config', 'init', '--credential', 'azure-cli'], { env: env() });
    const run = await runCli(['--profile', 'nope', 'product', 'list'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no profile "nope"');
    expect(run.stderr).toContain('(it has cli)');
  });

  it('a config file holding a secret is refused, without printing the secret', async () => {
    const folder = join(configHome, 'hwdash');
    await import('node:fs/promises').then((fs) => fs.mkdir(folder, { recursive: true }));
    await writeFile(join(folder, 'config.json'), JSON.stringify({ profiles: { ci: { credential: 'client-secret', tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET } } }));
    const run = await runCli(['--profile', 'ci', 'product', 'list', '--base-url', sandbox.baseUrl], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('has "clientSecret": the config file never holds a secret');
    expect(run.stderr + run.stdout).not.toContain(SECRET);
  });
});
