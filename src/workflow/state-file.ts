/**
 * The state file of `signDriver`: which steps of one signing run are done, and the IDs they produced, so that a
 * rerun after a crash or a cancelled CI job resumes with the same submission instead of creating, uploading or
 * committing again. It is small JSON, written atomically after every step, with IDs as exact digit strings.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Int64Id } from '../client/ids.js';
import { writeFileAtomically } from './atomic-file.js';
import { StateFileError } from './state-file-error.js';
import { fileSha256 } from '../package/file-digest.js';

/** The format version this hwdash writes. Version 1 (no create intents, no start time) is read as well. */
export const STATE_FILE_VERSION = 2;

/** The default state file name inside `outDir`; `.hwdash-state*.json` is the pattern to keep out of version control. */
export const DEFAULT_STATE_FILE_NAME = '.hwdash-state.json';

/**
 * What a run is about to create, recorded before the request is sent: the name it gives the resource, and the IDs of
 * the resources of that name that existed before. After a crash, a timeout or a dropped connection, the resource is
 * looked up by that record (a new ID under that name) before anything is created again.
 */
export interface CreateIntent {
  name: string;
  /** IDs of same-named resources that existed before the create. */
  existing: Int64Id[];
  /** When the create was about to be sent (ISO 8601): the service may still finish it for a while after that. */
  since: string;
}

/** The resources `signDriver` creates, and so records intents for. */
export type CreatedResource = 'product' | 'submission' | 'shippingLabel';

/** Completed steps of one signing run. A field is present once its step has completed. */
export interface SignDriverState {
  version: typeof STATE_FILE_VERSION;
  /** When the run first started (ISO 8601); default names derive from it, so a rerun gives the same names. */
  startedAt: string;
  /** The API root the IDs belong to: a sandbox submission ID means nothing to the live service. */
  apiBaseUrl: string;
  /** The package being signed: absolute path and size when the run started. */
  package: { path: string; size: number };
  productId?: Int64Id;
  /** The run created the product, so the product's one initial submission can only be this run's. */
  productCreated?: boolean;
  submissionId?: Int64Id;
  /** The block list was committed to the upload URL: these bytes are on the service. */
  upload?: { size: number; sha256: string };
  /** The service has the submission's commit. */
  committed?: boolean;
  /** The signed package and driver metadata are available. */
  signed?: boolean;
  /** Where the signed package and driver metadata were written (absolute paths). */
  downloaded?: { signedPackage: string; driverMetadata: string };
  shippingLabelId?: Int64Id;
  /** The shipping label's workflow reached the point `waitForShippingLabel` waits for. */
  shippingLabelCompleted?: boolean;
  /** Creates sent (or about to be) whose resource is not recorded yet. */
  intents?: Partial<Record<CreatedResource, CreateIntent>>;
  /** When the file was last written (ISO 8601). */
  updatedAt: string;
}

export function defaultStateFilePath(outDir: string): string {
  return resolve(outDir, DEFAULT_STATE_FILE_NAME);
}

/** Reads and validates a state file; undefined when there is none. */
export async function readStateFile(path: string): Promise<SignDriverState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new StateFileError(`Cannot read the state file ${path}: ${(error as Error).message}`, { code: 'StateFileUnreadable', path, cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(
      `The state file ${path} is not valid JSON (${(error as Error).message}). It is not written by hand; delete it to start a new submission.`,
      { code: 'StateFileInvalidJson', path, cause: error },
    );
  }
  return validateState(parsed, path);
}

/** Writes the state atomically: a crash leaves either the previous state or this one, never half a file. */
export async function writeStateFile(path: string, state: SignDriverState): Promise<void> {
  const text = `${JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2)}\n`;
  await writeFileAtomically(path, (file) => file.writeFile(text, 'utf8'));
}

/** What a resumed run must agree with. */
export interface StateExpectation {
  apiBaseUrl: string;
  /** Absolute path and current size of the package. */
  package: { path: string; size: number };
  /** The product the caller asked for, if any. */
  productId?: Int64Id;
}

/**
 * Refuses a state file written for another run. Once the package was uploaded, its SHA-256 is compared too (one
 * read of the file): a rebuilt package of the same size must not be signed under the old upload.
 */
export async function assertStateMatches(path: string, state: SignDriverState, expected: StateExpectation): Promise<void> {
  const mismatch = (what: string): StateFileError =>
    new StateFileError(
      `The state file ${path} belongs to another signing run: ${what}. Delete it to start a new submission, or choose another outDir or state file.`,
      { code: 'StateFileMismatch', path },
    );
  if (state.apiBaseUrl !== expected.apiBaseUrl) throw mismatch(`it was written for ${state.apiBaseUrl}, not ${expected.apiBaseUrl}`);
  if (state.package.path !== expected.package.path) throw mismatch(`it is about the package ${state.package.path}, not ${expected.package.path}`);
  if (expected.productId !== undefined && state.productId !== undefined && state.productId !== expected.productId) {
    throw mismatch(`it is about product ${state.productId}, not ${expected.productId}`);
  }
  if (state.package.size !== expected.package.size) {
    throw mismatch(`the package had ${state.package.size} bytes then and has ${expected.package.size} now`);
  }
  if (state.upload) {
    const sha256 = (await fileSha256(expected.package.path)).toString('hex');
    if (sha256 !== state.upload.sha256) throw mismatch(`the package has changed since it was uploaded (SHA-256 ${sha256}, uploaded ${state.upload.sha256})`);
  }
}

const DIGITS = /^[0-9]+$/;
const SHA256 = /^[0-9a-f]{64}$/;

function validateState(value: unknown, path: string): SignDriverState {
  const invalid = (why: string): StateFileError =>
    new StateFileError(`The state file ${path} is damaged: ${why}. Delete it to start a new submission.`, { code: 'StateFileInvalid', path });
  if (!isObject(value)) throw invalid('it is not a JSON object');
  if (value.version === 1) {
    // Version 1 had neither; its runs resume as they would have.
    value.version = STATE_FILE_VERSION;
    value.startedAt ??= value.updatedAt;
  }
  if (value.version !== STATE_FILE_VERSION) {
    if (typeof value.version === 'number') {
      throw new StateFileError(
        `The state file ${path} has format version ${value.version}; this hwdash reads version ${STATE_FILE_VERSION}. Finish the run with the hwdash that started it, or delete the file to start a new submission.`,
        { code: 'StateFileVersion', path },
      );
    }
    throw invalid('it has no format version');
  }
  if (typeof value.apiBaseUrl !== 'string') throw invalid('"apiBaseUrl" is missing');
  if (typeof value.startedAt !== 'string' || Number.isNaN(Date.parse(value.startedAt))) throw invalid('"startedAt" must be a date');
  validateIntents(value.intents, invalid);
  const pkg = value.package;
  if (!isObject(pkg) || typeof pkg.path !== 'string' || !isSize(pkg.size)) throw invalid('"package" must have a path and a size');
  for (const key of ['productId', 'submissionId', 'shippingLabelId'] as const) {
    const id = value[key];
    // A number here would already have lost digits when the file was parsed.
    if (id !== undefined && (typeof id !== 'string' || !DIGITS.test(id))) throw invalid(`"${key}" must be a string of decimal digits`);
  }
  for (const key of ['productCreated', 'committed', 'signed', 'shippingLabelCompleted'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'boolean') throw invalid(`"${key}" must be true or false`);
  }
  const upload = value.upload;
  if (upload !== undefined && (!isObject(upload) || !isSize(upload.size) || typeof upload.sha256 !== 'string' || !SHA256.test(upload.sha256))) {
    throw invalid('"upload" must have a size and a lowercase hex SHA-256');
  }
  const downloaded = value.downloaded;
  if (downloaded !== undefined && (!isObject(downloaded) || typeof downloaded.signedPackage !== 'string' || typeof downloaded.driverMetadata !== 'string')) {
    throw invalid('"downloaded" must have the signedPackage and driverMetadata paths');
  }
  // The steps happen in order; a later one without an earlier one means the file was edited or mixed up.
  const order: [keyof SignDriverState, keyof SignDriverState][] = [
    ['submissionId', 'productId'],
    ['upload', 'submissionId'],
    ['committed', 'upload'],
    ['signed', 'committed'],
    ['downloaded', 'signed'],
    ['shippingLabelId', 'downloaded'],
    ['shippingLabelCompleted', 'shippingLabelId'],
  ];
  for (const [later, earlier] of order) {
    if (value[later] !== undefined && value[later] !== false && (value[earlier] === undefined || value[earlier] === false)) {
      throw invalid(`it records "${later}" but not "${earlier}", which comes first`);
    }
  }
  return value as unknown as SignDriverState;
}

function validateIntents(intents: unknown, invalid: (why: string) => StateFileError): void {
  if (intents === undefined) return;
  if (!isObject(intents)) throw invalid('"intents" must be an object');
  for (const [resource, intent] of Object.entries(intents)) {
    if (!['product', 'submission', 'shippingLabel'].includes(resource)) throw invalid(`"intents" has an unknown resource "${resource}"`);
    if (
      !isObject(intent) ||
      typeof intent.name !== 'string' ||
      typeof intent.since !== 'string' ||
      Number.isNaN(Date.parse(intent.since)) ||
      !Array.isArray(intent.existing) ||
      !intent.existing.every((id) => typeof id === 'string' && DIGITS.test(id))
    ) {
      throw invalid(`the intent to create a ${resource} must have a name, a date and the IDs that existed before`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
