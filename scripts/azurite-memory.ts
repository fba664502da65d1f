/**
 * How much memory the sandbox's Azurite holds while a sandbox runs for long: three `hwdash submit` runs of a large
 * package (320 MiB by default) against one sandbox, with Azurite's resident set (VmRSS) and peak (VmHWM) read from
 * /proc after each run. Linux only; needs the built CLI (`npm run build`).
 *
 *   npx tsx scripts/azurite-memory.ts [--mib 320] [--runs 3] [--speed 100000] [--persistence disk|memory]
 *
 * `--persistence memory` runs the sandbox on an in-memory Azurite, as it was before its blobs moved to disk.
 * Prints one line per run, and a JSON summary on stdout.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startAzurite } from '../src/mock/azurite.js';
import { startSandbox } from '../src/mock/sandbox/index.js';
import { writeCab, type CabWriterEntry } from '../test/support/cab-writer.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MIB = 1024 * 1024;

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '320' },
    runs: { type: 'string', default: '3' },
    speed: { type: 'string', default: '100000' },
    persistence: { type: 'string', default: 'disk' },
  },
});
if (values.persistence !== 'disk' && values.persistence !== 'memory') throw new Error('--persistence is disk or memory');
const payloadMib = Number(values.mib);
const runs = Number(values.runs);

/** VmRSS and VmHWM of a process, in MiB. */
async function memoryOf(pid: number): Promise<{ rssMib: number; peakMib: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMib: Math.round(kib('VmRSS') / 1024), peakMib: Math.round(kib('VmHWM') / 1024) };
}

async function buildPackage(path: string): Promise<void> {
  const folder = join(ROOT, 'examples', 'sample-driver');
  const entries: CabWriterEntry[] = [];
  for (const name of (await readdir(folder)).sort()) entries.push({ path: `sample-driver/${name}`, bytes: await readFile(join(folder, name)) });
  // Incompressible, so neither the cabinet nor the signed zip gets smaller than the payload.
  entries.push({ path: 'sample-driver/payload.bin', bytes: randomBytes(payloadMib * MIB) });
  await writeCab(path, entries);
}

const work = await mkdtemp(join(tmpdir(), 'hwdash-azurite-memory-'));
const memoryAzurite = values.persistence === 'memory' ? await startAzurite({ persistence: 'memory' }) : undefined;
const sandbox = await startSandbox({ speed: Number(values.speed), ...(memoryAzurite ? { azurite: memoryAzurite } : {}) });
try {
  const pkg = join(work, 'large.cab');
  await buildPackage(pkg);
  const pid = sandbox.azurite.pid;
  const rows: { run: number; rssMib: number; peakMib: number; seconds: number }[] = [];
  process.stderr.write(`Azurite pid ${pid} after start: ${JSON.stringify(await memoryOf(pid))}\n`);
  for (let run = 1; run <= runs; run += 1) {
    const started = Date.now();
    const out = join(work, `out-${run}`);
    await promisify(execFile)(process.execPath, [CLI, 'submit', pkg, '--out', out, '--no-state', '--json', '--quiet'], {
      cwd: ROOT,
      env: { ...process.env, HWDASH_BASE_URL: sandbox.baseUrl, HWDASH_TOKEN: 'sandbox' },
      maxBuffer: 16 * MIB,
    });
    await rm(out, { recursive: true, force: true });
    const row = { run, ...(await memoryOf(pid)), seconds: Math.round((Date.now() - started) / 100) / 10 };
    rows.push(row);
    process.stderr.write(`after submit ${run} of ${payloadMib} MiB: Azurite RSS ${row.rssMib} MiB, peak ${row.peakMib} MiB (${row.seconds} s)\n`);
  }
  process.stdout.write(`${JSON.stringify({ persistence: values.persistence, payloadMib, runs: rows }, null, 2)}\n`);
} finally {
  await sandbox.stop();
  await memoryAzurite?.stop();
  await rm(work, { recursive: true, force: true });
}
