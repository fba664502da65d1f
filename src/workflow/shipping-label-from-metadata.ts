/**
 * Builds a new shipping label from a signed submission's driver metadata file (reference 2.12): every
 * bundle → INF → OS code → PnP ID path of the file is one `targeting.hardwareIds` entry, narrowed by filters.
 * The label is checked against the documented rules before it is returned, so the create call does not fail later.
 */
import type { components } from '../../generated/hdc.js';
import { toId, type IdInput } from '../client/ids.js';
import type { NewShippingLabel } from '../client/resources/shipping-labels.js';
import { ShippingLabelRuleError } from './shipping-label-rule-error.js';
import { assertShippingLabelRules, isAutoInstall, type DriverMetadataFile } from './shipping-label-rules.js';

/** `publishingSpecifications` as the API takes them, with seller IDs in any exact form. */
export type PublishingSpecificationsInput = Omit<components['schemas']['NewPublishingSpecifications'], 'visibleToAccounts'> & {
  /** Seller IDs of partners that get read-only visibility of the label. */
  visibleToAccounts?: readonly IdInput[];
};

export interface ShippingLabelFromMetadataOptions {
  /** Name of the shipping label. */
  name: string;
  /** `windowsUpdate` publishes the driver; `anotherPartner` shares it with the partner in `recipientSpecifications`. */
  destination: 'windowsUpdate' | 'anotherPartner';
  /**
   * Keep only hardware IDs for these OS codes (matched ignoring case). Each code must occur in the metadata.
   * @default every OS code in the metadata
   */
  osCodes?: readonly string[];
  /**
   * Keep only hardware IDs of these INF files (names as in the metadata, matched ignoring case). Each must occur.
   * @default every INF in the metadata
   */
  infs?: readonly string[];
  /**
   * Keep only these PnP hardware IDs (matched ignoring case). Each must occur.
   * @default every PnP ID in the metadata
   */
  hardwareIds?: readonly string[];
  /**
   * CHIDs (GUIDs) to narrow the label to, or `'metadata'` for the CHIDs the selected INFs list
   * (`InstallationComputerHardwareIds`). Only allowed with Windows 10 and later OS codes.
   * @default none
   */
  chids?: readonly string[] | 'metadata';
  /** Audience IDs (GUIDs, from `client.audiences.list()`) to restrict the driver to. @default none */
  restrictedToAudiences?: readonly string[];
  /** Range of Windows releases to offer the driver to. @default none */
  inServicePublishInfo?: components['schemas']['NewInServicePublishInfo'];
  /**
   * For `windowsUpdate`. `manualAcquisition` defaults to the documented pairing: false with an auto-install flag,
   * true without one.
   * @default { manualAcquisition: true }
   */
  publishingSpecifications?: PublishingSpecificationsInput;
  /** For `anotherPartner`: the receiving partner's seller ID, and whether it must add CHIDs to its own labels. */
  recipientSpecifications?: { receiverPublisherId: IdInput; enforceChidTargeting?: boolean };
}

interface Candidate {
  bundleId: string;
  infId: string;
  operatingSystemCode: string;
  pnpString: string;
  chids: readonly string[];
}

/**
 * Builds a `NewShippingLabel` whose hardware IDs are the driver metadata's combinations that pass the filters.
 *
 * @throws ShippingLabelRuleError when a filter matches nothing (the message lists what the metadata has), or the
 *   label would break a documented rule (auto-install, manualAcquisition, CHIDs, extension INFs).
 * @example
 * const label = shippingLabelFromMetadata(metadata, {
 *   name: 'Contoso touch 1.2 to WU',
 *   destination: 'windowsUpdate',
 *   osCodes: ['WINDOWS_v100_X64_VB_FULL'],
 * });
 * await client.shippingLabels.create(productId, submissionId, label);
 */
export function shippingLabelFromMetadata(metadata: DriverMetadataFile, options: ShippingLabelFromMetadataOptions): NewShippingLabel {
  const all = candidatesOf(metadata);
  if (all.length === 0) {
    throw new ShippingLabelRuleError('hardware-ids-required', 'metadata', 'The driver metadata lists no hardware IDs (no bundle, INF, OS code and PnP ID), so there is nothing to target.');
  }
  const filters = [
    { option: 'infs', what: 'INF', values: options.infs, of: (candidate: Candidate) => candidate.infId },
    { option: 'osCodes', what: 'OS code', values: options.osCodes, of: (candidate: Candidate) => candidate.operatingSystemCode },
    { option: 'hardwareIds', what: 'hardware ID', values: options.hardwareIds, of: (candidate: Candidate) => candidate.pnpString },
  ];
  for (const filter of filters) {
    if (!filter.values) continue;
    const present = unique(all.map(filter.of));
    const missing = filter.values.filter((value) => !present.some((name) => same(name, value)));
    if (filter.values.length === 0 || missing.length > 0) {
      const asked = filter.values.length === 0 ? 'An empty list' : `${missing.map((value) => JSON.stringify(value)).join(', ')}`;
      throw new ShippingLabelRuleError(
        'filter-matches-nothing',
        `options.${filter.option}`,
        `${asked} matches no ${filter.what} in the driver metadata. It has: ${present.join(', ')}.`,
      );
    }
  }
  const selected = all.filter((candidate) => filters.every((filter) => !filter.values || filter.values.some((value) => same(filter.of(candidate), value))));
  if (selected.length === 0) {
    const given = filters.filter((filter) => filter.values).map((filter) => `${filter.option} [${filter.values!.join(', ')}]`);
    const byInf = unique(all.filter((candidate) => !options.infs || options.infs.some((inf) => same(candidate.infId, inf))).map((candidate) => candidate.infId)).map(
      (inf) => `${inf}: ${unique(all.filter((candidate) => candidate.infId === inf).map((candidate) => candidate.operatingSystemCode)).join(', ')}`,
    );
    throw new ShippingLabelRuleError(
      'filter-matches-nothing',
      'options',
      `No hardware ID in the driver metadata matches ${given.join(' and ')} together. OS codes by INF: ${byInf.join('; ')}.`,
    );
  }

  const targeting: NonNullable<NewShippingLabel['targeting']> = {
    hardwareIds: selected.map(({ bundleId, infId, operatingSystemCode, pnpString }) => ({ bundleId, infId, operatingSystemCode, pnpString })),
  };
  const chids = chidsFor(options.chids, selected);
  if (chids.length > 0) targeting.chids = chids.map((chid) => ({ chid }));
  if (options.restrictedToAudiences) targeting.restrictedToAudiences = [...options.restrictedToAudiences];
  if (options.inServicePublishInfo) targeting.inServicePublishInfo = options.inServicePublishInfo;

  const label: NewShippingLabel = { name: options.name, destination: options.destination, targeting };
  if (options.destination === 'windowsUpdate' || options.publishingSpecifications) {
    label.publishingSpecifications = publishingSpecificationsOf(options.publishingSpecifications);
  }
  if (options.recipientSpecifications) {
    const { receiverPublisherId, enforceChidTargeting } = options.recipientSpecifications;
    label.recipientSpecifications = {
      receiverPublisherId: toId('receiverPublisherId', receiverPublisherId),
      ...(enforceChidTargeting === undefined ? {} : { enforceChidTargeting }),
    };
  }
  assertShippingLabelRules(label, metadata);
  return label;
}

function publishingSpecificationsOf(input: PublishingSpecificationsInput = {}): NonNullable<NewShippingLabel['publishingSpecifications']> {
  const { visibleToAccounts, ...rest } = input;
  return {
    ...rest,
    ...(visibleToAccounts ? { visibleToAccounts: visibleToAccounts.map((id) => toId('visibleToAccounts', id)) } : {}),
    // v2.0 wants "May request user input" stated; the documented pairing with the auto-install flags is the only valid value.
    manualAcquisition: input.manualAcquisition ?? !isAutoInstall(input),
  };
}

function chidsFor(option: ShippingLabelFromMetadataOptions['chids'], selected: readonly Candidate[]): string[] {
  if (option === undefined) return [];
  if (option !== 'metadata') return uniqueIgnoringCase(option);
  const fromMetadata = uniqueIgnoringCase(selected.flatMap((candidate) => candidate.chids));
  if (fromMetadata.length === 0) {
    const infs = unique(selected.map((candidate) => candidate.infId));
    throw new ShippingLabelRuleError(
      'filter-matches-nothing',
      'options.chids',
      `chids: 'metadata' asks for the CHIDs the INFs list, but ${infs.join(', ')} list none (InstallationComputerHardwareIds is empty).`,
    );
  }
  return fromMetadata;
}

function candidatesOf(metadata: DriverMetadataFile): Candidate[] {
  const candidates: Candidate[] = [];
  for (const [bundleId, bundle] of Object.entries(metadata.BundleInfoMap ?? {})) {
    for (const [infId, inf] of Object.entries(bundle.InfInfoMap ?? {})) {
      for (const [operatingSystemCode, pnpMap] of Object.entries(inf.OSPnPInfoMap ?? {})) {
        for (const pnpString of Object.keys(pnpMap ?? {})) {
          candidates.push({ bundleId, infId, operatingSystemCode, pnpString, chids: inf.InstallationComputerHardwareIds ?? [] });
        }
      }
    }
  }
  return candidates;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function uniqueIgnoringCase(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => !seen.has(value.toLowerCase()) && seen.add(value.toLowerCase()));
}
