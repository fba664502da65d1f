/**
 * The driver metadata document (reference 2.12, the submission's `driverMetadata` download), computed locally from a
 * package's INF files. The sandbox serves it in place of the service's, and users preview with it which hardware IDs
 * a shipping label can target before they submit.
 *
 * What the service computes that hwdash cannot know is filled in the documented way: `Locales` is `["English"]` as in
 * the docs' example, `DriverPackageFamilyId` is `<Provider>-<inf name>` as in that example, and `FeatureScore` is the
 * install section's FeatureScore directive or null.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { fileSha256 } from './file-digest.js';
import { MISSING_DRIVER_VERSION } from './driver-ver.js';
import { parseInf, readDriverInf, type DriverInf } from './inf.js';
import { infKind } from './inf-kind.js';
import { openPackage } from './open-package.js';
import { PackageFormatError } from './package-format-error.js';
import { isInfPath, openFolderPackage, readAll, type PackageReader } from './package-reader.js';
import { WINDOWS_RELEASES, selectDecoration, type WindowsRelease } from './target-os.js';

/** One hardware ID's entry under an OS code. */
export interface DriverMetadataPnpInfo {
  Manufacturer: string;
  DeviceDescription: string;
  FeatureScore: string | null;
}

/** One INF's entry in `InfInfoMap`. */
export interface DriverMetadataInf {
  DriverPackageFamilyId: string;
  InfClass: string;
  DriverVersion: string;
  /** Date-time without offset, e.g. `2024-03-01T00:00:00`. */
  DriverDate: string;
  /** GUID (no braces, lower case) for extension INFs, else null. */
  ExtensionId: string | null;
  Provider: string;
  ClassGuid: string;
  /** CHIDs the INF may be installed on (from [TargetComputers]). */
  InstallationComputerHardwareIds: string[];
  /** OS code → lower-case PnP ID → details. Keys map to a shipping label's `operatingSystemCode` and `pnpString`. */
  OSPnPInfoMap: Record<string, Record<string, DriverMetadataPnpInfo>>;
}

export interface DriverMetadataBundle {
  Locales: string[];
  /** INF file name → details. The name maps to a shipping label hardware ID's `infId`. */
  InfInfoMap: Record<string, DriverMetadataInf>;
}

/** The `driverMetadata` document. The bundle key maps to a shipping label hardware ID's `bundleId`. */
export interface DriverMetadata {
  BundleInfoMap: Record<string, DriverMetadataBundle>;
}

export interface DriverMetadataOptions {
  /**
   * Keep only these OS codes, e.g. the submission's `requestedSignatures`, as the service reports only what it signed.
   * hwdash produces Windows 10 and later codes only (see `WINDOWS_RELEASES`).
   * @default every code the INF decorations apply to
   */
  operatingSystemCodes?: readonly string[];
}

/** An INF file's package path and bytes. */
export interface PackageInf {
  path: string;
  bytes: Uint8Array;
}

/** Largest INF read: far above real INFs (the biggest inbox ones are a few MiB), low enough to bound memory. */
const MAX_INF_BYTES = 32 * 1024 * 1024;

/** What the service's documented example reports; the service's locale rules are not documented. */
const LOCALES = ['English'];

/**
 * Builds the driver metadata of a driver package: a CAB, an HLKX/HCKX or Zip, or a driver folder.
 * The bundle ID is derived from the package's bytes, so the same package always gives the same document.
 */
export async function driverMetadataFromPackage(packagePath: string, options: DriverMetadataOptions = {}): Promise<DriverMetadata> {
  const reader = await openPackage(packagePath);
  let infs: PackageInf[];
  try {
    infs = await readInfs(reader);
  } finally {
    await reader.close();
  }
  if (infs.length === 0) {
    throw new PackageFormatError(
      'no-driver-inf',
      `${packagePath} holds no .inf file, so it describes no driver: add the driver's INF (with its .sys and .cat) to the package.`,
      { filePath: packagePath },
    );
  }
  // Files such as a CD autorun.inf are no driver INFs (see inf-kind.ts); the service describes drivers only.
  const drivers = infs.filter((inf) => infKind(parseInf(inf.bytes)) === 'driver');
  if (drivers.length === 0) {
    throw new PackageFormatError(
      'no-driver-inf',
      `${packagePath} holds no driver INF (${infs.map((inf) => inf.path).join(', ')} ${infs.length === 1 ? 'has' : 'have'} no [Version] section ` +
        'with Signature="$Windows NT$"), so it describes no driver: add the driver\'s INF (with its .sys and .cat) to the package.',
      { filePath: packagePath },
    );
  }
  return driverMetadataFromInfs(await packageBundleId(packagePath), drivers, options, packagePath);
}

/** Builds the driver metadata for INF files already in memory, under a given bundle ID. */
export function driverMetadataFromInfs(
  bundleId: string,
  infs: readonly PackageInf[],
  options: DriverMetadataOptions = {},
  packagePath = bundleId,
): DriverMetadata {
  const wantedCodes = options.operatingSystemCodes ? new Set(options.operatingSystemCodes) : undefined;
  const releases = WINDOWS_RELEASES.filter((release) => !wantedCodes || wantedCodes.has(release.code));
  const names = infNames(infs.map((inf) => inf.path));
  const entries = infs
    .map((inf, index) => [names[index]!, infMetadata(inf, names[index]!, releases, packagePath)] as const)
    .sort(([a], [b]) => compareText(a, b));
  return { BundleInfoMap: { [bundleId]: { Locales: [...LOCALES], InfInfoMap: Object.fromEntries(entries) } } };
}

/**
 * A GUID derived from the SHA-256 of the package (for a folder, of its files' paths and contents), formatted as an
 * RFC 9562 version 8 UUID.
 */
export async function packageBundleId(packagePath: string): Promise<string> {
  let digest: Buffer;
  if ((await stat(packagePath)).isDirectory()) {
    const folder = await openFolderPackage(packagePath);
    const hash = createHash('sha256');
    for (const file of [...folder.files].sort((a, b) => compareText(a.path, b.path))) {
      hash.update(`${file.path}\0`).update(await fileSha256(join(packagePath, ...file.path.split('/'))));
    }
    digest = hash.digest();
  } else {
    digest = await fileSha256(packagePath);
  }
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function readInfs(reader: PackageReader): Promise<PackageInf[]> {
  const paths = reader.files.map((file) => file.path).filter(isInfPath);
  const contents = await readAll(reader, paths, { maxBytes: MAX_INF_BYTES });
  return paths.map((path) => ({ path, bytes: contents.get(path)! }));
}

/**
 * `InfInfoMap` keys: the INF's file name, as the service uses. When two INFs share a name in different folders
 * (per-architecture folders do this), their package paths are used instead so that neither is lost.
 */
function infNames(paths: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const path of paths) counts.set(posix.basename(path).toLowerCase(), (counts.get(posix.basename(path).toLowerCase()) ?? 0) + 1);
  return paths.map((path) => ((counts.get(posix.basename(path).toLowerCase()) ?? 0) > 1 ? path : posix.basename(path)));
}

function infMetadata(inf: PackageInf, name: string, releases: readonly WindowsRelease[], packagePath: string): DriverMetadataInf {
  const driver = readDriverInf(inf.bytes);
  const { version } = driver;
  if (!version.driverVer) {
    // The same DriverVer rules as preflight's, so that metadata is refused exactly where preflight refuses the INF.
    const broken = driver.driverVerFindings.filter((finding) => finding.severity === 'problem').map((finding) => `${finding.message} [${finding.rule}]`);
    throw new PackageFormatError(
      'invalid-inf',
      `${inf.path} in ${packagePath} has no valid DriverVer in [Version]; the service rejects such drivers. ${broken.join(' ')}`,
      { filePath: packagePath, entryPath: inf.path },
    );
  }
  const provider = version.provider ?? '';
  return {
    DriverPackageFamilyId: `${provider}-${name}`,
    InfClass: version.class ?? '',
    // A DriverVer with a date only: Windows keeps the version as a 64-bit number, 0 when the INF names none.
    DriverVersion: version.driverVer.version ?? MISSING_DRIVER_VERSION,
    DriverDate: `${version.driverVer.date}T00:00:00`,
    ExtensionId: version.extensionId ? version.extensionId.replace(/^\{|\}$/g, '').toLowerCase() : null,
    Provider: provider,
    ClassGuid: (version.classGuid ?? '').toLowerCase(),
    InstallationComputerHardwareIds: driver.targetComputers,
    OSPnPInfoMap: osPnpInfo(driver, releases),
  };
}

/** For each release, the devices of the models sections Windows would pick there, keyed by lower-case PnP ID. */
function osPnpInfo(driver: DriverInf, releases: readonly WindowsRelease[]): Record<string, Record<string, DriverMetadataPnpInfo>> {
  const byOs: Record<string, Record<string, DriverMetadataPnpInfo>> = {};
  for (const release of releases) {
    const pnp = new Map<string, DriverMetadataPnpInfo>();
    for (const manufacturer of driver.manufacturers) {
      const chosen = selectDecoration(
        manufacturer.models.map((models) => models.decoration),
        release,
      );
      const models = manufacturer.models.find((candidate) => candidate.decoration === chosen);
      for (const device of models?.devices ?? []) {
        for (const id of device.hardwareIds) {
          const key = id.toLowerCase();
          if (pnp.has(key)) continue;
          pnp.set(key, {
            Manufacturer: device.manufacturer,
            DeviceDescription: device.deviceDescription,
            FeatureScore: featureScore(driver, device.installSection, release),
          });
        }
      }
    }
    if (pnp.size > 0) byOs[release.code] = Object.fromEntries([...pnp.entries()].sort(([a], [b]) => compareText(a, b)));
  }
  return byOs;
}

/** FeatureScore of the install section Windows would run: the platform-decorated one first, as Windows looks it up. */
function featureScore(driver: DriverInf, installSection: string, release: WindowsRelease): string | null {
  for (const suffix of [`.NT${release.architecture}`, '.NT', '']) {
    const value = driver.installDirective(`${installSection}${suffix}`, 'FeatureScore');
    if (value !== undefined) return value;
  }
  return null;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
