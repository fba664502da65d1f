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
import { CAB_BLOCK_SIZE, CFDATA_SIZE, MSZIP_SIGNATURE, cabDataChecksum, type CabFile, type CabFolder, type CabHeader } from './cab-format.js';
import { corruptError, readAt, readDirectory, truncatedError } from './cab-directory.js';
import { PackageFormatError } from './package-format-error.js';
import {
  DEFAULT_MAX_READ_BYTES,
  notFound,
  readOne,
  tooLarge,
  type PackageReadOptions,
  type PackageReadResult,
  type PackageReader,
} from './package-reader.js';
import { UnsupportedCompressionError } from './unsupported-compression-error.js';

export * from './cab-format.js';

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
  readFile(path: string, options?: PackageReadOptions): Promise<Buffer> {
    return readOne(this, path, options);
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
