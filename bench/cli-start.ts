/**
 * CLI cold start: `hwdash --version` and `hwdash --help` as fresh processes, against `node -e 0` (the floor every
 * Node CLI pays). Runs the built CLI (dist/), as installed users do.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { CLI_MAIN, cliBuilt } from './cli.js';
import { round, summarize } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const BENCHMARK = 'CLI cold start';
const COMMANDS: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'hwdash --version': [CLI_MAIN, '--version'],
  'hwdash --help': [CLI_MAIN, '--help'],
};

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  if (!cliBuilt()) {
    return ['hwdash --version', 'hwdash --help'].map((subject) => ({
      benchmark: BENCHMARK,
      subject,
      baseline: 'node -e 0',
      median: 0,
      unit: 'ms',
      spreadPct: 0,
      ratio: null,
      target: '≤ 3×',
      met: null,
      note: 'skipped: CLI not built (npm run build)',
    }));
  }
  const names = Object.keys(COMMANDS);
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const rounds = opts.quick ? 5 : 20;
  for (const name of names) spawn(name); // warm the file cache
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + roundIndex) % names.length]!;
      times[name]!.push(spawn(name));
    }
  }
  const base = summarize(times['node -e 0']!);
  return ['hwdash --version', 'hwdash --help'].map((subject) => {
    const stats = summarize(times[subject]!);
    const ratio = stats.median / base.median;
    return {
      benchmark: BENCHMARK,
      subject,
      baseline: 'node -e 0',
      median: round(stats.median, 1),
      unit: 'ms',
      spreadPct: round(stats.spreadPct, 1),
      ratio: round(ratio),
      target: '≤ 3×',
      met: ratio <= 3,
      note: `wall time of the process; baseline ${round(base.median, 1)} ms ± ${round(base.spreadPct, 1)}%`,
    };
  });
}

function spawn(name: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, COMMANDS[name]!, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${name} exited with ${result.status}: ${result.stderr.toString().slice(0, 500)}`);
  return ms;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
