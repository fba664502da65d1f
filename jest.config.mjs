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
};
