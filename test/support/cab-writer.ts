/**
 * Microsoft Cabinet (CAB) writer: one folder, stored or MSZIP-compressed, built in memory. It exists to build the
 * sample driver package and test fixtures (npm has no maintained CAB writer); real driver packages are usually made
 * with makecab on Windows. Output is byte-for-byte deterministic for the same input.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import {
  ATTRIBUTE_NAME_IS_UTF,
  CAB_BLOCK_SIZE,
  CAB_MAX_NAME_BYTES,
  CAB_SIGNATURE,
  CFDATA_SIZE,
  CFFILE_SIZE,
  CFFOLDER_SIZE,
  CFHEADER_SIZE,
  COMPRESSION_TYPES,
  FLAG_RESERVE_PRESENT,
  cabDataChecksum,
} from '../../src/package/cab-format.js';

export interface CabWriterEntry {
  /** Path inside the cabinet; `/` or `\` separators (stored as `\`). */
  path: string;
  bytes: Uint8Array;
}

export interface CabWriterOptions {
  /** @default 'none' */
  compression?: 'none' | 'mszip';
  /**
   * Timestamp stored for every file, as its UTC calendar fields (CAB times carry no zone).
   * @default 1980-01-01T00:00:00Z, the earliest CAB time, so that the output does not depend on when it was built
   */
  modified?: Date;
  /**
   * Bytes for the per-cabinet reserved area (`cbCFHeader`), which signtool uses for the signature's location.
   * @default none
   */
  headerReserve?: Uint8Array;
}

/** File attribute stored for every file: archive (`_A_ARCH`), as makecab sets it. */
const ATTRIBUTE_ARCHIVE = 0x20;
/** MSZIP block prefix. */
const MSZIP_PREFIX = Buffer.from('CK', 'latin1');
const MAX_FILES = 0xffff;
/** `cCFData` is 16 bits, so one folder holds at most this much data. */
const MAX_FOLDER_BYTES = 0xffff * CAB_BLOCK_SIZE;

/** Builds a cabinet holding `entries` in one folder. Throws `RangeError` for input a CAB cannot represent. */
export function buildCab(entries: readonly CabWriterEntry[], options: CabWriterOptions = {}): Buffer {
  if (entries.length > MAX_FILES) throw new RangeError(`A cabinet holds at most ${MAX_FILES} files; got ${entries.length}.`);
  const compression = options.compression ?? 'none';
  const reserve = options.headerReserve ? Buffer.from(options.headerReserve) : undefined;
  if (reserve && reserve.length > 60000) throw new RangeError('The header reserve of a cabinet is at most 60,000 bytes.');
  const { date, time } = dosDateTime(options.modified ?? new Date(Date.UTC(1980, 0, 1)));

  const names = entries.map((entry) => cabName(entry.path));
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key)) throw new RangeError(`The cabinet would hold ${name} twice (names are case-insensitive).`);
    seen.add(key);
  }
  const totalBytes = entries.reduce((sum, entry) => sum + entry.bytes.length, 0);
  if (totalBytes > MAX_FOLDER_BYTES) throw new RangeError(`A one-folder cabinet holds at most ${MAX_FOLDER_BYTES} bytes; got ${totalBytes}.`);

  const folderData = Buffer.concat(entries.map((entry) => entry.bytes));
  const blocks = dataBlocks(folderData, compression);

  const headerSize = CFHEADER_SIZE + (reserve ? 4 + reserve.length : 0);
  const folderCount = entries.length > 0 ? 1 : 0;
  const filesOffset = headerSize + folderCount * CFFOLDER_SIZE;
  const fileEntries: Buffer[] = [];
  let folderOffset = 0;
  entries.forEach((entry, index) => {
    const name = names[index]!;
    const utf8 = /[^\x20-\x7e]/.test(name);
    const nameBytes = Buffer.from(name, utf8 ? 'utf8' : 'latin1');
    const record = Buffer.alloc(CFFILE_SIZE + nameBytes.length + 1);
    record.writeUInt32LE(entry.bytes.length, 0);
    record.writeUInt32LE(folderOffset, 4);
    record.writeUInt16LE(0, 8);
    record.writeUInt16LE(date, 10);
    record.writeUInt16LE(time, 12);
    record.writeUInt16LE(ATTRIBUTE_ARCHIVE | (utf8 ? ATTRIBUTE_NAME_IS_UTF : 0), 14);
    nameBytes.copy(record, CFFILE_SIZE);
    fileEntries.push(record);
    folderOffset += entry.bytes.length;
  });
  const dataOffset = filesOffset + fileEntries.reduce((sum, record) => sum + record.length, 0);
  const cabinetSize = dataOffset + blocks.reduce((sum, block) => sum + block.length, 0);

  const header = Buffer.alloc(headerSize);
  CAB_SIGNATURE.copy(header, 0);
  header.writeUInt32LE(cabinetSize, 8);
  header.writeUInt32LE(filesOffset, 16);
  header.writeUInt8(3, 24); // versionMinor
  header.writeUInt8(1, 25); // versionMajor
  header.writeUInt16LE(folderCount, 26);
  header.writeUInt16LE(entries.length, 28);
  header.writeUInt16LE(reserve ? FLAG_RESERVE_PRESENT : 0, 30);
  if (reserve) {
    header.writeUInt16LE(reserve.length, CFHEADER_SIZE);
    reserve.copy(header, CFHEADER_SIZE + 4);
  }

  const folder = Buffer.alloc(folderCount * CFFOLDER_SIZE);
  if (folderCount > 0) {
    folder.writeUInt32LE(dataOffset, 0);
    folder.writeUInt16LE(blocks.length, 4);
    folder.writeUInt16LE(COMPRESSION_TYPES[compression], 6);
  }
  return Buffer.concat([header, folder, ...fileEntries, ...blocks]);
}

/**
 * Writes a cabinet to `filePath` through a temporary file renamed into place, so a failure never leaves a partial CAB
 * under the final name.
 */
export async function writeCab(filePath: string, entries: readonly CabWriterEntry[], options?: CabWriterOptions): Promise<void> {
  const bytes = buildCab(entries, options);
  const temporary = `${filePath}.${process.pid}.partial`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, filePath);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Splits folder data into CFDATA blocks of 32 KiB of input each, with checksums. */
function dataBlocks(folderData: Buffer, compression: 'none' | 'mszip'): Buffer[] {
  const blocks: Buffer[] = [];
  for (let start = 0; start < folderData.length; start += CAB_BLOCK_SIZE) {
    const chunk = folderData.subarray(start, start + CAB_BLOCK_SIZE);
    // Each MSZIP block is a complete deflate stream that may refer back into the previous 32 KiB, as Microsoft's
    // decoder keeps that history; passing it as the dictionary lets the compressor use it.
    const data =
      compression === 'mszip'
        ? Buffer.concat([
            MSZIP_PREFIX,
            deflateRawSync(chunk, start > 0 ? { dictionary: folderData.subarray(start - CAB_BLOCK_SIZE, start) } : {}),
          ])
        : chunk;
    const block = Buffer.alloc(CFDATA_SIZE + data.length);
    block.writeUInt16LE(data.length, 4);
    block.writeUInt16LE(chunk.length, 6);
    data.copy(block, CFDATA_SIZE);
    block.writeUInt32LE(cabDataChecksum(block.subarray(4, CFDATA_SIZE), data), 0);
    blocks.push(block);
  }
  return blocks;
}

/** A package path as a CAB file name: backslash separators, no leading separator, no `.` or `..` segments. */
function cabName(path: string): string {
  const segments = path.split(/[\\/]+/).filter((segment) => segment.length > 0);
  if (segments.length === 0) throw new RangeError(`Empty file name in cabinet entries: ${JSON.stringify(path)}.`);
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    throw new RangeError(`Cabinet file names cannot contain '.' or '..' segments: ${path}.`);
  }
  const name = segments.join('\\');
  if (Buffer.byteLength(name, 'utf8') > CAB_MAX_NAME_BYTES) {
    throw new RangeError(`Cabinet file names are at most ${CAB_MAX_NAME_BYTES} bytes: ${path}.`);
  }
  return name;
}

/** MS-DOS date and time fields (2-second resolution, years 1980 to 2107) from a Date's UTC fields. */
function dosDateTime(when: Date): { date: number; time: number } {
  const year = when.getUTCFullYear();
  if (Number.isNaN(year)) throw new RangeError('The CAB timestamp is an invalid Date.');
  if (year < 1980 || year > 2107) throw new RangeError(`CAB timestamps cover 1980 to 2107; got ${when.toISOString()}.`);
  return {
    date: ((year - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate(),
    time: (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | Math.floor(when.getUTCSeconds() / 2),
  };
}
