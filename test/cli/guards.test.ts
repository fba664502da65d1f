/**
 * What the step commands and `submit` refuse before they burn a resource or hang, as a user meets it: an upload to a
 * committed submission, a commit with nothing uploaded, a wait on a submission nobody committed, a wait that runs
 * out (a code of its own, not a failed workflow's), two runs on one output folder, an output folder that cannot be
 * made, input files that are too big, devices, pipes or written with a byte-order mark, and an old Node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox, type ResponseRecord } from '../../src/mock/sandbox/index.js';
import { buildExamplePackage } from '../../scripts/build-example-package.js';
import { ManualClock } from '../sandbox/support.js';
import { assertBuilt, CLI, PRODUCT, runCli, TOKEN, type CliRun } from './support.js';

const clock = new ManualClock(Date.now());
const records: ResponseRecord[] = [];
let sandbox: Sandbox;
let dir: string;
let cab: string;
let env: Record<string, string>;

const hwdash = (...args: string[]): Promise<CliRun> => runCli(args, { env });
const count = (operationId: string, from = 0): number => records.slice(from).filter((record) => record.operationId === operationId && record.status < 300).length;
const json = <T>(run: CliRun): T => JSON.parse(run.stdout) as T;

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'hwdash-guards-'));
  cab = (await buildExamplePackage(join(dir, 'sample-driver.cab'))).path;
  sandbox = await startSandbox({ token: TOKEN, now: clock.now, onResponse: (record) => records.push(record) });
  env = { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: sandbox.baseUrl };
});
afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function newSubmission(name: string): Promise<{ productId: string; submissionId: string }> {
  const productFile = join(dir, `${name}.json`);
  await writeFile(productFile, JSON.stringify({ ...PRODUCT, productName: name }));
  const product = await hwdash('product', 'create', productFile, '--json');
  expect(product.code).toBe(0);
  const productId = json<{ id: string }>(product).id;
  const submission = await hwdash('submission', 'create', productId, '--name', `${name} 1.0`, '--json');
  expect(submission.code).toBe(0);
  return { productId, submissionId: json<{ id: string }>(submission).id };
}

describe('step commands refuse what would burn a resource', () => {
  it('commit with nothing uploaded exits 5 and leaves the submission pending; --force commits', async () => {
    const { productId, submissionId } = await newSubmission('Guard commit');
    const before = records.length;
    const refused = await hwdash('submission', 'commit', productId, submissionId);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('nothing has been uploaded to its upload URL');
    expect(refused.stderr).toContain('--force');
    expect(count('commitSubmission', before)).toBe(0);
    const after = await hwdash('submission', 'get', productId, submissionId, '--json');
    expect(json<{ commitStatus: string }>(after).commitStatus).toBe('commitPending');

    const forced = await hwdash('submission', 'commit', productId, submissionId, '--force');
    expect(forced.code).toBe(0);
    expect(count('commitSubmission', before)).toBe(1);
  });

  it('upload after a commit exits 5 before sending a byte, and says "already committed" (not "uploaded")', async () => {
    const { productId, submissionId } = await newSubmission('Guard upload');
    expect((await hwdash('submission', 'upload', productId, submissionId, cab)).code).toBe(0);
    expect((await hwdash('submission', 'commit', productId, submissionId)).code).toBe(0);

    const again = await hwdash('submission', 'upload', productId, submissionId, cab);
    expect(again.code).toBe(5);
    expect(again.stderr).toContain(`submission ${submissionId} is already committed`);
    expect(again.stdout).toBe('');
    expect(again.stderr).not.toContain('uploaded');
  });

  it('wait on a submission nobody committed exits 5 after one read, instead of polling for hours', async () => {
    const { productId, submissionId } = await newSubmission('Guard wait');
    const before = records.length;
    const run = await hwdash('submission', 'wait', productId, submissionId, '--interval', '0.05');
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('is not committed');
    expect(count('getSubmission', before)).toBe(1);
  });

  it('a wait that runs out exits 10 (not 7) and says the workflow goes on', async () => {
    const { productId, submissionId } = await newSubmission('Guard timeout');
    expect((await hwdash('submission', 'upload', productId, submissionId, cab)).code).toBe(0);
    expect((await hwdash('submission', 'commit', productId, submissionId)).code).toBe(0);
    // The sandbox's clock stands still, so the submission never gets past its first step.
    const run = await hwdash('submission', 'wait', productId, submissionId, '--interval', '0.05', '--max-wait', '0.005');
    expect(run.code).toBe(10);
    expect(run.stderr).toContain('The workflow may still finish');
    expect(run.stderr).toContain('Run the same command again to continue.');
  });
});

describe('submit checks its output folder and its lock before creating anything', () => {
  it('an output folder that cannot be created exits 8 at once, with no product created', async () => {
    const before = records.length;
    const run = await hwdash('submit', cab, '--out', '/proc/hwdash-nope/signed');
    expect(run.code).toBe(8);
    expect(run.stderr).toContain('/proc/hwdash-nope');
    expect(count('createProduct', before)).toBe(0);
  });

  it('two runs on one output folder: one signs, the other exits 11 naming the holder; one product', async () => {
    const out = join(dir, 'shared-out');
    const before = records.length;
    const name = 'Guard concurrent';
    const runs = await Promise.all([1, 2].map(() => hwdash('submit', cab, '--out', out, '--product-name', name, '--interval', '0.05', '--max-wait', '0.02')));
    const codes = runs.map((run) => run.code).sort();
    // The winner waits on a standing clock and times out (10); the other never got the lock (11).
    expect(codes).toEqual([10, 11]);
    const loser = runs.find((run) => run.code === 11)!;
    expect(loser.stderr).toMatch(/Another run \(process \d+ on .+ since .+\) is using this state file/);
    expect(count('createProduct', before)).toBe(1);
    expect(existsSync(join(out, '.hwdash-state.json.lock'))).toBe(false);
  });
});

describe('input files', () => {
  it('refuses a JSON input over 1 MiB without reading it, and devices and pipes at once', async () => {
    const big = join(dir, 'big.json');
    await writeFile(big, `{"productName": "${'x'.repeat(1024 * 1024)}"}`);
    const tooBig = await hwdash('product', 'create', big);
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toContain('more than the 1048576 an input file of this kind can have');

    const device = await hwdash('product', 'create', '/dev/zero');
    expect(device.code).toBe(1);
    expect(device.stderr).toContain('/dev/zero is not a regular file');

    const fifo = join(dir, 'input.fifo');
    execFileSync('mkfifo', [fifo]);
    const pipe = await hwdash('product', 'create', fifo);
    expect(pipe.code).toBe(1);
    expect(pipe.stderr).toContain('is not a regular file');
  });

  it('accepts a file with a UTF-8 byte-order mark (PowerShell 5.1 writes one)', async () => {
    const withBom = join(dir, 'bom.json');
    await writeFile(withBom, `\uFEFF${JSON.stringify({ ...PRODUCT, productName: 'Guard BOM' })}`);
    const run = await hwdash('product', 'create', withBom, '--json');
    expect(run.code).toBe(0);
    expect(json<{ productName: string }>(run).productName).toBe('Guard BOM');
  });

  it('refuses a package that is a device before creating anything', async () => {
    const before = records.length;
    const run = await hwdash('submit', '/dev/zero', '--out', join(dir, 'device-out'));
    expect(run.code).toBe(8);
    expect(run.stderr).toContain('/dev/zero is not a regular file');
    expect(count('createProduct', before)).toBe(0);
    expect(existsSync(join(dir, 'device-out'))).toBe(false);
  });
});

describe('the Node version', () => {
  it('refuses Node < 22 with a clear message instead of failing later', () => {
    // The check reads process.versions.node, overridden here before main.js runs.
    const older = "Object.defineProperty(process.versions, 'node', { value: '20.11.1' })";
    const run = (() => {
      try {
        execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(older)}`, CLI, '--version'], { stdio: 'pipe' });
        return { code: 0, stderr: '' };
      } catch (error) {
        const failed = error as { status: number; stderr: Buffer };
        return { code: failed.status, stderr: failed.stderr.toString() };
      }
    })();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('hwdash needs Node.js 22 or newer, and this is Node.js 20.11.1.');
  });
});

describe('debugging', () => {
  it('--verbose logs the blob requests too, with their signatures redacted; --show-sas-urls prints usable URLs', async () => {
    const { productId, submissionId } = await newSubmission('Guard verbose');
    const upload = await hwdash('submission', 'upload', productId, submissionId, cab, '--verbose');
    expect(upload.code).toBe(0);
    expect(upload.stderr).toMatch(/↔ blob PUT http:\/\/127\.0\.0\.1:\d+\/\S+sig=REDACTED\S* → 201/);
    expect(upload.stderr + upload.stdout).not.toMatch(/sig=(?!REDACTED)[A-Za-z0-9%]/);

    const hidden = await hwdash('submission', 'get', productId, submissionId, '--json');
    expect(hidden.stdout).toContain('sig=REDACTED');
    const shown = await hwdash('submission', 'get', productId, submissionId, '--json', '--show-sas-urls');
    const url = json<{ downloads: { items: { type: string; url: string }[] } }>(shown).downloads.items.find((item) => item.type === 'initialPackage')!.url;
    expect(url).toMatch(/[?&]sig=(?!REDACTED)[^&]+/);
    // A usable URL: the blob it names can be read with it alone.
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
  });
});
