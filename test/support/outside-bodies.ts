/**
 * Request bodies that clients written by others send to the live service, rebuilt from their public sources (never
 * copied from them): they must validate against the spec's request schemas and be accepted by the sandbox. Each one
 * says where its shape comes from.
 */

/**
 * A public GitHub Action (JavaScript, axios) that signs drivers in production: no announcementDate, no
 * firmwareVersion, an empty selectedProductTypes, POSTed to `/products/` with a trailing slash.
 */
export function actionProductBody(productName: string, requestedSignatures: string[]): Record<string, unknown> {
  return {
    productName,
    testHarness: 'attestation',
    deviceMetadataIds: [],
    deviceType: 'internalExternal',
    isTestSign: false,
    isFlightSign: false,
    marketingNames: [],
    selectedProductTypes: {},
    requestedSignatures,
    additionalAttributes: {},
  };
}

/** The same Action's submission. */
export const ACTION_SUBMISSION = { name: 'driver', type: 'initial' };

/** OS codes the Action requests, one of which (ARM64 RS5) the docs' table lacks. */
export const ACTION_SIGNATURES = ['WINDOWS_v100_X64_RS5_FULL', 'WINDOWS_v100_ARM64_RS5_FULL', 'WINDOWS_v100_X64_VB_FULL', 'WINDOWS_v100_X64_CO_FULL'];

/**
 * A PowerShell script in the style of public ones (`Invoke-RestMethod -Body ($body | ConvertTo-Json)`): hashtable
 * keys as the author typed them, `$null` for what it does not set, `HLK` in capitals, a date from `Get-Date -Format s`.
 */
export function powerShellProductBody(productName: string): Record<string, unknown> {
  return {
    productName,
    testHarness: 'HLK',
    announcementDate: '2025-12-01T00:00:00',
    deviceMetadataIds: null,
    firmwareVersion: '0',
    deviceType: 'external',
    isTestSign: false,
    isFlightSign: false,
    marketingNames: null,
    selectedProductTypes: { windows_v100_RS4: 'Unclassified' },
    requestedSignatures: ['WINDOWS_v100_X64_RS4_FULL'],
    additionalAttributes: null,
  };
}

/** A PowerShell submission with PascalCase keys, as `@{ Name = ...; Type = 'Initial' } | ConvertTo-Json` writes it. */
export const POWERSHELL_SUBMISSION = { Name: 'driver', Type: 'Initial' };

/**
 * Microsoft's P4VFS signing client (C#, Newtonsoft): PascalCase property names from its JSON configuration,
 * `DeviceType: "Internal"`, a `DeviceMetadataCategory`, all three additional attributes null, two device-metadata
 * GUIDs, and an AnnouncementDate from .NET's `DateTime.UtcNow.ToString()` on an en-US machine.
 */
export function p4vfsProductBody(productName: string): Record<string, unknown> {
  return {
    AnnouncementDate: '11/19/2025 9:26:03 AM',
    DeviceMetadataCategory: 'Component.Controller.Storage',
    DeviceMetadataIds: ['0b7e2c1a-5d3f-4e8a-9c61-2f4d8b7a6e10', 'f3a9d2e4-7b1c-4f6e-8d2a-5c9e1b3f7a42'],
    FirmwareVersion: '1.28.0.0',
    DeviceType: 'Internal',
    IsTestSign: false,
    MarketingNames: ['P4VFS Filter Driver'],
    ProductName: productName,
    SelectedProductTypes: { Windows_v100Server: 'Unclassified', Windows_v100: 'Unclassified' },
    RequestedSignatures: ['WINDOWS_v100_X64_TH2_FULL', 'WINDOWS_v100_X64_RS1_FULL'],
    AdditionalAttributes: { StorageController: null, RaidController: null, Svvp: null },
    TestHarness: 'attestation',
  };
}

/**
 * Microsoft's HardwareDevCenterManager library (System.Text.Json with default options): every property of
 * `NewProduct` serialised, `null` where unset, `packageType` included, value types at their defaults.
 */
export function hdcmLibProductBody(productName: string): Record<string, unknown> {
  return {
    productName,
    testHarness: 'Attestation',
    announcementDate: '0001-01-01T00:00:00',
    deviceMetadataIds: null,
    firmwareVersion: null,
    deviceType: 'external',
    isTestSign: false,
    isFlightSign: false,
    marketingNames: null,
    selectedProductTypes: { Windows_v100: 'Unclassified' },
    requestedSignatures: ['WINDOWS_v100_X64_VB_FULL'],
    additionalAttributes: { storageController: null, raidController: null, svvp: { maxProcessors: '64', maxMemory: '2048' } },
    packageType: null,
  };
}

/**
 * The same library's `NewShippingLabel` for a Windows Update label as SDCM fills it: hardware IDs carry a null
 * distributionState, recipientSpecifications is null, the in-service range comes from SDCM's README (`""`), the
 * co-engineering range is null, goLiveDate is .NET's round-trip format with 7 fractional digits and an offset.
 */
export function hdcmLibShippingLabelBody(hardwareIds: { bundleId: string; infId: string; operatingSystemCode: string; pnpString: string }[]): Record<string, unknown> {
  return {
    publishingSpecifications: {
      goLiveDate: '2025-12-08T10:11:12.1234567+02:00',
      visibleToAccounts: null,
      isAutoInstallDuringOSUpgrade: false,
      isAutoInstallOnApplicableSystems: false,
      manualAcquisition: true,
      isDisclosureRestricted: false,
      publishToWindows10s: false,
      additionalInfoForMsApproval: null,
    },
    targeting: {
      hardwareIds: hardwareIds.map((hardwareId) => ({ ...hardwareId, distributionState: null })),
      chids: null,
      restrictedToAudiences: [],
      inServicePublishInfo: { flooring: '', ceiling: '' },
      coEngDriverPublishInfo: null,
    },
    recipientSpecifications: null,
    name: 'Contoso to Windows Update',
    destination: 'windowsUpdate',
  };
}
