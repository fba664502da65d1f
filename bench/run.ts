/**
 * `npm run bench`: runs every benchmark, prints the README's table (with the machine and Node version) and writes
 * bench/results.json.
 *
 *   npm run bench [-- --quick] [--no-write] [--only <name>[,<name>...]]
 *
 * Every row compares hwdash with the best-configured alternative measured in the same run, in paired rounds (see
 * stats.ts). --quick uses smaller sizes and fewer rounds (well under two minutes on 2 cores; CI runs it to keep the
 * benchmarks working, without asserting on timings). A full run first rebuilds dist/, so that the cold-start and CLI
 * rows measure the current code.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { run as callLoopback } from './call-loopback.js';
import { run as callStub } from './call-stub.js';
import { ROOT } from './cli.js';
import { run as coldStart } from './cold-start.js';
import { run as download } from './download.js';
import { run as json } from './json.js';
import { run as submit } from './submit.js';
import type { Benchmark, BenchRow } from './types.js';
import { run as upload } from './upload.js';

const BENCHMARKS: Record<string, Benchmark> = {
  'call-stub': callStub,
  'call-loopback': callLoopback,
  json,
  'cold-start': coldStart,
  upload,
  download,
  submit,
};

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false }, only: { type: 'string' } },
});
const quick = values.quick!;
const selected = values.only === undefined ? Object.keys(BENCHMARKS) : values.only.split(',');
const unknown = selected.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${JSON.stringify(unknown.join(','))}; choose from: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}

if (!quick && selected.some((name) => name === 'cold-start' || name === 'submit')) {
  process.stderr.write('building dist/ for the cold-start and CLI rows...\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

const started = Date.now();
const loadBefore = loadavg()[0]!;
const rows: BenchRow[] = [];
const seconds: Record<string, number> = {};
const crashed: string[] = [];
for (const name of selected) {
  process.stderr.write(`${name}...`);
  const start = Date.now();
  try {
    rows.push(...(await BENCHMARKS[name]!({ quick })));
  } catch (error) {
    // One broken benchmark must not lose the others' rows: it is reported, and the run exits non-zero.
    crashed.push(name);
    process.stderr.write(` failed: ${(error as Error).stack ?? String(error)}\n`);
  }
  seconds[name] = Math.round((Date.now() - start) / 100) / 10;
  process.stderr.write(` ${seconds[name]} s\n`);
}

const machine = {
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  /** One-minute load average before and after the run: how shared the machine was. */
  load: [Math.round(loadBefore * 10) / 10, Math.round(loadavg()[0]! * 10) / 10],
};
const total = Math.round((Date.now() - started) / 1000);
process.stdout.write(
  `\n${formatTable(rows)}\n\n${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}; ` +
    `${quick ? 'quick run' : 'full run'} in ${total} s; load average ${machine.load[0]} before, ${machine.load[1]} after\n`,
);
const failed = rows.filter((row) => row.met === false);
if (failed.length > 0) process.stdout.write(`targets not met: ${failed.map((row) => `${row.benchmark} (${row.subject} vs ${row.baseline})`).join('; ')}\n`);

if (crashed.length > 0) process.stdout.write(`benchmarks that failed to run: ${crashed.join(', ')}\n`);

if (!values['no-write']) {
  const path = fileURLToPath(new URL('./results.json', import.meta.url));
  await writeFile(path, `${JSON.stringify({ date: new Date().toISOString(), quick, machine, seconds, rows }, null, 2)}\n`);
  process.stderr.write(`wrote ${path}\n`);
}
if (crashed.length > 0) process.exitCode = 1;

/** A Markdown table: the same text reads in a terminal and pastes into the README. */
function formatTable(list: BenchRow[]): string {
  const header = ['benchmark', 'subject', 'baseline', 'median', '± (MAD)', 'ratio ± (MAD)', 'target', 'met', 'note'];
  const lines = list.map((row) => [
    row.benchmark,
    row.subject,
    row.baseline ?? '–',
    `${row.median} ${row.unit}`,
    `${row.spreadPct}%`,
    row.ratio === null ? '–' : `${row.ratio.toFixed(2)}×${row.ratioSpreadPct === undefined ? '' : ` ± ${row.ratioSpreadPct}%`}`,
    row.target,
    row.met === null ? '–' : row.met ? 'yes' : '**no**',
    row.note ?? '',
  ]);
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((cells) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');
}
