/**
 * Running the built `hwdash` binary as a user does: a child process with its own environment, stdout and stderr
 * captured, exit code returned. `npm test` builds first (pretest); run `npm run build` before running these alone.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/** A config folder that does not exist: no profiles. */
export const NO_CONFIG_HOME = join(tmpdir(), 'hwdash-tests-no-config-home');

/** A recognisable access token: no output may ever contain it. */
export const TOKEN = 'hwdash-cli-test-token-5f0c1e9a7d3b4c2a';

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the CLI tests (\`npm test\` does).`);
}

/** The environment of a clean machine: no credentials, no CI marker, no jest flags leaking into the child. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(AZURE_|HWDASH_|IDENTITY_|MSI_)/.test(name) || name === 'CI' || name === 'NODE_OPTIONS' || name.startsWith('JEST')) continue;
    env[name] = value;
  }
  // No profile of the machine's own config file may sign a test in: the config folder is an empty one unless a test sets it.
  return { ...env, NO_COLOR: '1', XDG_CONFIG_HOME: NO_CONFIG_HOME, ...extra };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
}

export function startCli(args: string[], options: RunOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env) });
}

/** Collects a running CLI's output until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<CliRun> & { output: () => { stdout: string; stderr: string } } {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(done, { output: () => ({ stdout, stderr }) });
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  return finished(startCli(args, options));
}

/** Resolves once `pattern` appears in the child's stdout or stderr. */
export function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${pattern}; output so far:\n${seen}`));
    }, timeoutMs);
    const onData = (chunk: Buffer | string): void => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        cleanup();
        resolve(match[0]);
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error(`the CLI exited before printing ${pattern}; output:\n${seen}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('close', onClose);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', onClose);
  });
}

/** A valid NewProduct body for create commands. */
export const PRODUCT = {
  productName: 'Contoso CLI test device',
  testHarness: 'Attestation',
  deviceType: 'internal',
  announcementDate: '2025-12-01T00:00:00Z',
  selectedProductTypes: { Windows_v100: 'Unclassified' },
  requestedSignatures: ['WINDOWS_v100_X64_VB_FULL'],
};
