/**
 * `npm run generate:check`: passes on the committed generated/, and fails when spec/ changes without a regenerate.
 * The failing case runs the real script on a copy of spec/ (a temp dir with node_modules linked), so the
 * repository's own files are never touched.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsxCli = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** One generator run bundles the spec and runs openapi-typescript: a few seconds alone, more on a busy machine. */
const RUN_TIMEOUT_MS = 90_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tsx scripts/generate.ts --check` in `cwd` with the Node running the tests (>= 22). */
function generateCheck(cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsxCli, join(cwd, 'scripts', 'generate.ts'), '--check'], {
      cwd,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('generate:check', () => {
  it('passes: generated/ is up to date with spec/', async () => {
    const run = await generateCheck(root);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('generated/ is up to date (5 files).') });
  }, RUN_TIMEOUT_MS);

  describe('on a copy of the project whose spec changed', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hwdash-generate-'));
      for (const entry of ['spec', 'generated', 'scripts/generate.ts', 'redocly.yaml', 'package.json']) {
        await cp(join(root, entry), join(dir, entry), { recursive: true });
      }
      await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('fails, naming the stale files, after a description edit', async () => {
      const file = join(dir, 'spec', 'paths', 'audiences.yaml');
      const yaml = await readFile(file, 'utf8');
      const edited = yaml.replace('summary: List audiences', 'summary: List the audiences');
      expect(edited).not.toBe(yaml);
      await writeFile(file, edited);

      const run = await generateCheck(dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('generated/ is out of date with spec/');
      expect(run.stderr).toContain('generated/openapi.json');
      expect(run.stderr).toContain('Run `npm run generate`');
      // The edit went to the copy only.
      expect(await readFile(join(root, 'spec', 'paths', 'audiences.yaml'), 'utf8')).toBe(yaml);
    }, RUN_TIMEOUT_MS);

    it('fails when a file in generated/ is not produced by the generator', async () => {
      await writeFile(join(dir, 'generated', 'leftover.ts'), 'export {};\n');
      const run = await generateCheck(dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('generated/leftover.ts (not produced by the generator)');
    }, RUN_TIMEOUT_MS);
  });
});
