/**
 * Batch signing against a throttling sandbox: N packages (default 20) with `--faults 429:0.2`, once as one batch
 * (`hwdash submit a.cab b.cab … --concurrency 4`) and once one after another (a `hwdash submit` process per package,
 * as a job without batch support runs them). Each mode gets a fresh sandbox; afterwards the products, submissions and
 * shipping labels are counted through the API, so duplicates are read back from the service.
 *
 *   npm run build && npx tsx scripts/measure-batch.ts [--packages 20] [--concurrency 4] [--speed 60] [--seed 1]
 *
 * Uses the built CLI (dist/). Prints a table and a JSON line; no assertions (the suite's test/cli/batch.test.ts has them).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHdcClient } from '../src/client/index.js';
import { startSandbox } from '../src/mock/sandbox/index.js';
import { resourceCensus, type ResourceCensus } from '../test/support/resource-census.js';
import { buildExamplePackage } from './build-example-package.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const TOKEN = 'hwdash-measure-batch-token';

const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
    speed: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    faults: { type: 'string', default: '429:0.2' },
  },
});
const count = Number(values.packages);
const speed = Number(values.speed);

interface ModeResult {
  mode: string;
  /** Packages the batch resumed from their state file after a transient failure. */
  resumes: number;
  seconds: number;
  exitCodes: number[];
  requests: number;
  throttled: number;
  census: ResourceCensus;
}

let resumes = 0;

function run(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      resumes += chunk.match(/resuming from the state file/g)?.length ?? 0;
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) process.stderr.write(`hwdash ${args[0]} exited ${code}:\n${stderr}\n`);
      resolveRun(code ?? -1);
    });
  });
}

async function measure(mode: string, cabs: string[], out: string, execute: (env: Record<string, string>) => Promise<number[]>): Promise<ModeResult> {
  let throttled = 0;
  const sandbox = await startSandbox({
    token: TOKEN,
    speed,
    faults: values.faults,
    seed: Number(values.seed),
    onResponse: (record) => {
      if (record.status === 429) throttled++;
    },
  });
  try {
    const env = { HWDASH_TOKEN: TOKEN, HWDASH_BASE_URL: sandbox.baseUrl };
    resumes = 0;
    const started = process.hrtime.bigint();
    const exitCodes = await execute(env);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const requests = sandbox.requests;
    const census = await resourceCensus(createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN, retry: { maxRetries: 10 } }));
    return { mode, resumes, seconds: Math.round(seconds * 10) / 10, exitCodes, requests, throttled, census };
  } finally {
    await sandbox.stop();
    await rm(out, { recursive: true, force: true });
  }
}

const dir = await mkdtemp(join(tmpdir(), 'hwdash-measure-batch-'));
try {
  const first = (await buildExamplePackage(join(dir, 'driver-01.cab'))).path;
  const cabs = [first];
  for (let index = 2; index <= count; index++) {
    const path = join(dir, `driver-${String(index).padStart(2, '0')}.cab`);
    await copyFile(first, path);
    cabs.push(path);
  }
  const common = ['--label', '--interval', '0.5'];
  const batch = await measure(`batch, --concurrency ${values.concurrency}`, cabs, join(dir, 'batch'), async (env) => [
    await run(['submit', ...cabs, '--out', join(dir, 'batch'), '--concurrency', values.concurrency, ...common], env),
  ]);
  const sequential = await measure('one after another', cabs, join(dir, 'sequential'), async (env) => {
    const codes: number[] = [];
    for (const [index, cab] of cabs.entries()) codes.push(await run(['submit', cab, '--out', join(dir, 'sequential', String(index)), ...common], env));
    return codes;
  });

  const rows = [batch, sequential];
  process.stdout.write(`${count} packages, faults ${values.faults}, sandbox speed ${speed}, seed ${values.seed}\n\n`);
  process.stdout.write('| mode | wall time | exit codes | API requests | 429s | resumes | products | submissions | shipping labels | duplicate names |\n|---|---|---|---|---|---|---|---|---|---|\n');
  for (const row of rows) {
    const codes = [...new Set(row.exitCodes)].map((code) => `${code} ×${row.exitCodes.filter((c) => c === code).length}`).join(', ');
    process.stdout.write(
      `| ${row.mode} | ${row.seconds} s | ${codes} | ${row.requests} | ${row.throttled} | ${row.resumes} | ${row.census.products} | ${row.census.submissions} | ${row.census.shippingLabels} | ${row.census.duplicateNames.length} |\n`,
    );
  }
  process.stdout.write(`\nbatch / one after another: ${(batch.seconds / sequential.seconds).toFixed(2)}× the wall time\n`);
  process.stdout.write(`${JSON.stringify({ packages: count, faults: values.faults, speed, rows })}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
