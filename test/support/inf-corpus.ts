/**
 * The vendored corpus of public INF/INX files (test/fixtures/inf, see its README) and what the tests make of it:
 * the files as a WDK build would stamp them, re-encoded as UTF-16LE or with CRLF line ends, and packed into real
 * driver packages by Debian's `gcab` and `zip`, the way the first outside run of hwdash's package reader did.
 *
 * Text is decoded here by its BOM alone, not with hwdash's own decoder, so that the re-encodings test that decoder
 * rather than assume it.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS = join(ROOT, 'test', 'fixtures', 'inf');
/** The public sources, as folders of the corpus. Hand-written edge cases live in `edge-cases/`. */
export const SOURCES = ['windows-driver-samples', 'virtio-win'] as const;
type CorpusSource = (typeof SOURCES)[number];

/** Installs the Debian tools the tests run (see scripts/ensure-debian-packages.sh); quiet when they are there. */
export async function ensureDebianPackages(...packages: string[]): Promise<void> {
  await run(join(ROOT, 'scripts', 'ensure-debian-packages.sh'), packages, { maxBuffer: 16 * 1024 * 1024 });
}

export interface CorpusFile {
  source: string;
  /** Path below the source folder, `/` separated, e.g. `general/toaster/toastpkg/inf/toastpkg.inf`. */
  path: string;
  /** The name it has in a package: INX templates become `.inf`, as the WDK build makes them. */
  packageName: string;
  bytes: Buffer;
}

/** A folder of the corpus that holds INF files: one driver package. */
export interface CorpusFolder {
  source: string;
  /** Folder path below the source, `/` separated. */
  folder: string;
  files: CorpusFile[];
}

/** Every vendored INF/INX file of a source, grouped by folder, in path order. */
export async function corpusFolders(source: string): Promise<CorpusFolder[]> {
  const base = join(CORPUS, source);
  const files: CorpusFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.in[fx]$/i.test(entry.name)) {
        const path = relative(base, full).split(sep).join('/');
        files.push({ source, path, packageName: entry.name.replace(/\.inx$/i, '.inf'), bytes: await readFile(full) });
      }
    }
  };
  await walk(base);
  const folders = new Map<string, CorpusFolder>();
  for (const file of files) {
    const folder = posix.dirname(file.path);
    const group = folders.get(folder) ?? { source, folder, files: [] };
    if (group.files.some((other) => other.packageName.toLowerCase() === file.packageName.toLowerCase())) {
      throw new Error(`${source}/${file.path}: two files of ${folder} become ${file.packageName}`);
    }
    group.files.push(file);
    folders.set(folder, group);
  }
  return [...folders.values()];
}

/** The text of an INF by its BOM: UTF-16LE with `FF FE`, UTF-8 otherwise (every vendored file is one of these). */
export function corpusText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

export type Encoding = 'utf8-lf' | 'utf8-crlf' | 'utf16le-bom-crlf';

export function encode(text: string, encoding: Encoding): Buffer {
  const lf = text.replace(/\r\n/g, '\n');
  if (encoding === 'utf8-lf') return Buffer.from(lf, 'utf8');
  const crlf = lf.replace(/\n/g, '\r\n');
  if (encoding === 'utf8-crlf') return Buffer.from(crlf, 'utf8');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlf, 'utf16le')]);
}

/** The DriverVer a stamped INF gets when its source has none (stampinf writes the build's date and version). */
export const STAMPED_DRIVER_VER = '09/01/2025,10.0.1.2';

/**
 * What the WDK build's stampinf does to a source INF/INX: `$ARCH$` becomes the target architecture, and a missing
 * or empty DriverVer in [Version] gets the build's date and version. DriverVer lines that have a value are kept.
 */
export function stamp(text: string, architecture: 'amd64' | 'arm64' | 'x86' = 'amd64'): string {
  const lines = text.replace(/\$ARCH\$/g, architecture).split(/\r?\n/);
  let section = '';
  let versionHeader = -1;
  let driverVerLine = -1;
  lines.forEach((line, index) => {
    const header = /^\s*\[([^\]]*)\]/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      if (section === 'version' && versionHeader < 0) versionHeader = index;
      return;
    }
    if (section === 'version' && /^\s*DriverVer\s*=/i.test(line)) driverVerLine = index;
  });
  if (driverVerLine >= 0) {
    if (/^\s*DriverVer\s*=\s*(;.*)?$/i.test(lines[driverVerLine]!)) lines[driverVerLine] = `DriverVer = ${STAMPED_DRIVER_VER}`;
  } else if (versionHeader >= 0) {
    lines.splice(versionHeader + 1, 0, `DriverVer = ${STAMPED_DRIVER_VER}`);
  }
  return lines.join('\n');
}

/**
 * Whether [Version] of the source text lacks a DriverVer value (so the file is an unstamped template): an oracle for
 * the `driver-ver-missing` rule that does not use hwdash's parser.
 */
export function lacksDriverVer(text: string): boolean {
  let section = '';
  let hasVersion = false;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]*)\]/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      hasVersion ||= section === 'version';
      continue;
    }
    const driverVer = section === 'version' ? /^\s*DriverVer\s*=\s*([^;]*)/i.exec(line) : null;
    if (driverVer) return driverVer[1]!.trim() === '';
  }
  return hasVersion;
}

export type Container = 'gcab-stored' | 'gcab-mszip' | 'zip';

/** One file of a package to build, by its path inside the package (`driver/x.inf`). */
export interface PackageEntry {
  path: string;
  bytes: Uint8Array;
}

/** Packs the entries into `<workDir>/<name>.(cab|zip)` with the real tools and returns the package path. */
export async function buildPackage(workDir: string, name: string, container: Container, entries: readonly PackageEntry[]): Promise<string> {
  const staging = join(workDir, name);
  for (const entry of entries) {
    await mkdir(join(staging, posix.dirname(entry.path)), { recursive: true });
    await writeFile(join(staging, ...entry.path.split('/')), entry.bytes);
  }
  const members = entries.map((entry) => entry.path);
  if (container === 'zip') {
    const output = join(workDir, `${name}.zip`);
    await run('zip', ['-q', '-X', output, ...members], { cwd: staging });
    return output;
  }
  const output = join(workDir, `${name}.cab`);
  await run('gcab', ['-c', ...(container === 'gcab-mszip' ? ['-z'] : []), output, ...members], { cwd: staging });
  return output;
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the results in order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A driver folder name the portal accepts ("no special characters ... fewer than 40 characters long",
 * dashboard/code-signing-reqs.md), unique within a package by its number.
 */
export function driverFolderName(folder: string, index: number): string {
  return `${String(index).padStart(3, '0')}_${posix.basename(folder).replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 39);
}

/** Splits items into runs of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const runs: T[][] = [];
  for (let start = 0; start < items.length; start += size) runs.push(items.slice(start, start + size));
  return runs;
}
