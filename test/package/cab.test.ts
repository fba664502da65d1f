import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { CabArchive, cabDataChecksum, extractCabFile, listCab } from '../../src/package/cab.js';
import { buildCab, writeCab, type CabWriterEntry } from '../support/cab-writer.js';
import { PackageFormatError } from '../../src/package/package-format-error.js';
import { UnsupportedCompressionError } from '../../src/package/unsupported-compression-error.js';
import { flipByte, makeTempDir, pseudoRandomBytes } from './helpers.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

/** 32 KiB of hex text that does not repeat within itself. */
const REPEATING = Buffer.from(pseudoRandomBytes(16384, 7).toString('hex'), 'latin1');
/**
 * A second block made of the first block's second half, twice: it can only compress well through references into the
 * first block's history (zlib matches up to about 32 KiB back, so not the whole first block).
 */
const ECHO = Buffer.concat([REPEATING.subarray(16384), REPEATING.subarray(16384)]);

const ENTRIES: CabWriterEntry[] = [
  { path: 'driver/random.bin', bytes: pseudoRandomBytes(100_000) },
  { path: 'driver/empty.txt', bytes: new Uint8Array() },
  { path: 'driver/repeat.log', bytes: Buffer.concat([REPEATING, REPEATING, REPEATING, Buffer.from('tail')]) },
  { path: 'driver/sub\\driver.inf', bytes: Buffer.from('[Version]\r\nSignature="$Windows NT$"\r\n') },
];

async function cabFile(name: string, bytes: Uint8Array): Promise<string> {
  const path = temp.path(name);
  await writeFile(path, bytes);
  return path;
}

async function readAllFiles(path: string): Promise<Map<string, Buffer>> {
  const cab = await CabArchive.open(path);
  try {
    const out = new Map<string, Buffer>();
    for (const result of await cab.readEach(cab.files.map((f) => f.path), { maxBytes: 1 << 20 })) {
      if ('error' in result) throw result.error;
      out.set(result.path, result.bytes);
    }
    return out;
  } finally {
    await cab.close();
  }
}

async function openError(path: string): Promise<PackageFormatError> {
  const error = await CabArchive.open(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PackageFormatError);
  return error as PackageFormatError;
}

describe('CAB writer and reader', () => {
  it.each(['none', 'mszip'] as const)('round-trips files spanning several blocks with %s compression', async (compression) => {
    const path = await cabFile(`roundtrip-${compression}.cab`, buildCab(ENTRIES, { compression }));
    const listing = await listCab(path);
    expect(listing.folders).toEqual([{ index: 0, dataOffset: expect.any(Number), blockCount: 7, compression }]);
    expect(listing.files).toEqual([
      { path: 'driver/random.bin', size: 100_000, folderIndex: 0, folderOffset: 0 },
      { path: 'driver/empty.txt', size: 0, folderIndex: 0, folderOffset: 100_000 },
      { path: 'driver/repeat.log', size: 98_308, folderIndex: 0, folderOffset: 100_000 },
      { path: 'driver/sub/driver.inf', size: 37, folderIndex: 0, folderOffset: 198_308 },
    ]);
    const contents = await readAllFiles(path);
    expect([...contents.keys()]).toEqual(listing.files.map((f) => f.path));
    ENTRIES.forEach((entry, i) => expect(contents.get(listing.files[i]!.path)!.equals(Buffer.from(entry.bytes))).toBe(true));
  });

  it('decodes MSZIP blocks that refer back into the previous block (shared 32 KiB history)', async () => {
    const bytes = buildCab([{ path: 'd/echo.log', bytes: Buffer.concat([REPEATING, ECHO]) }], { compression: 'mszip' });
    const path = await cabFile('history.cab', bytes);
    const cab = await CabArchive.open(path);
    try {
      // Second block: after the first block's 8-byte header and data.
      const firstStart = cab.folders[0]!.dataOffset;
      const firstSize = bytes.readUInt16LE(firstStart + 4);
      const secondStart = firstStart + 8 + firstSize;
      const secondData = bytes.subarray(secondStart + 8 + 2, secondStart + 8 + bytes.readUInt16LE(secondStart + 4));
      expect(firstSize).toBeGreaterThan(16_000);
      expect(secondData.length).toBeLessThan(1000);
      expect(() => inflateRawSync(secondData)).toThrow();
      expect((await cab.readFile('d/echo.log')).equals(Buffer.concat([REPEATING, ECHO]))).toBe(true);
    } finally {
      await cab.close();
    }
  });

  it('reads a cabinet made by gcab (MSZIP, three blocks) byte for byte', async () => {
    const path = join(FIXTURES, 'gcab-mszip.cab');
    const cab = await CabArchive.open(path);
    try {
      expect(cab.header).toEqual({
        size: 3623,
        versionMajor: 1,
        versionMinor: 3,
        setId: 0,
        cabinetIndex: 0,
        headerReserveSize: 0,
        folderReserveSize: 0,
        dataReserveSize: 0,
      });
      expect(cab.folders).toEqual([{ index: 0, dataOffset: 124, blockCount: 3, compression: 'mszip' }]);
      expect(cab.files).toEqual([
        { path: 'gcab-driver/padding.txt', size: 85_000, folderIndex: 0, folderOffset: 0 },
        { path: 'gcab-driver/fixture.inf', size: 872, folderIndex: 0, folderOffset: 85_000 },
      ]);
      const padding = Array.from(
        { length: 1000 },
        (_, i) => `; padding line ${String(i).padStart(5, '0')}: repeated text so the cabinet needs several 32 KiB MSZIP blocks\n`,
      ).join('');
      expect((await cab.readFile('gcab-driver/padding.txt')).toString('latin1')).toBe(padding);
      const inf = await cab.readFile('gcab-driver/fixture.inf');
      expect([...inf.subarray(0, 2)]).toEqual([0xff, 0xfe]);
      expect(inf.subarray(2).toString('utf16le')).toContain('Dev = "Fabrikam Fixture Device \u00e9"');
    } finally {
      await cab.close();
    }
  });

  it('reads only the files asked for, in the order asked, and reports each failure separately', async () => {
    const path = await cabFile('each.cab', buildCab(ENTRIES, { compression: 'mszip' }));
    const cab = await CabArchive.open(path);
    try {
      const results = await cab.readEach(['driver/sub/driver.inf', 'missing.inf', 'driver/random.bin', 'driver/empty.txt'], { maxBytes: 50_000 });
      expect(results.map((r) => ('error' in r ? `${r.path}:${r.error.reason}` : `${r.path}:${r.bytes.length}`))).toEqual([
        'driver/sub/driver.inf:37',
        'missing.inf:entry-not-found',
        'driver/random.bin:entry-too-large',
        'driver/empty.txt:0',
      ]);
      await expect(cab.readFile('nope')).rejects.toMatchObject({ reason: 'entry-not-found', entryPath: 'nope', filePath: path });
    } finally {
      await cab.close();
    }
    expect((await extractCabFile(path, 'driver/sub/driver.inf')).toString()).toBe('[Version]\r\nSignature="$Windows NT$"\r\n');
  });

  it('stores non-ASCII names as UTF-8 with the name-is-UTF attribute', async () => {
    const bytes = buildCab([{ path: 'treiber/gerät.inf', bytes: Buffer.from('x') }]);
    const filesOffset = bytes.readUInt32LE(16);
    expect(bytes.readUInt16LE(filesOffset + 14)).toBe(0x20 | 0x80);
    const path = await cabFile('utf8.cab', bytes);
    expect((await listCab(path)).files.map((f) => f.path)).toEqual(['treiber/gerät.inf']);
  });

  it('writes the same bytes for the same input, with the given time as a DOS date and time', async () => {
    const modified = new Date(Date.UTC(2025, 2, 14, 13, 45, 31));
    const a = buildCab(ENTRIES, { compression: 'mszip', modified });
    expect(a.equals(buildCab(ENTRIES, { compression: 'mszip', modified }))).toBe(true);
    const filesOffset = a.readUInt32LE(16);
    expect(a.readUInt16LE(filesOffset + 10)).toBe(((2025 - 1980) << 9) | (3 << 5) | 14);
    expect(a.readUInt16LE(filesOffset + 12)).toBe((13 << 11) | (45 << 5) | 15);
    const defaultTime = buildCab(ENTRIES);
    expect(defaultTime.readUInt16LE(filesOffset + 10)).toBe((1 << 5) | 1); // 1980-01-01
  });

  it('reads past a per-cabinet header reserve (where signtool records the signature)', async () => {
    const path = await cabFile('reserve.cab', buildCab(ENTRIES.slice(3), { headerReserve: Buffer.alloc(20, 0xab) }));
    const cab = await CabArchive.open(path);
    try {
      expect(cab.header.headerReserveSize).toBe(20);
      expect((await cab.readFile('driver/sub/driver.inf')).length).toBe(37);
    } finally {
      await cab.close();
    }
  });

  it('writes and reads a cabinet without files', async () => {
    const path = await cabFile('empty.cab', buildCab([]));
    expect(await listCab(path)).toMatchObject({ folders: [], files: [] });
  });

  it('rejects entries a cabinet cannot hold', () => {
    expect(() => buildCab([{ path: 'a/B.inf', bytes: new Uint8Array() }, { path: 'a\\b.INF', bytes: new Uint8Array() }])).toThrow(
      'The cabinet would hold a\\b.INF twice (names are case-insensitive).',
    );
    expect(() => buildCab([{ path: 'a/../b', bytes: new Uint8Array() }])).toThrow("cannot contain '.' or '..' segments");
    expect(() => buildCab([{ path: '//', bytes: new Uint8Array() }])).toThrow('Empty file name');
    expect(() => buildCab([{ path: 'x'.repeat(256), bytes: new Uint8Array() }])).toThrow('at most 255 bytes');
    expect(() => buildCab([], { modified: new Date(Date.UTC(1979, 11, 31)) })).toThrow('CAB timestamps cover 1980 to 2107');
    expect(() => buildCab([], { modified: new Date(Number.NaN) })).toThrow('invalid Date');
  });

  it('writeCab leaves no partial file behind when it cannot write', async () => {
    const target = join(temp.dir, 'no-such-folder', 'out.cab');
    await expect(writeCab(target, ENTRIES)).rejects.toMatchObject({ code: 'ENOENT' });
    const good = temp.path('written.cab');
    await writeCab(good, ENTRIES);
    expect((await readFile(good)).equals(buildCab(ENTRIES))).toBe(true);
    expect((await readdir(temp.dir)).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });
});

describe('damaged and unsupported cabinets', () => {
  const small = (): Buffer => buildCab([{ path: 'd/a.inf', bytes: Buffer.from('hello') }, { path: 'd/b.bin', bytes: pseudoRandomBytes(40_000) }]);
  const filesOffset = (bytes: Buffer): number => bytes.readUInt32LE(16);
  const firstBlock = (bytes: Buffer): number => bytes.readUInt32LE(36);

  it('says a file that does not start with MSCF is not a cabinet', async () => {
    const error = await openError(await cabFile('zip.cab', Buffer.from('PK\x03\x04 this is a zip')));
    expect(error.reason).toBe('wrong-format');
    expect(error.message).toContain("is not a Microsoft Cabinet: it does not start with 'MSCF'");
    expect((await openError(await cabFile('zero.cab', Buffer.alloc(0)))).reason).toBe('wrong-format');
  });

  it('says a cabinet is cut short when the file ends before its header or its stated size', async () => {
    const header = await openError(await cabFile('short-header.cab', small().subarray(0, 20)));
    expect(header.reason).toBe('truncated');
    expect(header.message).toContain('it ends inside the cabinet header');

    const bytes = small();
    const cut = await openError(await cabFile('cut.cab', bytes.subarray(0, bytes.length - 100)));
    expect(cut.reason).toBe('truncated');
    expect(cut.message).toContain(`its header says the cabinet is ${bytes.length} bytes but the file has ${bytes.length - 100}`);
  });

  it('reports a file table that runs past the end of the cabinet as truncated', async () => {
    const bytes = small();
    const shortened = Buffer.from(bytes.subarray(0, filesOffset(bytes) + 20));
    shortened.writeUInt32LE(shortened.length, 8);
    shortened.writeUInt16LE(0, 40); // no data blocks, so only the file table is out of bounds
    const error = await openError(await cabFile('short-table.cab', shortened));
    expect(error.reason).toBe('truncated');
    expect(error.message).toContain('the file table');
  });

  it('rejects impossible header values as corrupt', async () => {
    const version = small();
    version.writeUInt8(2, 25);
    expect((await openError(await cabFile('v2.cab', version))).message).toContain('CAB format version 2.3');

    const folder = small();
    folder.writeUInt16LE(5, filesOffset(folder) + 8);
    const folderError = await openError(await cabFile('folder.cab', folder));
    expect(folderError.reason).toBe('corrupt');
    expect(folderError.message).toContain('file d/a.inf is in folder 5, but the cabinet has 1 folder(s)');

    const offset = small();
    offset.writeUInt32LE(10, 16);
    expect((await openError(await cabFile('offset.cab', offset))).message).toContain('the file table offset 10 points outside');

    const dataOffset = small();
    dataOffset.writeUInt32LE(0xffffff, 36);
    expect((await openError(await cabFile('data-offset.cab', dataOffset))).message).toContain('folder 0 says its data starts at byte 16777215');
  });

  it('refuses parts of multi-cabinet sets with advice to build one cabinet', async () => {
    const flagged = small();
    flagged.writeUInt16LE(0x0002, 30);
    flagged.writeUInt16LE(2, 34);
    const error = await openError(await cabFile('set.cab', flagged));
    expect(error.reason).toBe('multi-cabinet');
    expect(error.message).toContain('is part 3 of a multi-cabinet set');
    expect(error.message).toContain('MaxDiskSize=0');

    const continued = small();
    continued.writeUInt16LE(0xfffd, filesOffset(continued) + 8);
    expect((await openError(await cabFile('continued.cab', continued))).reason).toBe('multi-cabinet');
  });

  it('lists LZX and Quantum cabinets but refuses to extract from them, saying the contents were not checked', async () => {
    for (const [type, label] of [
      [3, 'LZX'],
      [2, 'Quantum'],
      [7, 'compression type 7'],
    ] as const) {
      const bytes = small();
      bytes.writeUInt16LE(type, 42);
      const path = await cabFile(`type${type}.cab`, bytes);
      const cab = await CabArchive.open(path);
      try {
        expect(cab.files.map((f) => f.path)).toEqual(['d/a.inf', 'd/b.bin']);
        const error = await cab.readFile('d/a.inf').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnsupportedCompressionError);
        expect(error).toMatchObject({ reason: 'unsupported-compression', entryPath: 'd/a.inf' });
        expect((error as Error).message).toContain(`d/a.inf in ${path} is compressed with ${label}, which hwdash cannot read; its contents were not checked`);
        const [, second] = await cab.readEach(['d/a.inf', 'd/b.bin']);
        expect(second).toMatchObject({ path: 'd/b.bin', error: { entryPath: 'd/b.bin' } });
      } finally {
        await cab.close();
      }
    }
  });

  it('detects damaged data: checksum, MSZIP signature, undecodable or short blocks', async () => {
    const flipped = small();
    flipByte(flipped, firstBlock(flipped) + 8, 0xff);
    await expect(readAllFiles(await cabFile('flip.cab', flipped))).rejects.toMatchObject({
      reason: 'corrupt',
      message: expect.stringContaining('data block 0 of folder 0 fails its checksum'),
    });

    // A zero checksum means "not computed" and is accepted.
    const unchecked = small();
    unchecked.writeUInt32LE(0, firstBlock(unchecked));
    expect((await readAllFiles(await cabFile('nocsum.cab', unchecked))).get('d/a.inf')!.toString()).toBe('hello');

    const mszip = buildCab([{ path: 'd/a.inf', bytes: Buffer.from('hello hello hello') }], { compression: 'mszip' });
    const block = firstBlock(mszip);
    const noCk = Buffer.from(mszip);
    noCk.write('XX', block + 8, 'latin1');
    noCk.writeUInt32LE(0, block);
    await expect(readAllFiles(await cabFile('nock.cab', noCk))).rejects.toThrow("does not start with 'CK'");

    const garbage = Buffer.from(mszip);
    garbage.fill(0xff, block + 10, garbage.length);
    garbage.writeUInt32LE(0, block);
    await expect(readAllFiles(await cabFile('garbage.cab', garbage))).rejects.toThrow('MSZIP data block 0 of folder 0 cannot be decompressed');

    const wrongSize = Buffer.from(mszip);
    wrongSize.writeUInt16LE(16, block + 6);
    wrongSize.writeUInt32LE(0, block);
    await expect(readAllFiles(await cabFile('wrongsize.cab', wrongSize))).rejects.toThrow('decompresses to 17 bytes, not the 16 it claims');

    const fewBlocks = small();
    fewBlocks.writeUInt16LE(1, 40);
    const cab = await CabArchive.open(await cabFile('fewblocks.cab', fewBlocks));
    try {
      expect((await cab.readFile('d/a.inf')).toString()).toBe('hello');
      await expect(cab.readFile('d/b.bin')).rejects.toThrow('folder 0 holds 32768 bytes of data, but d/b.bin needs 40005');
    } finally {
      await cab.close();
    }
  });

  it('never crashes or hangs on any truncation or single-byte corruption', async () => {
    const original = buildCab(
      [
        { path: 'd/a.inf', bytes: Buffer.from('[Version]\r\n') },
        { path: 'd/b.log', bytes: Buffer.concat([REPEATING.subarray(0, 4_000), REPEATING.subarray(0, 4_000)]) },
      ],
      { compression: 'mszip' },
    );
    const variants: Buffer[] = [];
    // Every few bytes through the header and directory, coarser through the data; then random single-byte flips.
    const step = Math.ceil(original.length / 30);
    for (let length = 0; length < 120; length += 4) variants.push(original.subarray(0, length));
    for (let length = 120; length < original.length; length += step) variants.push(original.subarray(0, length));
    const noise = pseudoRandomBytes(600, 99);
    for (let i = 0; i < 50; i++) {
      const copy = Buffer.from(original);
      flipByte(copy, noise.readUInt16LE(i * 2) % copy.length, noise.readUInt8(i) | 1);
      variants.push(copy);
    }
    const path = temp.path('fuzz.cab');
    let failures = 0;
    for (const variant of variants) {
      await writeFile(path, variant);
      try {
        await readAllFiles(path);
      } catch (error) {
        expect(error).toBeInstanceOf(PackageFormatError);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(variants.length / 2);
  });
});
