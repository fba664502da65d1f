import { createDefaultEsmPreset } from 'ts-jest';

// ESM TypeScript: ts-jest's ESM preset, `.js` import specifiers mapped back to the `.ts` sources,
// and `NODE_OPTIONS=--experimental-vm-modules` (set by `npm test`). Type checking is `tsc --noEmit`'s job,
// so ts-jest only transpiles (tsconfig's isolatedModules), which keeps the suite fast on 2 cores.
const preset = createDefaultEsmPreset({ tsconfig: 'tsconfig.json' });

/** @type {import('jest').Config} */
export default {
  ...preset,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // A bound against hangs only, never a measure of speed: the suite must pass on an oversubscribed machine, where a
  // test that spawns a dozen CLI processes can take many minutes.
  testTimeout: 20 * 60_000,
  maxWorkers: 2,
  // How long a worker may take to end once the run is over. No handle stays open: a worker's event loop is empty
  // 0-1 ms after jest tells it to end. But jest's ESM mode keeps every test file's modules alive (jestjs/jest#14605),
  // and Node then frees that heap (300-500 MiB) mapping by mapping: 300-420 ms on a quiet machine, seconds on a
  // busy one. jest's default of 500 ms is a fixed clock, so it force-killed the worker and reported that it "failed
  // to exit gracefully". A worker that really leaks a handle never ends, and is still reported, after this bound.
  workerGracefulExitTimeout: 20_000,
};
