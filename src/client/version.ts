import { createRequire } from 'node:module';

/** hwdash's version, from its package.json (read once; works from src/ under jest and from dist/). */
export const VERSION: string = (() => {
  const require = createRequire(import.meta.url);
  // src/client (jest), dist/src/client (the package), dist-action (the action's bundle).
  for (const candidate of ['../../package.json', '../../../package.json', '../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'hwdash' && pkg.version) return pkg.version;
    } catch {
      // try the next layout
    }
  }
  return '0.0.0';
})();
