/**
 * Package rules the outside run found wrong: a non-driver INF (a CD autorun.inf) beside a driver INF, and the
 * subfolder rule for zipped driver folders submitted for attestation (but not for HLK/HCK packages).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { driverMetadataFromPackage } from '../../src/package/driver-metadata.js';
import { preflightPackage } from '../../src/package/preflight.js';
import { buildCab } from '../support/cab-writer.js';
import { driverInf, makeTempDir, writeZip } from './helpers.js';

/** A CD AutoRun file, as in Microsoft's toaster sample (general/toaster/toastpkg/inf/autorun.inf). */
const AUTORUN = Buffer.from('[AutoRun]\r\nopen=i386\\toastva.exe\r\nicon=i386\\toastva.exe,0\r\n\r\n[DeviceInstall]\r\nDriverPath=\\\r\n');
const DRIVER = Buffer.from(driverInf());
const SIGNED = { headerReserve: Buffer.alloc(20) };
const SIGNATURE_PART = { path: 'package/services/digital-signature/xml-signature/sig.psdsxs', bytes: Buffer.from('<Signature/>') };

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

async function cab(name: string, entries: { path: string; bytes: Buffer }[]): Promise<string> {
  const path = temp.path(name);
  await writeFile(path, buildCab(entries, SIGNED));
  return path;
}

describe('non-driver INF files', () => {
  it('only warn about an autorun.inf beside a driver INF, at the root or in the driver folder', async () => {
    for (const autorunPath of ['autorun.inf', 'driver/autorun.inf']) {
      const path = await cab(`autorun-${autorunPath.length}.cab`, [
        { path: autorunPath, bytes: AUTORUN },
        { path: 'driver/test.inf', bytes: DRIVER },
      ]);
      const result = await preflightPackage(path);
      expect(result).toMatchObject({ ok: true, problems: [], infFiles: [autorunPath, 'driver/test.inf'] });
      expect(result.warnings).toEqual([
        {
          rule: 'inf-not-driver',
          path: autorunPath,
          message:
            `${autorunPath}: not a driver INF. It has no [Version] section with Signature="$Windows NT$" and nothing else a driver INF has ` +
            '(an AutoRun file, for example), so Windows setup does not read it and hwdash does not check it as a driver.',
        },
      ]);
      const metadata = await driverMetadataFromPackage(path);
      expect(Object.keys(Object.values(metadata.BundleInfoMap)[0]!.InfInfoMap)).toEqual(['test.inf']);
    }
  });

  it('are still checked as drivers when the package has no driver INF, and give no driver metadata', async () => {
    const path = await cab('autorun-only.cab', [{ path: 'cd/autorun.inf', bytes: AUTORUN }]);
    const result = await preflightPackage(path);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.rule, p.check])).toEqual([
      ['inf-version', undefined],
      ['inf-version', 'driver-ver-missing'],
    ]);
    expect(result.warnings.map((w) => w.rule)).not.toContain('inf-not-driver');
    await expect(driverMetadataFromPackage(path)).rejects.toMatchObject({
      reason: 'no-driver-inf',
      message: expect.stringContaining('holds no driver INF (cd/autorun.inf has no [Version] section'),
    });
  });

  it('are driver INFs when written as one, even with a broken [Version]', async () => {
    const broken = Buffer.from('[Version]\r\nSignature="$Windows 10$"\r\nDriverVer=01/02/2024,1.0.0.0\r\n');
    const path = await cab('broken.cab', [
      { path: 'driver/test.inf', bytes: DRIVER },
      { path: 'driver/broken.inf', bytes: broken },
    ]);
    const result = await preflightPackage(path);
    expect(result.problems).toEqual([
      { rule: 'inf-version', path: 'driver/broken.inf', message: 'driver/broken.inf: Signature "$Windows 10$" is not one Windows accepts. Use Signature="$Windows NT$".' },
    ]);
  });
});

describe('the subfolder rule for Zip packages', () => {
  it('refuses driver INFs at the root of a zipped driver folder for attestation, as for a CAB', async () => {
    const path = temp.path('root.zip');
    await writeZip(path, [
      { path: 'test.inf', bytes: DRIVER },
      { path: 'autorun.inf', bytes: AUTORUN },
      { path: 'good/test.inf', bytes: DRIVER },
    ]);
    const result = await preflightPackage(path);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        rule: 'zip-drivers-in-subfolder',
        path: 'test.inf',
        message:
          `test.inf is at the root of ${path}; attestation reads each driver from a subfolder (e.g. driver/test.inf), as in a CAB. ` +
          'Zip the folder that holds the driver folder, or build a CAB with the driver files in a folder.',
      },
    ]);
    expect(result.warnings.map((w) => w.rule)).toEqual(['harness-type', 'inf-not-driver']);
  });

  it('accepts INFs at the root of HLKX and HCKX packages, which their studios lay out', async () => {
    for (const extension of ['hlkx', 'hckx']) {
      const path = temp.path(`root.${extension}`);
      await writeZip(path, [{ path: 'test.inf', bytes: DRIVER }, SIGNATURE_PART]);
      const result = await preflightPackage(path);
      expect(result).toMatchObject({ ok: true, problems: [], warnings: [] });
    }
  });
});
