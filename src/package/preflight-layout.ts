/**
 * Preflight's package layout rules: the file name and the container fit the harness, attestation drivers sit in
 * subfolders, HLK packages are plain Zip and signed, and there is an INF to sign.
 */
import type { CabArchive } from './cab.js';
import type { SniffedFormat } from './package-reader.js';
import type { Findings } from './preflight-findings.js';
import type { PreflightHarness } from './preflight-types.js';
import type { ZipArchive } from './zip.js';

/** The portal's names for the harnesses, as users see them. */
export const HARNESS_LABEL: Record<PreflightHarness, string> = { attestation: 'Attestation', hlk: 'HLK', hck: 'HCK' };
export const EXTENSION_BY_HARNESS: Record<Exclude<PreflightHarness, 'attestation'>, string> = { hlk: '.hlkx', hck: '.hckx' };
/** Where an OPC package (HLKX/HCKX) keeps its digital signature parts. */
const OPC_SIGNATURE_FOLDER = 'package/services/digital-signature/';

/** The file name must fit the harness: the portal routes packages by type, and a mismatch fails after upload. */
export function checkHarnessType(
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
export function checkContainer(findings: Findings, filePath: string, extension: string, harness: PreflightHarness | undefined, format: SniffedFormat): void {
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

/**
 * Attestation: the portal reads each driver from its own folder one level down. Microsoft's CAB instructions
 * (dashboard/code-signing-attestation.md) say "Your cab file should not have files at the root level, and each driver
 * package must be in a separate subfolder", and the portal fails a package whose drivers sit at the root with "There
 * are files at the root of the cabinet" or "No .inf files found in driver directory/directories"
 * (dashboard/hardware-submission-create.md). Only driver INFs count: a CD `autorun.inf` is no driver.
 */
export function checkCab(findings: Findings, cab: CabArchive, harness: PreflightHarness | undefined, driverInfs: readonly string[]): void {
  if (harness !== 'attestation') return;
  for (const inf of driverInfs.filter(atRoot)) {
    findings.problem(
      'cab-drivers-in-subfolder',
      `${inf} is at the root of ${cab.filePath}; attestation needs each driver in a subfolder (e.g. driver/${inf}). Rebuild the CAB with the driver files in a folder.`,
      inf,
    );
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

/**
 * A Zip for attestation is a zipped driver folder, read like a cabinet: the docs describe no other layout for an
 * attestation package, and the portal's "No .inf files found in driver directory/directories" error shows that it looks
 * for INFs in driver folders, not at the root (see `checkCab`). HLKX/HCKX packages are laid out by HLK/HCK Studio and
 * have no such rule; the portal refuses them as Zip64 (dashboard/hardware-submission-create.md, "Error: Zip64").
 */
export function checkZip(findings: Findings, zip: ZipArchive, harness: PreflightHarness | undefined, driverInfs: readonly string[]): void {
  if (harness === 'attestation') {
    for (const inf of driverInfs.filter(atRoot)) {
      findings.problem(
        'zip-drivers-in-subfolder',
        `${inf} is at the root of ${zip.filePath}; attestation reads each driver from a subfolder (e.g. driver/${inf}), as in a CAB. ` +
          'Zip the folder that holds the driver folder, or build a CAB with the driver files in a folder.',
        inf,
      );
    }
    return;
  }
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

export function checkInfPresent(findings: Findings, filePath: string, harness: PreflightHarness | undefined, infFiles: readonly string[]): void {
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

function atRoot(path: string): boolean {
  return !path.includes('/');
}
