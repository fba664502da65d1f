import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { PackageFormatError } from '../../src/package/package-format-error.js';
import { ZipArchive } from '../../src/package/zip.js';
import { flipByte, makeTempDir, pseudoRandomBytes, writeZip } from './helpers.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

const INF = Buffer.from('[Version]\r\nSignature="$Windows NT$"\r\n');
const BLOB = pseudoRandomBytes(70_000);

async function open(path: string): Promise<ZipArchive> {
  return ZipArchive.open(path);
}

describe('ZipArchive', () => {
  it('lists files (not folder entries) and reads them', async () => {
    const path = temp.path('plain.zip');
    await writeZip(path, [{ path: 'driver/', directory: true }, { path: 'driver/a.inf', bytes: INF }, { path: 'driver/blob.bin', bytes: BLOB }]);
    const zip = await open(path);
    try {
      expect(zip.zip64).toBe(false);
      expect(zip.files.map(({ path, size, zip64 }) => ({ path, size, zip64 }))).toEqual([
        { path: 'driver/a.inf', size: INF.length, zip64: false },
        { path: 'driver/blob.bin', size: 70_000, zip64: false },
      ]);
      expect((await zip.readFile('driver/a.inf')).equals(INF)).toBe(true);
      const results = await zip.readEach(['driver/blob.bin', 'nope.inf', 'driver/blob.bin'], { maxBytes: 1000 });
      expect(results.map((r) => ('error' in r ? r.error.reason : r.bytes.length))).toEqual(['entry-too-large', 'entry-not-found', 'entry-too-large']);
      expect((await zip.readEach(['driver/blob.bin'], { maxBytes: 70_000 })).map((r) => 'bytes' in r && r.bytes.equals(BLOB))).toEqual([true]);
    } finally {
      await zip.close();
    }
  });

  it('detects Zip64 archives, which the portal rejects for HLK packages', async () => {
    const path = temp.path('zip64.zip');
    await writeZip(path, [{ path: 'a.inf', bytes: INF }], { zip64: true });
    const zip = await open(path);
    try {
      expect(zip.zip64).toBe(true);
      expect(zip.files[0]).toMatchObject({ path: 'a.inf', zip64: true });
      expect((await zip.readFile('a.inf')).equals(INF)).toBe(true);
    } finally {
      await zip.close();
    }
  });

  it('detects a Zip64 end-of-central-directory locator even when no entry needs Zip64 fields', async () => {
    const path = temp.path('zip64-eocd.zip');
    await writeZip(path, [{ path: 'a.inf', bytes: INF }], { zip64: true });
    // Drop the entry's Zip64 extra field by rewriting its id, leaving only the archive-level Zip64 records.
    const bytes = await readFile(path);
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    let extra = central + 46 + bytes.readUInt16LE(central + 28);
    while (bytes.readUInt16LE(extra) !== 0x0001) extra += 4 + bytes.readUInt16LE(extra + 2);
    // Move the 64-bit sizes and offset back into the 32-bit fields, then hide the extra field.
    const uncompressed = Number(bytes.readBigUInt64LE(extra + 4));
    const compressed = Number(bytes.readBigUInt64LE(extra + 12));
    const offset = Number(bytes.readBigUInt64LE(extra + 20));
    bytes.writeUInt16LE(0xcafe, extra);
    bytes.writeUInt32LE(compressed, central + 20);
    bytes.writeUInt32LE(uncompressed, central + 24);
    bytes.writeUInt32LE(offset, central + 42);
    await writeFile(path, bytes);
    const zip = await open(path);
    try {
      expect(zip.files[0]!.zip64).toBe(false);
      expect(zip.zip64).toBe(true);
    } finally {
      await zip.close();
    }
  });

  it('reports a truncated or non-Zip file with advice', async () => {
    const good = temp.path('good.zip');
    await writeZip(good, [{ path: 'a.inf', bytes: INF }]);
    const bytes = await readFile(good);
    const cut = temp.path('cut.zip');
    await writeFile(cut, bytes.subarray(0, bytes.length - 30));
    const error = await open(cut).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageFormatError);
    expect(error).toMatchObject({ reason: 'truncated', filePath: cut });
    expect((error as Error).message).toContain('has no Zip end-of-central-directory record');

    const text = temp.path('text.zip');
    await writeFile(text, 'just text, not a zip at all');
    await expect(open(text)).rejects.toMatchObject({ reason: 'truncated' });
  });

  it('reports damaged entry data (CRC mismatch) as corrupt without failing other entries', async () => {
    const path = temp.path('crc.zip');
    await writeZip(path, [{ path: 'a.inf', bytes: INF }, { path: 'b.inf', bytes: INF }]);
    const bytes = await readFile(path);
    // yazl stores small buffers deflated; flip a byte of the first entry's data (after its 30-byte header and name).
    flipByte(bytes, 30 + 'a.inf'.length + 2, 0x55);
    await writeFile(path, bytes);
    const zip = await open(path);
    try {
      const [a, b] = await zip.readEach(['a.inf', 'b.inf']);
      expect(a).toMatchObject({ path: 'a.inf', error: { reason: 'corrupt', entryPath: 'a.inf' } });
      expect(b && 'bytes' in b && b.bytes.equals(INF)).toBe(true);
    } finally {
      await zip.close();
    }
  });

  it('refuses unsafe entry names as a damaged archive', async () => {
    const path = temp.path('unsafe.zip');
    await writeZip(path, [{ path: 'ok.inf', bytes: INF }]);
    const bytes = await readFile(path);
    // Rename "ok.inf" to "../.inf" in both headers.
    let at = bytes.indexOf('ok.inf');
    while (at >= 0) {
      bytes.write('..', at, 'latin1');
      bytes.write('/', at + 2, 'latin1');
      at = bytes.indexOf('ok.inf', at + 1);
    }
    await writeFile(path, bytes);
    await expect(open(path)).rejects.toMatchObject({ reason: 'corrupt', message: expect.stringContaining('invalid relative path') });
  });
});
