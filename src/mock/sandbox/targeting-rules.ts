/**
 * The service-side rules for shipping-label targeting (reference 1.13/1.14, section 3.2) that no JSON schema can
 * express, because they depend on the submission's driver metadata file.
 */
import type { DriverMetadata } from '../../package/driver-metadata.js';
import { invalidInput } from './errors.js';
import type { ValidationError } from './service-error.js';

export interface HardwareIdKey {
  bundleId: string;
  infId: string;
  operatingSystemCode: string;
  pnpString: string;
}

export interface PublishingFlags {
  isAutoInstallDuringOSUpgrade?: boolean;
  isAutoInstallOnApplicableSystems?: boolean;
  manualAcquisition?: boolean;
}

export const EXTENSION_MESSAGE =
  'Extension drivers must be published as an Automatic update. Either of isAutoInstallDuringOSUpgrade or isAutoInstallOnApplicableSystems must be true.';
export const CHID_MESSAGE = 'CHIDs are allowed only when HardwareIds are for operating systems Windows 10 and later.';

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Keys are matched case-insensitively: INF names, OS codes and PnP IDs are all case-insensitive on Windows. */
function entry<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  if (!map) return undefined;
  const found = Object.keys(map).find((candidate) => same(candidate, key));
  return found === undefined ? undefined : map[found];
}

function infOf(metadata: DriverMetadata, hardwareId: HardwareIdKey) {
  return entry(entry(metadata.BundleInfoMap, hardwareId.bundleId)?.InfInfoMap, hardwareId.infId);
}

export function isMetadataCombination(metadata: DriverMetadata, hardwareId: HardwareIdKey): boolean {
  const pnpMap = entry(infOf(metadata, hardwareId)?.OSPnPInfoMap, hardwareId.operatingSystemCode);
  return entry(pnpMap, hardwareId.pnpString) !== undefined;
}

export function sameHardwareId(a: HardwareIdKey, b: HardwareIdKey): boolean {
  return same(a.bundleId, b.bundleId) && same(a.infId, b.infId) && same(a.operatingSystemCode, b.operatingSystemCode) && same(a.pnpString, b.pnpString);
}

/** Windows 10 and later OS codes are the `WINDOWS_v100...` family (reference 2.16). */
export function isWindows10OrLater(operatingSystemCode: string): boolean {
  return operatingSystemCode.toUpperCase().startsWith('WINDOWS_V100');
}

/** Every hardware ID must be a bundle + INF + OS + PnP combination from the driver metadata file. */
export function checkCombinations(metadata: DriverMetadata, hardwareIds: readonly HardwareIdKey[], target: string): void {
  const problems: ValidationError[] = [];
  hardwareIds.forEach((hardwareId, index) => {
    if (!isMetadataCombination(metadata, hardwareId)) {
      problems.push({
        target: `${target}[${index}]`,
        message: `${hardwareId.bundleId} / ${hardwareId.infId} / ${hardwareId.operatingSystemCode} / ${hardwareId.pnpString} is not a bundleId + infId + operatingSystemCode + pnpString combination in the submission's driver metadata.`,
      });
    }
  });
  if (problems.length > 0) throw invalidInput('Hardware IDs must come from the submission\'s driver metadata.', problems);
}

/** CHIDs narrow Windows 10+ targeting; the service refuses them next to hardware IDs for older systems. */
export function checkChids(hardwareIds: readonly HardwareIdKey[], chidCount: number): void {
  if (chidCount > 0 && hardwareIds.some((hardwareId) => !isWindows10OrLater(hardwareId.operatingSystemCode))) {
    throw invalidInput(CHID_MESSAGE, [{ target: 'targeting.chids', message: CHID_MESSAGE }]);
  }
}

/** Extension INFs only ship as automatic updates. */
export function checkExtensionInfs(metadata: DriverMetadata, hardwareIds: readonly HardwareIdKey[], publishing: PublishingFlags): void {
  const autoInstall = publishing.isAutoInstallDuringOSUpgrade === true || publishing.isAutoInstallOnApplicableSystems === true;
  if (!autoInstall && hardwareIds.some((hardwareId) => infOf(metadata, hardwareId)?.ExtensionId)) {
    throw invalidInput(EXTENSION_MESSAGE, [{ target: 'publishingSpecifications', message: EXTENSION_MESSAGE }]);
  }
}

/**
 * "May request user input" must be true when nothing installs automatically. The schema catches the case where both
 * flags are sent as false; this catches flags left out, which the service reads as false.
 */
export function checkManualAcquisition(publishing: PublishingFlags): void {
  const autoInstall = publishing.isAutoInstallDuringOSUpgrade === true || publishing.isAutoInstallOnApplicableSystems === true;
  if (!autoInstall && publishing.manualAcquisition === false) {
    const message = 'manualAcquisition must be true when neither isAutoInstallDuringOSUpgrade nor isAutoInstallOnApplicableSystems is true.';
    throw invalidInput(message, [{ target: 'publishingSpecifications.manualAcquisition', message }]);
  }
}
