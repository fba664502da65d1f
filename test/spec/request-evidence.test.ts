/**
 * The request schemas against the evidence (issue 15): bodies that outside clients send to the live service
 * validate; a field is required only where a doc says so (and the schema's description cites it); enums take
 * the spellings the service takes; the documented lists are open; dates come with or without an offset; and the
 * CLI's advisories (`x-hwdash-warn`) warn about likely mistakes without refusing anything, while the sandbox's
 * validator ignores them.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { canonicalPropertyNames, propertyNameIndex } from '../../src/client/property-names.js';
import { SPEC_SCHEMA_ID, createSpecAjv, loadOpenApiDocument, type OpenApiDocument } from '../../src/client/spec-document.js';
import { checkAgainstSpec } from '../../src/cli/spec-validation.js';
import { createRequestValidator } from '../../src/mock/sandbox/validation.js';
import { referenceLists } from '../../generated/reference.js';
import type { NewProduct } from '../../src/client/resources/products.js';
import { WINDOWS_RELEASES } from '../../src/package/target-os.js';
import {
  ACTION_SIGNATURES,
  ACTION_SUBMISSION,
  actionProductBody,
  hdcmLibProductBody,
  hdcmLibShippingLabelBody,
  p4vfsProductBody,
  POWERSHELL_SUBMISSION,
  powerShellProductBody,
} from '../support/outside-bodies.js';

let document: OpenApiDocument & Record<string, any>;
let ajv: Ajv2020;
let schemas: Record<string, any>;

beforeAll(async () => {
  document = (await loadOpenApiDocument()) as typeof document;
  ajv = createSpecAjv(document);
  schemas = document.components!.schemas as Record<string, any>;
});

function schema(name: string): ValidateFunction {
  const validate = ajv.getSchema(`${SPEC_SCHEMA_ID}#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
}

function errorsOf(name: string, value: unknown): string[] {
  const validate = schema(name);
  const canonical = canonicalPropertyNames(value, propertyNameIndex(document)).value;
  return validate(canonical) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

const HARDWARE_ID = { bundleId: '3aba7558-10ca-42db-b1d1-57af5718aea3', infId: 'contoso.inf', operatingSystemCode: 'WINDOWS_v100_X64_VB_FULL', pnpString: 'usb\\vid_1234&pid_5678' };

describe('bodies outside clients send validate against the request schemas', () => {
  it.each([
    ['the public GitHub Action’s product (no announcementDate, selectedProductTypes {})', 'NewProduct', actionProductBody('Contoso', ACTION_SIGNATURES)],
    ['the public GitHub Action’s submission', 'NewSubmission', ACTION_SUBMISSION],
    ['a PowerShell product (nulls, HLK, lowercase family key)', 'NewProduct', powerShellProductBody('Contoso')],
    ['a PowerShell submission with PascalCase keys and Initial', 'NewSubmission', POWERSHELL_SUBMISSION],
    ['Microsoft P4VFS’s product (PascalCase, Internal, .NET date, null attributes)', 'NewProduct', p4vfsProductBody('Microsoft P4VFS')],
    ['Microsoft P4VFS’s submission', 'NewSubmission', { Name: 'P4VFS_DRIVER_2025_11_19_09_26_03', Type: 'Initial' }],
    ['HardwareDevCenterManager’s product (every member, nulls, string SVVP sizes)', 'NewProduct', hdcmLibProductBody('Contoso')],
    ['HardwareDevCenterManager’s Windows Update label (nulls, SDCM’s empty floor and ceiling)', 'NewShippingLabel', hdcmLibShippingLabelBody([HARDWARE_ID])],
    [
      'SDCM’s partner label (publishingSpecifications and targeting kept, recipient set)',
      'NewShippingLabel',
      { ...hdcmLibShippingLabelBody([HARDWARE_ID]), destination: 'anotherPartner', recipientSpecifications: { receiverPublisherId: '27691110', enforceChidTargeting: false } },
    ],
    ['a co-engineering range with build numbers as strings (HardwareDevCenterManager since 2025-03)', 'NewTargeting', { hardwareIds: [HARDWARE_ID], coEngDriverPublishInfo: { flooringBuildNumber: '17135', ceilingBuildNumber: '17139' }, inServicePublishInfo: null }],
    ['a label update with Add/Remove in PascalCase', 'ShippingLabelUpdate', { targeting: { hardwareIds: [{ action: 'Add', ...HARDWARE_ID }], chids: [{ action: 'REMOVE', chid: '346511cf-ccee-5c6d-8ee9-3c70fc7aae83' }] } }],
  ])('%s', (_what, name, body) => {
    expect(errorsOf(name, body)).toEqual([]);
  });
});

describe('required fields are the documented ones, each citing its source', () => {
  /** Every request schema and its `required` list: a new entry here needs a doc or a refusal behind it. */
  const REQUIRED: Record<string, string[]> = {
    NewProduct: [],
    ProductUpdate: [],
    NewSubmission: [],
    SubmissionUpdate: [],
    NewShippingLabel: [],
    NewPublishingSpecifications: [],
    NewAdditionalInfoForMsApproval: [],
    NewRecipientSpecifications: [],
    NewTargeting: [],
    NewHardwareId: ['bundleId', 'infId', 'operatingSystemCode', 'pnpString'],
    NewChid: ['chid'],
    NewInServicePublishInfo: [],
    NewCoEngDriverPublishInfo: [],
    NewAdditionalAttributes: [],
    NewStorageController: [],
    NewRaidController: [],
    NewSvvp: [],
    ShippingLabelUpdate: [],
    TargetingUpdate: [],
    HardwareIdUpdate: ['action', 'bundleId', 'infId', 'operatingSystemCode', 'pnpString'],
    ChidUpdate: ['action', 'chid'],
  };

  it('lists every request schema of the spec', () => {
    const requestSchemas = Object.keys(schemas).filter((name) => /^New|Update$/.test(name));
    expect(requestSchemas.sort()).toEqual(Object.keys(REQUIRED).sort());
  });

  it.each(Object.entries(REQUIRED))('%s requires exactly %j, and says where that comes from', (name, required) => {
    expect([...(schemas[name].required ?? [])].sort()).toEqual([...required].sort());
    if (required.length > 0) expect(schemas[name].description).toMatch(/\.md\b/);
  });

  it('the conditional requirements are the docs’ “must” rules, whatever the case of destination', () => {
    const label = { name: 'l' };
    expect(errorsOf('NewShippingLabel', { ...label, destination: 'windowsUpdate' })).not.toEqual([]);
    expect(errorsOf('NewShippingLabel', { ...label, destination: 'WindowsUpdate', publishingSpecifications: null, targeting: {} })).not.toEqual([]);
    expect(errorsOf('NewShippingLabel', { ...label, destination: 'ANOTHERPARTNER' })).not.toEqual([]);
    expect(errorsOf('NewShippingLabel', { ...label, destination: 'anotherPartner', recipientSpecifications: { receiverPublisherId: '1' } })).toEqual([]);
    expect(errorsOf('NewPublishingSpecifications', { isAutoInstallOnApplicableSystems: true, manualAcquisition: false })).not.toEqual([]);
    expect(errorsOf('NewPublishingSpecifications', { isAutoInstallOnApplicableSystems: true, manualAcquisition: false, additionalInfoForMsApproval: null })).not.toEqual([]);
    expect(errorsOf('NewPublishingSpecifications', { isAutoInstallOnApplicableSystems: false, isAutoInstallDuringOSUpgrade: false, manualAcquisition: false })).not.toEqual([]);
    expect(errorsOf('NewStorageController', { usedBetterBoot: true, uefiVersion: '2.7', acpiVersion: null })).not.toEqual([]);
    expect(errorsOf('NewStorageController', { usedBootSupport: true })).toEqual([]);
    expect(errorsOf('NewTargeting', { inServicePublishInfo: { flooring: 'RS1' }, coEngDriverPublishInfo: { flooringBuildNumber: 1 } })).not.toEqual([]);
  });
});

/** Schemas marked `x-case-insensitive`: an enum for the docs and the types, and a pattern for any case. */
function caseInsensitiveEnums(node: unknown, found: { enum: string[]; pattern: string }[] = []): { enum: string[]; pattern: string }[] {
  if (Array.isArray(node)) {
    node.forEach((child) => caseInsensitiveEnums(child, found));
    return found;
  }
  if (!node || typeof node !== 'object') return found;
  const record = node as Record<string, any>;
  if (record['x-case-insensitive'] === true) {
    const known = record.anyOf.find((b: any) => Array.isArray(b.enum));
    const pattern = record.anyOf.find((b: any) => typeof b.pattern === 'string');
    found.push({ enum: known.enum, pattern: pattern.pattern });
  }
  Object.values(record).forEach((child) => caseInsensitiveEnums(child, found));
  return found;
}

describe('enums take the spellings the service takes', () => {
  it('every case-insensitive enum’s pattern accepts exactly its values, in any case', () => {
    const enums = caseInsensitiveEnums(schemas);
    expect(enums.length).toBeGreaterThanOrEqual(8);
    for (const { enum: values, pattern } of enums) {
      const regex = new RegExp(pattern, 'u');
      for (const value of values) {
        for (const spelling of [value, value.toLowerCase(), value.toUpperCase(), value[0]!.toUpperCase() + value.slice(1)]) {
          expect({ pattern, spelling, matches: regex.test(spelling) }).toEqual({ pattern, spelling, matches: true });
        }
        for (const near of [`${value}x`, value.slice(1), ` ${value}`]) expect({ pattern, near, matches: regex.test(near) }).toEqual({ pattern, near, matches: false });
      }
      expect(regex.test('')).toBe(false);
    }
  });

  it.each([
    ['NewProduct', { testHarness: 'Attestation' }],
    ['NewProduct', { testHarness: 'HLK' }],
    ['NewProduct', { testHarness: 'attestation' }],
    ['NewProduct', { deviceType: 'InternalExternal' }],
    ['NewSubmission', { type: 'Derived' }],
    ['NewChid', { chid: '346511cf-ccee-5c6d-8ee9-3c70fc7aae83', distributionState: 'pendingAdd' }],
    ['NewChid', { chid: '346511cf-ccee-5c6d-8ee9-3c70fc7aae83', distributionState: 'PendingRecovery' }],
  ])('%s accepts %j', (name, body) => {
    expect(errorsOf(name, body)).toEqual([]);
  });

  it.each([
    ['NewProduct', { testHarness: 'whql' }],
    ['NewProduct', { deviceType: 'both' }],
    ['NewSubmission', { type: 'shell' }],
    ['NewShippingLabel', { destination: 'windows update' }],
    ['NewHardwareId', { ...HARDWARE_ID, operatingSystemCode: 'Windows 11' }],
  ])('%s refuses %j', (name, body) => {
    expect(errorsOf(name, body)).not.toEqual([]);
  });
});

describe('the documented lists are open enums', () => {
  it('the Known… lists hold the docs’ tables as of 2025-11, GE included', () => {
    const osCodes = schemas.KnownOsCode.enum as string[];
    expect(osCodes).toHaveLength(66);
    expect(osCodes).toEqual(expect.arrayContaining(['WINDOWS_v100_X64_GE_FULL', 'WINDOWS_v100_ARM64_GE_FULL', 'WINDOWS_v100_SERVER_X64_GE_FULL', 'WINDOWS_v100_SERVER_ARM64_GE_FULL', 'WINDOWS_ME']));
    expect(schemas.KnownOsCode['x-enumDescriptions'].WINDOWS_v100_X64_GE_FULL).toBe('Windows 11 Client, version 24H2 x64');
    const families = schemas.KnownOsFamilyCode.enum as string[];
    expect(families).toHaveLength(34);
    expect(families).toEqual(expect.arrayContaining(['Windows_v100_GE', 'Windows_v100Server_GE', 'Windows_v100_RS5']));
    expect(new Set(families).size).toBe(families.length);
    const types = schemas.KnownProductType.enum as string[];
    expect(types).toHaveLength(148);
    expect(types).toEqual(expect.arrayContaining(['3D Printer', 'Graphics Adapter WDDM3.2 VM', 'WSD Scanner', 'Unclassified']));
  });

  it('values outside the lists pass, values of another shape do not', () => {
    expect(errorsOf('OsCode', 'WINDOWS_v100_ARM64_RS5_FULL')).toEqual([]);
    expect(errorsOf('OsCode', 'windows_v100_x64_ge_full')).toEqual([]);
    expect(errorsOf('OsCode', 'Windows 11 24H2')).not.toEqual([]);
    expect(errorsOf('NewProduct', { selectedProductTypes: { windows_v100_RS4: 'Unclassified', Windows_v100_ZZ: 'A Future Device Class' } })).toEqual([]);
    expect(errorsOf('NewProduct', { selectedProductTypes: { Linux: 'Unclassified' } })).not.toEqual([]);
    expect(errorsOf('NewProduct', { selectedProductTypes: { Windows_v100: '' } })).not.toEqual([]);
    expect(errorsOf('NewInServicePublishInfo', { flooring: 'GE', ceiling: '' })).toEqual([]);
    expect(errorsOf('NewInServicePublishInfo', { flooring: 'RS 1' })).not.toEqual([]);
    expect(errorsOf('NewSvvp', { guestOs: 'Windows Server 2025', processorArchitecture: 'Ampere', maxProcessors: 64 })).toEqual([]);
  });

  it('every OS code the package layer derives from INF decorations is a documented one', () => {
    const documented = new Set(schemas.KnownOsCode.enum as string[]);
    expect(WINDOWS_RELEASES.map((release) => release.code).filter((code) => !documented.has(code))).toEqual([]);
  });

  it('generated/reference.ts holds every Known… list of the spec, in order, with the descriptions', () => {
    for (const [name, entries] of Object.entries(referenceLists)) {
      expect(entries.map((entry) => entry.value)).toEqual(schemas[name].enum);
      for (const entry of entries) expect(entry.description).toBe(schemas[name]['x-enumDescriptions']?.[entry.value]);
    }
    expect(Object.keys(referenceLists).sort()).toEqual(Object.keys(schemas).filter((name) => name.startsWith('Known')).sort());
  });

  it('the generated types keep the known values and still take any string', async () => {
    const types = await readFile(new URL('../../generated/hdc.ts', import.meta.url), 'utf8');
    expect(types).toContain('OsCode: components["schemas"]["KnownOsCode"] | (string & {});');
    expect(types).toContain('OsFamilyCode: components["schemas"]["KnownOsFamilyCode"] | (string & {});');
    expect(types).toContain('ProductType: components["schemas"]["KnownProductType"] | (string & {});');
    expect(types).toContain('testHarness?: ("attestation" | "hlk" | "hck" | "notset") | (string & {}) | null;');
    expect(types).toMatch(/KnownOsCode: "WINDOWS_ME" \| .*"WINDOWS_v100_SERVER_ARM64_GE_FULL";/);
    // Checked by `npm run typecheck`: documented and undocumented values both type-check, other types do not.
    const typed: NewProduct = { testHarness: 'Attestation', requestedSignatures: ['WINDOWS_v100_X64_GE_FULL', 'WINDOWS_v100_ARM64_RS5_FULL'], selectedProductTypes: { windows_v100: 'Unclassified' } };
    // @ts-expect-error an OS code is a string
    const wrong: NewProduct = { requestedSignatures: [10] };
    expect([typed, wrong]).toHaveLength(2);
  });
});

describe('dates with and without an offset', () => {
  it.each(['2018-01-01T00:00:00', '2025-12-01T00:00:00Z', '2018-04-04T16:11:27.2965057+00:00', '2018-02-22T06:50:54.793Z', '2025-12-01', '0001-01-01T00:00:00', '11/19/2025 9:26:03 AM'])(
    'announcementDate %s is accepted',
    (date) => {
      expect(errorsOf('NewProduct', { announcementDate: date })).toEqual([]);
    },
  );

  it.each(['tomorrow', '2025-13', '2025-12-01 00:00:00Z', ''])('announcementDate %j is refused', (date) => {
    expect(errorsOf('NewProduct', { announcementDate: date })).not.toEqual([]);
  });

  it('goLiveDate takes .NET’s round-trip form and the docs’ forms', () => {
    for (const date of ['2025-12-08T10:11:12.1234567+02:00', '2018-02-22T06:50:54.793Z', '2025-12-08T10:11:12']) {
      expect(errorsOf('NewPublishingSpecifications', { goLiveDate: date })).toEqual([]);
    }
  });
});

describe('advisories: the CLI warns, nothing refuses', () => {
  const warningsOf = async (body: unknown, name: string) => {
    const check = await checkAgainstSpec(body, name);
    expect(check.problems).toEqual([]);
    return check.warnings.map((w) => `${w.field}: ${w.message}`);
  };

  it('the public Action’s product: an empty selectedProductTypes and an OS code the docs lack', async () => {
    const warnings = await warningsOf(actionProductBody('Contoso', ACTION_SIGNATURES), 'NewProduct');
    expect(warnings.sort()).toEqual([
      expect.stringMatching(/^requestedSignatures\.1: "WINDOWS_v100_ARM64_RS5_FULL" is not an OS code the docs list/),
      expect.stringMatching(/^selectedProductTypes: is missing or empty/),
    ]);
  });

  it('the docs’ own create-product example gives no warning', async () => {
    const { operations } = await import('../../generated/operations.js');
    const example = JSON.parse(operations.find((op) => op.operationId === 'createProduct')!.requestExample!);
    expect(await warningsOf(example, 'NewProduct')).toEqual([]);
  });

  it('P4VFS’s PascalCase names are respelt, and its culture-dependent date is pointed out', async () => {
    const check = await checkAgainstSpec(p4vfsProductBody('P4VFS'), 'NewProduct');
    expect(check.problems).toEqual([]);
    expect(check.value).toMatchObject({ productName: 'P4VFS', deviceType: 'Internal', additionalAttributes: { storageController: null } });
    const warnings = check.warnings.map((w) => `${w.field}: ${w.message}`);
    expect(warnings[0]).toMatch(/^\(property names\): AnnouncementDate → announcementDate, .*ProductName → productName, .*additionalAttributes\.StorageController → storageController, .*: spelt as in the docs; the service matches property names in any case$/);
    expect(warnings.some((w) => /^announcementDate: "11\/19\/2025 9:26:03 AM" is not an ISO 8601 date/.test(w))).toBe(true);
  });

  it('unknown family codes and product types, missing fields, an empty update and two attribute kinds', async () => {
    expect(await warningsOf({ productName: 'p', testHarness: 'hlk', deviceType: 'internal', requestedSignatures: ['WINDOWS_v100_X64_GE_FULL'], selectedProductTypes: { Windows_v100_ZZ: 'Touch Screen' } }, 'NewProduct')).toEqual([
      expect.stringMatching(/^selectedProductTypes: "Windows_v100_ZZ" is not an OS family code the docs list/),
      expect.stringMatching(/^selectedProductTypes\.Windows_v100_ZZ: "Touch Screen" is not a product type the docs list/),
    ]);
    expect(await warningsOf({}, 'NewSubmission')).toEqual([expect.stringMatching(/^name: is missing/), expect.stringMatching(/^type: is missing/)]);
    expect(await warningsOf({}, 'ProductUpdate')).toEqual([expect.stringMatching(/changes nothing/)]);
    expect(await warningsOf({ svvp: { maxMemory: 1 }, raidController: { isSES: true } }, 'NewAdditionalAttributes')).toEqual([expect.stringMatching(/more than one of storageController, raidController and svvp/)]);
    expect(await warningsOf({ flooring: null, ceiling: '' }, 'NewInServicePublishInfo')).toEqual([expect.stringMatching(/^ceiling: "" is empty or not a Windows release/)]);
  });

  it('the sandbox’s validator ignores the advisories: same verdicts, no warning machinery', () => {
    const validator = createRequestValidator(document);
    expect(validator.validateRequestBody('createProduct', validator.canonicalBody(actionProductBody('Contoso', ACTION_SIGNATURES)))).toEqual([]);
    expect(validator.validateRequestBody('createProduct', validator.canonicalBody(p4vfsProductBody('P4VFS')))).toEqual([]);
    expect(validator.validateRequestBody('createSubmission', validator.canonicalBody(POWERSHELL_SUBMISSION))).toEqual([]);
    expect(validator.validateRequestBody('createSubmission', { name: 'n', type: 'shell' })).not.toEqual([]);
  });
});
