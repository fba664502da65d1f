/**
 * Microsoft Cabinet (CAB) reader, following [MS-CAB]. Attestation packages are CABs, possibly several GiB, so the
 * file is read through a handle at offsets: the directory is read once, and file data is decoded block by block
 * (at most 32 KiB of output plus a 32 KiB history at a time).
 *
 * Every count and offset in the headers is checked against the file before it is used, so a truncated or corrupt
 * cabinet gives a `PackageFormatError`, never a crash, a huge allocation or an endless loop.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { PackageFormatError } from './package-format-error.js';
import {
  DEFAULT_MAX_READ_BYTES,
  notFound,
  tooLarge,
  type PackageFile,
  type PackageReadOptions,
  type PackageReadResult,
  type PackageReader,
} from './package-reader.js';
import { UnsupportedCompressionError } from './unsupported-compression-error.js';

/** `MSCF`, the first four bytes of every cabinet. */
export const CAB_SIGNATURE = Buffer.from('MSCF', 'latin1');
/** Fixed part of CFHEADER. */
export const CFHEADER_SIZE = 36;
/** Fixed part of CFFOLDER. */
export const CFFOLDER_SIZE = 8;
/** Fixed part of CFFILE, before the name. */
export const CFFILE_SIZE = 16;
/** Fixed part of CFDATA, before the per-block reserve and the data. */
export const CFDATA_SIZE = 8;
/** Largest uncompressed size of one CFDATA block, and the MSZIP history window. */
export const CAB_BLOCK_SIZE = 32768;
/** Longest file name, in bytes, without the terminating NUL (CB_MAX_FILENAME - 1). */
export const CAB_MAX_NAME_BYTES = 255;

export const FLAG_PREV_CABINET = 0x0001;
export const FLAG_NEXT_CABINET = 0x0002;
export const FLAG_RESERVE_PRESENT = 0x0004;
/** CFFILE attribute: the name is UTF-8 rather than the system code page. */
export const ATTRIBUTE_NAME_IS_UTF = 0x80;

/** CFFOLDER typeCompress values (the low four bits). */
export const COMPRESSION_NONE = 0;
export const COMPRESSION_MSZIP = 1;
const COMPRESSION_NAMES: Record<number, CabCompression> = { 0: 'none', 1: 'mszip', 2: 'quantum', 3: 'lzx' };

/** A CFFILE iFolder at or above this value means the file continues from or into another cabinet of a set. */
const IFOLD_CONTINUED_FROM_PREV = 0xfffd;
/** The two bytes that start every MSZIP block. */
const MSZIP_SIGNATURE = 0x4b43; // 'CK' read little-endian

export type CabCompression = 'none' | 'mszip' | 'quantum' | 'lzx' | `type ${number}`;

export interface CabFolder {
  readonly index: number;
  /** Offset of the folder's first CFDATA block in the cabinet. */
  readonly dataOffset: number;
  readonly blockCount: number;
  readonly compression: CabCompression;
}

export interface CabFile extends PackageFile {
  /** Index into `folders` of the folder holding the data. */
  readonly folderIndex: number;
  /** Offset of the file's first byte in the folder's uncompressed data. */
  readonly folderOffset: number;
}

/** What the cabinet header says about itself. */
export interface CabHeader {
  /** `cbCabinet`: total size of the cabinet in bytes. */
  readonly size: number;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly setId: number;
  readonly cabinetIndex: number;
  /** Size of the per-cabinet reserved area (where signtool keeps the Authenticode signature's location). */
  readonly headerReserveSize: number;
  readonly folderReserveSize: number;
  readonly dataReserveSize: number;
}

/**
 * The CAB checksum of [MS-CAB] 2.2.4 ("CSUMCompute"): XOR of little-endian 32-bit words, the 1 to 3 leftover bytes
 * packed in reverse order. Exported for the writer, which must produce what the reader verifies.
 */
export function cabChecksum(bytes: Uint8Array, seed = 0): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const whole = buffer.length - (buffer.length % 4);
  let sum = seed >>> 0;
  for (let i = 0; i < whole; i += 4) sum ^= buffer.readUInt32LE(i);
  let tail = 0;
  for (let i = whole; i < buffer.length; i++) tail = (tail << 8) | buffer[i]!;
  return (sum ^ tail) >>> 0;
}

/** Checksum of one CFDATA block: its data, then its header fields after `csum` (sizes and reserve). */
export function cabDataChecksum(headerAfterChecksum: Uint8Array, data: Uint8Array): number {
  return cabChecksum(headerAfterChecksum, cabChecksum(data, 0));
}

/**
 * An open cabinet: its directory, and decoding of its files' contents. Close it when done.
 *
 * @example
 * const cab = await CabArchive.open('driver.cab');
 * try { const inf = await cab.readFile('driver/driver.inf'); } finally { await cab.close(); }
 */
export class CabArchive implements PackageReader {
  readonly container = 'cab' as const;
  /** First entry of each name: a cabinet may hold the same name twice, and extraction tools keep the first. */
  private readonly byPath = new Map<string, CabFile>();

  private constructor(
    readonly filePath: string,
    private readonly handle: FileHandle,
    readonly header: CabHeader,
    readonly folders: readonly CabFolder[],
    readonly files: readonly CabFile[],
  ) {
    for (const file of files) if (!this.byPath.has(file.path)) this.byPath.set(file.path, file);
  }

  /** Opens a cabinet and reads its directory (header, folders, files). Throws `PackageFormatError` if it is not a single, intact cabinet. */
  static async open(filePath: string): Promise<CabArchive> {
    const handle = await open(filePath, 'r');
    try {
      const { header, folders, files } = await readDirectory(filePath, handle);
      return new CabArchive(filePath, handle, header, folders, files);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** Reads one file's bytes, throwing if it cannot be read. */
  async readFile(path: string, options?: PackageReadOptions): Promise<Buffer> {
    const [result] = await this.readEach([path], options);
    if (!result) throw notFound(this.filePath, path);
    if ('error' in result) throw result.error;
    return result.bytes;
  }

  /**
   * Reads several files with one pass over each folder they live in, since a compressed folder can only be decoded
   * from its start. Results come back in the order asked.
   */
  async readEach(paths: readonly string[], options: PackageReadOptions = {}): Promise<PackageReadResult[]> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
    const results = new Map<string, PackageReadResult>();
    const wanted = new Map<number, CabFile[]>();
    for (const path of paths) {
      if (results.has(path)) continue;
      const file = this.byPath.get(path);
      if (!file) results.set(path, { path, error: notFound(this.filePath, path) });
      else if (file.size > maxBytes) results.set(path, { path, error: tooLarge(this.filePath, path, file.size, maxBytes) });
      else if (file.size === 0) results.set(path, { path, bytes: Buffer.alloc(0) });
      else wanted.set(file.folderIndex, [...(wanted.get(file.folderIndex) ?? []), file]);
    }
    for (const [folderIndex, files] of wanted) {
      const folder = this.folders[folderIndex]!;
      try {
        const contents = await this.decodeFolder(folder, files);
        for (const file of files) results.set(file.path, { path: file.path, bytes: contents.get(file)! });
      } catch (error) {
        if (!(error instanceof PackageFormatError)) throw error;
        for (const file of files) {
          const perFile =
            error instanceof UnsupportedCompressionError
              ? new UnsupportedCompressionError(error.compression, { filePath: this.filePath, entryPath: file.path })
              : error;
          results.set(file.path, { path: file.path, error: perFile });
        }
      }
    }
    return paths.map((path) => results.get(path)!);
  }

  /** Decodes a folder's blocks from the start up to the end of the last wanted file, copying out the wanted ranges. */
  private async decodeFolder(folder: CabFolder, files: readonly CabFile[]): Promise<Map<CabFile, Buffer>> {
    const first = files[0]!;
    if (folder.compression !== 'none' && folder.compression !== 'mszip') {
      throw new UnsupportedCompressionError(folder.compression, { filePath: this.filePath, entryPath: first.path });
    }
    const contents = new Map(files.map((f) => [f, Buffer.alloc(f.size)] as const));
    const end = files.reduce((max, f) => Math.max(max, f.folderOffset + f.size), 0);
    const blockHeaderSize = CFDATA_SIZE + this.header.dataReserveSize;
    const cabinetEnd = this.header.size;
    let history: Buffer = Buffer.alloc(0);
    let offset = folder.dataOffset;
    let produced = 0;

    for (let block = 0; block < folder.blockCount && produced < end; block++) {
      const headerBytes = await readAt(this.filePath, this.handle, offset, blockHeaderSize, cabinetEnd, `data block ${block} of folder ${folder.index}`);
      const checksum = headerBytes.readUInt32LE(0);
      const compressedSize = headerBytes.readUInt16LE(4);
      const uncompressedSize = headerBytes.readUInt16LE(6);
      const dataOffset = offset + blockHeaderSize;
      offset = dataOffset + compressedSize;
      if (uncompressedSize === 0 || uncompressedSize > CAB_BLOCK_SIZE) {
        throw this.corrupt(`data block ${block} of folder ${folder.index} claims ${uncompressedSize} uncompressed bytes (1 to ${CAB_BLOCK_SIZE} allowed)`);
      }
      const blockStart = produced;
      produced += uncompressedSize;
      const overlaps = files.some((f) => f.folderOffset < produced && f.folderOffset + f.size > blockStart);
      // Stored blocks need no history, so blocks before the wanted files are skipped without reading their data.
      if (folder.compression === 'none' && !overlaps) {
        if (offset > cabinetEnd) throw this.truncatedAt(`data block ${block} of folder ${folder.index}`);
        continue;
      }
      const data = await readAt(this.filePath, this.handle, dataOffset, compressedSize, cabinetEnd, `data block ${block} of folder ${folder.index}`);
      if (checksum !== 0 && cabDataChecksum(headerBytes.subarray(4), data) !== checksum) {
        throw this.corrupt(`data block ${block} of folder ${folder.index} fails its checksum`);
      }
      const output = folder.compression === 'none' ? this.storedBlock(data, uncompressedSize, block, folder) : this.mszipBlock(data, uncompressedSize, history, block, folder);
      if (folder.compression === 'mszip') history = keepWindow(history, output);
      for (const file of files) copyOverlap(output, blockStart, file, contents.get(file)!);
    }
    if (produced < end) {
      const short = files.find((f) => f.folderOffset + f.size > produced)!;
      throw this.corrupt(`folder ${folder.index} holds ${produced} bytes of data, but ${short.path} needs ${short.folderOffset + short.size}`);
    }
    return contents;
  }

  private storedBlock(data: Buffer, uncompressedSize: number, block: number, folder: CabFolder): Buffer {
    if (data.length !== uncompressedSize) {
      throw this.corrupt(`stored data block ${block} of folder ${folder.index} has ${data.length} bytes but claims ${uncompressedSize}`);
    }
    return data;
  }

  /**
   * One MSZIP block: 'CK' then raw deflate data. Blocks share a 32 KiB history, passed to zlib as the dictionary.
   * A block may end at a sync point rather than a final deflate block, so zlib is told not to insist on a stream end;
   * the decoded length is then checked against the header instead.
   */
  private mszipBlock(data: Buffer, uncompressedSize: number, history: Buffer, block: number, folder: CabFolder): Buffer {
    if (data.length < 2 || data.readUInt16LE(0) !== MSZIP_SIGNATURE) {
      throw this.corrupt(`MSZIP data block ${block} of folder ${folder.index} does not start with 'CK'`);
    }
    let output: Buffer;
    try {
      output = inflateRawSync(data.subarray(2), {
        ...(history.length > 0 ? { dictionary: history } : {}),
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: CAB_BLOCK_SIZE,
      });
    } catch (cause) {
      throw this.corrupt(`MSZIP data block ${block} of folder ${folder.index} cannot be decompressed`, cause);
    }
    if (output.length !== uncompressedSize) {
      throw this.corrupt(`MSZIP data block ${block} of folder ${folder.index} decompresses to ${output.length} bytes, not the ${uncompressedSize} it claims`);
    }
    return output;
  }

  private corrupt(detail: string, cause?: unknown): PackageFormatError {
    return corruptError(this.filePath, detail, cause);
  }

  private truncatedAt(what: string): PackageFormatError {
    return truncatedError(this.filePath, what);
  }
}

/** Opens a cabinet, lists it and closes it again. */
export async function listCab(filePath: string): Promise<{ header: CabHeader; folders: readonly CabFolder[]; files: readonly CabFile[] }> {
  const cab = await CabArchive.open(filePath);
  try {
    return { header: cab.header, folders: cab.folders, files: cab.files };
  } finally {
    await cab.close();
  }
}

/** Opens a cabinet, reads one file's bytes and closes it again. */
export async function extractCabFile(filePath: string, path: string, options?: PackageReadOptions): Promise<Buffer> {
  const cab = await CabArchive.open(filePath);
  try {
    return await cab.readFile(path, options);
  } finally {
    await cab.close();
  }
}

async function readDirectory(
  filePath: string,
  handle: FileHandle,
): Promise<{ header: CabHeader; folders: CabFolder[]; files: CabFile[] }> {
  const fileSize = (await handle.stat()).size;
  const head = await readUpTo(handle, 0, CFHEADER_SIZE);
  if (head.length < 4 || !head.subarray(0, 4).equals(CAB_SIGNATURE)) {
    throw new PackageFormatError(
      'wrong-format',
      `${filePath} is not a Microsoft Cabinet: it does not start with 'MSCF'. Build the package with makecab (or another CAB tool).`,
      { filePath },
    );
  }
  if (head.length < CFHEADER_SIZE) throw truncatedError(filePath, 'the cabinet header');

  const size = head.readUInt32LE(8);
  const filesOffset = head.readUInt32LE(16);
  const versionMinor = head.readUInt8(24);
  const versionMajor = head.readUInt8(25);
  const folderCount = head.readUInt16LE(26);
  const fileCount = head.readUInt16LE(28);
  const flags = head.readUInt16LE(30);
  const setId = head.readUInt16LE(32);
  const cabinetIndex = head.readUInt16LE(34);

  if (versionMajor !== 1) {
    throw corruptError(filePath, `the header says CAB format version ${versionMajor}.${versionMinor}; only version 1.x exists`);
  }
  if (size < CFHEADER_SIZE) throw corruptError(filePath, `the header gives a cabinet size of ${size} bytes, less than the header itself`);
  if (size > fileSize) {
    throw new PackageFormatError(
      'truncated',
      `${filePath} is cut short: its header says the cabinet is ${size} bytes but the file has ${fileSize}. ` +
        'It was probably not copied or downloaded completely: build or fetch it again.',
      { filePath },
    );
  }
  if (flags & (FLAG_PREV_CABINET | FLAG_NEXT_CABINET)) throw multiCabinetError(filePath, cabinetIndex);

  let position = CFHEADER_SIZE;
  let headerReserveSize = 0;
  let folderReserveSize = 0;
  let dataReserveSize = 0;
  if (flags & FLAG_RESERVE_PRESENT) {
    const reserve = await readAt(filePath, handle, position, 4, size, 'the header reserve sizes');
    headerReserveSize = reserve.readUInt16LE(0);
    folderReserveSize = reserve.readUInt8(2);
    dataReserveSize = reserve.readUInt8(3);
    position += 4 + headerReserveSize;
  }

  const folderEntrySize = CFFOLDER_SIZE + folderReserveSize;
  const folderTable = await readAt(filePath, handle, position, folderCount * folderEntrySize, size, 'the folder table');
  const folders: CabFolder[] = [];
  for (let index = 0; index < folderCount; index++) {
    const at = index * folderEntrySize;
    const dataOffset = folderTable.readUInt32LE(at);
    const blockCount = folderTable.readUInt16LE(at + 4);
    const type = folderTable.readUInt16LE(at + 6) & 0x000f;
    if (blockCount > 0 && dataOffset >= size) {
      throw corruptError(filePath, `folder ${index} says its data starts at byte ${dataOffset}, beyond the cabinet's ${size} bytes`);
    }
    folders.push({ index, dataOffset, blockCount, compression: COMPRESSION_NAMES[type] ?? `type ${type}` });
  }

  if (fileCount > 0 && (filesOffset < position + folderTable.length || filesOffset >= size)) {
    throw corruptError(filePath, `the file table offset ${filesOffset} points outside the space between the folder table and the end of the cabinet`);
  }
  // The file table cannot be longer than fileCount maximal entries, nor run past the cabinet.
  const tableLength = Math.min(size - filesOffset, fileCount * (CFFILE_SIZE + CAB_MAX_NAME_BYTES + 1));
  const fileTable = fileCount > 0 ? await readAt(filePath, handle, filesOffset, tableLength, size, 'the file table') : Buffer.alloc(0);
  const files: CabFile[] = [];
  let at = 0;
  for (let index = 0; index < fileCount; index++) {
    if (at + CFFILE_SIZE > fileTable.length) throw truncatedError(filePath, `the file table (entry ${index} of ${fileCount})`);
    const fileSizeInFolder = fileTable.readUInt32LE(at);
    const folderOffset = fileTable.readUInt32LE(at + 4);
    const folderIndex = fileTable.readUInt16LE(at + 8);
    const attributes = fileTable.readUInt16LE(at + 14);
    const nameStart = at + CFFILE_SIZE;
    const nameEnd = fileTable.indexOf(0, nameStart);
    if (nameEnd < 0 || nameEnd - nameStart > CAB_MAX_NAME_BYTES) {
      if (nameEnd < 0 && fileTable.length - nameStart <= CAB_MAX_NAME_BYTES) {
        throw truncatedError(filePath, `the file table (the name of entry ${index})`);
      }
      throw corruptError(filePath, `file entry ${index} has a name longer than ${CAB_MAX_NAME_BYTES} bytes`);
    }
    const nameBytes = fileTable.subarray(nameStart, nameEnd);
    // Names are UTF-8 when flagged; otherwise in the creator's code page, for which Latin-1 is the closest guess.
    const name = nameBytes.toString(attributes & ATTRIBUTE_NAME_IS_UTF ? 'utf8' : 'latin1').replace(/\\/g, '/');
    at = nameEnd + 1;
    if (folderIndex >= IFOLD_CONTINUED_FROM_PREV) throw multiCabinetError(filePath, cabinetIndex);
    if (folderIndex >= folderCount) {
      throw corruptError(filePath, `file ${name} is in folder ${folderIndex}, but the cabinet has ${folderCount} folder(s)`);
    }
    if (name.length === 0) throw corruptError(filePath, `file entry ${index} has an empty name`);
    files.push({ path: name, size: fileSizeInFolder, folderIndex, folderOffset });
  }

  return {
    header: { size, versionMajor, versionMinor, setId, cabinetIndex, headerReserveSize, folderReserveSize, dataReserveSize },
    folders,
    files,
  };
}

/** Reads exactly `length` bytes at `offset`, or throws `truncated` if the cabinet (of `limit` bytes) ends first. */
async function readAt(filePath: string, handle: FileHandle, offset: number, length: number, limit: number, what: string): Promise<Buffer> {
  if (offset + length > limit) throw truncatedError(filePath, what);
  const bytes = await readUpTo(handle, offset, length);
  if (bytes.length < length) throw truncatedError(filePath, what);
  return bytes;
}

/** Reads up to `length` bytes at `offset`, looping because one read may return fewer bytes than asked. */
async function readUpTo(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** The last 32 KiB of history plus new output: all that a later MSZIP block may refer back to. */
function keepWindow(history: Buffer, output: Buffer): Buffer {
  if (output.length >= CAB_BLOCK_SIZE) return Buffer.from(output.subarray(output.length - CAB_BLOCK_SIZE));
  const joined = Buffer.concat([history, output]);
  return joined.length > CAB_BLOCK_SIZE ? joined.subarray(joined.length - CAB_BLOCK_SIZE) : joined;
}

/** Copies the part of a decoded block (which starts at `blockStart` in the folder) that belongs to `file`. */
function copyOverlap(output: Buffer, blockStart: number, file: CabFile, target: Buffer): void {
  const from = Math.max(file.folderOffset, blockStart);
  const to = Math.min(file.folderOffset + file.size, blockStart + output.length);
  if (from < to) output.copy(target, from - file.folderOffset, from - blockStart, to - blockStart);
}

function truncatedError(filePath: string, what: string): PackageFormatError {
  return new PackageFormatError(
    'truncated',
    `${filePath} is cut short: it ends inside ${what}. It was probably not copied or downloaded completely: build or fetch it again.`,
    { filePath },
  );
}

function corruptError(filePath: string, detail: string, cause?: unknown): PackageFormatError {
  return new PackageFormatError('corrupt', `${filePath} is a damaged cabinet: ${detail}. Build the CAB again.`, { filePath, cause });
}

function multiCabinetError(filePath: string, cabinetIndex: number): PackageFormatError {
  return new PackageFormatError(
    'multi-cabinet',
    `${filePath} is part ${cabinetIndex + 1} of a multi-cabinet set, which the portal and hwdash cannot use. ` +
      'Build the package as one cabinet (makecab: .Set MaxDiskSize=0).',
    { filePath },
  );
}
