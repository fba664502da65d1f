/**
 * Shipping labels built from a driver metadata file, and the documented rules checked before a label is sent.
 */
import { describe, expect, it } from '@jest/globals';
import { CHID_MESSAGE, EXTENSION_MESSAGE } from '../../src/mock/sandbox/targeting-rules.js';
import { driverMetadataFromInfs } from '../../src/package/driver-metadata.js';
import {
  assertShippingLabelRules,
  shippingLabelFromMetadata,
  ShippingLabelRuleError,
  type DriverMetadataFile,
  type ShippingLabelFromMetadataOptions,
  type ShippingLabelRule,
} from '../../src/workflow/index.js';
import type { NewShippingLabel } from '../../src/client/index.js';

const BUNDLE = 'dc3b111e-c750-4a55-96ce-0eae1d1da8a2';
const RS3 = 'WINDOWS_v100_X64_RS3_FULL';
const VB = 'WINDOWS_v100_X64_VB_FULL';
const WIN81 = 'WINDOWS_v63_X64';
const TOUCH = 'hid\\vid_c0de&pid_7001';
const TOUCH2 = 'hid\\vid_c0de&pid_7002';
const EXT = 'hid\\vid_c0de&pid_7003';
const LEGACY = 'hid\\vid_c0de&pid_0001';
const CHID_A = '346511cf-ccee-5c6d-8ee9-3c70fc7aae83';
const CHID_B = '9c1f0e2a-6b7d-5e48-a3c1-0f2e4d6b8a91';

const pnp = (description: string) => ({ Manufacturer: 'Contoso', DeviceDescription: description, FeatureScore: null });

/** As the service sends it: PascalCase keys, a driver INF, an extension INF and an INF for Windows 8.1. */
const METADATA: DriverMetadataFile = {
  BundleInfoMap: {
    [BUNDLE]: {
      Locales: ['English'],
      InfInfoMap: {
        'contosotouch.inf': {
          DriverVersion: '10.0.1.2',
          ExtensionId: null,
          Provider: 'Contoso',
          InstallationComputerHardwareIds: [CHID_A, CHID_B, CHID_A.toUpperCase()],
          OSPnPInfoMap: {
            [RS3]: { [TOUCH]: pnp('Contoso Touch'), [TOUCH2]: pnp('Contoso Touch 2') },
            [VB]: { [TOUCH]: pnp('Contoso Touch'), [TOUCH2]: pnp('Contoso Touch 2') },
          },
        },
        'contosotouch_ext.inf': {
          ExtensionId: '5d2a5e6b-1c0d-4b8e-9f3a-7b6c5d4e3f21',
          InstallationComputerHardwareIds: [],
          OSPnPInfoMap: { [VB]: { [EXT]: pnp('Contoso Touch Extension') } },
        },
        'legacy.inf': {
          ExtensionId: null,
          OSPnPInfoMap: { [WIN81]: { [LEGACY]: pnp('Contoso Legacy') } },
        },
      },
    },
  },
};

const APPROVAL_INFO = {
  microsoftContact: 'sponsor@microsoft.com',
  validationsPerformed: 'HLK, OEM system validation',
  affectedOems: ['Contoso'],
  businessJustification: 'Fixes a touch regression on shipping systems.',
};

const hardwareId = (infId: string, operatingSystemCode: string, pnpString: string) => ({ bundleId: BUNDLE, infId, operatingSystemCode, pnpString });

/** Runs `build` and returns the ShippingLabelRuleError it throws (failing the test if it throws nothing or something else). */
function ruleError(build: () => unknown): ShippingLabelRuleError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ShippingLabelRuleError);
    return error as ShippingLabelRuleError;
  }
  throw new Error('expected a ShippingLabelRuleError, but nothing was thrown');
}

function expectRule(build: () => unknown, rule: ShippingLabelRule, target: string): ShippingLabelRuleError {
  const error = ruleError(build);
  expect({ rule: error.rule, target: error.target }).toEqual({ rule, target });
  expect(error.validationErrors).toEqual([{ target, message: error.message }]);
  expect(error.kind).toBe('shipping-label-rule');
  return error;
}

const windowsUpdate = (overrides: Partial<ShippingLabelFromMetadataOptions> = {}): ShippingLabelFromMetadataOptions => ({
  name: 'Contoso touch 10.0.1.2',
  destination: 'windowsUpdate',
  infs: ['contosotouch.inf'],
  ...overrides,
});

describe('shippingLabelFromMetadata', () => {
  it('turns every bundle → INF → OS code → PnP path into a hardware ID, with manual acquisition by default', () => {
    const label = shippingLabelFromMetadata(METADATA, windowsUpdate());

    expect(label).toEqual({
      name: 'Contoso touch 10.0.1.2',
      destination: 'windowsUpdate',
      targeting: {
        hardwareIds: [
          hardwareId('contosotouch.inf', RS3, TOUCH),
          hardwareId('contosotouch.inf', RS3, TOUCH2),
          hardwareId('contosotouch.inf', VB, TOUCH),
          hardwareId('contosotouch.inf', VB, TOUCH2),
        ],
      },
      publishingSpecifications: { manualAcquisition: true },
    });
  });

  it('targets every INF, extension included, when published automatically; manualAcquisition then defaults to false', () => {
    const label = shippingLabelFromMetadata(METADATA, {
      name: 'auto',
      destination: 'windowsUpdate',
      publishingSpecifications: { isAutoInstallOnApplicableSystems: true, additionalInfoForMsApproval: APPROVAL_INFO, visibleToAccounts: [27691110, 9007199254740993n] },
    });

    expect(label.targeting?.hardwareIds).toHaveLength(6);
    expect(label.targeting?.hardwareIds).toContainEqual(hardwareId('contosotouch_ext.inf', VB, EXT));
    expect(label.targeting?.hardwareIds).toContainEqual(hardwareId('legacy.inf', WIN81, LEGACY));
    expect(label.publishingSpecifications).toEqual({
      isAutoInstallOnApplicableSystems: true,
      additionalInfoForMsApproval: APPROVAL_INFO,
      visibleToAccounts: ['27691110', '9007199254740993'],
      manualAcquisition: false,
    });
  });

  it('filters by OS code, INF and hardware ID ignoring case, and sends the metadata’s own spelling', () => {
    const label = shippingLabelFromMetadata(METADATA, {
      name: 'vb only',
      destination: 'windowsUpdate',
      osCodes: ['windows_V100_x64_vb_full'],
      infs: ['ContosoTouch.INF'],
      hardwareIds: ['HID\\VID_C0DE&PID_7002'],
      restrictedToAudiences: ['00000000-0000-0000-0000-000000000001'],
      inServicePublishInfo: { flooring: 'RS5', ceiling: 'VB' },
    });

    expect(label.targeting).toEqual({
      hardwareIds: [hardwareId('contosotouch.inf', VB, TOUCH2)],
      restrictedToAudiences: ['00000000-0000-0000-0000-000000000001'],
      inServicePublishInfo: { flooring: 'RS5', ceiling: 'VB' },
    });
  });

  it('refuses a filter value that matches nothing, listing what the metadata has', () => {
    const os = expectRule(() => shippingLabelFromMetadata(METADATA, windowsUpdate({ osCodes: [VB, 'WINDOWS_v100_X64_VB_FUL'] })), 'filter-matches-nothing', 'options.osCodes');
    expect(os.message).toBe(`"WINDOWS_v100_X64_VB_FUL" matches no OS code in the driver metadata. It has: ${RS3}, ${VB}, ${WIN81}.`);

    const inf = expectRule(() => shippingLabelFromMetadata(METADATA, windowsUpdate({ infs: ['contoso.inf'] })), 'filter-matches-nothing', 'options.infs');
    expect(inf.message).toContain('It has: contosotouch.inf, contosotouch_ext.inf, legacy.inf.');

    const pnpFilter = expectRule(() => shippingLabelFromMetadata(METADATA, windowsUpdate({ hardwareIds: [] })), 'filter-matches-nothing', 'options.hardwareIds');
    expect(pnpFilter.message).toContain('An empty list matches no hardware ID');
  });

  it('refuses filters that each match but together select nothing, saying which OS codes each INF has', () => {
    const error = expectRule(
      () => shippingLabelFromMetadata(METADATA, windowsUpdate({ infs: ['legacy.inf'], osCodes: [VB] })),
      'filter-matches-nothing',
      'options',
    );
    expect(error.message).toBe(`No hardware ID in the driver metadata matches infs [legacy.inf] and osCodes [${VB}] together. OS codes by INF: legacy.inf: ${WIN81}.`);
  });

  it('requires additionalInfoForMsApproval for automatic installs', () => {
    const error = expectRule(
      () => shippingLabelFromMetadata(METADATA, windowsUpdate({ publishingSpecifications: { isAutoInstallDuringOSUpgrade: true } })),
      'auto-install-approval-info',
      'publishingSpecifications.additionalInfoForMsApproval',
    );
    expect(error.message).toContain('additionalInfoForMsApproval is required when isAutoInstallDuringOSUpgrade or isAutoInstallOnApplicableSystems is true');
  });

  it('ties manualAcquisition to the auto-install flags both ways', () => {
    expectRule(
      () =>
        shippingLabelFromMetadata(
          METADATA,
          windowsUpdate({ publishingSpecifications: { isAutoInstallOnApplicableSystems: true, additionalInfoForMsApproval: APPROVAL_INFO, manualAcquisition: true } }),
        ),
      'manual-acquisition',
      'publishingSpecifications.manualAcquisition',
    );
    const error = expectRule(
      () => shippingLabelFromMetadata(METADATA, windowsUpdate({ publishingSpecifications: { isAutoInstallDuringOSUpgrade: false, manualAcquisition: false } })),
      'manual-acquisition',
      'publishingSpecifications.manualAcquisition',
    );
    expect(error.message).toBe('manualAcquisition must be true when neither isAutoInstallDuringOSUpgrade nor isAutoInstallOnApplicableSystems is true.');
  });

  it('allows CHIDs with Windows 10 and later OS codes only, in the service’s words', () => {
    const label = shippingLabelFromMetadata(METADATA, windowsUpdate({ chids: [CHID_B, CHID_B.toUpperCase()] }));
    expect(label.targeting?.chids).toEqual([{ chid: CHID_B }]);

    const error = expectRule(
      () =>
        shippingLabelFromMetadata(METADATA, {
          name: 'all',
          destination: 'windowsUpdate',
          infs: ['contosotouch.inf', 'legacy.inf'],
          chids: [CHID_A],
        }),
      'chids-windows-10',
      'targeting.chids',
    );
    expect(error.message).toBe(`${CHID_MESSAGE} These OS codes are older: ${WIN81}.`);
  });

  it("takes CHIDs from the selected INFs with chids: 'metadata', and says so when they list none", () => {
    const label = shippingLabelFromMetadata(METADATA, windowsUpdate({ chids: 'metadata' }));
    expect(label.targeting?.chids).toEqual([{ chid: CHID_A }, { chid: CHID_B }]);

    const error = expectRule(
      () =>
        shippingLabelFromMetadata(METADATA, {
          ...windowsUpdate({ infs: ['contosotouch_ext.inf'], chids: 'metadata' }),
          publishingSpecifications: { isAutoInstallOnApplicableSystems: true, additionalInfoForMsApproval: APPROVAL_INFO },
        }),
      'filter-matches-nothing',
      'options.chids',
    );
    expect(error.message).toContain('contosotouch_ext.inf list none');
  });

  it('insists that extension INFs are published automatically, in the service’s words', () => {
    const error = expectRule(
      () => shippingLabelFromMetadata(METADATA, windowsUpdate({ infs: ['contosotouch.inf', 'CONTOSOTOUCH_EXT.INF'] })),
      'extension-inf-automatic',
      'publishingSpecifications',
    );
    expect(error.message.startsWith(EXTENSION_MESSAGE)).toBe(true);
    expect(error.message).toContain('Extension INFs targeted: contosotouch_ext.inf.');
  });

  it('builds a label shared with another partner, with the seller ID exact and no publishing specifications', () => {
    const label = shippingLabelFromMetadata(METADATA, {
      name: 'to Fabrikam',
      destination: 'anotherPartner',
      infs: ['contosotouch_ext.inf'],
      recipientSpecifications: { receiverPublisherId: 9007199254740993n, enforceChidTargeting: true },
    });

    expect(label).toEqual({
      name: 'to Fabrikam',
      destination: 'anotherPartner',
      targeting: { hardwareIds: [hardwareId('contosotouch_ext.inf', VB, EXT)] },
      recipientSpecifications: { receiverPublisherId: '9007199254740993', enforceChidTargeting: true },
    });
  });

  it('refuses a partner label without a recipient, or with publishing specifications', () => {
    expectRule(
      () => shippingLabelFromMetadata(METADATA, { name: 'share', destination: 'anotherPartner' }),
      'specifications-for-destination',
      'recipientSpecifications.receiverPublisherId',
    );
    expectRule(
      () =>
        shippingLabelFromMetadata(METADATA, {
          name: 'share',
          destination: 'anotherPartner',
          recipientSpecifications: { receiverPublisherId: '27691110' },
          publishingSpecifications: { manualAcquisition: true },
        }),
      'specifications-for-destination',
      'publishingSpecifications',
    );
  });

  it('refuses metadata without any hardware ID', () => {
    expectRule(() => shippingLabelFromMetadata({ BundleInfoMap: {} }, windowsUpdate({ infs: undefined })), 'hardware-ids-required', 'metadata');
  });

  it('works on the metadata hwdash computes from a package’s INFs', () => {
    const inf = [
      '[Version]',
      'Signature = "$WINDOWS NT$"',
      'Class = HIDClass',
      'ClassGuid = {745a17a0-74d3-11d0-b6fe-00a0c90f57da}',
      'Provider = Contoso',
      'CatalogFile = touch.cat',
      'DriverVer = 03/14/2025,10.0.1.2',
      '[Manufacturer]',
      'Contoso = Models, NTamd64.10.0...19041',
      '[Models.NTamd64.10.0...19041]',
      'Touch = Install, HID\\VID_C0DE&PID_7001',
      '[Install.NT]',
    ].join('\r\n');
    const metadata = driverMetadataFromInfs(BUNDLE, [{ path: 'driver/touch.inf', bytes: Buffer.from(inf) }], { operatingSystemCodes: [VB, 'WINDOWS_v100_X64_GE_FULL'] });

    const label = shippingLabelFromMetadata(metadata, { name: 'local', destination: 'windowsUpdate', osCodes: [VB] });

    expect(label.targeting?.hardwareIds).toEqual([hardwareId('touch.inf', VB, 'hid\\vid_c0de&pid_7001')]);
  });
});

describe('assertShippingLabelRules (labels given as JSON)', () => {
  const valid: NewShippingLabel = {
    name: 'json',
    destination: 'windowsUpdate',
    publishingSpecifications: { manualAcquisition: true },
    targeting: { hardwareIds: [hardwareId('contosotouch.inf', VB, TOUCH)] },
  };

  it('accepts a valid label, with or without the metadata', () => {
    expect(() => assertShippingLabelRules(valid, METADATA)).not.toThrow();
    expect(() => assertShippingLabelRules(valid)).not.toThrow();
  });

  it('refuses destination notSet and Windows Update labels without publishing specifications or hardware IDs', () => {
    expectRule(() => assertShippingLabelRules({ ...valid, destination: 'notSet' }), 'destination', 'destination');
    expectRule(() => assertShippingLabelRules({ name: 'x', destination: 'windowsUpdate', targeting: valid.targeting }), 'specifications-for-destination', 'publishingSpecifications');
    expectRule(() => assertShippingLabelRules({ ...valid, targeting: { hardwareIds: [] } }), 'hardware-ids-required', 'targeting.hardwareIds');
    expectRule(
      () => assertShippingLabelRules({ ...valid, recipientSpecifications: { receiverPublisherId: '27691110' } }),
      'specifications-for-destination',
      'recipientSpecifications',
    );
  });

  it('checks hardware IDs against the metadata (ignoring case), naming the entry at fault', () => {
    expect(() =>
      assertShippingLabelRules({ ...valid, targeting: { hardwareIds: [hardwareId('ContosoTouch.inf', VB.toLowerCase(), TOUCH.toUpperCase())] } }, METADATA),
    ).not.toThrow();
    const error = expectRule(
      () => assertShippingLabelRules({ ...valid, targeting: { hardwareIds: [hardwareId('contosotouch.inf', VB, TOUCH), hardwareId('legacy.inf', VB, LEGACY)] } }, METADATA),
      'hardware-id-in-metadata',
      'targeting.hardwareIds[1]',
    );
    expect(error.message).toContain(`${LEGACY} (${VB}, legacy.inf, bundle ${BUNDLE}) is not a bundleId + infId + operatingSystemCode + pnpString combination`);
    // Without the metadata that check is the service's.
    expect(() => assertShippingLabelRules({ ...valid, targeting: { hardwareIds: [hardwareId('legacy.inf', VB, LEGACY)] } })).not.toThrow();
  });

  it('refuses inServicePublishInfo together with coEngDriverPublishInfo', () => {
    expectRule(
      () =>
        assertShippingLabelRules({
          ...valid,
          targeting: { ...valid.targeting, inServicePublishInfo: { flooring: 'RS5', ceiling: 'VB' }, coEngDriverPublishInfo: { flooringBuildNumber: 17135, ceilingBuildNumber: 17139 } },
        }),
      'publish-info-exclusive',
      'targeting.coEngDriverPublishInfo',
    );
  });

  it('checks CHIDs and the extension INF rule on JSON labels too', () => {
    expectRule(
      () => assertShippingLabelRules({ ...valid, targeting: { hardwareIds: [hardwareId('legacy.inf', WIN81, LEGACY)], chids: [{ chid: CHID_A }] } }),
      'chids-windows-10',
      'targeting.chids',
    );
    expectRule(
      () => assertShippingLabelRules({ ...valid, targeting: { hardwareIds: [hardwareId('contosotouch_ext.inf', VB, EXT)] } }, METADATA),
      'extension-inf-automatic',
      'publishingSpecifications',
    );
  });
});
