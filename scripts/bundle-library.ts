/**
 * Part of `npm run build`: bundles the library entry (dist/src/index.js, which `import('hwdash')` loads) into one file,
 * over tsc's output. Node's ESM loader costs about a millisecond per module on a busy machine (resolving, reading,
 * linking), and the entry's graph is about 80 modules: one file makes `import('hwdash')` cost a fraction of that.
 * Dependencies stay external, and so do the storage SDK's and the other lazy imports of packages. The other entries
 * (`hwdash/mock`, the CLI) keep tsc's per-file output; they share no classes with a consumer's code (the mock uses the
 * client's vocabulary, JSON and redaction helpers only).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/src/index.js', import.meta.url));

await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  packages: 'external',
  // Maps to the TypeScript sources through tsc's own maps (not shipped: the package excludes *.map).
  sourcemap: true,
  logLevel: 'warning',
});
