/**
 * `npm run check:package`: proves the package that `npm pack` produces works for a consumer.
 *
 * 1. `npm run build`, then `npm pack` into a temporary directory (one tarball for every check below).
 * 2. publint (strict) and @arethetypeswrong/cli (profile esm-only: hwdash is ESM-only, so CommonJS `require`
 *    and node10 resolution are out of scope) on that tarball: zero messages, zero problems.
 * 3. The tarball holds what consumers need (dist/src, dist/generated, generated/openapi.json, README, CHANGELOG,
 *    LICENSE), no tests, and no build output left over from deleted sources.
 * 4. A fresh project installs the tarball (`npm install <tarball>`, cache first), and there:
 *    `import { createHdcClient } from 'hwdash'` type-checks under NodeNext and Bundler resolution and runs a call
 *    against a loopback server; `hwdash/mock` and `hwdash/spec` resolve; `npx hwdash --help` works.
 * 5. Import cost of the client in that project (time and heap against a bare `node`, median of several runs),
 *    and the proof that importing it loads none of the CLI's extras.
 *
 * Exits non-zero when a check failed; prints sizes and costs either way. `--keep` keeps the consumer project.
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { consumerFiles } from '../test/package-consumer/files.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  devDependencies: Record<string, string>;
};

/**
 * Packages that importing the client must not load: the CLI's and the sandbox's extras, and the storage SDK, which
 * the workflow loads on its first blob transfer.
 */
const CLI_EXTRAS = ['cli-progress', 'azurite', 'commander', '@azure/identity', '@azure/storage-blob'];
/** Files every installation needs. */
const REQUIRED_FILES = [
  'package.json',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
  'generated/openapi.json',
  'dist/src/index.js',
  'dist/src/index.d.ts',
  'dist/src/mock/index.js',
  'dist/src/mock/index.d.ts',
  'dist/generated/hdc.d.ts',
  pkg.bin.hwdash!.replace(/^\.\//, ''),
];
const COST_RUNS = 7;

const failures: string[] = [];
function check(ok: boolean, message: string): void {
  console.log(`${ok ? '  ok  ' : '  FAIL'} ${message}`);
  if (!ok) failures.push(message);
}
function step(title: string): void {
  console.log(`\n== ${title}`);
}

async function run(
  file: string,
  args: string[],
  options: ExecFileOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { cwd: root, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', ...options });
    return { code: 0, stdout: String(stdout), stderr: String(stderr) };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: String(failed.stdout ?? ''), stderr: String(failed.stderr ?? failed) };
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

async function build(): Promise<void> {
  step('build');
  const result = await run('npm', ['run', '--silent', 'build']);
  check(result.code === 0, `npm run build${result.code === 0 ? '' : `\n${result.stdout}${result.stderr}`}`);
  if (result.code !== 0) throw new Error('build failed');
}

async function pack(destination: string): Promise<PackResult> {
  step('npm pack');
  const result = await run('npm', ['pack', '--json', '--pack-destination', destination]);
  if (result.code !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
  const [packed] = JSON.parse(result.stdout) as PackResult[];
  if (!packed) throw new Error('npm pack reported no tarball');
  const maps = packed.files.filter((f) => f.path.endsWith('.map'));
  console.log(`  ${packed.filename}: ${kib(packed.size)} packed, ${kib(packed.unpackedSize)} unpacked, ${packed.files.length} files`);
  console.log(`  of which source maps: ${maps.length} files, ${kib(maps.reduce((sum, f) => sum + f.size, 0))} unpacked`);
  return { ...packed, filename: join(destination, packed.filename) };
}

/** Outputs whose source is gone: a stale dist/ that would ship modules nobody maintains. */
function staleOutputs(files: string[]): string[] {
  return files
    .filter((f) => /^dist\/(src|generated)\/.*\.js$/.test(f))
    .filter((f) => !existsSync(join(root, f.replace(/^dist\//, '').replace(/\.js$/, '.ts'))));
}

function checkContents(packed: PackResult): void {
  step('tarball contents');
  const paths = packed.files.map((f) => f.path);
  const missing = REQUIRED_FILES.filter((f) => !paths.includes(f));
  check(missing.length === 0, `holds dist/src, dist/generated, generated/openapi.json, README, CHANGELOG, LICENSE${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`);
  const tests = paths.filter((p) => /(^|\/)(test|tests|__tests__)\/|\.test\.[cm]?[jt]s$/.test(p));
  check(tests.length === 0, `no tests${tests.length ? ` (found: ${tests.slice(0, 5).join(', ')})` : ''}`);
  const sources = paths.filter((p) => /\.ts$/.test(p) && !p.endsWith('.d.ts'));
  check(sources.length === 0, `no TypeScript sources${sources.length ? ` (found: ${sources.slice(0, 5).join(', ')})` : ''}`);
  const stale = staleOutputs(paths);
  check(stale.length === 0, `no stale build output${stale.length ? ` (no source for: ${stale.slice(0, 5).join(', ')}; rm -rf dist && npm run build)` : ''}`);
}

async function lint(tarball: string): Promise<void> {
  step('publint --strict');
  // publint packs the directory itself: only that flow tells files that exist from files that are published.
  const { messages, pkg: packedPkg } = await publint({ pkgDir: root, strict: true, pack: 'npm' });
  for (const message of messages) console.log(`  ${message.type}: ${formatMessage(message, packedPkg)}`);
  check(messages.length === 0, `publint: ${messages.length} messages`);

  step('attw --profile esm-only');
  const attw = await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped'], { env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  console.log(attw.stdout.trimEnd().replace(/^/gm, '  '));
  check(attw.code === 0, `attw: no problems for ESM consumers${attw.code === 0 ? '' : `\n${attw.stderr}`}`);
}

async function consumer(tarball: string): Promise<string> {
  step('consumer project');
  const dir = await mkdtemp(join(tmpdir(), 'hwdash-consumer-'));
  // What a consumer of the client and hwdash/mock installs besides hwdash: Node's types and msw (the test
  // framework hwdash/mock's handlers plug into), at the versions this repository develops against.
  const files = consumerFiles({ '@types/node': pkg.devDependencies['@types/node']!, msw: pkg.devDependencies.msw! });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);

  const started = Date.now();
  const install = await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  check(install.code === 0, `npm install <tarball> (${((Date.now() - started) / 1000).toFixed(1)} s)${install.code === 0 ? '' : `\n${install.stderr}`}`);
  if (install.code !== 0) return dir;
  const du = await run('du', ['-sk', join(dir, 'node_modules')]);
  console.log(`  node_modules of the consumer (hwdash, its dependencies, msw, @types/node): ${mib(Number(du.stdout.split('\t')[0]) * 1024)}`);

  for (const config of ['tsconfig.nodenext.json', 'tsconfig.bundler.json']) {
    const tsc = await run(bin('tsc'), ['-p', config], { cwd: dir });
    check(tsc.code === 0, `import { createHdcClient } from 'hwdash' type-checks (${config})${tsc.code === 0 ? '' : `\n${tsc.stdout}${tsc.stderr}`}`);
  }
  const node = await run(process.execPath, ['consumer.ts'], { cwd: dir });
  check(node.code === 0, `consumer.ts runs: ${node.code === 0 ? node.stdout.trim() : `\n${node.stderr.split('\n').slice(0, 12).join('\n')}`}`);

  const cliPath = join(dir, 'node_modules', pkg.name, pkg.bin.hwdash!);
  if (!existsSync(cliPath)) {
    check(false, `npx hwdash --help: the CLI entry ${pkg.bin.hwdash} is not in the package (not built yet?)`);
  } else {
    const help = await run('npx', ['--no-install', 'hwdash', '--help'], { cwd: dir });
    check(help.code === 0 && /Usage: hwdash/.test(help.stdout), `npx hwdash --help${help.code === 0 ? '' : ` (exit ${help.code}): ${help.stderr.split('\n').slice(0, 5).join(' | ')}`}`);
    const version = await run('npx', ['--no-install', 'hwdash', '--version'], { cwd: dir });
    check(version.stdout.trim() === pkg.version, `npx hwdash --version prints ${pkg.version} (got "${version.stdout.trim()}")`);
  }
  return dir;
}

async function importCost(dir: string): Promise<void> {
  step(`import cost of the client (median of ${COST_RUNS} runs, in the consumer project)`);
  const loaded = await run(process.execPath, ['loaded-packages.mjs'], { cwd: dir });
  const packages = loaded.code === 0 ? (JSON.parse(loaded.stdout) as string[]) : [];
  check(loaded.code === 0, `import('hwdash') loads ${packages.length} packages: ${packages.join(', ')}${loaded.code === 0 ? '' : loaded.stderr}`);
  const extras = packages.filter((p) => CLI_EXTRAS.includes(p));
  check(extras.length === 0, `import('hwdash') loads none of ${CLI_EXTRAS.join(', ')}${extras.length ? ` (loaded: ${extras.join(', ')})` : ''}`);

  type Sample = { wallMs: number; importMs: number; heapUsed: number; rss: number };
  const sample = async (args: string[]): Promise<Sample> => {
    const started = performance.now();
    const result = await run(process.execPath, ['--expose-gc', 'import-cost.mjs', ...args], { cwd: dir });
    const wallMs = performance.now() - started;
    if (result.code !== 0) throw new Error(`import-cost.mjs ${args.join(' ')} failed: ${result.stderr}`);
    return { wallMs, ...(JSON.parse(result.stdout) as Omit<Sample, 'wallMs'>) };
  };
  // The heaviest dependency on its own, to tell its share from hwdash's own modules.
  const subjects = { bare: [], hwdash: ['hwdash'], storageBlob: ['@azure/storage-blob'] } satisfies Record<string, string[]>;
  const samples: Record<keyof typeof subjects, Sample[]> = { bare: [], hwdash: [], storageBlob: [] };
  // Interleaved so that a busy machine slows every subject alike.
  for (let i = 0; i < COST_RUNS; i++) {
    for (const [name, args] of Object.entries(subjects)) samples[name as keyof typeof subjects].push(await sample(args));
  }
  const m = (name: keyof typeof subjects, key: keyof Sample): number => median(samples[name].map((s) => s[key]));
  console.log(`  node (no import):     process ${m('bare', 'wallMs').toFixed(0)} ms, heap ${mib(m('bare', 'heapUsed'))}, rss ${mib(m('bare', 'rss'))}`);
  console.log(`  node + import hwdash: process ${m('hwdash', 'wallMs').toFixed(0)} ms, heap ${mib(m('hwdash', 'heapUsed'))}, rss ${mib(m('hwdash', 'rss'))}`);
  console.log(
    `  cost of import('hwdash'): ${m('hwdash', 'importMs').toFixed(0)} ms in-process, +${(m('hwdash', 'wallMs') - m('bare', 'wallMs')).toFixed(0)} ms process time, ` +
      `+${mib(m('hwdash', 'heapUsed') - m('bare', 'heapUsed'))} heap after GC, +${mib(m('hwdash', 'rss') - m('bare', 'rss'))} rss`,
  );
  console.log(
    `  of which @azure/storage-blob alone: ${m('storageBlob', 'importMs').toFixed(0)} ms in-process, ` +
      `+${mib(m('storageBlob', 'heapUsed') - m('bare', 'heapUsed'))} heap after GC`,
  );
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'hwdash-pack-'));
  let consumerDir: string | undefined;
  try {
    await build();
    const packed = await pack(work);
    console.log(`  tarball on disk: ${kib((await stat(packed.filename)).size)}`);
    checkContents(packed);
    await lint(packed.filename);
    consumerDir = await consumer(packed.filename);
    if (existsSync(join(consumerDir, 'node_modules', pkg.name))) await importCost(consumerDir);
  } finally {
    await rm(work, { recursive: true, force: true });
    if (consumerDir && process.argv.includes('--keep')) console.log(`\nconsumer project kept in ${consumerDir}`);
    else if (consumerDir) await rm(consumerDir, { recursive: true, force: true });
  }
  console.log(failures.length ? `\n${failures.length} package check(s) failed.` : '\nAll package checks passed.');
  if (failures.length) process.exitCode = 1;
}

await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
