import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { buildExamplePackage, SAMPLE_DRIVER_FOLDER } from '../../scripts/build-example-package.js';
import { listCab } from '../../src/package/cab.js';
import { driverMetadataFromPackage } from '../../src/package/driver-metadata.js';
import { preflightPackage } from '../../src/package/preflight.js';
import { makeTempDir } from './helpers.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

describe('scripts/build-example-package', () => {
  it('builds the same MSZIP cabinet every time, with the driver in sample-driver/', async () => {
    const first = await buildExamplePackage(temp.path('out/one.cab'));
    const second = await buildExamplePackage(temp.path('two.cab'));
    expect(first).toEqual({
      path: temp.path('out/one.cab'),
      files: ['sample-driver/contoso_hwdash_sample.cat', 'sample-driver/contoso_hwdash_sample.inf', 'sample-driver/contoso_hwdash_sample.sys'],
    });
    expect((await readFile(first.path)).equals(await readFile(second.path))).toBe(true);
    const listing = await listCab(first.path);
    expect(listing.folders.map((f) => f.compression)).toEqual(['mszip']);
    expect(listing.files.map((f) => f.path)).toEqual(first.files);
  });

  it('passes preflight (only the unsigned warning) and yields the folder’s driver metadata', async () => {
    const built = await buildExamplePackage(temp.path('sample.cab'));
    const result = await preflightPackage(built.path);
    expect(result).toMatchObject({ ok: true, kind: 'cab', harness: 'attestation', files: 3, problems: [] });
    expect(result.warnings.map((w) => w.rule)).toEqual(['cab-signed']);
    const fromCab = Object.values((await driverMetadataFromPackage(built.path)).BundleInfoMap)[0]!;
    const fromFolder = Object.values((await driverMetadataFromPackage(SAMPLE_DRIVER_FOLDER)).BundleInfoMap)[0]!;
    expect(fromCab).toEqual(fromFolder);
    expect(Object.keys(fromCab.InfInfoMap['contoso_hwdash_sample.inf']!.OSPnPInfoMap)).toHaveLength(20);
  });
});
