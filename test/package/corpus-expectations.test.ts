/**
 * Hardware IDs and OS targets of fifteen vendored INFs, written down by hand from reading each INF (its [Manufacturer]
 * decorations against the release builds: TH1 10240, TH2 10586, RS1 14393, RS2 15063, RS3 16299, RS4 17134,
 * RS5 17763, 19H1 18362, VB 19041, FE 20348, CO 22000, NI 22621, GE 26100), and compared with the driver metadata that
 * hwdash derives from a gcab-made package holding the INF (stamped as the WDK build would, for the architecture named).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { driverMetadataFromPackage, type DriverMetadataInf } from '../../src/package/driver-metadata.js';
import { preflightPackage } from '../../src/package/preflight.js';
import { CORPUS, buildPackage, corpusText, encode, ensureDebianPackages, stamp } from '../support/inf-corpus.js';

const code = (prefix: string) => (...releases: string[]): string[] => releases.map((release) => `WINDOWS_v100_${prefix}${release}_FULL`);
const x64 = code('X64_');
const x64Server = code('SERVER_X64_');
const arm64 = code('ARM64_');
const arm64Server = code('SERVER_ARM64_');
const x86 = code('');
const ALL_X64 = [...x64('TH1', 'TH2', 'RS1', 'RS2', 'RS3', 'RS4', 'RS5', '19H1', 'VB', 'CO', 'NI', 'GE'), ...x64Server('TH1', 'TH2', 'RS1', 'RS5', 'FE', 'GE')];
const ALL_ARM64 = [...arm64('RS3', 'RS4', '19H1', 'VB', 'CO', 'NI', 'GE'), ...arm64Server('FE', 'GE')];
const ALL_X86 = x86('TH1', 'TH2', 'RS1', 'RS2', 'RS3', 'RS4', 'RS5', '19H1', 'VB');
const FROM_RS3_X64 = [...x64('RS3', 'RS4', 'RS5', '19H1', 'VB', 'CO', 'NI', 'GE'), ...x64Server('RS5', 'FE', 'GE')];

interface Expectation {
  /** Corpus path of the INF; `with` lists other files of its folder packed beside it. */
  file: string;
  with?: string[];
  arch?: 'amd64' | 'arm64';
  inf: Omit<DriverMetadataInf, 'OSPnPInfoMap' | 'InstallationComputerHardwareIds' | 'DriverPackageFamilyId'>;
  /** Lower-case hardware ID → [Manufacturer, DeviceDescription, FeatureScore], the same under every OS code. */
  devices: Record<string, [string, string, string | null]>;
  osCodes: string[];
}

const WDS = 'windows-driver-samples';
const EXPECTATIONS: Expectation[] = [
  {
    file: `${WDS}/general/toaster/toastpkg/inf/toastpkg.inf`,
    with: [`${WDS}/general/toaster/toastpkg/inf/autorun.inf`],
    inf: { InfClass: 'TOASTER', ClassGuid: '{b85b7c50-6a01-11d2-b841-00c04fad5171}', Provider: 'TODO-Set-Provider', DriverVersion: '6.0.5736.1', DriverDate: '2006-09-21T00:00:00', ExtensionId: null },
    devices: { '{b85b7c50-6a01-11d2-b841-00c04fad5171}\\mstoaster': ["Toast'R'Us", 'Toaster Package Sample Toaster', null] },
    osCodes: FROM_RS3_X64,
  },
  {
    file: `${WDS}/prm/PrmFunc/prmfuncsample.inf`,
    inf: { InfClass: 'System', ClassGuid: '{4d36e97d-e325-11ce-bfc1-08002be10318}', Provider: 'TODO-Set-Provider', DriverVersion: '0.0.0.0', DriverDate: '2023-02-01T00:00:00', ExtensionId: null },
    devices: { '*pmt10000': ['TODO-Set-Manufacturer', 'PRM Func Sample Device', null] },
    osCodes: [...x64('GE'), ...x64Server('GE')],
  },
  {
    file: 'virtio-win/viostor/viostor.inx',
    inf: { InfClass: 'SCSIAdapter', ClassGuid: '{4d36e97b-e325-11ce-bfc1-08002be10318}', Provider: 'INX_COMPANY', DriverVersion: '0.0.0.1', DriverDate: '2008-01-01T00:00:00', ExtensionId: null },
    devices: Object.fromEntries(
      ['pci\\ven_1af4&dev_1001&subsys_0002_inx_subsys_vendor_id&rev_00', 'pci\\ven_1af4&dev_1001', 'pci\\ven_1af4&dev_1042&subsys_1100_inx_subsys_vendor_id&rev_01', 'pci\\ven_1af4&dev_1042'].map(
        (id) => [id, ['INX_COMPANY', 'INX_PREFIX_VENDORVirtIO SCSI controller', null]],
      ),
    ),
    osCodes: ALL_X64,
  },
  {
    file: 'virtio-win/stdvga/stdvga.inx',
    inf: { InfClass: 'Display', ClassGuid: '{4d36e968-e325-11ce-bfc1-08002be10318}', Provider: 'INX_COMPANY', DriverVersion: '0.0.0.1', DriverDate: '2008-01-01T00:00:00', ExtensionId: null },
    devices: { 'pci\\ven_1234&dev_1111': ['INX_COMPANY', 'QEMU Standard VGA Display Adapter', 'F8'] },
    osCodes: ALL_X64,
  },
  {
    file: 'virtio-win/fwcfg/qemufwcfg.inf',
    inf: { InfClass: 'System', ClassGuid: '{4d36e97d-e325-11ce-bfc1-08002be10318}', Provider: 'QEMU', DriverVersion: '100.90.104.22100', DriverDate: '2022-05-21T00:00:00', ExtensionId: null },
    devices: { 'acpi\\qemu0002': ['QEMU', 'QEMU FWCfg Device', null] },
    osCodes: [...ALL_X86, ...ALL_X64, ...ALL_ARM64],
  },
  {
    // Vendored as UTF-16LE with a BOM.
    file: `${WDS}/network/netadaptercx/netvadapter/km/netvadapter.inf`,
    inf: { InfClass: 'Net', ClassGuid: '{4d36e972-e325-11ce-bfc1-08002be10318}', Provider: 'Microsoft', DriverVersion: '6.1.7065.0', DriverDate: '2010-06-22T00:00:00', ExtensionId: null },
    devices: Object.fromEntries(
      ['root\\netvadapter', '{b85b7c50-6a01-11d2-b841-00c04fad5171}\\netvadapter', 'ndt\\netvadapter', 'test\\netvadapter1', 'test\\netvadapter2'].map((id) => [
        id,
        ['Microsoft', 'KMDF Microsoft Virtual Ethernet Adapter (NDIS WDF)', null],
      ]),
    ),
    osCodes: ALL_X64,
  },
  {
    file: `${WDS}/general/DCHU/osrfx2_DCHU_extension_loose/osrfx2_DCHU_extension/osrfx2_DCHU_extension.inx`,
    inf: { InfClass: 'Extension', ClassGuid: '{e2f84ce7-8efa-411c-aa69-97454ca4cb57}', Provider: 'Contoso', DriverVersion: '15.14.36.721', DriverDate: '2017-05-16T00:00:00', ExtensionId: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa' },
    devices: { 'usb\\vid_0547&pid_1002&rev_0000': ['Contoso', 'OsrFx2 DCHU Device Extension', null] },
    osCodes: [...x64('RS2', 'RS3', 'RS4', 'RS5', '19H1', 'VB', 'CO', 'NI', 'GE'), ...x64Server('RS5', 'FE', 'GE')],
  },
  {
    // NT$ARCH$.10.0.1..16299: product type 1 (workstation), so no server codes.
    file: `${WDS}/bluetooth/bthecho/bthcli/sys/BthEchoSampleCli.inx`,
    inf: { InfClass: 'Bluetooth', ClassGuid: '{e0cbf06c-cd8b-4647-bb8a-263b43f0f974}', Provider: 'TODO-Set-Provider', DriverVersion: '6.0.5842.0', DriverDate: '2006-06-21T00:00:00', ExtensionId: null },
    devices: { 'bthenum\\{c07508f2-b970-43ca-b5dd-cc4f2391bef4}': ['TODO-Set-Manufacturer', 'Bluetooth Echo Sample Client', null] },
    osCodes: x64('RS3', 'RS4', 'RS5', '19H1', 'VB', 'CO', 'NI', 'GE'),
  },
  {
    // No DriverVer in the source: stamped with the build's. Sections for 6.1, 10.0 and 10.0...25341 cover every release.
    file: `${WDS}/network/ndis/ndisprot_kmdf/60/ndisprot.inx`,
    inf: { InfClass: 'NetTrans', ClassGuid: '{4d36e975-e325-11ce-bfc1-08002be10318}', Provider: 'TODO-Set-Provider', DriverVersion: '10.0.1.2', DriverDate: '2025-09-01T00:00:00', ExtensionId: null },
    devices: { ms_ndisprot: ['TODO-Set-Manufacturer', 'Sample NDIS Protocol Driver', null] },
    osCodes: ALL_X64,
  },
  {
    // [version] in lower case, its directives spread over blank lines and comments.
    file: `${WDS}/network/ndis/filter/netlwf.inf`,
    inf: { InfClass: 'NetService', ClassGuid: '{4d36e974-e325-11ce-bfc1-08002be10318}', Provider: 'TODO-Set-Provider', DriverVersion: '6.0.5019.0', DriverDate: '2002-10-01T00:00:00', ExtensionId: null },
    devices: { ms_ndislwf: ['TODO-Set-Manufacturer', 'NDIS Sample LightWeight Filter', null] },
    osCodes: ALL_X64,
  },
  {
    file: `${WDS}/general/echo/umdf2/driver/AutoSync/echoum.inx`,
    inf: { InfClass: 'Generic', ClassGuid: '{ff494df1-c4ed-4fac-9b3f-3786f6e91e7e}', Provider: 'TODO-Set-Provider', DriverVersion: '5.0.3788.0', DriverDate: '2003-03-20T00:00:00', ExtensionId: null },
    devices: { 'root\\echo': ['(Standard system devices)', 'Sample UMDF v2 ECHO Driver', null] },
    osCodes: [...x64('RS5', '19H1', 'VB', 'CO', 'NI', 'GE'), ...x64Server('RS5', 'FE', 'GE')],
  },
  {
    // NTamd64, NTarm (no OS code) and NTarm64; FeatureScore in the undecorated install section.
    file: `${WDS}/video/KMDOD/Sample/sampledisplay.inf`,
    inf: { InfClass: 'Display', ClassGuid: '{4d36e968-e325-11ce-bfc1-08002be10318}', Provider: 'TODO-Set-Provider', DriverVersion: '0.03.15.0011', DriverDate: '2011-03-15T00:00:00', ExtensionId: null },
    devices: Object.fromEntries(
      ['pci\\cc_0300', 'pci\\cc_0301', 'acpi\\cls_0003&subcls_0000', 'acpi\\cls_0003&subcls_0001'].map((id) => [id, ['TODO-Set-Manufacturer', 'Kernel mode display only sample driver', 'F9']]),
    ),
    osCodes: [...ALL_X64, ...ALL_ARM64],
  },
  {
    // NTx86, NTia64 (no OS code), NTamd64, NTarm64.
    file: `${WDS}/smartcrd/pscr/pscr.inx`,
    inf: { InfClass: 'SmartCardReader', ClassGuid: '{50dd5230-ba8a-11d1-bf5d-0000f805f530}', Provider: 'TODO-Set-Provider', DriverVersion: '6.0.6000.0', DriverDate: '2007-01-01T00:00:00', ExtensionId: null },
    devices: { 'pcmcia\\pscr-smart_card_reader-488c': ['SCM Microsystems', 'SCM 488C PCMCIA Smart Card Reader', null] },
    osCodes: [...ALL_X86, ...ALL_X64, ...ALL_ARM64],
  },
  {
    // A file-system minifilter: no [Manufacturer], so no hardware IDs at all.
    file: `${WDS}/filesys/miniFilter/nullFilter/nullFilter.inf`,
    inf: { InfClass: 'ActivityMonitor', ClassGuid: '{b86dff51-a31e-4bac-b3cf-e8cfe75c9fc2}', Provider: 'TODO-Set-Provider', DriverVersion: '1.0.0.0', DriverDate: '2007-06-16T00:00:00', ExtensionId: null },
    devices: {},
    osCodes: [],
  },
  {
    // Stamped for ARM64; a [Strings] key with `\` and `&` in it.
    file: `${WDS}/usb/kmdf_fx2/driver/osrusbfx2.inx`,
    arch: 'arm64',
    inf: { InfClass: 'Sample', ClassGuid: '{78a1c341-4539-11d3-b88d-00c04fad5171}', Provider: 'TODO-Set-Provider', DriverVersion: '5.0.3788.0', DriverDate: '2003-03-20T00:00:00', ExtensionId: null },
    devices: {
      'usb\\vid_0547&pid_1002': ['OSR', 'WDF Sample Driver for OSR USB-FX2 Learning Kit', null],
      '{6fde7521-1b65-48ae-b628-80be62016026}\\osrusbfxrawpdo': ['OSR', 'OsrUsbFX2 RawPdo For Switch', null],
    },
    osCodes: ALL_ARM64,
  },
];

let workDir: string;
beforeAll(async () => {
  await ensureDebianPackages('gcab');
  workDir = await mkdtemp(join(tmpdir(), 'hwdash-corpus-expectations-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('driver metadata of hand-checked INFs from the corpus', () => {
  it.each(EXPECTATIONS.map((expectation, index) => [posix.basename(expectation.file), index, expectation] as const))(
    '%s: hardware IDs, OS codes and [Version] facts',
    async (_, index, expectation) => {
      const files = [expectation.file, ...(expectation.with ?? [])];
      const entries = await Promise.all(
        files.map(async (file) => ({
          path: `driver/${posix.basename(file).replace(/\.inx$/i, '.inf')}`,
          bytes: encode(stamp(corpusText(await readFile(join(CORPUS, file))), expectation.arch ?? 'amd64'), 'utf8-crlf'),
        })),
      );
      const path = await buildPackage(workDir, `expectation-${index}`, 'gcab-mszip', entries);
      const preflight = await preflightPackage(path);
      expect(preflight.problems).toEqual([]);

      const name = posix.basename(expectation.file).replace(/\.inx$/i, '.inf');
      const infs = Object.values((await driverMetadataFromPackage(path)).BundleInfoMap)[0]!.InfInfoMap;
      // Only the driver INF: a CD autorun.inf beside it is no driver.
      expect(Object.keys(infs)).toEqual([name]);
      const devices = Object.fromEntries(
        Object.entries(expectation.devices)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([id, [Manufacturer, DeviceDescription, FeatureScore]]) => [id, { Manufacturer, DeviceDescription, FeatureScore }]),
      );
      expect(infs[name]).toEqual({
        ...expectation.inf,
        DriverPackageFamilyId: `${expectation.inf.Provider}-${name}`,
        InstallationComputerHardwareIds: [],
        OSPnPInfoMap: Object.fromEntries(expectation.osCodes.map((osCode) => [osCode, devices])),
      });
    },
  );

  it('warns about, and leaves out, the autorun.inf beside toastpkg.inf', async () => {
    const folder = `${WDS}/general/toaster/toastpkg/inf`;
    const entries = await Promise.all(
      ['autorun.inf', 'toastpkg.inf'].map(async (name) => ({ path: `toastpkg/${name}`, bytes: await readFile(join(CORPUS, folder, name)) })),
    );
    for (const container of ['gcab-stored', 'zip'] as const) {
      const path = await buildPackage(workDir, `toastpkg-${container}`, container, entries);
      const result = await preflightPackage(path);
      expect(result).toMatchObject({ ok: true, infFiles: ['toastpkg/autorun.inf', 'toastpkg/toastpkg.inf'], problems: [] });
      expect(result.warnings.filter((w) => w.path === 'toastpkg/autorun.inf')).toEqual([
        { rule: 'inf-not-driver', path: 'toastpkg/autorun.inf', message: expect.stringContaining('toastpkg/autorun.inf: not a driver INF') },
      ]);
    }
  });
});
