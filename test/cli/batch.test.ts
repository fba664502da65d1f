/**
 * `hwdash submit a.cab b.cab …` and `--manifest`: a batch against a running sandbox that throttles a fifth of all
 * requests. Every package is signed once, what the service holds afterwards is counted through the API (no duplicate
 * product, submission or label), the concurrency limit holds, a rerun resumes every package from its own state file,
 * and one failing package does not stop the others.
 */
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHdcClient } from '../../src/client/index.js';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import type { BatchOutput } from '../../src/cli/batch/batch-summary.js';
import { buildExamplePackage } from '../../scripts/build-example-package.js';
import { resourceCensus } from '../support/resource-census.js';
import { assertBuilt, runCli, TOKEN } from './support.js';


type Signed = Extract<BatchOutput['packages'][number], { status: 'signed' }>;

const PACKAGES = 5;
// A call fails once 1 + maxRetries answers in a row are 429s: at 20% and the default 3 retries that is 1 call in 625,
// enough to fail a package now and then over a few hundred calls. This test is about the batch, not that budget.
const CONCURRENCY = 2;

/** The most packages in flight at once, read from the "[name] signing …" and "[name] signed/error" lines in order. */
function mostInFlight(stderr: string): number {
  let inFlight = 0;
  let most = 0;
  for (const line of stderr.split('\n')) {
    if (/^\[[^\]]+\] signing \//.test(line)) most = Math.max(most, ++inFlight);
    else if (/^\[[^\]]+\] (signed in|error:)/.test(line)) inFlight--;
  }
  return most;
}

let dir: string;
let cabs: string[];
let sandbox: Sandbox;
let throttled = 0;
let env: Record<string, string>;

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'hwdash-batch-'));
  const first = (await buildExamplePackage(join(dir, 'driver-1.cab'))).path;
  cabs = [first];
  for (let index = 2; index <= PACKAGES; index++) {
    cabs.push(join(dir, `driver-${index}.cab`));
    await copyFile(first, cabs[index - 1]!);
  }
  sandbox = await startSandbox({
    token: TOKEN,
    speed: 200,
    faults: '429:0.2',
    seed: 11,
    onResponse: (record) => {
      if (record.status === 429) throttled++;
    },
  });
  env = { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: sandbox.baseUrl };
});

afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('hwdash submit with several packages, against a sandbox throttling 20% of requests', () => {
  const out = (): string => join(dir, 'signed');
  let first: BatchOutput;

  it('signs each package once, at most --concurrency at a time, each in its own folder with its own state file', async () => {
    const run = await runCli(['submit', ...cabs, '--out', out(), '--label', '--concurrency', String(CONCURRENCY), '--interval', '0.1', '--max-retries', '6', '--json'], { env });
    expect(run.stderr).not.toContain(TOKEN);
    expect(run.code).toBe(0);
    first = JSON.parse(run.stdout) as BatchOutput;
    expect(first).toMatchObject({ signed: PACKAGES, failed: 0, concurrency: CONCURRENCY });
    expect(first.packages.map((entry) => entry.name)).toEqual(cabs.map((_, index) => `driver-${index + 1}`));
    for (const entry of first.packages as Signed[]) {
      expect(entry).toMatchObject({ status: 'signed', resumed: false, productId: expect.stringMatching(/^\d+$/), submissionId: expect.stringMatching(/^\d+$/), shippingLabelId: expect.stringMatching(/^\d+$/) });
      expect(readdirSync(join(out(), entry.name))).toEqual(expect.arrayContaining(['.hwdash-state.json', `signed-${entry.submissionId}.zip`]));
    }
    // The sandbox did throttle this run, and the batch got through it.
    expect(throttled).toBeGreaterThan(0);
    // Both slots were used, and never more.
    expect(mostInFlight(run.stderr)).toBe(CONCURRENCY);
  });

  it('left exactly one product, submission and shipping label per package at the service', async () => {
    const census = await resourceCensus(createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN }));
    expect(census).toEqual({ products: PACKAGES, submissions: PACKAGES, shippingLabels: PACKAGES, duplicateNames: [] });
  });

  it('a rerun resumes every package from its state file: the same IDs, nothing created again, and a table on stdout', async () => {
    const run = await runCli(['submit', ...cabs, '--out', out(), '--label', '--concurrency', String(CONCURRENCY), '--interval', '0.1', '--max-retries', '6'], { env });
    expect(run.code).toBe(0);
    for (const entry of first.packages as Signed[]) {
      const row = run.stdout.split('\n').find((line) => line.startsWith(`${entry.name} `));
      expect(row).toMatch(new RegExp(`^${entry.name} +signed \\(resumed\\) +${entry.productId} +${entry.submissionId} +${entry.shippingLabelId!} `));
    }
    expect(run.stdout).toContain(`${PACKAGES} of ${PACKAGES} signed`);
    const census = await resourceCensus(createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN }));
    expect(census).toMatchObject({ products: PACKAGES, submissions: PACKAGES, shippingLabels: PACKAGES });
  });
});

describe('hwdash submit --manifest', () => {
  it('takes each package\'s product name, label and folder from the manifest; a missing package fails alone with its exit code', async () => {
    const manifest = join(dir, 'release.json');
    await writeFile(
      manifest,
      JSON.stringify({
        packages: [
          { package: 'driver-1.cab', productName: 'Contoso manifest touch', label: 'Touch to WU', out: 'manifest-out/touch' },
          { package: 'missing.cab' },
          { package: 'driver-2.cab', label: false },
        ],
      }),
    );
    const run = await runCli(['submit', '--manifest', manifest, '--out', join(dir, 'manifest-default'), '--label', '--interval', '0.1', '--max-retries', '6', '--json'], { env });
    // The missing package is a local I/O failure (8); the batch exits with it, after signing the other two.
    expect(run.code).toBe(8);
    const output = JSON.parse(run.stdout) as BatchOutput;
    expect(output).toMatchObject({ signed: 2, failed: 1 });
    const [touch, missing, plain] = output.packages;
    expect(touch).toMatchObject({ name: 'driver-1', status: 'signed', shippingLabelId: expect.stringMatching(/^\d+$/) });
    expect(existsSync(join(dir, 'manifest-out', 'touch', '.hwdash-state.json'))).toBe(true);
    expect(missing).toMatchObject({ name: 'missing', status: 'failed', error: { exitCode: 8 } });
    expect(plain).toMatchObject({ name: 'driver-2', status: 'signed' });
    expect(plain).not.toHaveProperty('shippingLabelId');
    expect(existsSync(join(dir, 'manifest-default', 'driver-2', '.hwdash-state.json'))).toBe(true);
    expect(run.stderr).toMatch(/^\[missing\] error: /m);

    const client = createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN });
    const names: string[] = [];
    for await (const product of client.products.list()) names.push(product.productName!);
    expect(names.filter((name) => name === 'Contoso manifest touch')).toHaveLength(1);
  });

  it('refuses a manifest entry with a numeric product ID, naming the entry, before anything is sent', async () => {
    const manifest = join(dir, 'numeric.json');
    await writeFile(manifest, '{ "packages": [ { "package": "driver-1.cab", "product": 14631253285588838 } ] }');
    const before = sandbox.requests;
    const run = await runCli(['submit', '--manifest', manifest, '--out', join(dir, 'numeric')], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('packages[0].product must be a non-empty string of digits');
    expect(sandbox.requests).toBe(before);
  });

  it('refuses the same package twice', async () => {
    const run = await runCli(['submit', cabs[0]!, cabs[0]!, '--out', join(dir, 'twice')], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is listed twice');
  });
});

describe('a package that fails on throttling is resumed from its state file', () => {
  it('is run again (twice at most) from where it stopped, and never creates anything twice', async () => {
    // No client retries and 30% throttling: nearly every run of a package is cut off by a 429 somewhere.
    const throttling = await startSandbox({ token: TOKEN, speed: 200, faults: '429:0.3', seed: 5 });
    try {
      const run = await runCli(['submit', ...cabs.slice(0, 3), '--out', join(dir, 'resumed'), '--max-retries', '0', '--interval', '0.1', '--json'], {
        env: { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: throttling.baseUrl },
      });
      const output = JSON.parse(run.stdout) as BatchOutput;
      expect(run.stderr).toMatch(/^\[driver-\d\] .*429.*; resuming from the state file \(1 of 2\)$/m);
      for (const entry of output.packages) {
        if (entry.status === 'failed') {
          // Given up only after both resumes, with the throttling exit code.
          expect(entry.error).toMatchObject({ exitCode: 6 });
          expect(run.stderr).toContain(`[${entry.name}] `);
          expect(run.stderr).toMatch(new RegExp(`^\\[${entry.name}\\] .*resuming from the state file \\(2 of 2\\)$`, 'm'));
        } else expect(entry.status).toBe('signed');
      }
      const census = await resourceCensus(createHdcClient({ baseUrl: throttling.baseUrl, token: TOKEN, retry: { maxRetries: 10 } }));
      expect(census.duplicateNames).toEqual([]);
      expect(census.products).toBeLessThanOrEqual(3);
      expect(census.submissions).toBeLessThanOrEqual(census.products);
    } finally {
      await throttling.stop();
    }
  });
});
