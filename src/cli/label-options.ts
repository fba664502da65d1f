/**
 * The options that shape a shipping label built from driver metadata, shared by `shipping-label create
 * --from-metadata` and `submit --label`: filters on the metadata's hardware IDs, targeting, and publishing flags.
 */
import { Option, type Command } from 'commander';
import type { ShippingLabelFromMetadataOptions } from '../workflow/shipping-label-from-metadata.js';
import { collect, parseId } from './arguments.js';

export interface LabelFlags {
  destination: 'windowsUpdate' | 'anotherPartner';
  osCode?: string[];
  inf?: string[];
  hardwareId?: string[];
  chid?: string[];
  chidsFromMetadata?: boolean;
  audience?: string[];
  recipient?: string;
  enforceChids?: boolean;
  goLiveDate?: string;
  visibleTo?: string[];
  autoInstall?: boolean;
  autoInstallDuringUpgrade?: boolean;
  disclosureRestricted?: boolean;
  publishToS?: boolean;
  msContact?: string;
  validations?: string;
  affectedOem?: string[];
  businessJustification?: string;
  rebootRequired?: boolean;
  coEngineered?: boolean;
  unreleasedHardware?: boolean;
  hasUiSoftware?: boolean;
}

const collectIds = (value: string, previous: string[] | undefined): string[] => collect(value, previous).map(parseId);

export function addLabelOptions(command: Command): Command {
  return command
    .addOption(new Option('--destination <where>', 'windowsUpdate publishes the driver; anotherPartner shares it').choices(['windowsUpdate', 'anotherPartner']).default('windowsUpdate'))
    .option('--os-code <code>', 'only hardware IDs for this OS code, e.g. WINDOWS_v100_X64_VB_FULL (repeatable)', collect)
    .option('--inf <name>', 'only hardware IDs of this INF file (repeatable)', collect)
    .option('--hardware-id <pnp>', 'only this PnP hardware ID (repeatable)', collect)
    .option('--chid <guid>', 'target this CHID (Windows 10 and later only; repeatable)', collect)
    .option('--chids-from-metadata', "target the CHIDs the selected INFs list (InstallationComputerHardwareIds)")
    .option('--audience <id>', 'restrict to this audience (see `hwdash audience list`; repeatable)', collect)
    .option('--recipient <sellerId>', 'anotherPartner: the receiving partner\'s seller ID', parseId)
    .option('--enforce-chids', 'anotherPartner: the receiver must add CHIDs to its own labels')
    .option('--go-live-date <date>', 'when the driver goes live on Windows Update, e.g. 2025-12-01T00:00:00Z')
    .option('--visible-to <sellerId>', 'partner seller ID that may see the label (repeatable)', collectIds)
    .option('--auto-install', 'install automatically on applicable systems (needs the --ms-* approval details)')
    .option('--auto-install-during-upgrade', 'install automatically during OS upgrade (needs the --ms-* approval details)')
    .option('--disclosure-restricted', 'keep the driver out of public disclosure lists')
    .option('--publish-to-s', 'also publish to Windows 10 S')
    .option('--ms-contact <email>', 'approval details: Microsoft contact')
    .option('--validations <text>', 'approval details: validations performed')
    .option('--affected-oem <name>', 'approval details: affected OEM (repeatable)', collect)
    .option('--business-justification <text>', 'approval details: business justification')
    .option('--reboot-required', 'approval details: the install needs a reboot')
    .option('--co-engineered', 'approval details: co-engineered with Microsoft')
    .option('--unreleased-hardware', 'approval details: for unreleased hardware')
    .option('--has-ui-software', 'approval details: the driver comes with UI software');
}

/** The flags as `shippingLabelFromMetadata` options; the workflow checks the documented rules on the result. */
export function labelOptionsFromFlags<Name extends string | undefined>(name: Name, flags: LabelFlags): Omit<ShippingLabelFromMetadataOptions, 'name'> & { name: Name } {
  const approval = {
    ...(flags.msContact ? { microsoftContact: flags.msContact } : {}),
    ...(flags.validations ? { validationsPerformed: flags.validations } : {}),
    ...(flags.affectedOem ? { affectedOems: flags.affectedOem } : {}),
    ...(flags.businessJustification ? { businessJustification: flags.businessJustification } : {}),
    ...(flags.rebootRequired ? { isRebootRequired: true } : {}),
    ...(flags.coEngineered ? { isCoEngineered: true } : {}),
    ...(flags.unreleasedHardware ? { isForUnreleasedHardware: true } : {}),
    ...(flags.hasUiSoftware ? { hasUiSoftware: true } : {}),
  };
  const publishing = {
    ...(flags.goLiveDate ? { goLiveDate: flags.goLiveDate } : {}),
    ...(flags.visibleTo ? { visibleToAccounts: flags.visibleTo } : {}),
    ...(flags.autoInstall ? { isAutoInstallOnApplicableSystems: true } : {}),
    ...(flags.autoInstallDuringUpgrade ? { isAutoInstallDuringOSUpgrade: true } : {}),
    ...(flags.disclosureRestricted ? { isDisclosureRestricted: true } : {}),
    ...(flags.publishToS ? { publishToWindows10s: true } : {}),
    ...(Object.keys(approval).length > 0 ? { additionalInfoForMsApproval: approval } : {}),
  };
  return {
    name,
    destination: flags.destination,
    ...(flags.osCode ? { osCodes: flags.osCode } : {}),
    ...(flags.inf ? { infs: flags.inf } : {}),
    ...(flags.hardwareId ? { hardwareIds: flags.hardwareId } : {}),
    ...(flags.chidsFromMetadata ? { chids: 'metadata' as const } : flags.chid ? { chids: flags.chid } : {}),
    ...(flags.audience ? { restrictedToAudiences: flags.audience } : {}),
    ...(Object.keys(publishing).length > 0 ? { publishingSpecifications: publishing } : {}),
    ...(flags.recipient ? { recipientSpecifications: { receiverPublisherId: flags.recipient, ...(flags.enforceChids ? { enforceChidTargeting: true } : {}) } } : {}),
  };
}
