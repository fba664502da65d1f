/**
 * Local checks of a driver package before it is uploaded, so that the mistakes the portal rejects after a long upload
 * and hours of processing (wrong container, drivers at the CAB root, Zip64 HLK packages, empty or truncated files)
 * are caught in seconds. Every rule runs that can; all problems are reported together, each saying what to do.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { CabArchive } from './cab.js';
import { PackageFormatError } from './package-format-error.js';
import { isInfPath, sniffFile, type SniffedFormat } from './package-reader.js';
import { PreflightError } from './preflight-error.js';
import { Findings } from './preflight-findings.js';
import { checkInfs, readPackageInfs } from './preflight-infs.js';
import { EXTENSION_BY_HARNESS, HARNESS_LABEL, checkCab, checkContainer, checkHarnessType, checkInfPresent, checkZip } from './preflight-layout.js';
import type { PreflightHarness, PreflightKind, PreflightOptions, PreflightResult } from './preflight-types.js';
import { ZipArchive } from './zip.js';

export type { PreflightHarness, PreflightKind, PreflightOptions, PreflightProblem, PreflightResult, PreflightRule } from './preflight-types.js';

const HARNESS_BY_EXTENSION: Record<string, PreflightHarness> = { '.cab': 'attestation', '.zip': 'attestation', '.hlkx': 'hlk', '.hckx': 'hck' };

/** What the checks of the file itself found out, before its content is looked at. */
type FileFacts = { size: number; format: SniffedFormat } | { size: number; stop: true };

/** Checks a package file. Never throws for a bad package: everything wrong is in `problems`. */
export async function preflightPackage(filePath: string, options: PreflightOptions = {}): Promise<PreflightResult> {
  const findings = new Findings();
  const extension = extname(filePath).toLowerCase();
  const harness = options.harness ?? HARNESS_BY_EXTENSION[extension];
  const result = (kind: PreflightKind, size: number, files = 0, infFiles: string[] = []): PreflightResult => ({
    ok: findings.problems.length === 0,
    kind,
    harness,
    size,
    files,
    infFiles,
    problems: findings.problems,
    warnings: findings.warnings,
  });

  checkHarnessType(findings, filePath, extension, options.harness, harness);
  const facts = await examineFile(findings, filePath, harness);
  if ('stop' in facts) return result('unknown', facts.size);
  const { size, format } = facts;
  const kind: PreflightKind = format === 'cab' ? 'cab' : format === 'zip' ? (extension === '.hlkx' ? 'hlkx' : extension === '.hckx' ? 'hckx' : 'zip') : 'unknown';
  checkContainer(findings, filePath, extension, harness, format);
  if (format === 'unknown') return result(kind, size);

  let archive: CabArchive | ZipArchive;
  try {
    archive = format === 'cab' ? await CabArchive.open(filePath) : await ZipArchive.open(filePath);
  } catch (error) {
    if (!(error instanceof PackageFormatError)) throw error;
    findings.problem('archive-readable', error.message);
    return result(kind, size);
  }
  try {
    const infFiles = archive.files.map((file) => file.path).filter(isInfPath);
    if (archive.files.length === 0) {
      findings.problem('not-empty', `${filePath} is an archive with no files in it. Add the driver files (INF, SYS, CAT) and build it again.`);
    }
    const infs = await readPackageInfs(archive, infFiles);
    const driverInfs = infs.filter((inf) => inf.kind === 'driver').map((inf) => inf.path);
    if (archive instanceof CabArchive) checkCab(findings, archive, harness, driverInfs);
    else checkZip(findings, archive, harness, driverInfs);
    if (archive.files.length > 0) checkInfPresent(findings, filePath, harness, infFiles);
    checkInfs(findings, infs);
    return result(kind, size, archive.files.length, infFiles);
  } finally {
    await archive.close();
  }
}

/** Runs `preflightPackage` and throws `PreflightError` when it finds problems; returns the result (with any warnings) otherwise. */
export async function assertPreflight(filePath: string, options?: PreflightOptions): Promise<PreflightResult> {
  const result = await preflightPackage(filePath, options);
  if (!result.ok) throw new PreflightError(filePath, result);
  return result;
}

/** The file exists, is a file, can be read and is not empty; then what its first bytes say it is. */
async function examineFile(findings: Findings, filePath: string, harness: PreflightHarness | undefined): Promise<FileFacts> {
  let size: number;
  try {
    const info = await stat(filePath);
    if (info.isDirectory()) {
      findings.problem(
        'file-exists',
        `${filePath} is a folder, not a package file. ${harness === 'hlk' || harness === 'hck' ? `Create the ${EXTENSION_BY_HARNESS[harness]} package in ${HARNESS_LABEL[harness]} Studio` : 'Pack the driver folder into a .cab (makecab, with the driver files in a subfolder)'} and pass that file.`,
      );
      return { size: 0, stop: true };
    }
    if (!info.isFile()) {
      // A device (/dev/zero) or a pipe would be read forever, or block: refuse it before opening it.
      findings.problem('file-exists', `${filePath} is not a regular file (it is a device, a pipe or a socket). Pass the path of the package file.`);
      return { size: 0, stop: true };
    }
    size = info.size;
  } catch (error) {
    findings.problem(
      'file-exists',
      isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')
        ? `There is no file at ${filePath}. Check the path (relative paths start from ${process.cwd()}).`
        : `${filePath} cannot be examined (${messageOf(error)}). Check the path and its permissions.`,
    );
    return { size: 0, stop: true };
  }
  try {
    await access(filePath, constants.R_OK);
  } catch (error) {
    findings.problem('file-readable', `${filePath} cannot be read (${messageOf(error)}). Give the user running hwdash read permission on it.`);
    return { size, stop: true };
  }
  if (size === 0) {
    findings.problem('not-empty', `${filePath} is empty (0 bytes). Build the package again; a failed build or copy often leaves an empty file.`);
    return { size: 0, stop: true };
  }
  try {
    return { size, format: await sniffFile(filePath) };
  } catch (error) {
    findings.problem('file-readable', `${filePath} cannot be read (${messageOf(error)}). Check that no other program holds it locked.`);
    return { size, stop: true };
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
