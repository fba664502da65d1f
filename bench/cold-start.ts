/**
 * Cold start, as fresh processes: `import('hwdash')` (the library, as a consumer loads it through the package's
 * exports) and the CLI (`hwdash --version`, `hwdash --help`) against `node -e 0`, the floor every Node program pays.
 *
 * Measured in CPU time of the whole process (user + system, children of a `bash -c` that reports `times`), which a
 * busy machine does not inflate the way it inflates wall time; in paired rounds. Both sides run under the same
 * compile-cache conditions: the deciding rows with no compile cache anywhere (`NODE_DISABLE_COMPILE_CACHE=1`, which
 * also turns off the one the CLI enables for itself), and, for context, with a warm cache in a fresh directory
 * (`NODE_COMPILE_CACHE`). Runs the built package (dist/), as installed users do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_MAIN, cliBuilt, ROOT } from './cli.js';
import { pairedRatio, round, summarize } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const BASELINE = 'node -e 0';
const COMMANDS: Record<string, string[]> = {
  [BASELINE]: ['-e', '0'],
  "import('hwdash')": ['--input-type=module', '-e', "await import('hwdash')"],
  'hwdash --version': [CLI_MAIN, '--version'],
  'hwdash --help': [CLI_MAIN, '--help'],
};
const TARGETS: Record<string, { target: string; limit: number | null }> = {
  "import('hwdash')": { target: '≤ 2×', limit: 2 },
  'hwdash --version': { target: 'report', limit: null },
  'hwdash --help': { target: 'report', limit: null },
};

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  if (!cliBuilt()) {
    return Object.keys(TARGETS).map((subject) => ({ ...skipped(subject), note: 'skipped: not built (npm run build)' }));
  }
  const rounds = opts.quick ? 5 : 25;
  const rows = conditionRows('no compile cache', { NODE_DISABLE_COMPILE_CACHE: '1' }, rounds, true);
  if (!opts.quick) {
    const cacheDir = mkdtempSync(join(tmpdir(), 'hwdash-bench-cache-'));
    try {
      rows.push(...conditionRows('warm compile cache', { NODE_COMPILE_CACHE: cacheDir }, rounds, false));
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  return rows;
}

function conditionRows(condition: string, env: Record<string, string>, rounds: number, deciding: boolean): BenchRow[] {
  const names = Object.keys(COMMANDS);
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const wall: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) measure(name, env); // warms the file cache (and, with a cache directory, fills it)
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + roundIndex) % names.length]!;
      const { cpuMs, wallMs } = measure(name, env);
      cpu[name]!.push(cpuMs);
      wall[name]!.push(wallMs);
    }
  }
  const base = summarize(cpu[BASELINE]!);
  return Object.keys(TARGETS).map((subject) => {
    const stats = summarize(cpu[subject]!);
    const ratio = pairedRatio(cpu[subject]!, cpu[BASELINE]!);
    const { target, limit } = deciding ? TARGETS[subject]! : { target: 'context', limit: null };
    return {
      benchmark: `cold start, ${condition}`,
      subject,
      baseline: BASELINE,
      median: round(stats.median, 0),
      unit: 'ms',
      spreadPct: round(stats.spreadPct, 1),
      ratio: round(ratio.median),
      ratioSpreadPct: round(ratio.spreadPct, 1),
      target,
      met: limit === null ? null : ratio.median <= limit,
      note: `CPU time of the process; baseline ${round(base.median, 0)} ms ± ${round(base.spreadPct, 1)}%; wall ${round(summarize(wall[subject]!).median, 0)} vs ${round(summarize(wall[BASELINE]!).median, 0)} ms`,
    };
  });
}

/** CPU (user + system) and wall time of one process, from bash's `times` for its finished children. */
function measure(name: string, env: Record<string, string>): { cpuMs: number; wallMs: number } {
  const command = [process.execPath, ...COMMANDS[name]!].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of ['NODE_OPTIONS', 'NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE']) if (!(key in env)) delete childEnv[key];
  const start = performance.now();
  const result = spawnSync('bash', ['-c', `${command} >/dev/null || exit 1; times`], { cwd: ROOT, encoding: 'utf8', env: childEnv });
  const wallMs = performance.now() - start;
  if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr.slice(0, 500)}`);
  // `times` prints the shell's own times, then its children's: "0m0.041s 0m0.012s".
  const children = result.stdout.trim().split('\n').pop()!.split(/\s+/).map(seconds);
  return { cpuMs: (children[0]! + children[1]!) * 1000, wallMs };
}

function seconds(text: string): number {
  const match = /^(\d+)m([\d.]+)s$/.exec(text);
  if (!match) throw new Error(`unexpected output of times: ${text}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function skipped(subject: string): BenchRow {
  return { benchmark: 'cold start', subject, baseline: BASELINE, median: 0, unit: 'ms', spreadPct: 0, ratio: null, target: TARGETS[subject]!.target, met: null };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
