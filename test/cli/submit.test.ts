/**
 * `hwdash submit` as a user runs it: the whole flow with --sandbox, Ctrl-C in the middle and the resumed rerun,
 * progress bars under a pseudo-terminal and none on a pipe, a workflow failure, and `hwdash sandbox` itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import yauzl from 'yauzl';
import { SIGNATURE_MANIFEST_NAME, startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { buildExamplePackage } from '../../scripts/build-example-package.js';
import type { SubmitOutput } from '../../src/cli/submit-flow.js';
import { assertBuilt, cleanEnv, CLI, finished, runCli, startCli, TOKEN, waitForOutput } from './support.js';
import { call, newProductBody } from '../sandbox/support.js';

function zipEntries(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;
/** Bar glyphs of cli-progress's shades preset, carriage returns and ANSI escapes: what a pipe must never get. */
const TERMINAL_CONTROL = /[\r\u2588\u2591]|\x1b\[/;

let dir: string;
let cab: string;

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'hwdash-submit-'));
  cab = (await buildExamplePackage(join(dir, 'sample-driver.cab'))).path;
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('hwdash submit --sandbox', () => {
  it('signs the sample driver end to end and leaves the signed package, the driver metadata and the shipping label on disk', async () => {
    const out = join(dir, 'embedded');
    const run = await runCli(['submit', cab, '--sandbox', '--sandbox-speed', '200', '--out', out, '--label', 'Sample to WU', '--json']);
    expect(run.stderr).toContain('✓ shippingLabel');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as SubmitOutput;
    expect(result.resumed).toBe(false);
    expect(result.stateFile).toBeUndefined();
    expect(readdirSync(out).sort()).toEqual(
      [`driver-metadata-${result.submissionId}.json`, `shipping-label-${result.shippingLabelId}.json`, `signed-${result.submissionId}.zip`].sort(),
    );
    expect(await zipEntries(result.signedPackagePath)).toEqual(expect.arrayContaining([SIGNATURE_MANIFEST_NAME]));
    const metadata = JSON.parse(readFileSync(result.driverMetadataPath, 'utf8')) as { BundleInfoMap: Record<string, unknown> };
    expect(Object.keys(metadata.BundleInfoMap)).toHaveLength(1);
    const label = JSON.parse(readFileSync(result.shippingLabelPath!, 'utf8')) as { id: string; name: string; targeting: { hardwareIds: unknown[] } };
    expect(label).toMatchObject({ id: result.shippingLabelId, name: 'Sample to WU' });
    expect(label.targeting.hardwareIds.length).toBeGreaterThan(0);
  });
});

describe('hwdash submit against a running sandbox', () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;
  const out = (): string => join(dir, 'resumable');

  beforeAll(async () => {
    // Ingestion takes about 65 sandbox seconds: at ×20 a few real seconds, time enough to press Ctrl-C in it.
    sandbox = await startSandbox({ token: TOKEN, speed: 20 });
    env = { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: sandbox.baseUrl };
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  let state: { submissionId: string; productId: string; committed?: boolean };

  it('Ctrl-C while waiting exits 9, leaves no partial file, and keeps a resumable state file', async () => {
    const child = startCli(['submit', cab, '--out', out(), '--interval', '0.1', '--label'], { env });
    const run = finished(child);
    await waitForOutput(child, /✓ commit/);
    child.kill('SIGINT');
    const result = await run;
    expect(result.code).toBe(9);
    expect(result.stderr).toContain('cancelling (Ctrl-C again to exit at once)');
    expect(result.stderr).toContain('cancelled.');
    expect(result.stderr).not.toContain(TOKEN);
    // Only the state file: no signed package, no metadata, no temporary download.
    expect(readdirSync(out())).toEqual(['.hwdash-state.json']);
    state = JSON.parse(readFileSync(join(out(), '.hwdash-state.json'), 'utf8')) as typeof state;
    expect(state.submissionId).toMatch(/^\d+$/);
    expect(state.committed).toBe(true);
  });

  it('the rerun resumes with the same submission and finishes', async () => {
    const run = await runCli(['submit', cab, '--out', out(), '--interval', '0.1', '--label', '--json'], { env });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as SubmitOutput;
    expect(result).toMatchObject({ resumed: true, productId: state.productId, submissionId: state.submissionId });
    expect(run.stderr).toContain(`↷ createSubmission (skipped: submission ${state.submissionId} (from the state file))`);
    expect(run.stderr).toMatch(/↷ upload \(skipped/);
    expect(existsSync(result.signedPackagePath)).toBe(true);
    expect(existsSync(result.driverMetadataPath)).toBe(true);
    expect(readdirSync(out()).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('draws a progress bar under a terminal, and none on a pipe', async () => {
    const args = ['submission', 'download', state.productId, state.submissionId, '--out', join(dir, 'tty')];
    const { stdout: terminal } = await promisify(execFile)('script', ['-qfec', [process.execPath, CLI, ...args].map(shellQuote).join(' '), '/dev/null'], {
      env: cleanEnv(env),
      cwd: dir,
    });
    expect(terminal).toMatch(/download +\[\u2588+\] 100% \| \d+ KiB of \d+ KiB signed-\d+\.zip/);
    expect(terminal).toContain('\r');

    const piped = await runCli([...args.slice(0, -1), join(dir, 'pipe')], { env });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toMatch(/downloaded signed-\d+\.zip \(\d+ KiB\)/);
    expect(piped.stderr + piped.stdout).not.toMatch(TERMINAL_CONTROL);
  });
});

describe('hwdash sandbox', () => {
  it('serves until Ctrl-C; a submission it fails makes `submit` exit 7 with the service\'s message', async () => {
    const sandbox = startCli(['sandbox', '--speed', '600', '--fail', 'validation', '--token', TOKEN]);
    const stopped = finished(sandbox);
    const baseUrl = (await waitForOutput(sandbox, /http:\/\/127\.0\.0\.1:\d+\/v2\.0\/my\/hardware/)).trim();
    await waitForOutput(sandbox, /Ctrl-C stops it/);
    expect(stopped.output().stdout).toContain(`HWDASH_BASE_URL=${baseUrl}\n`);

    const run = await runCli(['submit', cab, '--out', join(dir, 'failing'), '--interval', '0.1', '--base-url', baseUrl], { env: { HWDASH_TOKEN: TOKEN } });
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(/failed in step packageInfoValidation \(failed\): "Package metadata validation failed/);

    sandbox.kill('SIGINT');
    const result = await stopped;
    expect(result.code).toBe(0);
    // One NAME=value a line, for `export`: the API, the Entra ID stand-in, its CA file, and the --token chosen.
    expect(result.stdout).toMatch(
      new RegExp(`^HWDASH_BASE_URL=${baseUrl}\nAZURE_AUTHORITY_HOST=https://127\\.0\\.0\\.1:\\d+\nNODE_EXTRA_CA_CERTS=\\S+\\.pem\nHWDASH_TOKEN=${TOKEN}\n$`),
    );
    expect(result.stderr).toContain('sandbox stopped.');
  });

  it('takes --faults per operation and --sas-lifetime in sandbox minutes, so that lost answers and expiry can be tried', async () => {
    const sandbox = startCli(['sandbox', '--speed', '60', '--sas-lifetime', '5', '--faults', 'lost@createProduct:1', '--token', TOKEN]);
    const stopped = finished(sandbox);
    try {
      const baseUrl = (await waitForOutput(sandbox, /http:\/\/127\.0\.0\.1:\d+\/v2\.0\/my\/hardware/)).trim();
      // The create's answer is lost on the wire; the product is created all the same.
      await expect(call(baseUrl, 'POST', '/products', { body: newProductBody({ productName: 'lost answer' }), token: TOKEN })).rejects.toThrow('fetch failed');
      const env = { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: baseUrl };
      const listed = await runCli(['product', 'list', '--json'], { env });
      const products = JSON.parse(listed.stdout) as { id: string; productName: string }[];
      expect(products.map((item) => item.productName)).toEqual(['lost answer']);

      const before = Date.now();
      const submission = await runCli(['submission', 'create', products[0]!.id, '--name', 'expiring', '--json'], { env });
      expect(submission.code).toBe(0);
      const { downloads } = JSON.parse(submission.stdout) as { downloads: { items: { type: string; url: string }[] } };
      const expires = Date.parse(new URL(downloads.items[0]!.url).searchParams.get('se')!);
      // Five sandbox minutes at speed 60: five real seconds from the create (whole seconds), not an hour.
      expect(expires).toBeGreaterThan(before + 4000);
      expect(expires).toBeLessThan(Date.now() + 5000 + 1);
    } finally {
      sandbox.kill('SIGINT');
    }
    expect((await stopped).code).toBe(0);
  });

  it('refuses a --sandbox-sas-lifetime that is no positive number before starting anything', async () => {
    const run = await runCli(['--sandbox', '--sandbox-sas-lifetime', '0', 'audience', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("option '--sandbox-sas-lifetime <minutes>' argument '0' is invalid. expected a positive number.");
  });
});
