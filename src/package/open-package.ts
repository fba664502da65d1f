import { stat } from 'node:fs/promises';
import { CabArchive } from './cab.js';
import { PackageFormatError } from './package-format-error.js';
import { openFolderPackage, sniffFile, type PackageReader } from './package-reader.js';
import { ZipArchive } from './zip.js';

/**
 * Opens a driver package by what it is, not what it is called: a folder, a CAB, or a Zip (which covers HLKX and HCKX).
 */
export async function openPackage(filePath: string): Promise<PackageReader> {
  const info = await stat(filePath);
  if (info.isDirectory()) return openFolderPackage(filePath);
  const format = await sniffFile(filePath);
  if (format === 'cab') return CabArchive.open(filePath);
  if (format === 'zip') return ZipArchive.open(filePath);
  throw new PackageFormatError(
    'wrong-format',
    `${filePath} is neither a CAB nor a Zip archive (HLKX/HCKX): pass a driver .cab, an .hlkx/.hckx package or a driver folder.`,
    { filePath },
  );
}
