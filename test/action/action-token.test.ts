/**
 * The action's bundle run as the GitHub runner runs it, against the sandbox, signed in with the `token` input: the
 * outputs (IDs as exact digit strings, read back from the API), the job summary, CI-style progress lines, the token
 * masked before anything else and never printed, a re-run resuming from the state file in out-dir, and failures
 * reported as `::error::` with a summary.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHdcClient } from '../../src/client/index.js';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { buildExamplePackage } from '../../scripts/build-example-package.js';
import { resourceCensus } from '../support/resource-census.js';
import { assertBundled, runAction, withoutMaskCommands } from './support.js';


/** Not JWT-shaped, so only masking (not a pattern) could hide it. */
const TOKEN = 'hwdash-action-test-token-8d2f4a6c1e3b5a7d';

let dir: string;
let cab: string;
let sandbox: Sandbox;

beforeAll(async () => {
  assertBundled();
  dir = await mkdtemp(join(tmpdir(), 'hwdash-action-'));
  cab = (await buildExamplePackage(join(dir, 'contoso-touch.cab'))).path;
  sandbox = await startSandbox({ token: TOKEN, speed: 200 });
});

afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  package: cab,
  'out-dir': 'signed',
  label: 'true',
  'label-name': 'Contoso touch to WU',
  token: TOKEN,
  'base-url': sandbox.baseUrl,
  'poll-interval': '0.1',
  ...extra,
});

describe('the action with a token', () => {
  let first: Awaited<ReturnType<typeof runAction>>;

  it('signs the package and sets the outputs, IDs as the exact digit strings the API holds', async () => {
    first = await runAction(dir, inputs());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const { outputs } = first;
    expect(outputs).toMatchObject({
      'product-id': expect.stringMatching(/^\d+$/),
      'submission-id': expect.stringMatching(/^\d{19}$/),
      'shipping-label-id': expect.stringMatching(/^\d+$/),
      'signed-package': join(dir, 'signed', `signed-${outputs['submission-id']}.zip`),
      'driver-metadata': join(dir, 'signed', `driver-metadata-${outputs['submission-id']}.json`),
      'state-file': join(dir, 'signed', '.hwdash-state.json'),
      resumed: 'false',
    });
    // Read back from the API: the submission is signed, the label is the one named.
    const client = createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN });
    const submission = await client.submissions.get(outputs['product-id']!, outputs['submission-id']!);
    expect(submission.id).toBe(outputs['submission-id']);
    expect(submission.downloads?.items?.some((item) => item.type?.toLowerCase() === 'signedpackage')).toBe(true);
    const label = await client.shippingLabels.get(outputs['product-id']!, outputs['submission-id']!, outputs['shipping-label-id']!);
    expect(label.name).toBe('Contoso touch to WU');
    expect(readdirSync(join(dir, 'signed')).sort()).toEqual(['.hwdash-state.json', `driver-metadata-${outputs['submission-id']}.json`, `signed-${outputs['submission-id']}.zip`].sort());
  });

  it('masks the token before anything else and never prints it', () => {
    expect(first.stdout.split('\n')[0]).toBe(`::add-mask::${TOKEN}`);
    expect(withoutMaskCommands(first.everything)).not.toContain(TOKEN);
    expect(readFileSync(join(dir, 'signed', '.hwdash-state.json'), 'utf8')).not.toContain(TOKEN);
  });

  it('logs a line per step change, with the time of each finished step, and no terminal control characters', () => {
    const log = first.stdout;
    for (const step of ['preflight', 'createProduct', 'createSubmission', 'upload', 'commit', 'wait', 'download', 'shippingLabel']) {
      expect(log).toMatch(new RegExp(`^▶ ${step}$`, 'm'));
      expect(log).toMatch(new RegExp(`^✓ ${step} in \\d+(\\.\\d)? s`, 'm'));
    }
    expect(log).toMatch(/^ {2}submission \w+: \w+/m);
    expect(log).not.toMatch(/[\r\u2588\u2591]|\x1b\[/);
  });

  it('writes a job summary: the steps with their times, the IDs, and the shipping label\'s state', () => {
    const { summary, outputs } = first;
    expect(summary).toContain('## ✅ Driver signed');
    expect(summary).toMatch(/^\| upload \| ✅ completed \| \d+(\.\d)? s \|/m);
    expect(summary).toMatch(/^\| wait \| ✅ completed \| \d+(\.\d)? s \|/m);
    expect(summary).toContain(`| Product | \`${outputs['product-id']}\``);
    expect(summary).toContain(`| Submission | \`${outputs['submission-id']}\``);
    expect(summary).toMatch(new RegExp(`\\| Shipping label \\| \`${outputs['shipping-label-id']}\`: \\w+ \\w+ \\|`));
    // Not Partner Center, so no dashboard link pretends otherwise.
    expect(summary).not.toContain('partner.microsoft.com');
  });

  it('a re-run with the same out-dir resumes from the state file: same IDs, nothing created again', async () => {
    const again = await runAction(dir, inputs());
    expect(again.code).toBe(0);
    expect(again.outputs).toMatchObject({
      resumed: 'true',
      'product-id': first.outputs['product-id'],
      'submission-id': first.outputs['submission-id'],
      'shipping-label-id': first.outputs['shipping-label-id'],
    });
    expect(again.stdout).toMatch(/^↷ createSubmission skipped: submission \d+ \(from the state file\)$/m);
    expect(again.summary).toContain('Resumed from the state file');
    const census = await resourceCensus(createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN }));
    expect(census).toEqual({ products: 1, submissions: 1, shippingLabels: 1, duplicateNames: [] });
  });
});

describe('failures', () => {
  it('a missing package: exit 1, an ::error:: line, a summary saying what failed, nothing sent', async () => {
    const before = sandbox.requests;
    const run = await runAction(dir, inputs({ package: join(dir, 'missing.cab'), 'out-dir': 'missing' }));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::.*missing\.cab/m);
    expect(run.summary).toContain('## ❌ Driver signing failed');
    expect(run.summary).toMatch(/^\| preflight \| ❌ failed \|/m);
    expect(sandbox.requests).toBe(before);
    expect(withoutMaskCommands(run.everything)).not.toContain(TOKEN);
  });

  it('a malformed input fails before anything else, naming the input', async () => {
    const run = await runAction(dir, inputs({ label: 'yes' }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::input "label" must be true or false, not "yes"');
  });

  it('keyless without an OIDC token (no id-token permission) says which permission the job needs', async () => {
    const run = await runAction(dir, inputs({ token: '', 'tenant-id': '72f988bf-86f1-41af-91ab-2d7cd011db47', 'client-id': '0d9b1e6a-4c2f-4e8b-9a1d-5f3c7b2e8a60', 'out-dir': 'keyless' }));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::keyless sign-in .*permissions: \{ id-token: write/m);
  });
});
