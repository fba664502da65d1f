/**
 * A submission's `isDeclarativeInf` and `isUniversal` ("a driver is DCHU compliant if it's Declarative and
 * Universal", get-product-data.md), judged from the uploaded package the way the service's tests judge it:
 * - Declarative INF (InfVerif): every INF follows the universal INF rules (see universal-inf-rules.ts).
 * - Universal API (ApiValidator): no Windows binary in the package imports a desktop-only module. The sandbox knows
 *   modules, not individual APIs, so it flags only modules that are desktop-only as a whole; binaries it cannot read
 *   (not PE, or too large) are not held against the package.
 */
import { posix } from 'node:path';
import { parseInf } from '../../package/inf.js';
import { openPackage } from '../../package/open-package.js';
import { isInfPath } from '../../package/package-reader.js';
import { peImports } from './pe-imports.js';
import { universalInfFindings } from './universal-inf-rules.js';

export interface DchuVerdict {
  isDeclarativeInf: boolean;
  isUniversal: boolean;
  /** What made either false, naming the file. */
  findings: string[];
  /**
   * INFs with a co-installer section. "Starting in January 2023, driver packages containing a co-installer are no
   * longer signed by the Hardware Developer Center portal" (develop/removing-coinstallers.md).
   */
  coInstallerInfs: string[];
}

const BINARY_EXTENSIONS = new Set(['.sys', '.dll', '.exe']);

/** Modules with no OneCore (universal) counterpart: user interface, shell, printing, the old C runtime and MFC. */
const DESKTOP_ONLY_MODULES = /^(user32\.dll|gdi32\.dll|shell32\.dll|comdlg32\.dll|comctl32\.dll|winspool\.drv|uxtheme\.dll|msvcrt\.dll|msvcr\d+\.dll|mfc\d+u?\.dll)$/;

/** Largest file read: INFs and driver binaries are far smaller. */
const MAX_READ_BYTES = 16 * 1024 * 1024;

export async function judgeDchu(packagePath: string): Promise<DchuVerdict> {
  const reader = await openPackage(packagePath);
  try {
    const infs = reader.files.filter((file) => isInfPath(file.path) && file.size <= MAX_READ_BYTES).map((file) => file.path);
    const binaries = reader.files
      .filter((file) => BINARY_EXTENSIONS.has(posix.extname(file.path).toLowerCase()) && file.size <= MAX_READ_BYTES)
      .map((file) => file.path);
    const declarative: string[] = [];
    const universal: string[] = [];
    const coInstallerInfs: string[] = [];
    for (const result of await reader.readEach(infs, { maxBytes: MAX_READ_BYTES })) {
      if (!('bytes' in result)) continue;
      const doc = parseInf(result.bytes);
      declarative.push(...universalInfFindings(doc).map((finding) => `${result.path}: ${finding}`));
      if (doc.sections.some((section) => section.name.toLowerCase().endsWith('.coinstallers'))) coInstallerInfs.push(result.path);
    }
    for (const result of await reader.readEach(binaries, { maxBytes: MAX_READ_BYTES })) {
      const imports = 'bytes' in result ? peImports(result.bytes) : undefined;
      const desktop = imports?.filter((module) => DESKTOP_ONLY_MODULES.test(module)) ?? [];
      if (desktop.length > 0) universal.push(`${result.path}: imports ${desktop.join(', ')}, which universal drivers cannot use`);
    }
    return { isDeclarativeInf: declarative.length === 0, isUniversal: universal.length === 0, findings: [...declarative, ...universal], coInstallerInfs };
  } finally {
    await reader.close();
  }
}
