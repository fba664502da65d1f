/** The signDriver state file: round trip, atomic writes, and a clear StateFileError for every way it can be wrong. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  STATE_FILE_VERSION,
  assertStateMatches,
  defaultStateFilePath,
  readStateFile,
  writeStateFile,
  type SignDriverState,
} from '../../src/workflow/state-file.js';
import { StateFileError } from '../../src/workflow/state-file-error.js';

const API = 'http://127.0.0.1:1/v2.0/my/hardware';
const PRODUCT_ID = '13635057453741329';
const SUBMISSION_ID = '1152921504621441930';

let dir: string;
let packagePath: string;
const packageBytes = Buffer.from('MSCF pretend package bytes');
const sha256 = createHash('sha256').update(packageBytes).digest('hex');

function state(overrides: Partial<SignDriverState> = {}): SignDriverState {
  return {
    version: STATE_FILE_VERSION,
    startedAt: '2026-12-07T10:00:00.000Z',
    apiBaseUrl: API,
    package: { path: packagePath, size: packageBytes.length },
    productId: PRODUCT_ID,
    productCreated: true,
    submissionId: SUBMISSION_ID,
    upload: { size: packageBytes.length, sha256 },
    updatedAt: '',
    ...overrides,
  };
}

async function errorOf(promise: Promise<unknown>): Promise<StateFileError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StateFileError);
  return error as StateFileError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hwdash-state-'));
  packagePath = join(dir, 'driver.cab');
  await writeFile(packagePath, packageBytes);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state file', () => {
  it('defaults to a hidden file in outDir that .gitignore covers', async () => {
    expect(defaultStateFilePath('/tmp/out')).toBe('/tmp/out/.hwdash-state.json');
    const gitignore = await readFile(new URL('../../.gitignore', import.meta.url), 'utf8');
    expect(gitignore.split('\n')).toContain('.hwdash-state*.json');
  });

  it('round-trips with IDs as exact digit strings and leaves no temporary file', async () => {
    const path = join(dir, 'roundtrip', 'state.json');
    await writeStateFile(path, state({ committed: true }));
    const text = await readFile(path, 'utf8');
    expect(text).toContain(`"submissionId": "${SUBMISSION_ID}"`);
    expect(text).toContain(`"productId": "${PRODUCT_ID}"`);
    const read = await readStateFile(path);
    expect(read).toMatchObject({ productId: PRODUCT_ID, submissionId: SUBMISSION_ID, committed: true, upload: { sha256 } });
    expect(Date.parse(read!.updatedAt)).not.toBeNaN();
    expect(await readdir(join(dir, 'roundtrip'))).toEqual(['state.json']);
  });

  it('is undefined when there is no file', async () => {
    expect(await readStateFile(join(dir, 'missing.json'))).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"version": 1,', 'StateFileInvalidJson', 'is not valid JSON'],
    ['not an object', '[1]', 'StateFileInvalid', 'not a JSON object'],
    ['another version', '{"version": 3}', 'StateFileVersion', 'has format version 3; this hwdash reads version 2'],
    ['no version', '{}', 'StateFileInvalid', 'no format version'],
  ])('refuses a file that is %s', async (_, text, code, message) => {
    const path = join(dir, `bad-${code}.json`);
    await writeFile(path, text);
    const error = await errorOf(readStateFile(path));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(error.path).toBe(path);
  });

  it.each([
    ['an ID written as a number', (s: Record<string, unknown>) => ({ ...s, submissionId: 1152921504621441930 }), '"submissionId" must be a string of decimal digits'],
    ['a malformed SHA-256', (s: Record<string, unknown>) => ({ ...s, upload: { size: 3, sha256: 'XYZ' } }), '"upload" must have a size'],
    ['a step without the one before it', (s: Record<string, unknown>) => ({ ...s, committed: undefined, signed: true }), 'records "signed" but not "committed"'],
    ['no package', (s: Record<string, unknown>) => ({ ...s, package: undefined }), '"package" must have a path and a size'],
  ])('refuses a damaged file: %s', async (_, damage, message) => {
    const path = join(dir, 'damaged.json');
    await writeFile(path, JSON.stringify(damage(state() as unknown as Record<string, unknown>)));
    const error = await errorOf(readStateFile(path));
    expect(error.code).toBe('StateFileInvalid');
    expect(error.message).toContain(message);
  });

  it('accepts the run it was written for, hashing the uploaded package again', async () => {
    await expect(assertStateMatches('s.json', state(), { apiBaseUrl: API, package: { path: packagePath, size: packageBytes.length }, productId: PRODUCT_ID })).resolves.toBeUndefined();
  });

  it.each([
    ['another service', { apiBaseUrl: 'https://manage.devcenter.microsoft.com/v2.0/my/hardware' }, 'it was written for http://127.0.0.1:1'],
    ['another package path', { package: { path: '/elsewhere/driver.cab', size: packageBytes.length } }, 'not /elsewhere/driver.cab'],
    ['another size', { package: { path: '', size: 1 } }, `had ${packageBytes.length} bytes then and has 1 now`],
    ['another product', { productId: '42' }, `it is about product ${PRODUCT_ID}, not 42`],
  ])('refuses a run for %s', async (_, change, message) => {
    const expected = { apiBaseUrl: API, package: { path: packagePath, size: packageBytes.length }, ...change };
    if (expected.package.path === '') expected.package = { ...expected.package, path: packagePath };
    const error = await errorOf(assertStateMatches('s.json', state(), expected));
    expect(error.code).toBe('StateFileMismatch');
    expect(error.message).toContain(message);
    expect(error.message).toContain('Delete it to start a new submission');
  });

  it('refuses a package rebuilt with the same size after its upload', async () => {
    const rebuilt = join(dir, 'rebuilt.cab');
    await writeFile(rebuilt, Buffer.from(packageBytes).reverse());
    const error = await errorOf(assertStateMatches('s.json', state({ package: { path: rebuilt, size: packageBytes.length } }), {
      apiBaseUrl: API,
      package: { path: rebuilt, size: packageBytes.length },
    }));
    expect(error.message).toContain(`the package has changed since it was uploaded`);
    expect(error.message).toContain(`uploaded ${sha256}`);
  });
});
