/**
 * `--help` of every command, `--version`, and the failures that happen before any request: usage errors (exit 1)
 * and missing credentials (exit 2). No server is needed for any of these.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { assertBuilt, ROOT, runCli } from './support.js';

const COMMANDS: string[][] = [
  [],
  ['product'],
  ['product', 'list'],
  ['product', 'get'],
  ['product', 'create'],
  ['product', 'update'],
  ['submission'],
  ['submission', 'list'],
  ['submission', 'get'],
  ['submission', 'create'],
  ['submission', 'update'],
  ['submission', 'upload'],
  ['submission', 'commit'],
  ['submission', 'wait'],
  ['submission', 'download'],
  ['submission', 'metadata'],
  ['shipping-label'],
  ['shipping-label', 'list'],
  ['shipping-label', 'get'],
  ['shipping-label', 'create'],
  ['shipping-label', 'update'],
  ['shipping-label', 'cancel'],
  ['shipping-label', 'wait'],
  ['audience'],
  ['audience', 'list'],
  ['preprod'],
  ['preprod', 'submit'],
  ['preprod', 'status'],
  ['preprod', 'download'],
  ['preprod', 'wait'],
  ['partner-submission'],
  ['partner-submission', 'get'],
  ['partner-submission', 'translate'],
  ['reference'],
  ['reference', 'os-codes'],
  ['reference', 'os-families'],
  ['reference', 'product-types'],
  ['reference', 'windows-releases'],
  ['submit'],
  ['doctor'],
  ['sandbox'],
];

/** Runs the help commands a few at a time: each is a node start-up, and the machine has two cores. */
async function inBatches<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}

describe('hwdash --help', () => {
  beforeAll(assertBuilt);

  it('every command and subcommand has help with examples, on stdout, exit 0', async () => {
    const runs = await inBatches(COMMANDS, 4, (command) => runCli([...command, '--help']));
    runs.forEach((run, index) => {
      const command = COMMANDS[index]!.join(' ') || '(root)';
      expect({ command, code: run.code, stderr: run.stderr }).toEqual({ command, code: 0, stderr: '' });
      expect(run.stdout).toContain(`Usage: hwdash${COMMANDS[index]!.length ? ` ${COMMANDS[index]!.join(' ')}` : ''}`);
      expect({ command, hasExamples: run.stdout.includes('Examples:\n  $ hwdash') }).toEqual({ command, hasExamples: true });
    });
    // The root help documents the exit codes and the credentials.
    expect(runs[0]!.stdout).toContain('7 workflow failed, 8 I/O, 9 cancelled');
    expect(runs[0]!.stdout).toContain('AZURE_CLIENT_SECRET');
    expect(runs[0]!.stdout).toContain('HWDASH_TOKEN');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await runCli(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});

describe('usage errors exit with 1 before anything is sent', () => {
  beforeAll(assertBuilt);

  it.each([
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a command group without its subcommand', ['product'], /Usage: hwdash product/],
    ['a missing argument', ['submission', 'get', '14631253285588838'], /missing required argument 'submissionId'/],
    ['an ID that is not digits', ['product', 'get', '1.5e17'], /IDs are decimal digits only/],
    ['a bad option value', ['submission', 'download', '1', '2', '--type', 'signedpackag'], /"signedpackag" is not a download item/],
    ['--sandbox with --base-url', ['product', 'list', '--sandbox', '--base-url', 'http://127.0.0.1:9/v2.0/my/hardware'], /--sandbox and --base-url cannot be used together/],
    ['a plain-http base URL that is not loopback', ['product', 'list', '--base-url', 'http://example.com/v2.0/my/hardware'], /--base-url: .*plain http/],
    ['a missing input file', ['product', 'create', 'no-such-product.json'], /input file not found: no-such-product.json/],
  ])('%s', async (_name, args, message) => {
    const run = await runCli(args, { env: { HWDASH_TOKEN: 'not-used-token' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});

describe('a package that is not there', () => {
  beforeAll(assertBuilt);

  it('exits with 8 (local I/O), names the file, and sends nothing', async () => {
    const run = await runCli(['submit', 'no-such-driver.cab', '--base-url', 'http://127.0.0.1:9/v2.0/my/hardware'], {
      env: { HWDASH_TOKEN: 'not-used-token' },
    });
    expect(run.code).toBe(8);
    expect(run.stderr).toContain('no-such-driver.cab');
    expect(run.stderr).toMatch(/file-exists/);
    expect(run.stdout).toBe('');
  });
});

describe('no credentials', () => {
  beforeAll(assertBuilt);

  it('exits with 2 and says which variables to set', async () => {
    const run = await runCli(['product', 'list', '--base-url', 'http://127.0.0.1:9/v2.0/my/hardware']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: no credentials found.');
    expect(run.stderr).toContain('AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET');
    expect(run.stderr).toContain('HWDASH_TOKEN');
    expect(run.stdout).toBe('');
  });

  it('--json reports the error as JSON on stderr, stdout stays empty', async () => {
    const run = await runCli(['product', 'list', '--json', '--base-url', 'http://127.0.0.1:9/v2.0/my/hardware']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const error = JSON.parse(run.stderr) as { error: { name: string; code: string; exitCode: number } };
    expect(error.error).toMatchObject({ name: 'AuthenticationError', code: 'NoCredentials', exitCode: 2 });
  });
});
