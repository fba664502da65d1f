/**
 * The spec itself (generated/openapi.json, the bundle of spec/): every operation has an msw handler, every example
 * validates against its schema, the bodies the real service sends validate, request schemas are strict, example IDs
 * above 2^53 are exact, and servers, security and error responses are as documented.
 */
import { readFile, readdir } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { parseJson } from '../../src/client/json/lossless.js';
import { handlers } from '../../src/mock/handlers.js';
import { SPEC_SCHEMA_ID, createSpecAjv, loadOpenApiDocument, type OpenApiDocument } from '../../src/client/spec-document.js';
import { contentSchemaValidator, escapePointer, operationsOf, resolveRef, type OpenApiOperation } from '../../src/mock/sandbox/validation.js';
import { operations as generatedOperations } from '../../generated/operations.js';

const root = new URL('../../', import.meta.url);
const TWO_53 = 2n ** 53n;

let document: OpenApiDocument & Record<string, any>;
let ajv: Ajv2020;
let operations: Map<string, OpenApiOperation>;

beforeAll(async () => {
  document = (await loadOpenApiDocument()) as typeof document;
  ajv = createSpecAjv(document);
  operations = operationsOf(document);
});

function schema(name: string): ValidateFunction {
  const validate = ajv.getSchema(`${SPEC_SCHEMA_ID}#/components/schemas/${escapePointer(name)}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
}

/** The validator of the JSON success body of an operation. */
function successSchema(operationId: string, status = '200'): ValidateFunction {
  const op = operations.get(operationId)!;
  const validate = contentSchemaValidator(ajv, document, `${op.pointer}/responses/${status}`, 'application/json');
  if (!validate) throw new Error(`${operationId} ${status} has no JSON schema`);
  return validate;
}

function requestSchema(operationId: string): ValidateFunction {
  const op = operations.get(operationId)!;
  const validate = contentSchemaValidator(ajv, document, `${op.pointer}/requestBody`, 'application/json');
  if (!validate) throw new Error(`${operationId} has no JSON request schema`);
  return validate;
}

function errorsOf(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

describe('operations and handlers', () => {
  it('the spec documents the 21 operations of the issue and the undocumented partner-submission lookup, with the documented path parameter names', () => {
    expect([...operations.keys()].sort()).toEqual(
      [
        'listProducts', 'getProduct', 'createProduct', 'updateProduct',
        'listSubmissions', 'getSubmission', 'createSubmission', 'updateSubmission', 'commitSubmission', 'createPublisherMetadata',
        'listShippingLabels', 'getShippingLabel', 'createShippingLabel', 'updateShippingLabel', 'cancelShippingLabel',
        'listAudiences',
        'submitPreprodPackage', 'getPreprodPackage', 'listPreprodPackageAssets', 'getPreprodPackageAsset', 'downloadPreprodPackageAsset',
        'getPartnerSubmission',
      ].sort(),
    );
    const names = new Set([...operations.values()].flatMap((op) => [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])));
    expect([...names].sort()).toEqual(['assetId', 'packageId', 'productId', 'publisherId', 'shippingLabelId', 'submissionId']);
  });

  it('every operation has an operationId, a summary, a description and a tag', () => {
    for (const op of operations.values()) {
      const definition = op.definition as Record<string, unknown>;
      expect(typeof definition.summary).toBe('string');
      expect((definition.description as string).length).toBeGreaterThan(40);
      expect(definition.tags).toHaveLength(1);
    }
  });

  it('generated/operations.ts lists exactly the spec’s operations (method and path)', () => {
    const fromSpec = [...operations.values()].map((op) => `${op.operationId} ${op.method.toUpperCase()} ${op.path}`).sort();
    const generated = generatedOperations.map((op) => `${op.operationId} ${op.method} ${op.path}`).sort();
    expect(generated).toEqual(fromSpec);
  });

  it('every operation in the spec has an msw handler for its method and path', () => {
    const handled = handlers.map((handler) => {
      const info = handler.info as unknown as { method: string; path: string };
      return `${info.method} ${info.path}`;
    });
    const expected = [...operations.values()].map(
      (op) => `${op.method.toUpperCase()} https://manage.devcenter.microsoft.com/v2.0/my/hardware${op.path.replace(/\{([^}]+)\}/g, ':$1')}`,
    );
    expect(handled.sort()).toEqual(expected.sort());
  });

  it('every JSON success answer of a handler is the spec’s example, with the documented status', () => {
    for (const record of generatedOperations) {
      const op = operations.get(record.operationId)!;
      const responses = op.definition.responses as Record<string, unknown>;
      expect(Object.keys(responses)).toContain(String(record.successStatus));
      if (record.responseExample === null) continue;
      const content = (resolveRef(document, `${op.pointer}/responses/${record.successStatus}`, responses[String(record.successStatus)]).value as any).content;
      const first = Object.values(content['application/json'].examples as Record<string, { value: unknown }>)[0]!;
      expect(JSON.parse(record.responseExample)).toEqual(first.value);
    }
  });
});

describe('every example validates against its schema', () => {
  const checked: string[] = [];

  it('request and response examples, error examples included', () => {
    for (const op of operations.values()) {
      const places: [string, unknown][] = [[`${op.pointer}/requestBody`, op.definition.requestBody]];
      for (const [status, response] of Object.entries(op.definition.responses ?? {})) places.push([`${op.pointer}/responses/${status}`, response]);
      for (const [pointer, value] of places) {
        if (!value) continue;
        const resolved = resolveRef(document, pointer, value).value as { content?: Record<string, { examples?: Record<string, { value?: unknown }> }> };
        const json = resolved.content?.['application/json'];
        if (!json?.examples) continue;
        const validate = contentSchemaValidator(ajv, document, pointer, 'application/json')!;
        for (const [name, example] of Object.entries(json.examples)) {
          expect({ where: `${op.operationId} ${pointer.split('/').pop()} ${name}`, errors: errorsOf(validate, example.value) }).toEqual({
            where: `${op.operationId} ${pointer.split('/').pop()} ${name}`,
            errors: [],
          });
          checked.push(`${op.operationId}:${pointer.split('/').pop()}:${name}`);
        }
      }
    }
    // Every operation's JSON request and every success body, plus the shared error examples on every operation.
    expect(checked.filter((c) => c.includes(':requestBody:'))).toHaveLength(generatedOperations.filter((op) => op.requestExample !== null).length + 1);
    expect(new Set(checked.filter((c) => /:2\d\d:/.test(c)).map((c) => c.split(':')[0])).size).toBe(generatedOperations.filter((op) => op.responseExample !== null).length);
    expect(checked.filter((c) => /:(4|5)\d\d:/.test(c)).length).toBeGreaterThanOrEqual(21 * 8);
  });

  it('every file in spec/examples/ is used in the bundle', async () => {
    const files = await listExampleFiles();
    const used = JSON.stringify(document);
    for (const file of files) {
      const value = JSON.parse(await readFile(new URL(`spec/examples/${file}`, root), 'utf8'));
      expect({ file, used: used.includes(JSON.stringify(value)) }).toEqual({ file, used: true });
    }
  });

  it('the validators are not vacuous: broken examples fail', () => {
    expect(errorsOf(successSchema('getSubmission'), { id: 'not-a-number', productId: 1 })).not.toEqual([]);
    expect(errorsOf(successSchema('listProducts'), { value: {} })).not.toEqual([]);
    expect(errorsOf(requestSchema('createSubmission'), { name: 'x', type: 'shell' })).not.toEqual([]);
  });
});

async function listExampleFiles(): Promise<string[]> {
  const top = (await readdir(new URL('spec/examples/', root))).filter((f) => f.endsWith('.json'));
  const errors = (await readdir(new URL('spec/examples/errors/', root))).filter((f) => f.endsWith('.json')).map((f) => `errors/${f}`);
  return [...top, ...errors];
}

describe('bodies the real service sends validate against the response schemas', () => {
  const messyLinks = [
    { href: 'https:// manage.devcenter.microsoft.com/api/v2.0/hardware/products/13635057453741329/submissions/1152921504621441930', rel: 'self', method: 'GET' },
    { href: 'https://hardwareapi.microsoft.com/api/v1/hardware/products/13635057453741329', rel: 'update_submission', method: 'PATCH' },
    { href: 'https://manage.devcenter..microsoft.com/api/v1/hardware/audiences', rel: 'commit_submission', method: 'POST' },
  ];

  it.each([
    [
      'a submission with a numeric currentStep, PascalCase enums, messy hrefs and extra properties',
      'getSubmission',
      {
        id: 1152921504621441930,
        productId: 13635057453741329,
        workflowStatus: { currentStep: 3, state: 'Started', messages: [], errorReport: '' },
        downloads: {
          items: [
            { type: 'initialPackage', url: 'https://ingestionpackages.blob.core.windows.net/ingestion/8d2f41c7?sv=2017-04-17&sr=b&sig=x&sp=rl' },
            { type: 'ExternalNotes', url: '<SAS URL from Hardware API>' },
            { type: 'Unknown', url: '' },
          ],
          messages: ['Package ingestion is in progress'],
        },
        links: messyLinks,
        commitStatus: 'CommitReceived',
        isExtensionInf: false,
        isUniversal: true,
        isDeclarativeInf: true,
        name: 'Contoso Touch Controller 10.0.1.2',
        type: 'Initial',
        createdBy: 'contoso-ci@contoso.com',
        createdDateTime: '2018-04-04T16:11:27.2965057+00:00',
      },
    ],
    [
      'a product with an offset-less announcementDate, mixed-case harness and OS family keys, and undocumented fields',
      'getProduct',
      {
        id: 9007199267351835,
        sharedProductId: 1152921504606971256,
        links: messyLinks,
        isCommitted: true,
        isExtensionInf: false,
        deviceMetadataIds: ['7e7a8f3c-5bf0-4b5f-9a7f-2d6b0c3f4e11'],
        deviceType: 'InternalExternal',
        isTestSign: false,
        isFlightSign: false,
        marketingNames: [],
        productName: 'Contoso Touch Controller',
        selectedProductTypes: { windows_v100: 'Touch', windows_v100Server: 'Unclassified', windows_v100_RS3: 'Graphics Adapter WDDM2.4 VM' },
        requestedSignatures: ['WINDOWS_v100_X64_RS3_FULL'],
        additionalAttributes: { storageController: { biosVersion: '1.2', usedProprietary: false } },
        testHarness: 'Attestation',
        announcementDate: '2018-01-01T00:00:00',
        originType: 'author',
        sourceProductId: 0,
        sourcePublisherId: 0,
        isRetpolineCompiled: false,
        message: '',
        deviceMetadataCategory: 'Input.Digitizer.Multitouch',
        productType: 'Driver',
        updatedDateTime: '2018-02-22T06:50:54.793+00:00',
        _comment: 'an inline comment key, as in the docs',
      },
    ],
    [
      'a shipping label with PascalCase steps and distribution states, 7 fractional digits and extra fields',
      'getShippingLabel',
      {
        id: 1152921504606978422,
        productId: 14461751976964157,
        submissionId: 1152921504621467613,
        publishingSpecifications: {
          goLiveDate: '2018-04-04T16:11:27.2965057+00:00',
          visibleToAccounts: [27691110],
          isAutoInstallDuringOSUpgrade: true,
          isAutoInstallOnApplicableSystems: false,
          isDisclosureRestricted: false,
          publishToWindows10s: false,
          additionalInfoForMsApproval: { microsoftContact: 'sponsor@microsoft.com', validationsPerformed: 'HLK', affectedOems: ['Fabrikam'], isRebootRequired: false, isCoEngineered: false, isForUnreleasedHardware: false, hasUiSoftware: false },
        },
        targeting: {
          hardwareIds: [{ bundleId: 'amd64', infId: 'touch.inf', operatingSystemCode: 'WINDOWS_v100_X64_RS5_FULL', pnpString: 'hid\\vid_c0de', distributionState: 'PendingAdd' }],
          chids: [{ chid: '346511cf-ccee-5c6d-8ee9-3c70fc7aae83', distributionState: 'PendingRecovery' }],
          restrictedToAudiences: [],
          inServicePublishInfo: { flooring: 'RS1', ceiling: 'MN' },
          coEngDriverPublishInfo: { flooringBuildNumber: 17135, ceilingBuildNumber: 17139 },
        },
        workflowStatus: { currentStep: 'PreProcessShippingLabel', state: 'NotStarted', messages: [], errorReport: '' },
        links: messyLinks,
        name: 'label',
        destination: 'WindowsUpdate',
        somethingNew: { nested: true },
      },
    ],
    [
      'a label list whose top-level self link is the docs’ copy-paste of /products?pageSize=50',
      'listShippingLabels',
      {
        value: [{ id: 1152921504606980231, productId: 14461751976964157, submissionId: 1152921504621467613, workflowStatus: { currentStep: 7, state: 'completed' } }],
        links: [{ href: 'https://manage.devcenter.microsoft.com/v2.0/my/hardware/products?pageSize=50', rel: 'self', method: 'GET' }],
      },
    ],
    [
      'a product list without top-level links (the current docs example)',
      'listProducts',
      { value: [{ id: 9007199267351834, sharedProductId: 1152921504606971255, productName: 'p', testHarness: 'HLK' }] },
    ],
    [
      'audiences from the singular /audience page, with a double-dot host',
      'listAudiences',
      {
        value: [{ id: '6f0d3c2b-91e4-4c7a-8b5f-2e1a9d4c7b30', name: 'pilot', description: 'd', audienceName: 'Pilot', links: messyLinks }],
        links: [{ href: 'https://manage.devcenter..microsoft.com/api/v1/hardware/audiences', rel: 'self', method: 'GET' }],
      },
    ],
    [
      'a preproduction package in another casing, with an error and an assets continuation token',
      'getPreprodPackage',
      {
        id: 'pkg-1',
        etag: '"0x8DE"',
        lastModified: '2025-11-19T09:26:03',
        signingStatus: 'failed',
        error: { message: 'The package is not EV-signed.' },
        assets: [],
        assetsContinuationToken: 'eyJ0b2tlbiI6MX0=',
      },
    ],
  ])('%s', (_name, operationId, body) => {
    expect(errorsOf(successSchema(operationId), body)).toEqual([]);
  });

  it('the documented error bodies validate against the error responses: both JSON shapes', () => {
    const op = operations.get('getSubmission')!;
    const validate = (status: string) => contentSchemaValidator(ajv, document, `${op.pointer}/responses/${status}`, 'application/json')!;
    expect(errorsOf(validate('400'), { error: { code: 'invalidInput', message: 'x', validationErrors: [{ target: 'name', message: 'required' }], httpErrorCode: 400 } })).toEqual([]);
    expect(errorsOf(validate('429'), { statusCode: 429, message: 'Rate limit is exceeded. Try again in 12 seconds.' })).toEqual([]);
    expect(errorsOf(validate('401'), { statusCode: '401', message: 'Access denied due to invalid or expired token.' })).toEqual([]);
  });
});

describe('request schemas are as strict as the docs allow', () => {
  const createLabel = {
    name: 'label',
    destination: 'windowsUpdate',
    publishingSpecifications: { isAutoInstallDuringOSUpgrade: false, isAutoInstallOnApplicableSystems: false, manualAcquisition: true },
    targeting: { hardwareIds: [{ bundleId: 'amd64', infId: 'a.inf', operatingSystemCode: 'WINDOWS_v100_X64_RS5_FULL', pnpString: 'pci\\ven_1' }] },
  };

  it('the valid baselines pass (so the rejections below are about the one change each makes)', () => {
    expect(errorsOf(requestSchema('createSubmission'), { name: 'n', type: 'initial' })).toEqual([]);
    expect(errorsOf(requestSchema('updateSubmission'), { name: 'n' })).toEqual([]);
    expect(errorsOf(requestSchema('updateProduct'), { productName: 'n' })).toEqual([]);
    expect(errorsOf(requestSchema('createShippingLabel'), createLabel)).toEqual([]);
    expect(errorsOf(requestSchema('updateShippingLabel'), { targeting: { businessJustification: 'why' } })).toEqual([]);
  });

  it.each([
    ['createSubmission', 'an unknown property', { name: 'n', type: 'initial', isExtensionInf: true }],
    ['createSubmission', 'an undocumented type', { name: 'n', type: 'shell' }],
    ['updateSubmission', 'a field that cannot be updated', { name: 'n', type: 'derived' }],
    ['updateProduct', 'a field that cannot be updated', { productName: 'n', isTestSign: true }],
    ['createProduct', 'an unknown property', { ...JSON.parse(generatedOperations.find((op) => op.operationId === 'createProduct')!.requestExample!), productname: 'typo' }],
    ['createShippingLabel', 'an unknown property', { ...createLabel, targetingInfo: {} }],
    ['createShippingLabel', 'windowsUpdate without publishingSpecifications', { name: 'label', destination: 'windowsUpdate', targeting: {} }],
    ['createShippingLabel', 'auto-install with manualAcquisition true', { ...createLabel, publishingSpecifications: { isAutoInstallDuringOSUpgrade: true, isAutoInstallOnApplicableSystems: false, manualAcquisition: true, additionalInfoForMsApproval: { microsoftContact: 'a@b.c' } } }],
    ['createShippingLabel', 'anotherPartner without recipientSpecifications', { name: 'label', destination: 'anotherPartner' }],
    ['updateShippingLabel', 'the pre-2023 targetingInfo wrapper', { targetingInfo: { businessJustification: 'why' } }],
    ['updateShippingLabel', 'a hardware ID without its action', { targeting: { hardwareIds: [{ bundleId: 'amd64', infId: 'a.inf', operatingSystemCode: 'WINDOWS_v100_X64_RS5_FULL', pnpString: 'x' }] } }],
    ['updateShippingLabel', 'an audience ID that is not a GUID', { targeting: { restrictedToAudiences: ['pilot ring'] } }],
  ])('%s rejects %s', (operationId, _what, body) => {
    expect(errorsOf(requestSchema(operationId), body)).not.toEqual([]);
  });
});

describe('exact IDs in generated/openapi.json', () => {
  let text: string;
  /** The bundle's number literals only: prose in descriptions quotes the docs' rounded IDs on purpose. */
  let numbers: string[];
  beforeAll(async () => {
    text = await readFile(new URL('generated/openapi.json', root), 'utf8');
    numbers = [...text.replace(/"(?:[^"\\]|\\.)*"/g, '""').matchAll(/-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)].map((m) => m[0]);
  });

  it('carries the docs’ IDs exactly, as number literals, and none of their rounded forms', () => {
    for (const id of ['1152921504621441930', '13635057453741329', '9007199267351835', '1152921504621465124', '14461751976964157']) {
      expect(numbers).toContain(id);
    }
    for (const rounded of ['1152921504621442048', '1152921504621442000', '13635057453741328', '9007199267351836', '1152921504621465088']) {
      expect(numbers).not.toContain(rounded);
    }
  });

  it('every integer literal above 2^53 in the bundle is one written in spec/examples/', async () => {
    const inExamples = new Set<string>();
    for (const file of await listExampleFiles()) {
      for (const m of (await readFile(new URL(`spec/examples/${file}`, root), 'utf8')).matchAll(/(?<![\d.])\d{16,}(?![\d.])/g)) inExamples.add(m[0]);
    }
    const big = numbers.filter((n) => /^\d{16,}$/.test(n) && BigInt(n) > TWO_53);
    expect(big.length).toBeGreaterThan(40);
    expect(big.filter((n) => !inExamples.has(n))).toEqual([]);
  });

  it('each example in the bundle equals its file, compared losslessly', async () => {
    const bundle = parseJson(text) as Record<string, any>;
    const exampleValues: unknown[] = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      for (const [key, child] of Object.entries(node)) {
        if (key === 'examples' && child && typeof child === 'object') for (const example of Object.values(child as Record<string, { value?: unknown }>)) exampleValues.push(example.value);
        else visit(child);
      }
    };
    visit(bundle.paths);
    visit(bundle.components);
    for (const file of await listExampleFiles()) {
      const exact = parseJson(await readFile(new URL(`spec/examples/${file}`, root), 'utf8'));
      expect({ file, found: exampleValues.some((value) => JSON.stringify(value) === JSON.stringify(exact)) }).toEqual({ file, found: true });
    }
  });
});

describe('servers, security and errors', () => {
  it('servers[0] is the v2.0 API and a v1.0 server is present', () => {
    expect(document.servers[0].url).toBe('https://manage.devcenter.microsoft.com/v2.0/my/hardware');
    expect(document.servers.map((s: { url: string }) => s.url)).toContain('https://manage.devcenter.microsoft.com/v1.0/my/hardware');
  });

  it('security is OAuth2 client credentials with the documented token URL and scope, on every operation', () => {
    const schemes = document.components!.securitySchemes as Record<string, any>;
    const [name, scheme] = Object.entries(schemes)[0]!;
    expect(Object.keys(schemes)).toHaveLength(1);
    expect(scheme.type).toBe('oauth2');
    // tokenUrl must be a URL (Spectral's oas3-schema checks it), so the tenant template lives in an extension.
    expect(scheme.flows.clientCredentials.tokenUrl).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/token');
    expect(() => new URL(scheme.flows.clientCredentials.tokenUrl)).not.toThrow();
    expect(scheme.flows.clientCredentials['x-tokenUrlTemplate']).toBe('https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token');
    expect(Object.keys(scheme.flows.clientCredentials.scopes)).toEqual(['https://manage.devcenter.microsoft.com/.default']);
    expect(document.security).toEqual([{ [name]: ['https://manage.devcenter.microsoft.com/.default'] }]);
    for (const op of operations.values()) expect((op.definition as { security?: unknown }).security).toBeUndefined();
  });

  it('every operation documents 400, 401, 403, 404, 415, 422, 429 and 500, each with a JSON error schema', () => {
    for (const op of operations.values()) {
      const responses = op.definition.responses!;
      for (const status of ['400', '401', '403', '404', '415', '422', '429', '500']) {
        expect({ op: op.operationId, status, documented: status in responses }).toEqual({ op: op.operationId, status, documented: true });
        expect(contentSchemaValidator(ajv, document, `${op.pointer}/responses/${status}`, 'application/json')).toBeDefined();
      }
    }
  });

  it('the error body and the documented error codes are components', () => {
    const schemas = document.components!.schemas as Record<string, any>;
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['ErrorResponse', 'GatewayError', 'ErrorCode', 'ValidationErrorItem']));
    const codes = JSON.stringify(schemas.ErrorCode);
    for (const code of ['InvalidInput', 'RequestInvalidForCurrentState', 'UpdateUnauthorized', 'EntityNotFound']) expect(codes).toContain(code);
  });

  it('429 documents Retry-After', () => {
    const op = operations.get('getSubmission')!;
    const response = resolveRef(document, `${op.pointer}/responses/429`, op.definition.responses!['429']).value as { headers?: Record<string, unknown> };
    expect(Object.keys(response.headers ?? {}).map((h) => h.toLowerCase())).toContain('retry-after');
  });
});
