/**
 * Preflight's INF rules: which `.inf` files of the package are driver INFs, and what in their [Version] section
 * (Signature, DriverVer, Class, Provider, CatalogFile) and syntax Windows or the portal would object to.
 */
import { parseInf, readDriverInf, type InfDocument } from './inf.js';
import { INF_SIGNATURES, infKind, type InfKind } from './inf-kind.js';
import type { PackageFormatError } from './package-format-error.js';
import type { PackageReader } from './package-reader.js';
import type { Findings } from './preflight-findings.js';
import { UnsupportedCompressionError } from './unsupported-compression-error.js';

/** One `.inf` file of the package: parsed and classified, or why it could not be read. */
export type PackageInfRead =
  | { path: string; document: InfDocument; kind: InfKind }
  | { path: string; error: PackageFormatError; kind: 'driver' };

const MAX_INF_BYTES = 32 * 1024 * 1024;

/**
 * Reads and classifies the package's INF files. One that cannot be read counts as a driver INF, since nothing says it
 * is not. When no INF is a driver INF, all are checked as driver INFs: a package needs one, and the checks then say
 * what each file lacks to be one.
 */
export async function readPackageInfs(archive: PackageReader, infFiles: readonly string[]): Promise<PackageInfRead[]> {
  const reads: PackageInfRead[] = (await archive.readEach(infFiles, { maxBytes: MAX_INF_BYTES })).map((read) => {
    if ('error' in read) return { path: read.path, error: read.error, kind: 'driver' };
    const document = parseInf(read.bytes);
    return { path: read.path, document, kind: infKind(document) };
  });
  if (reads.some((read) => read.kind === 'driver')) return reads;
  return reads.map((read) => ({ ...read, kind: 'driver' as const }));
}

/** Checks every INF: driver INFs against the [Version] rules, others only reported as what they are. */
export function checkInfs(findings: Findings, infs: readonly PackageInfRead[]): void {
  for (const read of infs) {
    if ('error' in read) {
      if (read.error instanceof UnsupportedCompressionError) findings.warning('archive-readable', read.error.message, read.path);
      else findings.problem('archive-readable', read.error.message, read.path);
    } else if (read.kind === 'other') {
      findings.warning(
        'inf-not-driver',
        `${read.path}: not a driver INF. It has no [Version] section with Signature="$Windows NT$" and nothing else a driver INF has ` +
          '(an AutoRun file, for example), so Windows setup does not read it and hwdash does not check it as a driver.',
        read.path,
      );
    } else {
      checkDriverInf(findings, read.path, read.document);
    }
  }
}

function checkDriverInf(findings: Findings, path: string, document: InfDocument): void {
  const inf = readDriverInf(document);
  const { version } = inf;
  const where = `${path}:`;
  if (!version.signature) {
    findings.problem('inf-version', `${where} no [Version] section with a Signature, so Windows does not read it as an INF. Add [Version] with Signature="$Windows NT$".`, path);
  } else if (!INF_SIGNATURES.has(version.signature.toLowerCase())) {
    findings.problem('inf-version', `${where} Signature "${version.signature}" is not one Windows accepts. Use Signature="$Windows NT$".`, path);
  }
  for (const finding of inf.driverVerFindings) {
    if (finding.severity === 'problem') findings.problem('inf-version', `${where} ${finding.message}`, path, finding.rule);
    else findings.warning('inf-version', `${where} ${finding.message}`, path, finding.rule);
  }
  if (!version.class || !version.classGuid) {
    findings.warning('inf-version', `${where} [Version] lacks ${!version.class ? 'Class' : 'ClassGuid'}. Name the device setup class with both Class and ClassGuid.`, path);
  }
  if (!version.provider) findings.warning('inf-version', `${where} [Version] has no Provider. Add Provider = %ManufacturerName%.`, path);
  if (!version.catalogFile) {
    findings.warning('inf-version', `${where} [Version] has no CatalogFile, so the signed catalog has no name to go by. Add CatalogFile = <name>.cat.`, path);
  }
  for (const diagnostic of inf.diagnostics) findings.warning('inf-syntax', `${where} ${diagnostic}.`, path);
}
