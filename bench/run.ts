/**
 * `npm run bench`: runs every benchmark, prints one table and writes bench/results.json.
 *
 *   npm run bench [-- --quick] [--no-write] [--only <name>]
 *
 * --quick uses smaller sizes and fewer rounds (under a minute on 2 cores; CI runs it to keep the benchmarks
 * working, without asserting on timings). A full run first rebuilds dist/, so that the CLI rows measure the current
 * code. Every figure is a ratio against a baseline measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { run as callLoopback } from './call-loopback.js';
import { run as callStub } from './call-stub.js';
import { ROOT } from './cli.js';
import { run as cliStart } from './cli-start.js';
import { run as download } from './download.js';
import { run as json } from './json.js';
import { run as submit } from './submit.js';
import type { Benchmark, BenchRow } from './types.js';
import { run as upload } from './upload.js';

const BENCHMARKS: Record<string, Benchmark> = {
  'call-stub': callStub,
  'call-loopback': callLoopback,
  json,
  upload,
  download,
  'cli-start': cliStart,
  submit,
};

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false }, only: { type: 'string' } },
});
const quick = values.quick!;
if (values.only !== undefined && !(values.only in BENCHMARKS)) {
  process.stderr.write(`unknown benchmark ${JSON.stringify(values.only)}; one of: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}
const selected = values.only === undefined ? Object.keys(BENCHMARKS) : [values.only];

if (!quick && selected.some((name) => name === 'cli-start' || name === 'submit')) {
  process.stderr.write('building dist/ for the CLI rows...\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

const started = Date.now();
const rows: BenchRow[] = [];
for (const name of selected) {
  process.stderr.write(`${name}...`);
  const start = Date.now();
  const produced = await BENCHMARKS[name]!({ quick });
  rows.push(...produced);
  process.stderr.write(` ${((Date.now() - start) / 1000).toFixed(1)} s\n`);
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};
process.stdout.write(`\n${formatTable(rows)}\n\n${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; ${quick ? 'quick run' : 'full run'} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

if (!values['no-write']) {
  const path = fileURLToPath(new URL('./results.json', import.meta.url));
  await writeFile(path, `${JSON.stringify({ date: new Date().toISOString(), quick, machine, rows }, null, 2)}\n`);
  process.stderr.write(`wrote ${path}\n`);
}

/** A Markdown table: the same text reads in a terminal and pastes into the README. */
function formatTable(list: BenchRow[]): string {
  const header = ['benchmark', 'subject', 'baseline', 'median', '± (MAD)', 'ratio', 'target', 'met', 'note'];
  const lines = list.map((row) => [
    row.benchmark,
    row.subject,
    row.baseline ?? '–',
    `${row.median} ${row.unit}`,
    `${row.spreadPct}%`,
    row.ratio === null ? '–' : `${row.ratio.toFixed(2)}×`,
    row.target,
    row.met === null ? '–' : row.met ? 'yes' : '**no**',
    row.note ?? '',
  ]);
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
}
