/**
 * Builds the GitHub Action's bundle, dist-action/index.js: src/action/index.ts and everything it imports (hwdash's
 * client and workflow, @azure/identity, @azure/storage-blob, …) in one ES module file, which the runner starts with
 * `node` and no `npm install` (action.yml: `runs.using: node24`). The bundle is committed.
 *
 *   npm run build:action            rebuild dist-action/index.js
 *   npm run build:action -- --check fail (exit 1) when the committed bundle differs from what src/ builds (CI runs it)
 *
 * esbuild's output depends only on its version and the inputs, so the check is exact; esbuild is pinned in
 * package.json for that reason.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(ROOT, 'dist-action', 'index.js');

/** Builds the bundle to `outfile`. */
export async function buildActionBundle(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(ROOT, 'src', 'action', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    // Dependencies written as CommonJS call require() for Node's own modules; an ES module has no require of its own.
    banner: { js: "import { createRequire as __hwdashCreateRequire } from 'node:module'; const require = __hwdashCreateRequire(import.meta.url);" },
    // The bundled packages' license notices stay in the file, at its end.
    legalComments: 'eof',
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
}

const check = process.argv.includes('--check');
if (check) {
  const dir = await mkdtemp(join(tmpdir(), 'hwdash-action-'));
  try {
    const fresh = join(dir, 'index.js');
    await buildActionBundle(fresh);
    const [built, committed] = await Promise.all([readFile(fresh), readFile(BUNDLE).catch(() => undefined)]);
    if (!committed || !built.equals(committed)) {
      process.stderr.write(`${relative(ROOT, BUNDLE)} is ${committed ? 'stale: it differs from what src/ builds' : 'missing'}. Run \`npm run build:action\` and commit it.\n`);
      process.exit(1);
    }
    process.stdout.write(`${relative(ROOT, BUNDLE)} is up to date (${built.length} bytes).\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
} else {
  await buildActionBundle(BUNDLE);
  process.stdout.write(`${relative(ROOT, BUNDLE)}: ${(await stat(BUNDLE)).size} bytes\n`);
}
