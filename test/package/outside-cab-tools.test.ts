/**
 * hwdash's cabinets against the cabinet tools of other people: Debian's `cabextract` (libmspack) and `gcab` (GNOME)
 * list, test and extract what test/support/cab-writer.ts writes, byte for byte, stored and MSZIP, with and without a
 * header reserve (where signtool keeps the signature's location); and hwdash's reader extracts what gcab writes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CabArchive } from '../../src/package/cab.js';
import { buildCab, type CabWriterEntry } from '../support/cab-writer.js';
import { ensureDebianPackages } from '../support/inf-corpus.js';
import { makeTempDir, pseudoRandomBytes } from './helpers.js';

const execute = promisify(execFile);
/** The tools run in a UTF-8 locale whatever the caller's: in the C locale gcab prints `?` for each non-ASCII letter. */
const run = (file: string, args: string[], options: { cwd?: string } = {}) => execute(file, args, { ...options, env: { ...process.env, LC_ALL: 'C.UTF-8' } });

/** Several 32 KiB blocks, an empty file, nested folders, a name in UTF-8. */
const ENTRIES: CabWriterEntry[] = [
  { path: 'driver/contoso.sys', bytes: pseudoRandomBytes(150_000, 11) },
  { path: 'driver/contoso.inf', bytes: Buffer.from('[Version]\r\nSignature="$Windows NT$"\r\n'.repeat(2000)) },
  { path: 'driver/empty.txt', bytes: new Uint8Array() },
  { path: 'driver/x64/deep/ünïcødé.cat', bytes: pseudoRandomBytes(777, 12) },
];
const CASES = [
  { name: 'stored', options: {} },
  { name: 'mszip', options: { compression: 'mszip' as const } },
  { name: 'mszip-reserve', options: { compression: 'mszip' as const, headerReserve: Buffer.alloc(20, 7) } },
];

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  await ensureDebianPackages('cabextract', 'gcab');
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

async function expectExtracted(dir: string): Promise<void> {
  for (const entry of ENTRIES) {
    expect((await readFile(join(dir, ...entry.path.split('/')))).equals(Buffer.from(entry.bytes))).toBe(true);
  }
}

describe.each(CASES)('a $name cabinet from cab-writer', ({ name, options }) => {
  let cab: string;
  beforeAll(async () => {
    cab = temp.path(`${name}.cab`);
    await writeFile(cab, buildCab(ENTRIES, options));
  });

  it('passes cabextract --test (checksums and data) and extracts byte for byte', async () => {
    const test = await run('cabextract', ['--test', cab]);
    expect(test.stdout).toContain('All done, no errors.');
    const listing = await run('cabextract', ['--list', cab]);
    for (const entry of ENTRIES) expect(listing.stdout).toContain(entry.path);
    const out = temp.path(`cabextract-${name}`);
    await run('cabextract', ['--quiet', '--directory', out, cab]);
    await expectExtracted(out);
  });

  it('is listed and extracted by gcab', async () => {
    const { stdout } = await run('gcab', ['--list', cab]);
    expect(stdout.trim().split('\n').map((line) => line.replace(/\\/g, '/'))).toEqual(ENTRIES.map((entry) => entry.path));
    const out = temp.path(`gcab-${name}`);
    await mkdir(out);
    await run('gcab', ['--extract', '--directory', out, cab]);
    await expectExtracted(out);
  });
});

describe("gcab's cabinets in hwdash's reader", () => {
  it.each([
    ['stored', []],
    ['MSZIP', ['--zip']],
  ])('reads a %s cabinet byte for byte', async (_, flags) => {
    const staging = temp.path(`gcab-source-${flags.length}`);
    for (const entry of ENTRIES) {
      await mkdir(join(staging, ...entry.path.split('/').slice(0, -1)), { recursive: true });
      await writeFile(join(staging, ...entry.path.split('/')), entry.bytes);
    }
    const cabPath = temp.path(`from-gcab-${flags.length}.cab`);
    await run('gcab', ['--create', ...flags, cabPath, ...ENTRIES.map((entry) => entry.path)], { cwd: staging });
    const cab = await CabArchive.open(cabPath);
    try {
      expect(cab.files.map((file) => file.path)).toEqual(ENTRIES.map((entry) => entry.path));
      expect(cab.folders.map((folder) => folder.compression)).toEqual([flags.length > 0 ? 'mszip' : 'none']);
      const results = await cab.readEach(ENTRIES.map((entry) => entry.path), { maxBytes: 1 << 20 });
      results.forEach((result, index) => {
        expect('bytes' in result && result.bytes.equals(Buffer.from(ENTRIES[index]!.bytes))).toBe(true);
      });
    } finally {
      await cab.close();
    }
  });
});
