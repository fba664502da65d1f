/**
 * The whole signing flow in the sandbox: `hwdash submit <package>` from process start to the signed package on disk
 * (preflight, product, submission, upload, commit, waiting, downloads), with a 1 GiB package in a full run (10 MiB in
 * a quick one). The sandbox runs as `hwdash sandbox` in a process of its own (with Azurite in another), so that the
 * peak RSS measured is the `hwdash submit` process's alone: the client as a user runs it. Built CLI (dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeCab, type CabWriterEntry } from '../test/support/cab-writer.js';
import { TMP } from './blob-support.js';
import { CLI_MAIN, cliBuilt, ROOT } from './cli.js';
import { MIB, round, summarize } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

/** Sandbox seconds per real second: the simulated hour of ingestion and signing passes in well under a second. */
const SPEED = '100000';
const RSS_BUDGET_MIB = 128;
const RSS_REPORTER = fileURLToPath(new URL('./rss-report.mjs', import.meta.url));

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const sizeMiB = opts.quick ? 10 : 1024;
  const benchmark = `sandbox submit, ${sizeMiB >= 1024 ? `${sizeMiB / 1024} GiB` : `${sizeMiB} MiB`} package`;
  if (!cliBuilt()) return [rssRow(benchmark, { median: 0, spreadPct: 0 }, 0, 'skipped: CLI not built (npm run build)')];
  const pkg = await makePackage(join(TMP, `submit-${sizeMiB}.cab`), sizeMiB * MIB);
  const sandbox = await startSandbox();
  try {
    const seconds: number[] = [];
    const peaks: number[] = [];
    const runs = opts.quick ? 1 : 3;
    for (let k = 0; k < runs; k++) {
      const out = join(TMP, `submit-out-${k}`);
      const rssFile = join(TMP, `submit-rss-${k}`);
      await rm(out, { recursive: true, force: true });
      const start = performance.now();
      const stdout = await runCli(['--base-url', sandbox.baseUrl, 'submit', pkg, '--out', out, '--json'], { HWDASH_TOKEN: sandbox.token, HWDASH_BENCH_RSS_FILE: rssFile });
      seconds.push((performance.now() - start) / 1000);
      peaks.push(Number(await readFile(rssFile, 'utf8')) / MIB);
      const result = JSON.parse(stdout) as { signedPackagePath?: string };
      if (!result.signedPackagePath) throw new Error(`hwdash submit printed no signed package: ${stdout.slice(0, 300)}`);
      await rm(out, { recursive: true, force: true });
      await rm(rssFile, { force: true });
    }
    const time = summarize(seconds);
    return [
      rssRow(benchmark, summarize(peaks), runs, `whole hwdash submit process (sandbox in its own); ${round(time.median, 1)} s per run (${round((sizeMiB * 2) / time.median, 0)} MiB/s up and down)`),
    ];
  } finally {
    await sandbox.stop();
    await rm(pkg, { force: true });
  }
}

function rssRow(benchmark: string, peak: { median: number; spreadPct: number }, runs: number, note: string): BenchRow {
  return {
    benchmark: `${benchmark}: peak RSS`,
    subject: 'hwdash submit',
    baseline: `budget ${RSS_BUDGET_MIB} MiB`,
    median: round(peak.median, 1),
    unit: 'MiB',
    spreadPct: round(peak.spreadPct, 1),
    ratio: peak.median === 0 ? null : round(peak.median / RSS_BUDGET_MIB),
    target: '≤ 1×',
    met: peak.median === 0 ? null : peak.median <= RSS_BUDGET_MIB,
    note: `${note}; ${runs} run(s)`,
  };
}

/** Runs the built CLI and returns its stdout; its peak RSS goes to HWDASH_BENCH_RSS_FILE. */
async function runCli(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', pathToFileURL(RSS_REPORTER).href, CLI_MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`hwdash ${args.join(' ')} exited with ${code}: ${stderr}`);
  return stdout;
}

/** The sandbox's API token (any token is accepted unless an app is registered; this one is set explicitly). */
const TOKEN = 'bench';
/** Generous: the sandbox starts Azurite, which takes seconds on a busy machine. */
const SANDBOX_START_MS = 120_000;

/** `hwdash sandbox` in its own process; resolves once it prints where it listens. */
async function startSandbox(): Promise<{ baseUrl: string; token: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [CLI_MAIN, 'sandbox', '--speed', SPEED, '--token', TOKEN, '--json'], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its log is shown only if it fails to start.
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  // A sandbox that never says where it listens is stopped (which ends the wait below) rather than waited for forever.
  const timer = setTimeout(() => child.kill('SIGKILL'), SANDBOX_START_MS);
  try {
    // `--json` prints one (indented) object: read lines until they parse.
    let text = '';
    for await (const line of createInterface({ input: child.stdout! })) {
      text += line;
      let started: { baseUrl?: string };
      try {
        started = JSON.parse(text) as typeof started;
      } catch {
        continue;
      }
      if (started.baseUrl) return { baseUrl: started.baseUrl, token: TOKEN, stop };
    }
    throw new Error(`hwdash sandbox did not print where it listens: ${log}`);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The sample driver with an incompressible payload beside it, as an attestation cabinet of about `size` bytes. */
async function makePackage(path: string, size: number): Promise<string> {
  const folder = join(ROOT, 'examples', 'sample-driver');
  const entries: CabWriterEntry[] = [];
  for (const name of (await readdir(folder)).sort()) entries.push({ path: `sample-driver/${name}`, bytes: await readFile(join(folder, name)) });
  entries.push({ path: 'sample-driver/payload.bin', bytes: randomBytes(size) });
  await writeCab(path, entries);
  return path;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
