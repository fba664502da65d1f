import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PackageFormatError } from './package-format-error.js';

/** One file inside a driver package, as listed by its directory (nothing decompressed). */
export interface PackageFile {
  /** Path inside the package with `/` separators, e.g. `sample-driver/sample.inf`. */
  readonly path: string;
  /** Uncompressed size in bytes. */
  readonly size: number;
}

/** The outcome of reading one file: its bytes, or why they could not be read. */
export type PackageReadResult = { path: string; bytes: Buffer } | { path: string; error: PackageFormatError };

export interface PackageReadOptions {
  /**
   * Largest file, in bytes, read into memory. A larger one gives an `entry-too-large` error instead of exhausting memory.
   * @default 16 MiB (INF files are far smaller)
   */
  maxBytes?: number;
}

export const DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024;

/** How the package stores its files. HLKX and HCKX packages are Zip files. */
export type PackageContainer = 'cab' | 'zip' | 'folder';

/** Read access to the files of a CAB, a Zip (HLKX/HCKX) or a driver folder, with one interface. */
export interface PackageReader {
  readonly container: PackageContainer;
  /** The package on disk. */
  readonly filePath: string;
  readonly files: readonly PackageFile[];
  /**
   * Reads several files. A file that cannot be read gives an error result and does not stop the others, so one
   * LZX-compressed folder does not hide the files that can be read.
   */
  readEach(paths: readonly string[], options?: PackageReadOptions): Promise<PackageReadResult[]>;
  close(): Promise<void>;
}

/** Reads several files and throws the first error. */
export async function readAll(
  reader: PackageReader,
  paths: readonly string[],
  options?: PackageReadOptions,
): Promise<Map<string, Buffer>> {
  const results = await reader.readEach(paths, options);
  const bytes = new Map<string, Buffer>();
  for (const result of results) {
    if ('error' in result) throw result.error;
    bytes.set(result.path, result.bytes);
  }
  return bytes;
}

/** Reads one file's bytes, throwing if it cannot be read. */
export async function readOne(reader: PackageReader, path: string, options?: PackageReadOptions): Promise<Buffer> {
  const [result] = await reader.readEach([path], options);
  if (!result) throw notFound(reader.filePath, path);
  if ('error' in result) throw result.error;
  return result.bytes;
}

/** Whether a package path names an INF file. */
export function isInfPath(path: string): boolean {
  return path.toLowerCase().endsWith('.inf');
}

/** What the first bytes of a file say it is. */
export type SniffedFormat = 'cab' | 'zip' | 'unknown';

/** Recognises CAB (`MSCF`) and Zip (`PK` local header, empty archive or spanned marker) by their first bytes. */
export function sniffFormat(head: Uint8Array): SniffedFormat {
  if (head.length >= 4 && head[0] === 0x4d && head[1] === 0x53 && head[2] === 0x43 && head[3] === 0x46) return 'cab';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    const third = head[2];
    const fourth = head[3];
    if ((third === 3 && fourth === 4) || (third === 5 && fourth === 6) || (third === 7 && fourth === 8)) return 'zip';
  }
  return 'unknown';
}

/** Reads the first bytes of a file to tell a CAB from a Zip, whatever its name says. */
export async function sniffFile(filePath: string): Promise<SniffedFormat> {
  const handle = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return sniffFormat(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** A driver folder on disk, read with the same interface as an archive (used to preview a driver before packing it). */
export async function openFolderPackage(folderPath: string): Promise<PackageReader> {
  const files: PackageFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const children = await readdir(dir, { withFileTypes: true });
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      const full = join(dir, child.name);
      if (child.isDirectory()) await walk(full);
      else if (child.isFile()) files.push({ path: relative(folderPath, full).split(sep).join('/'), size: (await stat(full)).size });
    }
  };
  await walk(folderPath);
  const byPath = new Map(files.map((f) => [f.path, f]));
  return {
    container: 'folder',
    filePath: folderPath,
    files,
    async readEach(paths, options = {}) {
      const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
      const results: PackageReadResult[] = [];
      for (const path of paths) {
        const file = byPath.get(path);
        if (!file) {
          results.push({ path, error: notFound(folderPath, path) });
        } else if (file.size > maxBytes) {
          results.push({ path, error: tooLarge(folderPath, path, file.size, maxBytes) });
        } else {
          results.push({ path, bytes: await readFile(join(folderPath, ...path.split('/'))) });
        }
      }
      return results;
    },
    async close() {},
  };
}

export function notFound(filePath: string, entryPath: string): PackageFormatError {
  return new PackageFormatError('entry-not-found', `${filePath} has no file named ${entryPath}.`, { filePath, entryPath });
}

export function tooLarge(filePath: string, entryPath: string, size: number, maxBytes: number): PackageFormatError {
  return new PackageFormatError(
    'entry-too-large',
    `${entryPath} in ${filePath} is ${size} bytes, more than the ${maxBytes}-byte limit for reading it into memory.`,
    { filePath, entryPath },
  );
}
