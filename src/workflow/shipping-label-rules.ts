/**
 * The documented rules a new shipping label must satisfy (reference 1.13), checked before anything is sent: the
 * service would refuse a label that breaks them, and for auto-install mistakes it does so only after preprocessing.
 * The messages say the same as the service's (and the sandbox's) where it has one.
 */
import type { components } from '../../generated/hdc.js';
import type { NewShippingLabel } from '../client/resources/shipping-labels.js';
import { ShippingLabelRuleError } from './shipping-label-rule-error.js';

/**
 * The driver metadata file: the `driverMetadata` download of a signed submission (reference 2.12), or the document
 * `driverMetadataFromPackage` builds locally.
 */
export type DriverMetadataFile = components['schemas']['DriverMetadata'];

const EXTENSION_INF_MESSAGE =
  'Extension drivers must be published as an Automatic update. Either of isAutoInstallDuringOSUpgrade or isAutoInstallOnApplicableSystems must be true.';
const CHID_MESSAGE = 'CHIDs are allowed only when HardwareIds are for operating systems Windows 10 and later.';

interface HardwareIdKey {
  bundleId: string;
  infId: string;
  operatingSystemCode: string;
  pnpString: string;
}

type PublishingFlags = Pick<
  NonNullable<NewShippingLabel['publishingSpecifications']>,
  'isAutoInstallDuringOSUpgrade' | 'isAutoInstallOnApplicableSystems' | 'manualAcquisition' | 'additionalInfoForMsApproval'
>;

/** Windows 10 and later OS codes are the `WINDOWS_v100...` family (reference 2.16). */
function isWindows10OrLater(operatingSystemCode: string): boolean {
  return operatingSystemCode.toUpperCase().startsWith('WINDOWS_V100');
}

export function isAutoInstall(publishing: PublishingFlags | null | undefined): boolean {
  return publishing?.isAutoInstallDuringOSUpgrade === true || publishing?.isAutoInstallOnApplicableSystems === true;
}

/** Map lookup ignoring case: INF names, OS codes and PnP IDs are all case-insensitive on Windows. */
function entryOf<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  if (!map) return undefined;
  if (Object.hasOwn(map, key)) return map[key];
  const wanted = key.toLowerCase();
  const found = Object.keys(map).find((candidate) => candidate.toLowerCase() === wanted);
  return found === undefined ? undefined : map[found];
}

function infOf(metadata: DriverMetadataFile, hardwareId: HardwareIdKey) {
  return entryOf(entryOf(metadata.BundleInfoMap, hardwareId.bundleId)?.InfInfoMap, hardwareId.infId);
}

const describe = (hardwareId: HardwareIdKey): string =>
  `${hardwareId.pnpString} (${hardwareId.operatingSystemCode}, ${hardwareId.infId}, bundle ${hardwareId.bundleId})`;

/**
 * Checks a new shipping label against the documented rules and throws a {@link ShippingLabelRuleError} for the first
 * one it breaks. With the submission's driver metadata it also checks that every hardware ID comes from it and that
 * extension INFs are published automatically; without it, those two checks are left to the service.
 */
export function assertShippingLabelRules(label: NewShippingLabel, metadata?: DriverMetadataFile): void {
  const destination = destinationOf(label);
  checkSpecifications(label, destination);
  if (label.publishingSpecifications) checkPublishing(label.publishingSpecifications);
  checkTargeting(label);
  if (metadata) checkAgainstMetadata(label, destination, metadata);
}

/** The destination in the docs' spelling; the service takes it in any case. */
function destinationOf(label: NewShippingLabel): 'windowsUpdate' | 'anotherPartner' {
  const given = typeof label.destination === 'string' ? label.destination.toLowerCase() : undefined;
  if (given === 'windowsupdate') return 'windowsUpdate';
  if (given === 'anotherpartner') return 'anotherPartner';
  throw new ShippingLabelRuleError(
    'destination',
    'destination',
    `destination must be windowsUpdate (publish the driver) or anotherPartner (share it), got ${JSON.stringify(label.destination)}.`,
  );
}

/** Windows Update labels take publishing specifications and hardware IDs; labels for a partner take a recipient. */
function checkSpecifications(label: NewShippingLabel, destination: 'windowsUpdate' | 'anotherPartner'): void {
  const fail = (target: string, message: string): never => {
    throw new ShippingLabelRuleError('specifications-for-destination', target, message);
  };
  if (destination === 'windowsUpdate') {
    if (!label.publishingSpecifications) fail('publishingSpecifications', 'A Windows Update shipping label needs publishingSpecifications.');
    if (label.recipientSpecifications) {
      fail('recipientSpecifications', 'recipientSpecifications are only for shipping labels shared with another partner (destination anotherPartner).');
    }
    if ((label.targeting?.hardwareIds ?? []).length === 0) {
      throw new ShippingLabelRuleError(
        'hardware-ids-required',
        'targeting.hardwareIds',
        "A Windows Update shipping label needs hardware IDs: add at least one from the submission's driver metadata.",
      );
    }
    return;
  }
  if (!label.recipientSpecifications?.receiverPublisherId) {
    fail(
      'recipientSpecifications.receiverPublisherId',
      'A shipping label shared with another partner needs recipientSpecifications with the receiverPublisherId (seller ID) of that partner.',
    );
  }
  if (label.publishingSpecifications) {
    fail('publishingSpecifications', 'publishingSpecifications are only for Windows Update shipping labels; the partner a driver is shared with publishes it.');
  }
}

/** Auto-install needs Microsoft's approval details, and `manualAcquisition` is the opposite of auto-install. */
function checkPublishing(publishing: NonNullable<NewShippingLabel['publishingSpecifications']>): void {
  const auto = isAutoInstall(publishing);
  if (auto && !publishing.additionalInfoForMsApproval) {
    throw new ShippingLabelRuleError(
      'auto-install-approval-info',
      'publishingSpecifications.additionalInfoForMsApproval',
      'additionalInfoForMsApproval is required when isAutoInstallDuringOSUpgrade or isAutoInstallOnApplicableSystems is true: ' +
        'give microsoftContact, validationsPerformed, affectedOems and businessJustification for Microsoft to approve automatic installation.',
    );
  }
  if (auto && publishing.manualAcquisition === true) {
    throw new ShippingLabelRuleError(
      'manual-acquisition',
      'publishingSpecifications.manualAcquisition',
      'manualAcquisition must be false when isAutoInstallDuringOSUpgrade or isAutoInstallOnApplicableSystems is true.',
    );
  }
  if (!auto && publishing.manualAcquisition === false) {
    throw new ShippingLabelRuleError(
      'manual-acquisition',
      'publishingSpecifications.manualAcquisition',
      'manualAcquisition must be true when neither isAutoInstallDuringOSUpgrade nor isAutoInstallOnApplicableSystems is true.',
    );
  }
}

/** CHIDs only with Windows 10 and later; in-service and co-engineering publish info exclude each other. */
function checkTargeting(label: NewShippingLabel): void {
  const hardwareIds = label.targeting?.hardwareIds ?? [];
  if ((label.targeting?.chids ?? []).length > 0) {
    const older = [...new Set(hardwareIds.map((hardwareId) => hardwareId.operatingSystemCode).filter((code) => !isWindows10OrLater(code)))];
    if (older.length > 0) {
      throw new ShippingLabelRuleError('chids-windows-10', 'targeting.chids', `${CHID_MESSAGE} These OS codes are older: ${older.join(', ')}.`);
    }
  }
  if (label.targeting?.inServicePublishInfo && label.targeting.coEngDriverPublishInfo) {
    throw new ShippingLabelRuleError(
      'publish-info-exclusive',
      'targeting.coEngDriverPublishInfo',
      'inServicePublishInfo and coEngDriverPublishInfo are mutually exclusive: give one of them.',
    );
  }
}

/** Every hardware ID comes from the driver metadata; extension INFs go to Windows Update only as automatic updates. */
function checkAgainstMetadata(label: NewShippingLabel, destination: 'windowsUpdate' | 'anotherPartner', metadata: DriverMetadataFile): void {
  const hardwareIds = label.targeting?.hardwareIds ?? [];
  hardwareIds.forEach((hardwareId, index) => {
    if (!entryOf(entryOf(infOf(metadata, hardwareId)?.OSPnPInfoMap, hardwareId.operatingSystemCode), hardwareId.pnpString)) {
      throw new ShippingLabelRuleError(
        'hardware-id-in-metadata',
        `targeting.hardwareIds[${index}]`,
        `${describe(hardwareId)} is not a bundleId + infId + operatingSystemCode + pnpString combination in the submission's driver metadata.`,
      );
    }
  });
  if (destination !== 'windowsUpdate' || isAutoInstall(label.publishingSpecifications)) return;
  const extensionInfs = [...new Set(hardwareIds.filter((hardwareId) => infOf(metadata, hardwareId)?.ExtensionId).map((hardwareId) => hardwareId.infId))];
  if (extensionInfs.length > 0) {
    throw new ShippingLabelRuleError(
      'extension-inf-automatic',
      'publishingSpecifications',
      `${EXTENSION_INF_MESSAGE} Extension INFs targeted: ${extensionInfs.join(', ')}. Publish them automatically (with additionalInfoForMsApproval) or leave them out.`,
    );
  }
}
