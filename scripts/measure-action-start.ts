/**
 * The action bundle's start time: from spawning `node dist-action/index.js` (as the runner does) to its first line on
 * stdout, median of N runs (default 15), next to `node -e 0` for the machine's own floor. Also the bundle's size.
 *
 *   npm run build:action && npx tsx scripts/measure-action-start.ts [--runs 15]
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'dist-action', 'index.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });

/** Milliseconds from spawn to the first stdout byte (or to exit, for a process that prints nothing). */
function firstLine(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolveTime, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolveTime(Number(process.hrtime.bigint() - started) / 1e6);
    };
    child.stdout.once('data', finish);
    child.on('close', finish);
    child.on('error', reject);
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// A token input and a package that is not there: the first line is the token's ::add-mask::, after the bundle has
// loaded and read its inputs; no network is touched.
const env = { PATH: process.env.PATH, INPUT_PACKAGE: join(ROOT, 'no-such-package.cab'), INPUT_TOKEN: 'hwdash-start-time-token', 'INPUT_BASE-URL': 'http://127.0.0.1:9/v2.0/my/hardware', GITHUB_OUTPUT: '', GITHUB_STEP_SUMMARY: '' };
const runs = Number(values.runs);
const bundle: number[] = [];
const floor: number[] = [];
for (let round = 0; round < runs; round++) {
  // Interleaved, so that load on a shared machine hits both alike.
  bundle.push(await firstLine([BUNDLE], env));
  floor.push(await firstLine(['-e', 'console.log(0)'], env));
}
const size = (await stat(BUNDLE)).size;
process.stdout.write(
  `dist-action/index.js: ${size} bytes (${(size / 1024 / 1024).toFixed(2)} MiB)\n` +
    `start to first line, median of ${runs}: bundle ${median(bundle).toFixed(1)} ms, node -e 'console.log(0)' ${median(floor).toFixed(1)} ms (node ${process.versions.node})\n`,
);
