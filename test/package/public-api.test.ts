import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as hwdash from '../../src/index.js';
import type { DriverMetadata, DriverMetadataInf, DriverVerRule, PreflightProblem } from '../../src/index.js';
import { CORPUS } from '../support/inf-corpus.js';

describe('the public entry point', () => {
  it('exports the driver package layer: metadata derivation, preflight, INF reading and the DriverVer rules', async () => {
    for (const name of ['driverMetadataFromPackage', 'driverMetadataFromInfs', 'packageBundleId', 'preflightPackage', 'readDriverInf', 'readDriverVer', 'infKind', 'PackageFormatError'] as const) {
      expect(typeof hwdash[name]).toBe('function');
    }
    const bytes = await readFile(join(CORPUS, 'edge-cases', 'driverver-hyphen-date.inf'));
    const metadata: DriverMetadata = hwdash.driverMetadataFromInfs('b', [{ path: 'edge/driverver-hyphen-date.inf', bytes }]);
    const inf: DriverMetadataInf = Object.values(metadata.BundleInfoMap)[0]!.InfInfoMap['driverver-hyphen-date.inf']!;
    expect(inf.DriverDate).toBe('2011-03-15T00:00:00');
    const rule: DriverVerRule = 'driver-ver-version-zero';
    const problem: PreflightProblem = { rule: 'inf-version', check: rule, message: '' };
    expect(problem.check).toBe(rule);
  });
});
