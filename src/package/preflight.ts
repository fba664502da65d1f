/**
 * Local checks of a driver package before it is uploaded, so that the mistakes the portal rejects after a long upload
 * and hours of processing (wrong container, drivers at the CAB root, Zip64 HLK packages, empty or truncated files)
 * are caught in seconds. Every rule runs that can; all problems are reported together, each saying what to do.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { CabArchive } from './cab.js';
import { readDriverInf } from './inf.js';
import { PackageFormatError } from './package-format-error.js';
import { isInfPath, sniffFile, type PackageReader, type SniffedFormat } from './package-reader.js';
import { UnsupportedCompressionError } from './unsupported-compression-error.js';
import { ZipArchive } from './zip.js';
import { PreflightError } from './preflight-error.js';

/** The submission type: attestation signing takes a CAB; HLK and HCK take the package their studio creates. */
export type PreflightHarness = 'attestation' | 'hlk' | 'hck';

/** What the file is, by its content (and, for Zip files, by its name). */
export type PreflightKind = 'cab' | 'hlkx' | 'hckx' | 'zip' | 'unknown';

/** Stable identifiers of the checks, for scripts that allow or count specific ones. */
export type PreflightRule =
  | 'file-exists'
  | 'file-readable'
  | 'not-empty'
  | 'harness-type'
  | 'cab-signature'
  | 'archive-readable'
  | 'cab-drivers-in-subfolder'
  | 'cab-signed'
  | 'hlk-plain-zip-not-zip64'
  | 'hlk-signed'
  | 'inf-present'
  | 'inf-version'
  | 'inf-syntax';

export interface PreflightProblem {
  rule: PreflightRule;
  message: string;
  /** The file inside the package the finding is about. */
  path?: string;
}

export interface PreflightResult {
  /** No problems (warnings allowed). */
  ok: boolean;
  kind: PreflightKind;
  /** The harness checked against: the one asked for, else the one the file name implies. */
  harness: PreflightHarness | undefined;
  /** File size in bytes (0 when the file is missing). */
  size: number;
  /** Number of files in the archive (0 when it cannot be listed). */
  files: number;
  /** Package paths of the INF files. */
  infFiles: string[];
  /** Findings that will make the submission fail. */
  problems: PreflightProblem[];
  /** Findings worth a look that do not block the submission. */
  warnings: PreflightProblem[];
}

export interface PreflightOptions {
  /** @default inferred from the extension: .cab and .zip → attestation, .hlkx → hlk, .hckx → hck */
  harness?: PreflightHarness;
}

/** The portal's names for the harnesses, as users see them. */
const HARNESS_LABEL: Record<PreflightHarness, string> = { attestation: 'Attestation', hlk: 'HLK', hck: 'HCK' };
const HARNESS_BY_EXTENSION: Record<string, PreflightHarness> = { '.cab': 'attestation', '.zip': 'attestation', '.hlkx': 'hlk', '.hckx': 'hck' };
const EXTENSION_BY_HARNESS: Record<Exclude<PreflightHarness, 'attestation'>, string> = { hlk: '.hlkx', hck: '.hckx' };
const KNOWN_SIGNATURES = new Set(['$windows nt$', '$chicago$', '$windows 95$']);
/** Where an OPC package (HLKX/HCKX) keeps its digital signature parts. */
const OPC_SIGNATURE_FOLDER = 'package/services/digital-signature/';
const MAX_INF_BYTES = 32 * 1024 * 1024;

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

  let size: number;
  try {
    const info = await stat(filePath);
    if (info.isDirectory()) {
      findings.problem(
        'file-exists',
        `${filePath} is a folder, not a package file. ${harness === 'hlk' || harness === 'hck' ? `Create the ${EXTENSION_BY_HARNESS[harness]} package in ${HARNESS_LABEL[harness]} Studio` : 'Pack the driver folder into a .cab (makecab, with the driver files in a subfolder)'} and pass that file.`,
      );
      return result('unknown', 0);
    }
    size = info.size;
  } catch (error) {
    findings.problem(
      'file-exists',
      isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')
        ? `There is no file at ${filePath}. Check the path (relative paths start from ${process.cwd()}).`
        : `${filePath} cannot be examined (${messageOf(error)}). Check the path and its permissions.`,
    );
    return result('unknown', 0);
  }
  try {
    await access(filePath, constants.R_OK);
  } catch (error) {
    findings.problem('file-readable', `${filePath} cannot be read (${messageOf(error)}). Give the user running hwdash read permission on it.`);
    return result('unknown', size);
  }
  if (size === 0) {
    findings.problem('not-empty', `${filePath} is empty (0 bytes). Build the package again; a failed build or copy often leaves an empty file.`);
    return result('unknown', 0);
  }

  let format: SniffedFormat;
  try {
    format = await sniffFile(filePath);
  } catch (error) {
    findings.problem('file-readable', `${filePath} cannot be read (${messageOf(error)}). Check that no other program holds it locked.`);
    return result('unknown', size);
  }
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
    if (archive instanceof CabArchive) checkCab(findings, archive, harness, infFiles);
    else checkZip(findings, archive, harness);
    if (archive.files.length > 0) checkInfPresent(findings, filePath, harness, infFiles);
    await checkInfs(findings, archive, infFiles);
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

class Findings {
  readonly problems: PreflightProblem[] = [];
  readonly warnings: PreflightProblem[] = [];

  problem(rule: PreflightRule, message: string, path?: string): void {
    this.problems.push(path === undefined ? { rule, message } : { rule, message, path });
  }

  warning(rule: PreflightRule, message: string, path?: string): void {
    this.warnings.push(path === undefined ? { rule, message } : { rule, message, path });
  }
}

/** The file name must fit the harness: the portal routes packages by type, and a mismatch fails after upload. */
function checkHarnessType(
  findings: Findings,
  filePath: string,
  extension: string,
  requested: PreflightHarness | undefined,
  harness: PreflightHarness | undefined,
): void {
  if (!harness) {
    findings.problem(
      'harness-type',
      `${filePath} has no package extension hwdash knows (${extension || 'none'}), so the submission type is unclear. ` +
        'Name it .cab (attestation), .hlkx (HLK) or .hckx (HCK), or say which harness it is for.',
    );
    return;
  }
  if (harness === 'attestation') {
    if (extension === '.zip') {
      findings.warning(
        'harness-type',
        `${filePath} is a Zip. The portal accepts zipped driver folders for attestation but prefers a CAB: consider makecab, with the drivers in a subfolder.`,
      );
    } else if (extension !== '.cab') {
      findings.problem(
        'harness-type',
        `Attestation submissions take a .cab with the driver files in a subfolder; ${filePath} is a ${extension || 'file without extension'}. ` +
          (extension === '.hlkx' || extension === '.hckx' ? 'Submit it as an HLK/HCK submission instead, or ' : '') +
          'build a CAB with makecab.',
      );
    }
    return;
  }
  const wanted = EXTENSION_BY_HARNESS[harness];
  if (extension !== wanted) {
    const label = HARNESS_LABEL[harness];
    findings.problem(
      'harness-type',
      `${label} submissions take the ${wanted} package that ${label} Studio creates; ${filePath} is a ${extension || 'file without extension'}. ` +
        (requested ? `Create the package in ${label} Studio, or submit this file with the harness its type belongs to.` : `Create the package in ${label} Studio.`),
    );
  }
}

/** The content must be the container the harness takes, whatever the name says. */
function checkContainer(findings: Findings, filePath: string, extension: string, harness: PreflightHarness | undefined, format: SniffedFormat): void {
  const expectsCab = harness === 'attestation' && extension !== '.zip';
  if (expectsCab && format !== 'cab') {
    findings.problem(
      'cab-signature',
      format === 'zip'
        ? `${filePath} is a Zip archive, not a cabinet: it does not start with 'MSCF'. Build a real CAB with makecab, or name the file .zip.`
        : `${filePath} is not a cabinet: it does not start with 'MSCF'. Build the package with makecab; renaming a file to .cab does not make it one.`,
    );
    return;
  }
  if (!expectsCab && harness !== undefined && format !== 'zip') {
    const what = harness === 'attestation' ? 'a zipped driver folder' : `an ${EXTENSION_BY_HARNESS[harness]} package, which is a Zip file`;
    findings.problem(
      'archive-readable',
      `${filePath} should be ${what}, but it is ${format === 'cab' ? 'a cabinet' : 'not a Zip archive'}. ` +
        (harness === 'attestation' ? 'Zip the driver folder again, or submit a CAB.' : `Create the package again in ${HARNESS_LABEL[harness]} Studio.`),
    );
  }
}

function checkCab(findings: Findings, cab: CabArchive, harness: PreflightHarness | undefined, infFiles: readonly string[]): void {
  if (harness !== 'attestation') return;
  // The portal looks for drivers one folder down and rejects CABs whose INFs sit at the root.
  for (const inf of infFiles) {
    if (!inf.includes('/')) {
      findings.problem(
        'cab-drivers-in-subfolder',
        `${inf} is at the root of ${cab.filePath}; attestation needs each driver in a subfolder (e.g. driver/${inf}). Rebuild the CAB with the driver files in a folder.`,
        inf,
      );
    }
  }
  // signtool keeps the location of the Authenticode signature in the header reserve, so a CAB without one is unsigned.
  if (cab.header.headerReserveSize === 0) {
    findings.warning(
      'cab-signed',
      `${cab.filePath} carries no Authenticode signature. The portal takes only CABs signed with your company's EV code-signing certificate: ` +
        'sign it with signtool (sign /fd sha256) before submitting.',
    );
  }
}

function checkZip(findings: Findings, zip: ZipArchive, harness: PreflightHarness | undefined): void {
  if (harness !== 'hlk' && harness !== 'hck') return;
  const label = HARNESS_LABEL[harness];
  if (zip.zip64) {
    findings.problem(
      'hlk-plain-zip-not-zip64',
      `${zip.filePath} uses Zip64 (the format for archives over 4 GiB or 65,535 entries), which the portal rejects for ${label} packages. ` +
        `Keep the package under 4 GiB, e.g. by leaving debug symbols and unneeded logs out, and create it again in ${label} Studio.`,
    );
  }
  if (!zip.files.some((file) => file.path.toLowerCase().startsWith(OPC_SIGNATURE_FOLDER))) {
    findings.warning(
      'hlk-signed',
      `${zip.filePath} has no package signature (${OPC_SIGNATURE_FOLDER}). The portal requires ${label} packages signed with your EV certificate: ` +
        `sign it when you create it in ${label} Studio.`,
    );
  }
}

function checkInfPresent(findings: Findings, filePath: string, harness: PreflightHarness | undefined, infFiles: readonly string[]): void {
  if (infFiles.length > 0) return;
  if (harness === 'hlk' || harness === 'hck') {
    findings.warning(
      'inf-present',
      `${filePath} holds no driver INF. That is fine for a system submission; to sign a driver, add it to the package in ${HARNESS_LABEL[harness]} Studio.`,
    );
  } else {
    findings.problem('inf-present', `${filePath} holds no .inf file, so there is no driver to sign. Add the driver's INF, SYS and CAT files (in a subfolder).`);
  }
}

async function checkInfs(findings: Findings, archive: PackageReader, infFiles: readonly string[]): Promise<void> {
  const results = await archive.readEach(infFiles, { maxBytes: MAX_INF_BYTES });
  for (const read of results) {
    if ('error' in read) {
      if (read.error instanceof UnsupportedCompressionError) findings.warning('archive-readable', read.error.message, read.path);
      else findings.problem('archive-readable', read.error.message, read.path);
      continue;
    }
    const inf = readDriverInf(read.bytes);
    const { version } = inf;
    const where = `${read.path}:`;
    if (!version.signature) {
      findings.problem('inf-version', `${where} no [Version] section with a Signature, so Windows does not read it as an INF. Add [Version] with Signature="$Windows NT$".`, read.path);
    } else if (!KNOWN_SIGNATURES.has(version.signature.toLowerCase())) {
      findings.problem('inf-version', `${where} Signature "${version.signature}" is not one Windows accepts. Use Signature="$Windows NT$".`, read.path);
    }
    if (!version.driverVer?.version) {
      findings.problem(
        'inf-version',
        `${where} [Version] has no valid DriverVer. Add "DriverVer = mm/dd/yyyy,w.x.y.z" (stampinf writes it at build time).`,
        read.path,
      );
    }
    if (!version.class || !version.classGuid) {
      findings.warning('inf-version', `${where} [Version] lacks ${!version.class ? 'Class' : 'ClassGuid'}. Name the device setup class with both Class and ClassGuid.`, read.path);
    }
    if (!version.provider) findings.warning('inf-version', `${where} [Version] has no Provider. Add Provider = %ManufacturerName%.`, read.path);
    if (!version.catalogFile) {
      findings.warning('inf-version', `${where} [Version] has no CatalogFile, so the signed catalog has no name to go by. Add CatalogFile = <name>.cat.`, read.path);
    }
    for (const diagnostic of inf.diagnostics) findings.warning('inf-syntax', `${where} ${diagnostic}.`, read.path);
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
