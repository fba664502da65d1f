/**
 * Shared pieces of the sandbox tests: plain-fetch calls with lossless JSON, a manual clock, driver packages built
 * with the CAB writer, and the check that every recorded response matches the spec.
 */
import { expect } from '@jest/globals';
import { BlockBlobClient } from '@azure/storage-blob';
import { parseJson } from '../../src/client/json/lossless.js';
import type { ResponseRecord } from '../../src/mock/sandbox/index.js';
import { createSpecAjv, loadOpenApiDocument, type OpenApiDocument } from '../../src/client/spec-document.js';
import { contentSchemaValidator, operationsOf, resolveRef } from '../../src/mock/sandbox/validation.js';
import yazl from 'yazl';
import { buildCab } from '../support/cab-writer.js';
import { buildPe } from '../support/pe-writer.js';

export const TOKEN = 'sandbox-test-token';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed with lossless JSON (IDs as digit strings), or undefined for an empty body. */
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Raw body text or bytes, sent as is. */
  raw?: string | Uint8Array;
  contentType?: string;
  /** `null` sends no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
}

/** One API call over real HTTP. `path` is below the base URL (`/products`) or absolute. */
export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? TOKEN}`;
  let body: string | Uint8Array | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined || options.contentType) headers['Content-Type'] = options.contentType ?? 'application/json';
  const url = path.startsWith('http') ? path : `${baseUrl}${path}`;
  const response = await fetch(url, { method, headers, body: body as BodyInit | undefined });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : parseJson(text) };
}

/** A wall clock the test moves by hand, so workflow steps happen exactly when a test says. */
export class ManualClock {
  constructor(public time = Date.parse('2025-06-01T12:00:00.000Z')) {}
  readonly now = (): number => this.time;
  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

/** Polls `probe` until `done` accepts its result (real time; for background work such as ingestion). */
export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`waitFor timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const OS_CODES = ['WINDOWS_v100_X64_RS3_FULL', 'WINDOWS_v100_X64_VB_FULL'];

export function newProductBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    productName: 'Contoso sandbox device',
    testHarness: 'Attestation',
    announcementDate: '2025-12-01T00:00:00Z',
    deviceType: 'internal',
    selectedProductTypes: { Windows_v100: 'Unclassified' },
    requestedSignatures: OS_CODES,
    marketingNames: ['Contoso Device'],
    ...overrides,
  };
}

export const DEVICE_IDS = ['usb\\vid_1234&pid_5678', 'usb\\vid_1234&pid_5679'];
export const EXTENSION_DEVICE_ID = 'usb\\vid_1234&pid_567a';

const DRIVER_INF = String.raw`[Version]
Signature   = "$WINDOWS NT$"
Class       = USBDevice
ClassGuid   = {88BAE032-5A81-49f0-BC3D-A4FF138216D6}
Provider    = %Mfg%
CatalogFile = contoso.cat
DriverVer   = 03/14/2025,1.2.3.4

[Manufacturer]
%Mfg% = Standard, NTamd64.10.0...16299

[Standard.NTamd64.10.0...16299]
%Desc%  = Install, USB\VID_1234&PID_5678
%Desc2% = Install, USB\VID_1234&PID_5679

[Install.NT]
CopyFiles = Files

[Files]
contoso.sys

[Strings]
Mfg   = "Contoso"
Desc  = "Contoso Sandbox Device"
Desc2 = "Contoso Sandbox Device (Rev 2)"
`;

const EXTENSION_INF = String.raw`[Version]
Signature   = "$WINDOWS NT$"
Class       = Extension
ClassGuid   = {e2f84ce7-8efa-411c-aa69-97454ca4cb57}
ExtensionId = {5D2A5E6B-1C0D-4B8E-9F3A-7B6C5D4E3F21}
Provider    = %Mfg%
CatalogFile = contoso_ext.cat
DriverVer   = 03/14/2025,1.2.3.5

[Manufacturer]
%Mfg% = Standard, NTamd64.10.0...16299

[Standard.NTamd64.10.0...16299]
%Desc% = Install, USB\VID_1234&PID_567A

[Install.NT]

[Strings]
Mfg  = "Contoso"
Desc = "Contoso Sandbox Extension"
`;

/** An attestation CAB: a driver and an extension INF, each in its own subfolder, as the portal wants. */
export function driverCab(): Buffer {
  const text = (value: string) => Buffer.from(value.replace(/\n/g, '\r\n'), 'utf8');
  return buildCab([
    { path: 'driver/contoso.inf', bytes: text(DRIVER_INF) },
    { path: 'driver/contoso.sys', bytes: Buffer.from('MZ sandbox driver binary') },
    { path: 'driver/contoso.cat', bytes: Buffer.from('catalog') },
    { path: 'extension/contoso_ext.inf', bytes: text(EXTENSION_INF) },
    { path: 'extension/contoso_ext.cat', bytes: Buffer.from('catalog') },
  ]);
}

/**
 * A driver that is neither declarative nor universal: a DelReg, a registry write outside HKR, a copy to the Windows
 * folder (dirid 10 without a subfolder), and a binary that imports user32.dll.
 */
const LEGACY_INF = String.raw`[Version]
Signature   = "$WINDOWS NT$"
Class       = USBDevice
ClassGuid   = {88BAE032-5A81-49f0-BC3D-A4FF138216D6}
Provider    = %Mfg%
CatalogFile = legacy.cat
DriverVer   = 03/14/2025,1.2.3.4

[Manufacturer]
%Mfg% = Standard, NTamd64.10.0...16299

[Standard.NTamd64.10.0...16299]
%Desc% = Install, USB\VID_1234&PID_5678

[Install.NT]
CopyFiles = Drivers, Helpers
AddReg    = Legacy.AddReg
DelReg    = Legacy.DelReg

[DestinationDirs]
Drivers = 13
Helpers = 10

[Drivers]
legacy.sys

[Helpers]
legacyui.dll

[Legacy.AddReg]
HKR,,FriendlyName,,%Desc%
HKLM,SYSTEM\CurrentControlSet\Control\Legacy,Enabled,0x10001,1

[Legacy.DelReg]
HKR,,OldValue

[Strings]
Mfg  = "Contoso"
Desc = "Contoso Legacy Device"
`;

/** Findings the sandbox makes on {@link legacyDriverCab}, file by file. */
export const LEGACY_FINDINGS = [
  'legacy/legacy.inf: [Install.NT] line 18: the DelReg directive is not allowed',
  'legacy/legacy.inf: [Legacy.AddReg] line 32: AddReg writes to HKLM\\SYSTEM\\CurrentControlSet\\Control\\Legacy, outside HKR',
  'legacy/legacy.inf: CopyFiles Helpers goes to dirid 10; only 11, 12, 13 or 10 with a subdirectory are allowed',
  'legacy/legacyui.dll: imports user32.dll, gdi32.dll, which universal drivers cannot use',
];

/** With `coInstaller`, the INF also installs a co-installer, which the service no longer signs at all. */
export function legacyDriverCab(options: { coInstaller?: boolean } = {}): Buffer {
  const inf = options.coInstaller ? `${LEGACY_INF}\n[Install.NT.CoInstallers]\nCopyFiles = Helpers\n` : LEGACY_INF;
  return buildCab([
    { path: 'legacy/legacy.inf', bytes: Buffer.from(inf.replace(/\n/g, '\r\n'), 'utf8') },
    { path: 'legacy/legacy.sys', bytes: buildPe(['ntoskrnl.exe', 'HAL.dll', 'WDFLDR.SYS']) },
    { path: 'legacy/legacyui.dll', bytes: buildPe(['KERNEL32.dll', 'USER32.dll', 'GDI32.dll', 'api-ms-win-core-com-l1-1-0.dll']) },
    { path: 'legacy/legacy.cat', bytes: Buffer.from('catalog') },
  ]);
}

/** The part every HLK package carries: its package signature (what the preflight checks in an .hlkx). */
const HLKX_SIGNATURE_PART = 'package/services/digital-signature/xml-signature/sig.psdsxs';

/** An HLK package (.hlkx, a Zip) holding the driver of {@link driverCab}, with or without its extension INF. */
export async function driverHlkx(options: { extension?: boolean } = {}): Promise<Buffer> {
  const text = (value: string) => Buffer.from(value.replace(/\n/g, '\r\n'), 'utf8');
  const zip = new yazl.ZipFile();
  const mtime = new Date(Date.UTC(2025, 2, 14));
  zip.addBuffer(Buffer.from('<Signature/>'), HLKX_SIGNATURE_PART, { mtime });
  zip.addBuffer(text(DRIVER_INF), 'hck/data/driver/contoso.inf', { mtime });
  zip.addBuffer(Buffer.from('MZ sandbox driver binary'), 'hck/data/driver/contoso.sys', { mtime });
  if (options.extension) zip.addBuffer(text(EXTENSION_INF), 'hck/data/extension/contoso_ext.inf', { mtime });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A CAB with no INF at all: packageInfoValidation must reject it. */
export function cabWithoutInf(): Buffer {
  return buildCab([{ path: 'driver/readme.txt', bytes: Buffer.from('no driver here') }]);
}

/** Records every response, to check them all against the spec when a suite ends. */
export function responseRecorder(): { records: ResponseRecord[]; onResponse: (record: ResponseRecord) => void } {
  const records: ResponseRecord[] = [];
  return { records, onResponse: (record) => records.push(record) };
}

let specDocument: Promise<OpenApiDocument> | undefined;

/**
 * Asserts that each recorded response has a status the spec documents for its operation and a body its schema
 * accepts. Fails loudly, not silently, when generated/openapi.json is missing.
 */
export async function expectResponsesMatchSpec(records: readonly ResponseRecord[]): Promise<void> {
  specDocument ??= loadOpenApiDocument();
  const document = await specDocument.catch((error: unknown) => {
    throw new Error(`Cannot check responses against the spec: ${(error as Error).message}`);
  });
  const ajv = createSpecAjv(document);
  const operations = operationsOf(document);
  const problems: string[] = [];
  const checked = new Set<string>();
  for (const record of records) {
    if (!record.operationId) continue;
    const operation = operations.get(record.operationId);
    if (!operation) {
      problems.push(`${record.method} ${record.url}: the spec has no operation ${record.operationId}`);
      continue;
    }
    const responses = operation.definition.responses ?? {};
    const status = String(record.status);
    const key = [status, `${status[0]}XX`, 'default'].find((candidate) => candidate in responses);
    if (!key) {
      problems.push(`${record.operationId} ${record.method} ${record.url}: status ${status} is not documented`);
      continue;
    }
    checked.add(`${record.operationId} ${status}`);
    const pointer = `${operation.pointer}/responses/${key}`;
    const response = resolveRef(document, pointer, responses[key]).value as { content?: Record<string, unknown> };
    const mediaType = record.contentType?.split(';')[0]?.trim();
    if (!mediaType) {
      if (response.content) problems.push(`${record.operationId} ${status}: the spec documents a body, the sandbox sent none`);
      continue;
    }
    if (!response.content?.[mediaType]) {
      problems.push(`${record.operationId} ${status}: the spec documents no ${mediaType} body`);
      continue;
    }
    if (record.body === undefined) continue;
    const validate = contentSchemaValidator(ajv, document, pointer, mediaType);
    if (validate && !validate(JSON.parse(record.body))) {
      problems.push(`${record.operationId} ${status}: ${ajv.errorsText(validate.errors)}\n  body: ${record.body.slice(0, 500)}`);
    }
  }
  expect(problems).toEqual([]);
  expect(checked.size).toBeGreaterThan(0);
}

/**
 * A product with a submission that has gone all the way through ingestion on a manual clock (signed package and
 * driver metadata available).
 */
export async function signedSubmission(
  baseUrl: string,
  clock: ManualClock,
  secondsUntilDone: number,
  productOverrides: Record<string, unknown> = {},
): Promise<{ productId: string; submissionId: string }> {
  const product = await call(baseUrl, 'POST', '/products', { body: newProductBody(productOverrides) });
  const productId: string = product.body.id;
  const submission = await call(baseUrl, 'POST', `/products/${productId}/submissions`, { body: { name: 'initial', type: 'initial' } });
  const submissionId: string = submission.body.id;
  await new BlockBlobClient(submission.body.downloads.items[0].url).uploadData(driverCab());
  await call(baseUrl, 'POST', `/products/${productId}/submissions/${submissionId}/commit`);
  clock.advance(secondsUntilDone);
  await waitFor(
    () => call(baseUrl, 'GET', `/products/${productId}/submissions/${submissionId}`),
    (response) => response.body.downloads.items.some((item: { type: string }) => item.type === 'driverMetadata'),
  );
  return { productId, submissionId };
}
