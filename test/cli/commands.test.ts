/**
 * Every command group of the built CLI against a sandbox started here (on a manual clock, so each workflow step
 * happens exactly when the test says): exact IDs in --json output, exit codes per failure kind, input files
 * validated against the spec, and no token or SAS signature in anything printed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AUDIENCES } from '../../src/mock/sandbox/audiences.js';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { PREPROD_SIGNING_SECONDS } from '../../src/mock/sandbox/preprod.js';
import { SECONDS_UNTIL_APPROVAL } from '../../src/mock/sandbox/shipping-label-workflow.js';
import { DRIVER_METADATA_DELAY_SECONDS, SECONDS_UNTIL_SIGNED } from '../../src/mock/sandbox/submission-workflow.js';
import { buildExamplePackage } from '../../scripts/build-example-package.js';
import { call, ManualClock, waitFor } from '../sandbox/support.js';
import { assertBuilt, PRODUCT, runCli, TOKEN, type CliRun } from './support.js';

const TWO_TO_53 = 2n ** 53n;

describe('hwdash commands against the sandbox', () => {
  const clock = new ManualClock(Date.now());
  const runs: CliRun[] = [];
  let sandbox: Sandbox;
  let dir: string;
  let cab: string;
  let env: Record<string, string>;

  /** Runs the CLI against the sandbox with the test token, and keeps the output for the secrets check. */
  const hwdash = async (...args: string[]): Promise<CliRun> => {
    const run = await runCli(args, { env });
    runs.push(run);
    return run;
  };
  const api = (method: string, path: string) => call(sandbox.baseUrl, method, path, { token: TOKEN });
  const file = async (name: string, content: unknown): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  beforeAll(async () => {
    assertBuilt();
    dir = await mkdtemp(join(tmpdir(), 'hwdash-cli-'));
    cab = (await buildExamplePackage(join(dir, 'sample-driver.cab'))).path;
    // pageSize 2: three products need the CLI to follow next_link.
    sandbox = await startSandbox({ token: TOKEN, now: clock.now, pageSize: 2 });
    env = { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: sandbox.baseUrl };
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let productId: string;
  let submissionId: string;
  let labelId: string;

  it('product create --json then get --json: the exact ID above 2^53, as a string, byte for byte what the API holds', async () => {
    const created = await hwdash('product', 'create', await file('product.json', PRODUCT), '--json');
    expect(created.code).toBe(0);
    productId = (JSON.parse(created.stdout) as { id: string }).id;
    expect(productId).toMatch(/^\d+$/);
    expect(BigInt(productId)).toBeGreaterThan(TWO_TO_53);
    // An odd ID above 2^53 cannot survive a double: this one only prints right if it never was a number.
    expect(BigInt(productId) % 2n).toBe(1n);
    expect(created.stdout).toContain(`"id": "${productId}"`);

    const got = await hwdash('product', 'get', productId, '--json');
    expect(got.code).toBe(0);
    const fromApi = (await api('GET', `/products/${productId}`)).body;
    expect(JSON.parse(got.stdout)).toEqual(fromApi);
    expect(got.stdout).toContain(`"sharedProductId": "${fromApi.sharedProductId}"`);
  });

  it('product list follows next_link through every page', async () => {
    const others = await Promise.all([1, 2].map(async (n) => hwdash('product', 'create', await file(`p${n}.json`, { ...PRODUCT, productName: `Contoso ${n}` }), '--json')));
    const ids = [productId, ...others.map((run) => (JSON.parse(run.stdout) as { id: string }).id)];
    const list = await hwdash('product', 'list', '--json');
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((p) => p.id).sort()).toEqual([...ids].sort());
    const human = await hwdash('product', 'list');
    expect(human.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+HARNESS/);
    for (const id of ids) expect(human.stdout).toContain(id);
  });

  it('an input file that breaks the spec exits 1, names each field, and sends nothing', async () => {
    const before = sandbox.requests;
    const bad = await file('bad-product.json', { ...PRODUCT, deviceType: 'both', testHarness: 'Attestaton', annoucementDate: '2025-12-01T00:00:00Z' });
    const run = await hwdash('product', 'create', bad);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${bad} is not a valid NewProduct request:`);
    expect(run.stderr).toMatch(/ {2}deviceType: must be equal to one of the allowed values: "internal", "external", "internalExternal", "notSet"\n/);
    expect(run.stderr).toMatch(/ {2}testHarness: must be equal to one of the allowed values: "attestation", /);
    expect(run.stderr).toContain('  annoucementDate: is not a field of this request');
    expect(sandbox.requests).toBe(before);

    const notJson = await hwdash('product', 'create', await file('broken.json', '{"productName": '));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('broken.json is not valid JSON');
  });

  it('an unknown ID exits 4 with the service\'s words', async () => {
    const run = await hwdash('product', 'get', '9007199267351999');
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('error: ');
    expect(run.stderr).toContain('HTTP 404');
    expect(run.stdout).toBe('');
  });

  it('submission create, upload and commit; a second commit exits 5', async () => {
    const created = await hwdash('submission', 'create', productId, '--name', 'Contoso 1.2.3.4', '--json');
    expect(created.code).toBe(0);
    submissionId = (JSON.parse(created.stdout) as { id: string }).id;
    expect(BigInt(submissionId)).toBeGreaterThan(TWO_TO_53);

    const uploaded = await hwdash('submission', 'upload', productId, submissionId, cab, '--json');
    expect(uploaded.code).toBe(0);
    expect(JSON.parse(uploaded.stdout)).toMatchObject({ productId, submissionId, size: readFileSync(cab).length });

    const committed = await hwdash('submission', 'commit', productId, submissionId);
    expect(committed).toMatchObject({ code: 0, stdout: `committed submission ${submissionId}\n` });

    const again = await hwdash('submission', 'commit', productId, submissionId);
    expect(again.code).toBe(5);
    expect(again.stderr).toContain(`submission ${submissionId} is already committed`);
  });

  it('submission wait --metadata, download and metadata leave the signed files on disk', async () => {
    clock.advance(SECONDS_UNTIL_SIGNED + DRIVER_METADATA_DELAY_SECONDS);
    const waited = await hwdash('submission', 'wait', productId, submissionId, '--metadata', '--interval', '0.1', '--json');
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ id: submissionId, productId, workflowStatus: { currentStep: 'finalizeIngestion', state: 'completed' } });
    // On a pipe: plain lines, no bars, no carriage returns.
    expect(waited.stderr).toContain('finalizeIngestion completed');
    expect(waited.stderr).not.toMatch(/[\r\u2588\u2591]|\x1b\[/);

    const out = join(dir, 'signed');
    const downloaded = await hwdash('submission', 'download', productId, submissionId, '--out', out, '--json');
    expect(downloaded.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([`driver-metadata-${submissionId}.json`, `signed-${submissionId}.zip`]);
    const results = JSON.parse(downloaded.stdout) as { type: string; path: string; size: number }[];
    expect(results.map((r) => [r.type, r.path])).toEqual([
      ['signedPackage', join(out, `signed-${submissionId}.zip`)],
      ['driverMetadata', join(out, `driver-metadata-${submissionId}.json`)],
    ]);
    expect(readFileSync(join(out, `signed-${submissionId}.zip`)).subarray(0, 2).toString()).toBe('PK');

    const printed = await hwdash('submission', 'metadata', productId, submissionId, '--print');
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(JSON.parse(readFileSync(join(out, `driver-metadata-${submissionId}.json`), 'utf8')));
  });

  it('product update sends the validated changes once the product has a signed submission', async () => {
    const run = await hwdash('product', 'update', productId, await file('changes.json', { productName: 'Contoso renamed' }), '--json');
    expect(run.code).toBe(0);
    expect((await api('GET', `/products/${productId}`)).body.productName).toBe('Contoso renamed');
  });

  it('shipping-label create --from-metadata with filters; cancel outside Microsoft approval exits 5, inside it succeeds', async () => {
    const metadata = join(dir, 'signed', `driver-metadata-${submissionId}.json`);
    const created = await hwdash(
      'shipping-label', 'create', productId, submissionId,
      '--from-metadata', metadata, '--name', 'Contoso to WU', '--os-code', 'WINDOWS_v100_X64_VB_FULL', '--hardware-id', 'USB\\VID_1234&PID_5678', '--json',
    );
    expect(created.code).toBe(0);
    labelId = (JSON.parse(created.stdout) as { id: string }).id;
    expect(BigInt(labelId)).toBeGreaterThan(TWO_TO_53);
    expect(created.stderr).toContain('targeting 1 hardware ID(s)');
    const got = await hwdash('shipping-label', 'get', productId, submissionId, labelId, '--json');
    const label = JSON.parse(got.stdout) as { targeting: { hardwareIds: { pnpString: string; operatingSystemCode: string }[] } };
    expect(label.targeting.hardwareIds.map((h) => [h.pnpString.toLowerCase(), h.operatingSystemCode])).toEqual([['usb\\vid_1234&pid_5678', 'WINDOWS_v100_X64_VB_FULL']]);

    const early = await hwdash('shipping-label', 'cancel', productId, submissionId, labelId);
    expect(early.code).toBe(5);
    expect(early.stderr).toContain('only be cancelled while it is in Microsoft Approval');

    clock.advance(SECONDS_UNTIL_APPROVAL + 1);
    const waited = await hwdash('shipping-label', 'wait', productId, submissionId, labelId, '--interval', '0.1', '--json');
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ id: labelId, workflowStatus: { currentStep: 'microsoftApproval' } });

    const cancelled = await hwdash('shipping-label', 'cancel', productId, submissionId, labelId, '--json');
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toEqual({ productId, submissionId, shippingLabelId: labelId, cancelled: true });

    const list = await hwdash('shipping-label', 'list', productId, submissionId, '--json');
    expect((JSON.parse(list.stdout) as { id: string }[]).map((l) => l.id)).toEqual([labelId]);
  });

  it('shipping-label filters that match nothing, and label files that break the spec, exit 1 naming the field', async () => {
    const metadata = join(dir, 'signed', `driver-metadata-${submissionId}.json`);
    const noMatch = await hwdash('shipping-label', 'create', productId, submissionId, '--from-metadata', metadata, '--name', 'x', '--os-code', 'WINDOWS_XP');
    expect(noMatch.code).toBe(1);
    expect(noMatch.stderr).toContain('"WINDOWS_XP" matches no OS code in the driver metadata. It has: WINDOWS_v100_X64_VB_FULL');

    const badLabel = await file('label.json', {
      name: 'bad',
      destination: 'windowsUpdate',
      publishingSpecifications: { goLiveDate: 'next tuesday', isAutoInstallOnApplicableSystems: 'yes' },
      targeting: { hardwareIds: [] },
    });
    const run = await hwdash('shipping-label', 'create', productId, submissionId, '--file', badLabel);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ {2}publishingSpecifications\.goLiveDate: must match pattern/);
    expect(run.stderr).toContain('  publishingSpecifications.isAutoInstallOnApplicableSystems: must be boolean');
  });

  it('audience list --json', async () => {
    const run = await hwdash('audience', 'list', '--json');
    expect(run.code).toBe(0);
    const audiences = JSON.parse(run.stdout) as { id: string }[];
    expect(audiences.length).toBeGreaterThan(0);
    // The sandbox pages by two: every audience is there only if next_link was followed.
    expect(audiences.map((a) => a.id)).toEqual(AUDIENCES.map((a) => a.id));
  });

  it('preprod submit, status, wait and download', async () => {
    const submitted = await hwdash('preprod', 'submit', cab, '--json');
    expect(submitted.code).toBe(0);
    const packageId = (JSON.parse(submitted.stdout) as { id: string }).id;
    const status = await hwdash('preprod', 'status', packageId, '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ id: packageId, signingStatus: 'Processing' });

    clock.advance(PREPROD_SIGNING_SECONDS + 1);
    const waited = await hwdash('preprod', 'wait', packageId, '--interval', '0.1', '--json');
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ id: packageId, signingStatus: 'Succeeded' });

    const out = join(dir, 'preprod');
    const downloaded = await hwdash('preprod', 'download', packageId, '--out', out, '--json');
    expect(downloaded.code).toBe(0);
    const files = JSON.parse(downloaded.stdout) as { path: string; size: number }[];
    expect(files).toHaveLength(1);
    expect(existsSync(files[0]!.path)).toBe(true);
    expect(readFileSync(files[0]!.path).length).toBe(files[0]!.size);
  });

  it('doctor passes with the right token, and says the token is refused with a wrong one (exit 2)', async () => {
    const ok = await hwdash('doctor', '--json');
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['credentials', 'token', 'API endpoint', 'read audiences', 'read products (Partner Center account and roles)']);

    const wrong = await runCli(['doctor'], { env: { HWDASH_TOKEN: 'wrong-token-0123456789', HWDASH_BASE_URL: sandbox.baseUrl } });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('✗ read audiences: the API refused the token (401)');
    expect(wrong.stdout).toContain('not ready:');
    expect(wrong.stderr + wrong.stdout).not.toContain('wrong-token-0123456789');
  });

  it('--verbose logs each request with the Authorization header redacted', async () => {
    const run = await hwdash('submission', 'get', productId, submissionId, '--verbose');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('auth: HWDASH_TOKEN');
    expect(run.stderr).toMatch(new RegExp(`→ GET ${sandbox.baseUrl.replace(/[.]/g, '\\.')}/products/${productId}/submissions/${submissionId} .*"authorization":"REDACTED"`));
    expect(run.stderr).toMatch(/← 200 GET /);
  });

  it('no output of any run contains the token or a SAS signature', async () => {
    const submission = (await api('GET', `/products/${productId}/submissions/${submissionId}`)).body;
    const signatures = submission.downloads.items.map((item: { url: string }) => new URL(item.url).searchParams.get('sig')).filter(Boolean) as string[];
    expect(signatures.length).toBeGreaterThan(0);
    // `submission get --json` shows the download URLs, with their signatures redacted.
    const shown = await hwdash('submission', 'get', productId, submissionId, '--json');
    expect(shown.stdout).toContain('sig=REDACTED');
    expect(runs.length).toBeGreaterThan(20);
    for (const run of runs) {
      const printed = run.stdout + run.stderr;
      expect(printed).not.toContain(TOKEN);
      for (const sig of signatures) {
        expect(printed).not.toContain(sig);
        expect(printed).not.toContain(encodeURIComponent(sig));
      }
    }
  });
});

describe('hwdash against a throttling or forbidding API', () => {
  let server: import('node:http').Server;
  let baseUrl: string;
  let answer: { status: number; headers: Record<string, string>; body: string };

  beforeAll(async () => {
    assertBuilt();
    const { createServer } = await import('node:http');
    server = createServer((_request, response) => {
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/v2.0/my/hardware`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a 429 asking for longer than the retry budget exits 6 with advice', async () => {
    answer = { status: 429, headers: { 'retry-after': '3600' }, body: JSON.stringify({ statusCode: 429, message: 'Rate limit is exceeded.' }) };
    const run = await runCli(['product', 'list'], { env: { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: baseUrl } });
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('HTTP 429');
    expect(run.stderr).toContain('hint: Partner Center throttles');
    expect(run.stderr).not.toContain(TOKEN);
  });

  it('doctor explains a 403 as an app not associated with the Partner Center account (exit 2)', async () => {
    answer = { status: 403, headers: {}, body: JSON.stringify({ error: { code: 'Forbidden', message: 'Access denied.' } }) };
    const run = await runCli(['doctor'], { env: { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: baseUrl } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('✗ read audiences: the API refused access (403): the Entra ID app is not associated with the Partner Center account');
  });
});
