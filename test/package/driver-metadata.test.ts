import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCab, writeCab } from '../support/cab-writer.js';
import {
  driverMetadataFromInfs,
  driverMetadataFromPackage,
  packageBundleId,
  type DriverMetadata,
  type DriverMetadataInf,
} from '../../src/package/driver-metadata.js';
import { driverInf, makeTempDir, writeZip } from './helpers.js';

const SAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'sample-driver');
const GUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

function onlyBundle(metadata: DriverMetadata): { bundleId: string; infs: Record<string, DriverMetadataInf>; locales: string[] } {
  const entries = Object.entries(metadata.BundleInfoMap);
  expect(entries).toHaveLength(1);
  const [bundleId, bundle] = entries[0]!;
  return { bundleId, infs: bundle.InfInfoMap, locales: bundle.Locales };
}

const SAMPLE_CODES = [
  ...['RS3', 'RS4', 'RS5', '19H1', 'VB', 'CO', 'NI', 'GE'].map((r) => `WINDOWS_v100_X64_${r}_FULL`),
  ...['RS5', 'FE', 'GE'].map((r) => `WINDOWS_v100_SERVER_X64_${r}_FULL`),
  ...['RS3', 'RS4', '19H1', 'VB', 'CO', 'NI', 'GE'].map((r) => `WINDOWS_v100_ARM64_${r}_FULL`),
  ...['FE', 'GE'].map((r) => `WINDOWS_v100_SERVER_ARM64_${r}_FULL`),
];
const SAMPLE_PNP = {
  'usb\\vid_1234&pid_5678': { Manufacturer: 'Contoso', DeviceDescription: 'Contoso HWDash Sample Device', FeatureScore: null },
  'usb\\vid_1234&pid_5679': { Manufacturer: 'Contoso', DeviceDescription: 'Contoso HWDash Sample Device (Rev 2)', FeatureScore: null },
};

describe('driverMetadataFromPackage', () => {
  it('describes the sample driver the way the service documents it', async () => {
    const cabPath = temp.path('sample.cab');
    const files = ['contoso_hwdash_sample.cat', 'contoso_hwdash_sample.inf', 'contoso_hwdash_sample.sys'];
    await writeCab(cabPath, await Promise.all(files.map(async (f) => ({ path: `sample-driver/${f}`, bytes: await readFile(join(SAMPLE, f)) }))));

    const metadata = await driverMetadataFromPackage(cabPath);
    const { bundleId, infs, locales } = onlyBundle(metadata);
    expect(bundleId).toMatch(GUID_V8);
    expect(bundleId).toBe(await packageBundleId(cabPath));
    expect(locales).toEqual(['English']);
    expect(Object.keys(infs)).toEqual(['contoso_hwdash_sample.inf']);
    const inf = infs['contoso_hwdash_sample.inf']!;
    expect(inf).toEqual({
      DriverPackageFamilyId: 'Contoso-contoso_hwdash_sample.inf',
      InfClass: 'USBDevice',
      DriverVersion: '1.2.3.4',
      DriverDate: '2025-03-14T00:00:00',
      ExtensionId: null,
      Provider: 'Contoso',
      ClassGuid: '{88bae032-5a81-49f0-bc3d-a4ff138216d6}',
      InstallationComputerHardwareIds: [],
      OSPnPInfoMap: Object.fromEntries(SAMPLE_CODES.map((code) => [code, SAMPLE_PNP])),
    });
    // Key order is part of the contract: deterministic output for the same package.
    expect(Object.keys(inf.OSPnPInfoMap)).toEqual(SAMPLE_CODES);
    expect(JSON.stringify(await driverMetadataFromPackage(cabPath))).toBe(JSON.stringify(metadata));

    // The folder gives the same INF details under its own bundle ID.
    const fromFolder = onlyBundle(await driverMetadataFromPackage(SAMPLE));
    expect(fromFolder.bundleId).toMatch(GUID_V8);
    expect(fromFolder.bundleId).not.toBe(bundleId);
    expect(fromFolder.infs).toEqual(infs);
  });

  it('keeps only the OS codes asked for, such as the submission requestedSignatures', async () => {
    const metadata = await driverMetadataFromPackage(SAMPLE, {
      operatingSystemCodes: ['WINDOWS_v100_X64_GE_FULL', 'WINDOWS_v100_X64_TH1_FULL', 'WINDOWS_v100_ARM64_NI_FULL', 'WINDOWS_7_X64'],
    });
    const inf = onlyBundle(metadata).infs['contoso_hwdash_sample.inf']!;
    expect(Object.keys(inf.OSPnPInfoMap)).toEqual(['WINDOWS_v100_X64_GE_FULL', 'WINDOWS_v100_ARM64_NI_FULL']);
  });

  it('reads INFs from Zip (HLKX) packages and sorts INF names', async () => {
    const path = temp.path('two.hlkx');
    await writeZip(path, [
      { path: 'hck/data/b.inf', bytes: Buffer.from(driverInf({ hardwareId: 'PCI\\VEN_1&DEV_B' })) },
      { path: 'hck/data/a.inf', bytes: Buffer.from(driverInf({ hardwareId: 'PCI\\VEN_1&DEV_A', decorations: 'NTx86' })) },
    ]);
    const { infs } = onlyBundle(await driverMetadataFromPackage(path));
    expect(Object.keys(infs)).toEqual(['a.inf', 'b.inf']);
    expect(Object.keys(infs['a.inf']!.OSPnPInfoMap)).toEqual(['TH1', 'TH2', 'RS1', 'RS2', 'RS3', 'RS4', 'RS5', '19H1', 'VB'].map((r) => `WINDOWS_v100_${r}_FULL`));
    expect(infs['b.inf']!.OSPnPInfoMap['WINDOWS_v100_X64_TH1_FULL']).toEqual({
      'pci\\ven_1&dev_b': { Manufacturer: 'Fabrikam', DeviceDescription: 'Fabrikam Test Device', FeatureScore: null },
    });
  });

  it('keys INFs that share a file name by their package paths so neither is lost', () => {
    const bytes = Buffer.from(driverInf());
    const metadata = driverMetadataFromInfs('11111111-2222-8333-8444-555555555555', [
      { path: 'x64/driver.inf', bytes },
      { path: 'arm64/driver.inf', bytes },
      { path: 'other.inf', bytes },
    ]);
    expect(Object.keys(metadata.BundleInfoMap)).toEqual(['11111111-2222-8333-8444-555555555555']);
    expect(Object.keys(onlyBundle(metadata).infs)).toEqual(['arm64/driver.inf', 'other.inf', 'x64/driver.inf']);
    expect(onlyBundle(metadata).infs['other.inf']!.DriverPackageFamilyId).toBe('Fabrikam-other.inf');
  });

  it('reports extension IDs, CHIDs and feature scores, and follows the section Windows picks per release', () => {
    const inf = [
      '[Version]',
      'Signature="$Windows NT$"',
      'Class=Extension',
      'ClassGuid={E2F84CE7-8EFA-411C-AA69-97454CA4CB57}',
      'ExtensionId={5E3A1E4C-6B0B-4E5B-9C8E-2C1D0A9B8F7E}',
      'Provider=Fabrikam',
      'DriverVer=07/04/2023,31.0.101.4502',
      '[Manufacturer]',
      'Fabrikam=Ext,NTamd64,NTamd64.10.0...17763,NTamd64.10.0...22000',
      '[Ext.NTamd64]',
      'Old device=Old_Install,PCI\\VEN_8086&DEV_OLD',
      '[Ext.NTamd64.10.0...17763]',
      'New device=New_Install,PCI\\VEN_8086&DEV_NEW,PCI\\CC_0300',
      '[Ext.NTamd64.10.0...22000]',
      '; empty: not for Windows 11',
      '[New_Install.NTamd64]',
      'FeatureScore=0xFE',
      '[TargetComputers]',
      '{A9A8E6FC-4969-4336-927C-9D8F7B6C1D14}',
      '{a4a127cb-2c10-464e-abb5-e78fcdf0d3c3}',
    ].join('\r\n');
    const result = onlyBundle(driverMetadataFromInfs('b', [{ path: 'd/ext.inf', bytes: Buffer.from(inf) }])).infs['ext.inf']!;
    expect(result.ExtensionId).toBe('5e3a1e4c-6b0b-4e5b-9c8e-2c1d0a9b8f7e');
    expect(result.InstallationComputerHardwareIds).toEqual(['a9a8e6fc-4969-4336-927c-9d8f7b6c1d14', 'a4a127cb-2c10-464e-abb5-e78fcdf0d3c3']);
    expect(result.InfClass).toBe('Extension');
    expect(result.DriverDate).toBe('2023-07-04T00:00:00');
    expect(Object.keys(result.OSPnPInfoMap)).toEqual([
      ...['TH1', 'TH2', 'RS1', 'RS2', 'RS3', 'RS4', 'RS5', '19H1', 'VB'].map((r) => `WINDOWS_v100_X64_${r}_FULL`),
      ...['TH1', 'TH2', 'RS1', 'RS5', 'FE'].map((r) => `WINDOWS_v100_SERVER_X64_${r}_FULL`),
    ]);
    expect(result.OSPnPInfoMap['WINDOWS_v100_X64_RS4_FULL']).toEqual({
      'pci\\ven_8086&dev_old': { Manufacturer: 'Fabrikam', DeviceDescription: 'Old device', FeatureScore: null },
    });
    expect(result.OSPnPInfoMap['WINDOWS_v100_X64_RS5_FULL']).toEqual({
      'pci\\cc_0300': { Manufacturer: 'Fabrikam', DeviceDescription: 'New device', FeatureScore: '0xFE' },
      'pci\\ven_8086&dev_new': { Manufacturer: 'Fabrikam', DeviceDescription: 'New device', FeatureScore: '0xFE' },
    });
  });

  it('fails clearly for packages without INFs and INFs without DriverVer', async () => {
    const empty = temp.path('no-inf.cab');
    await writeFile(empty, buildCab([{ path: 'd/readme.txt', bytes: Buffer.from('hi') }]));
    await expect(driverMetadataFromPackage(empty)).rejects.toMatchObject({
      reason: 'no-driver-inf',
      message: `${empty} holds no .inf file, so it describes no driver: add the driver's INF (with its .sys and .cat) to the package.`,
    });
    const noVer = temp.path('nover');
    await mkdir(join(noVer, 'd'), { recursive: true });
    await writeFile(join(noVer, 'd', 'x.inf'), '[Version]\r\nSignature="$Windows NT$"\r\n');
    await expect(driverMetadataFromPackage(noVer)).rejects.toMatchObject({
      reason: 'invalid-inf',
      entryPath: 'd/x.inf',
      message: expect.stringContaining('d/x.inf in ' + noVer + ' has no valid DriverVer in [Version]'),
    });
    await expect(driverMetadataFromPackage(temp.path('missing.cab'))).rejects.toMatchObject({ code: 'ENOENT' });
    const text = temp.path('notes.txt');
    await writeFile(text, 'not a package');
    await expect(driverMetadataFromPackage(text)).rejects.toMatchObject({ reason: 'wrong-format' });
  });
});

describe('packageBundleId', () => {
  it('is a stable GUID of the package bytes (or of a folder’s paths and contents)', async () => {
    const a = temp.path('a.bin');
    const b = temp.path('b.bin');
    await writeFile(a, 'same bytes');
    await writeFile(b, 'same bytes');
    expect(await packageBundleId(a)).toBe(await packageBundleId(b));
    // The first 16 bytes of SHA-256("same bytes") with the UUID version 8 and variant bits set.
    expect(await packageBundleId(a)).toBe('58100dc8-fc06-862c-a3e5-78231dc948e0');
    await writeFile(b, 'other bytes');
    expect(await packageBundleId(a)).not.toBe(await packageBundleId(b));

    const copy = temp.path('sample-copy');
    await cp(SAMPLE, copy, { recursive: true });
    expect(await packageBundleId(copy)).toBe(await packageBundleId(SAMPLE));
    await writeFile(join(copy, 'extra.txt'), '');
    expect(await packageBundleId(copy)).not.toBe(await packageBundleId(SAMPLE));
  });
});
