/**
 * Never twice, always resumable, tried the way a CI job dies: `hwdash submit --label` is SIGKILLed at random moments
 * and rerun until it succeeds, killed in each create's lost-answer window (the service acted, the answer had not
 * arrived), killed at each step boundary, has answers dropped under it, and is started twice at once on one output
 * folder. The sandbox answers slowly (through a proxy that holds each answer back), so kills land while requests
 * are in flight. Whatever happens, each product name ends with exactly one product, one submission and one
 * shipping label, and no temporary file is left behind.
 *
 * The kill times come from a seeded generator: HWDASH_CRASH_SEED reproduces a run.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createHdcClient, type HdcClient } from '../../src/client/client.js';
import { startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { buildExamplePackage } from '../../scripts/build-example-package.js';
import { assertBuilt, finished, PRODUCT, startCli, TOKEN, type CliRun } from '../cli/support.js';
import { startAnswerProxy, type AnswerProxy, type ApiOperation } from '../support/answer-proxy.js';
import { seededRandom } from '../../src/mock/sandbox/faults.js';

// Dozens of CLI processes; on an oversubscribed machine each one can take seconds.
jest.setTimeout(30 * 60_000);

const SEED = Number(process.env.HWDASH_CRASH_SEED ?? 20261207);
const KILLS = 30;
const NAMES_FOR_RANDOM_KILLS = 6;


let sandbox: Sandbox;
let proxy: AnswerProxy;
let client: HdcClient;
let dir: string;
let cab: string;
const random = seededRandom(SEED);

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'hwdash-crash-'));
  cab = (await buildExamplePackage(join(dir, 'sample-driver.cab'))).path;
  // Fast clock: ingestion takes a fraction of a second, so a run is a second or two and kills spread over all steps.
  sandbox = await startSandbox({ token: TOKEN, speed: 1000, pageSize: 500 });
  proxy = await startAnswerProxy(sandbox.baseUrl);
  client = createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN });
});
afterAll(async () => {
  await proxy?.close();
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Every answer comes late: 0–150 ms after the service acted. */
const slowAnswers = (): void => {
  proxy.policy = () => ({ deliverAfterMs: Math.floor(random() * 150) });
  proxy.onAnswer = undefined;
};

function submit(name: string, extra: string[] = []) {
  const args = ['submit', cab, '--out', join(dir, name), '--product-name', name, '--label', '--interval', '0.05', '--create-timeout', '3', ...extra];
  return startCli(args, { env: { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: proxy.baseUrl } });
}

/** Runs submit until it succeeds (each attempt must either succeed or fail in a way a rerun continues). */
async function rerunUntilSigned(name: string): Promise<CliRun[]> {
  const runs: CliRun[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const run = await finished(submit(name));
    runs.push(run);
    if (run.code === 0) return runs;
  }
  throw new Error(`submit for ${name} never succeeded:\n${runs.map((run) => `exit ${run.code}: ${run.stderr}`).join('\n---\n')}`);
}

/** Products named `name`, with their submissions and each submission's shipping labels. */
async function created(name: string): Promise<{ products: number; submissions: number; labels: number }> {
  let products = 0;
  let submissions = 0;
  let labels = 0;
  for await (const product of client.products.list()) {
    if (product.productName !== name) continue;
    products += 1;
    for await (const submission of client.submissions.list(product.id)) {
      submissions += 1;
      for await (const _ of client.shippingLabels.list(product.id, submission.id, { includeTargetingInfo: false })) labels += 1;
    }
  }
  return { products, submissions, labels };
}

/** What the output folder holds once signed: the signed files, the label copy and the state file; nothing half-done. */
function leftovers(name: string): string[] {
  return readdirSync(join(dir, name)).filter((file) => file.includes('.partial') || file.endsWith('.lock'));
}

async function expectExactlyOnce(name: string): Promise<void> {
  expect({ name, ...(await created(name)) }).toEqual({ name, products: 1, submissions: 1, labels: 1 });
  expect(leftovers(name)).toEqual([]);
}

describe('hwdash submit --label, killed and rerun', () => {
  it(`survives ${KILLS} SIGKILLs at random moments: one product, one submission, one shipping label per name`, async () => {
    slowAnswers();
    // How long one whole run takes here and now: the kills are spread over that span.
    const calibration = Date.now();
    await rerunUntilSigned('Crash calibration');
    const span = Math.max(500, Date.now() - calibration);
    await expectExactlyOnce('Crash calibration');

    let kills = 0;
    const names = Array.from({ length: NAMES_FOR_RANDOM_KILLS }, (_, index) => `Crash random ${index + 1}`);
    for (let round = 0; kills < KILLS; round++) {
      const name = names[round % names.length]!;
      const child = submit(name);
      const run = finished(child);
      const timer = setTimeout(() => child.kill('SIGKILL'), Math.floor(random() * span * 1.2));
      const result = await run;
      clearTimeout(timer);
      if (result.signal === 'SIGKILL') kills += 1;
      else expect({ name, code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ name, code: 0, stderr: '' });
    }
    for (const name of names) {
      await rerunUntilSigned(name);
      await expectExactlyOnce(name);
    }
    expect(kills).toBe(KILLS);
  });

  it.each<ApiOperation>(['createProduct', 'createSubmission', 'createShippingLabel', 'commitSubmission'])(
    'is killed while the answer to %s is on its way, then rerun: nothing twice',
    async (operation) => {
      const name = `Crash window ${operation}`;
      let held = false;
      proxy.policy = (seen) => (seen === operation && !held ? { hold: true } : { deliverAfterMs: 0 });
      const child = submit(name);
      const run = finished(child);
      proxy.onAnswer = (seen) => {
        if (seen !== operation || held) return;
        held = true;
        child.kill('SIGKILL');
      };
      expect((await run).signal).toBe('SIGKILL');
      expect(held).toBe(true);
      slowAnswers();
      const reruns = await rerunUntilSigned(name);
      expect(reruns).toHaveLength(1);
      await expectExactlyOnce(name);
    },
  );

  it.each<ApiOperation>(['createProduct', 'createSubmission', 'createShippingLabel'])(
    'loses the answer to %s (the connection drops after the service acted) and finds what it created, in the same run',
    async (operation) => {
      const name = `Crash lost ${operation}`;
      let dropped = false;
      proxy.onAnswer = undefined;
      proxy.policy = (seen) => {
        if (seen !== operation || dropped) return { deliverAfterMs: 0 };
        dropped = true;
        return { drop: true };
      };
      const result = await finished(submit(name));
      expect(dropped).toBe(true);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/the (product|submission|shipping label) was created: \d+/);
      await expectExactlyOnce(name);
    },
  );

  it.each(['preflight', 'createProduct', 'createSubmission', 'upload', 'commit', 'wait', 'download', 'shippingLabel'])(
    'is killed right after step %s completes, then rerun: it continues',
    async (step) => {
      slowAnswers();
      const name = `Crash boundary ${step}`;
      const child = submit(name);
      const run = finished(child);
      const marker = new RegExp(`✓ ${step}\\b`);
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (marker.test(output)) child.kill('SIGKILL');
      });
      const first = await run;
      // The last step may end the run before the kill lands; every other boundary is a kill.
      if (step !== 'shippingLabel') expect(first.signal).toBe('SIGKILL');
      await rerunUntilSigned(name);
      await expectExactlyOnce(name);
    },
  );

  it('product create whose answer comes after --create-timeout says "created" with the ID, not "timed out"', async () => {
    const name = 'Crash late product';
    const productFile = join(dir, 'late-product.json');
    await writeFile(productFile, JSON.stringify({ ...PRODUCT, productName: name }));
    proxy.onAnswer = undefined;
    proxy.policy = (seen) => ({ deliverAfterMs: seen === 'createProduct' ? 3_000 : 0 });
    const run = await finished(startCli(['product', 'create', productFile, '--json', '--create-timeout', '0.5'], { env: { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: proxy.baseUrl } }));
    expect(run.stderr).toMatch(/timed out/);
    expect(run.stderr).toMatch(/the product was created: \d+/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ productName: name });
    expect((await created(name)).products).toBe(1);
  });

  it('two runs started at once on one output folder: one works, the other says the state is busy (11); then one of each', async () => {
    slowAnswers();
    const name = 'Crash concurrent';
    const results = await Promise.all([finished(submit(name)), finished(submit(name))]);
    expect(results.map((result) => result.code).sort()).toEqual([0, 11]);
    expect(results.find((result) => result.code === 11)!.stderr).toContain('is using this state file');
    await expectExactlyOnce(name);
  });
});
