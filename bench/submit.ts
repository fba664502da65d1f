/**
 * Sandbox end-to-end: `hwdash submit <10 MiB package> --sandbox` at the sandbox's full clock speed, from process
 * start to the signed package on disk: preflight, product, submission, upload, commit, waiting, downloads.
 * Reports seconds; there is no baseline.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { writeCab, type CabWriterEntry } from '../test/support/cab-writer.js';
import { TMP } from './blob-support.js';
import { CLI_MAIN, cliBuilt, ROOT } from './cli.js';
import { MIB, round, summarize } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const BENCHMARK = 'sandbox submit, 10 MiB package';
/** Sandbox seconds per real second: the simulated hour of ingestion and signing passes in well under a second. */
const SPEED = '100000';

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  if (!cliBuilt()) {
    return [row({ median: 0, spreadPct: 0 }, 'skipped: CLI not built (npm run build)')];
  }
  const pkg = await makePackage(join(TMP, 'submit-10mib.cab'));
  const out = join(TMP, 'submit-out');
  try {
    const seconds: number[] = [];
    for (let k = 0; k < (opts.quick ? 1 : 3); k++) {
      await rm(out, { recursive: true, force: true });
      const start = performance.now();
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [CLI_MAIN, 'submit', pkg, '--sandbox', '--sandbox-speed', SPEED, '--out', out, '--json'],
        { cwd: ROOT, maxBuffer: 1024 * 1024 },
      );
      seconds.push((performance.now() - start) / 1000);
      const result = JSON.parse(stdout) as { signedPackagePath?: string };
      if (!result.signedPackagePath) throw new Error(`hwdash submit printed no signed package: ${stdout.slice(0, 300)}`);
    }
    return [row(summarize(seconds), `hwdash submit --sandbox --sandbox-speed ${SPEED} (built CLI), ${seconds.length} run(s)`)];
  } finally {
    await rm(out, { recursive: true, force: true });
    await rm(pkg, { force: true });
  }
}

function row(stats: { median: number; spreadPct: number }, note: string): BenchRow {
  return {
    benchmark: BENCHMARK,
    subject: 'hwdash submit --sandbox',
    baseline: null,
    median: round(stats.median, 2),
    unit: 's',
    spreadPct: round(stats.spreadPct, 1),
    ratio: null,
    target: 'report (demo < 30 s)',
    met: stats.median === 0 ? null : stats.median < 30,
    note,
  };
}

/** The sample driver with a 10 MiB incompressible payload beside it, as an attestation cabinet. */
async function makePackage(path: string): Promise<string> {
  const folder = join(ROOT, 'examples', 'sample-driver');
  const entries: CabWriterEntry[] = [];
  for (const name of (await readdir(folder)).sort()) entries.push({ path: `sample-driver/${name}`, bytes: await readFile(join(folder, name)) });
  entries.push({ path: 'sample-driver/payload.bin', bytes: randomBytes(10 * MIB) });
  await writeCab(path, entries);
  return path;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
