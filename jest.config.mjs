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
  // Jest's ESM mode keeps every test file's module graph alive (jestjs/jest#14605, upstream in Node's vm modules):
  // measured 8 MiB per file on average, 600 MiB by the end of an in-band run. No handle stays open (a worker's event
  // loop is empty the moment it is told to end), but tearing down that heap took 300-420 ms, so on a busy machine a
  // worker overran jest's 500 ms exit budget and was reported as "failed to exit gracefully". Recycling a worker
  // whose heap passed 256 MiB after a file keeps the teardown near 150 ms, at no cost in wall time (3 restarts).
  // The exit budget stays at jest's default, so a real open handle is still reported.
  workerIdleMemoryLimit: '256MB',
};
