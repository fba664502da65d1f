/**
 * scripts/audit.sh (the CI dependency audit) against a loopback npm registry: a real high or critical advisory
 * fails the build, a moderate one does not, and an advisory endpoint that is blocked (405, as on our build
 * network) or unreachable warns and passes, unless HWDASH_AUDIT_STRICT=1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort, empty, json, startScenarioServer, type ScenarioServer } from './server.js';

const BULK = /^\/-\/npm\/v1\/security\/advisories\/bulk/;

let registry: ScenarioServer;
let cache: string;
let commanderVersion: string;
beforeAll(async () => {
  registry = await startScenarioServer();
  // A fresh npm cache per run: npm caches advisory calculations, which would carry one case into the next.
  cache = await mkdtemp(join(tmpdir(), 'hwdash-audit-'));
  commanderVersion = JSON.parse(await readFile('node_modules/commander/package.json', 'utf8')).version;
});
afterAll(async () => {
  await registry.close();
  await rm(cache, { recursive: true, force: true });
});
afterEach(() => registry.reset());

function audit(registryUrl: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['scripts/audit.sh'],
      {
        env: {
          ...process.env,
          npm_config_registry: registryUrl,
          npm_config_cache: join(cache, String(Math.random()).slice(2)),
          npm_config_update_notifier: 'false',
          npm_config_fund: 'false',
          ...env,
        },
        timeout: 300_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** An advisory on `commander`, a runtime dependency, covering the installed version. */
function advisoryRegistry(severity: string): void {
  registry.route(
    'POST',
    BULK,
    json(200, {
      commander: [{ id: 1_099_999, url: 'https://github.com/advisories/GHSA-hwds-fake-0001', title: 'Injected test advisory', severity, vulnerable_versions: '>=0.0.0', cwe: [], cvss: { score: 0, vectorString: null } }],
    }),
  );
  registry.route('GET', /^\/commander$/, json(200, { name: 'commander', 'dist-tags': { latest: commanderVersion }, versions: { [commanderVersion]: { name: 'commander', version: commanderVersion } } }));
}

describe('scripts/audit.sh', () => {
  it.each(['high', 'critical'])('a %s advisory on a runtime dependency: fails, and prints the report', async (severity) => {
    advisoryRegistry(severity);

    const result = await audit(`${registry.origin}/`);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Injected test advisory');
    expect(result.stdout).toContain(`1 ${severity} severity vulnerability`);
    expect(registry.count('POST', BULK)).toBeGreaterThanOrEqual(1);
  });

  it('a moderate advisory: passes (the bar is high)', async () => {
    advisoryRegistry('moderate');

    const result = await audit(`${registry.origin}/`);

    expect(result.stdout).toContain('1 moderate severity vulnerability');
    expect(result.code).toBe(0);
  });

  it('no advisories: passes', async () => {
    registry.route('POST', BULK, json(200, {}));

    const result = await audit(`${registry.origin}/`);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('found 0 vulnerabilities');
  });

  it('the advisory endpoint answers 405 (blocked): warns that no audit was done, and passes', async () => {
    registry.route('POST', BULK, empty(405, { allow: 'GET,HEAD' }));

    const result = await audit(`${registry.origin}/`);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the dependency audit was NOT performed');
  });

  it('the registry cannot be reached: warns and passes; with HWDASH_AUDIT_STRICT=1 it fails', async () => {
    const nowhere = `http://127.0.0.1:${await closedPort()}/`;

    const lenient = await audit(nowhere);
    const strict = await audit(nowhere, { HWDASH_AUDIT_STRICT: '1' });

    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain('the dependency audit was NOT performed');
    expect(strict.code).toBe(2);
  });
});
