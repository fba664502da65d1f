/**
 * The built CLI's `reference` lists (offline, no credentials), its input warnings (likely mistakes are reported and
 * the body is still sent), and `partner-submission get|translate` against a sandbox whose label to another partner
 * has finished sharing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { referenceLists } from '../../generated/reference.js';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { secondsUntilFinished } from '../../src/mock/sandbox/shipping-label-workflow.js';
import { DRIVER_METADATA_DELAY_SECONDS, SECONDS_UNTIL_SIGNED } from '../../src/mock/sandbox/submission-workflow.js';
import { call, ManualClock, signedSubmission } from '../sandbox/support.js';
import { ACTION_SIGNATURES, actionProductBody, p4vfsProductBody } from '../support/outside-bodies.js';
import { assertBuilt, runCli, TOKEN } from './support.js';

describe('hwdash reference', () => {
  beforeAll(assertBuilt);

  it('os-codes --json lists the documented codes with their descriptions, with no credentials and no network', async () => {
    const run = await runCli(['reference', 'os-codes', '--json']);
    expect(run.code).toBe(0);
    const entries = JSON.parse(run.stdout) as { value: string; description?: string }[];
    expect(entries).toEqual(referenceLists.KnownOsCode);
    expect(entries).toHaveLength(66);
    expect(entries).toContainEqual({ value: 'WINDOWS_v100_ARM64_GE_FULL', description: 'Windows 11 Client, version 24H2 ARM64' });
  });

  it('os-families and product-types print one value per line, or a table where the docs describe the values', async () => {
    const families = await runCli(['reference', 'os-families']);
    expect(families.code).toBe(0);
    expect(families.stdout).toMatch(/^VALUE +DESCRIPTION\n/);
    expect(families.stdout).toMatch(/\nWindows_v100Server_GE +Windows Server 2025\n/);
    const types = await runCli(['reference', 'product-types']);
    expect(types.code).toBe(0);
    const lines = types.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(148);
    expect(lines).toContain('Graphics Adapter WDDM2.4 VM');
    expect(lines).toContain('Unclassified');
  });
});

describe('input warnings and partner submissions against the sandbox', () => {
  const clock = new ManualClock(Date.now());
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  const file = async (name: string, content: unknown): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(content));
    return path;
  };

  beforeAll(async () => {
    assertBuilt();
    dir = await mkdtemp(join(tmpdir(), 'hwdash-cli-partners-'));
    // Any bearer token: the sandbox helpers below sign in with their own.
    sandbox = await startSandbox({ now: clock.now });
    env = { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: sandbox.baseUrl };
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('product create warns about the public Action’s empty selectedProductTypes and unlisted OS code, and creates the product', async () => {
    const body = await file('action-product.json', actionProductBody('Contoso Action', ACTION_SIGNATURES));
    const run = await runCli(['product', 'create', body, '--json'], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`warning: ${body}: selectedProductTypes is missing or empty`);
    expect(run.stderr).toContain(`warning: ${body}: requestedSignatures.1 "WINDOWS_v100_ARM64_RS5_FULL" is not an OS code the docs list`);
    const created = JSON.parse(run.stdout) as { id: string; requestedSignatures: string[] };
    expect(created.requestedSignatures).toEqual(ACTION_SIGNATURES);
    expect((await call(sandbox.baseUrl, 'GET', `/products/${created.id}`, { token: TOKEN })).status).toBe(200);

    const quiet = await runCli(['product', 'create', body, '--json', '--quiet'], { env });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('product create respells P4VFS’s PascalCase names, says so, and sends them as the docs spell them', async () => {
    const run = await runCli(['product', 'create', await file('p4vfs.json', p4vfsProductBody('Microsoft P4VFS')), '--json'], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: .*p4vfs\.json: \(property names\) AnnouncementDate → announcementDate, .*ProductName → productName/);
    expect(JSON.parse(run.stdout)).toMatchObject({ productName: 'Microsoft P4VFS', deviceType: 'internal' });
  });

  it('partner-submission translate and get: exit 4 until the sharing completes, then the IDs of this account', async () => {
    const source = await signedSubmission(sandbox.baseUrl, clock, SECONDS_UNTIL_SIGNED + DRIVER_METADATA_DELAY_SECONDS);
    const label = await call(sandbox.baseUrl, 'POST', `/products/${source.productId}/submissions/${source.submissionId}/shippingLabels`, {
      token: TOKEN,
      body: { name: 'to Fabrikam', destination: 'anotherPartner', recipientSpecifications: { receiverPublisherId: '27691110' } },
    });
    expect(label.status).toBe(201);
    const ids = ['29963920', source.productId, source.submissionId];

    const early = await runCli(['partner-submission', 'translate', ...ids], { env });
    expect(early.code).toBe(4);
    expect(early.stderr).toMatch(/No submission with these IDs has been shared with this account/);

    clock.advance(secondsUntilFinished('anotherPartner'));
    const translated = await runCli(['partner-submission', 'translate', ...ids, '--json'], { env });
    expect(translated.code).toBe(0);
    const translation = JSON.parse(translated.stdout) as { partner: Record<string, string>; productId: string; submissionId: string };
    expect(translation.partner).toEqual({ publisherId: '29963920', productId: source.productId, submissionId: source.submissionId });
    expect(translation.submissionId).toMatch(/^\d+$/);
    expect(translation.submissionId).not.toBe(source.submissionId);
    // Exact digits in the JSON output, as strings.
    expect(translated.stdout).toContain(`"submissionId": "${translation.submissionId}"`);

    const human = await runCli(['partner-submission', 'translate', ...ids], { env });
    expect(human.stdout.trim()).toBe(
      `partner 29963920's product ${source.productId} submission ${source.submissionId} is product ${translation.productId} submission ${translation.submissionId} in your account`,
    );

    const got = await runCli(['partner-submission', 'get', ...ids, '--json'], { env });
    expect(got.code).toBe(0);
    const fromApi = (await call(sandbox.baseUrl, 'GET', `/products/${translation.productId}/submissions/${translation.submissionId}`, { token: TOKEN })).body;
    expect(JSON.parse(got.stdout)).toMatchObject({ id: fromApi.id, productId: fromApi.productId, name: fromApi.name, commitStatus: fromApi.commitStatus });
    expect(`${got.stdout}${got.stderr}${translated.stdout}${translated.stderr}`).not.toContain(TOKEN);
  });
});
