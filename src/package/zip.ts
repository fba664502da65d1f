/**
 * Zip reader for HLKX/HCKX packages and zipped driver folders, on top of yauzl (which reads the central directory
 * through the file handle, so multi-GiB packages are listed without loading them). hwdash adds Zip64 detection,
 * because the portal rejects Zip64 HLK packages, and bounded, CRC-checked reads of single entries.
 */
import { open as openFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { PackageFormatError } from './package-format-error.js';
import {
  DEFAULT_MAX_READ_BYTES,
  notFound,
  readOne,
  tooLarge,
  type PackageFile,
  type PackageReadOptions,
  type PackageReadResult,
  type PackageReader,
} from './package-reader.js';

export interface ZipFileEntry extends PackageFile {
  readonly compressedSize: number;
  /** Whether the entry's central directory record carries a Zip64 extended-information extra field. */
  readonly zip64: boolean;
}

/** End of central directory record, its Zip64 locator, and the Zip64 extended-information extra field. */
const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EXTRA_FIELD = 0x0001;
const MAX_COMMENT = 0xffff;

/**
 * An open Zip archive. Close it when done.
 *
 * @example
 * const zip = await ZipArchive.open('results.hlkx');
 * try { if (zip.zip64) console.warn('the portal rejects Zip64 HLK packages'); } finally { await zip.close(); }
 */
export class ZipArchive implements PackageReader {
  readonly container = 'zip' as const;
  /** Files only; folder entries (names ending in `/`) are left out. */
  readonly files: readonly ZipFileEntry[];
  private readonly byPath = new Map<string, { file: ZipFileEntry; entry: Entry }>();

  private constructor(
    readonly filePath: string,
    private readonly zipfile: ZipFile,
    entries: readonly Entry[],
    /** Whether the archive uses Zip64 anywhere: a Zip64 end-of-central-directory locator, or Zip64 fields in an entry. */
    readonly zip64: boolean,
  ) {
    const files: ZipFileEntry[] = [];
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      const file: ZipFileEntry = {
        path: entry.fileName,
        size: entry.uncompressedSize,
        compressedSize: entry.compressedSize,
        zip64: entry.extraFields.some((field) => field.id === ZIP64_EXTRA_FIELD),
      };
      files.push(file);
      if (!this.byPath.has(file.path)) this.byPath.set(file.path, { file, entry });
    }
    this.files = files;
  }

  /** Opens a Zip and reads its central directory. Throws `PackageFormatError` if it is not a readable Zip. */
  static async open(filePath: string): Promise<ZipArchive> {
    const hasZip64Locator = await readZip64Locator(filePath);
    let zipfile: ZipFile;
    try {
      zipfile = await new Promise<ZipFile>((resolve, reject) =>
        yauzl.open(filePath, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, opened) =>
          error ? reject(error) : resolve(opened),
        ),
      );
    } catch (cause) {
      throw openError(filePath, cause, hasZip64Locator);
    }
    try {
      const entries = await readEntries(zipfile);
      const zip64 = hasZip64Locator || entries.some((entry) => entry.extraFields.some((field) => field.id === ZIP64_EXTRA_FIELD));
      return new ZipArchive(filePath, zipfile, entries, zip64);
    } catch (cause) {
      zipfile.close();
      throw new PackageFormatError('corrupt', `${filePath} is a damaged Zip archive: ${messageOf(cause)}. Create the package again.`, {
        filePath,
        cause,
      });
    }
  }

  async close(): Promise<void> {
    this.zipfile.close();
  }

  /** Reads one file's bytes, throwing if it cannot be read. */
  readFile(path: string, options?: PackageReadOptions): Promise<Buffer> {
    return readOne(this, path, options);
  }

  async readEach(paths: readonly string[], options: PackageReadOptions = {}): Promise<PackageReadResult[]> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
    const results: PackageReadResult[] = [];
    for (const path of paths) {
      const found = this.byPath.get(path);
      if (!found) results.push({ path, error: notFound(this.filePath, path) });
      else if (found.file.size > maxBytes) results.push({ path, error: tooLarge(this.filePath, path, found.file.size, maxBytes) });
      else {
        try {
          results.push({ path, bytes: await this.readEntry(found.entry) });
        } catch (error) {
          if (!(error instanceof PackageFormatError)) throw error;
          results.push({ path, error });
        }
      }
    }
    return results;
  }

  private async readEntry(entry: Entry): Promise<Buffer> {
    const damaged = (detail: string, cause?: unknown): PackageFormatError =>
      new PackageFormatError('corrupt', `${entry.fileName} in ${this.filePath} cannot be read: ${detail}. Create the package again.`, {
        filePath: this.filePath,
        entryPath: entry.fileName,
        cause,
      });
    if (!entry.canDecodeFileData()) {
      throw damaged(entry.isEncrypted() ? 'it is encrypted' : `it uses Zip compression method ${entry.compressionMethod}, which hwdash cannot read`);
    }
    let bytes: Buffer;
    try {
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        this.zipfile.openReadStream(entry, (error, opened) => (error ? reject(error) : resolve(opened))),
      );
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      bytes = Buffer.concat(chunks);
    } catch (cause) {
      throw damaged(messageOf(cause), cause);
    }
    if (crc32(bytes) !== entry.crc32) throw damaged('its CRC-32 does not match');
    return bytes;
  }
}

function readEntries(zipfile: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zipfile.on('entry', (entry: Entry) => {
      entries.push(entry);
      zipfile.readEntry();
    });
    zipfile.once('end', () => resolve(entries));
    zipfile.once('error', reject);
    zipfile.readEntry();
  });
}

/**
 * Whether the end of central directory record is preceded by a Zip64 locator. yauzl reads the same record but does
 * not say whether it found one, so the tail (at most one maximal comment plus both records) is scanned here.
 */
async function readZip64Locator(filePath: string): Promise<boolean> {
  const handle = await openFile(filePath, 'r');
  try {
    const size = (await handle.stat()).size;
    const length = Math.min(size, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE);
    const tail = Buffer.alloc(length);
    const { bytesRead } = await handle.read(tail, 0, length, size - length);
    for (let i = bytesRead - EOCD_SIZE; i >= 0; i--) {
      if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
      // A real record's comment length reaches exactly to the end of the file; this rejects the signature bytes
      // occurring by chance inside a comment.
      if (i + EOCD_SIZE + tail.readUInt16LE(i + 20) !== bytesRead) continue;
      return i >= ZIP64_LOCATOR_SIZE && tail.readUInt32LE(i - ZIP64_LOCATOR_SIZE) === ZIP64_LOCATOR_SIGNATURE;
    }
    return false;
  } finally {
    await handle.close();
  }
}

function openError(filePath: string, cause: unknown, hasZip64Locator: boolean): PackageFormatError {
  const message = messageOf(cause);
  if (/end of central directory record signature not found/i.test(message)) {
    return new PackageFormatError(
      'truncated',
      `${filePath} has no Zip end-of-central-directory record: it is not a Zip archive, or it was cut short ` +
        '(an interrupted copy or download). Create or fetch the package again.',
      { filePath, cause },
    );
  }
  const detail = hasZip64Locator ? `${message} (in its Zip64 records)` : message;
  return new PackageFormatError('corrupt', `${filePath} is a damaged Zip archive: ${detail}. Create the package again.`, { filePath, cause });
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
