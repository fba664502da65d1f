/**
 * The rules of a universal INF (what `infverif /u` checks, and `infverif /w` includes), as "Using a Universal INF
 * File" lists them (windows-driver-docs, install/using-a-universal-inf-file.md): the sections and directives a
 * universal INF may not use, AddReg roots other than HKR, and CopyFiles destinations outside the driver store and
 * system folders. The sandbox judges a submission's `isDeclarativeInf` by them. Driver package isolation (the rest of
 * `/w`) is not checked.
 */
import type { InfDocument } from '../../package/inf.js';

/** Sections a universal INF may not have, by the suffix of their name (`Install.NT.CoInstallers`). */
const FORBIDDEN_SECTION_SUFFIXES = ['.coinstallers', '.factdef', '.logconfigoverride'];

const FORBIDDEN_DIRECTIVES = new Set(
  ['BitReg', 'DelFiles', 'DelProperty', 'DelReg', 'DelService', 'Ini2Reg', 'LogConfig', 'ProfileItems', 'RegisterDlls', 'RenFiles', 'UnregisterDlls', 'UpdateIniFields', 'UpdateInis'].map(
    (name) => name.toLowerCase(),
  ),
);

/** HKLM subkeys AddReg may write to in a universal INF: COM registration and hardware Media Foundation transforms. */
const ALLOWED_HKLM_SUBKEYS = [
  'software\\classes',
  'software\\microsoft\\windows media foundation',
  'software\\wow6432node\\microsoft\\windows media foundation',
  'software\\wow3232node\\microsoft\\windows media foundation',
];

/** CopyFiles destinations allowed without a subdirectory; dirid 10 needs one (SysWOW64 or a vendor folder). */
const ALLOWED_DIRIDS = new Set(['11', '12', '13']);

const ARCHITECTURE_DECORATION = /^nt(x86|amd64|arm|arm64|ia64)$/i;

/** Why the INF is not universal; empty when it is. */
export function universalInfFindings(doc: InfDocument): string[] {
  const findings: string[] = [];
  for (const section of doc.sections) {
    const name = section.name.toLowerCase();
    if (name === 'classinstall32' || name.startsWith('classinstall32.')) findings.push(`[${section.name}]: ClassInstall32 sections are not allowed`);
    const suffix = FORBIDDEN_SECTION_SUFFIXES.find((candidate) => name.endsWith(candidate));
    if (suffix) findings.push(`[${section.name}]: DDInstall${section.name.slice(-suffix.length)} sections are not allowed`);
    if (name.split('.')[0] === 'defaultinstall' && !ARCHITECTURE_DECORATION.test(name.split('.')[1] ?? '')) {
      findings.push(`[${section.name}]: DefaultInstall needs an architecture decoration such as [DefaultInstall.NTamd64]`);
    }
    if (name === 'strings' || name.startsWith('strings.')) continue;
    for (const line of section.lines) {
      const key = line.key?.toLowerCase();
      if (key && FORBIDDEN_DIRECTIVES.has(key)) findings.push(`[${section.name}] line ${line.lineNumber}: the ${line.key} directive is not allowed`);
    }
  }
  findings.push(...manufacturerFindings(doc), ...addRegFindings(doc), ...copyFilesFindings(doc));
  return findings;
}

/** TargetOSVersion decorations are `NT[arch].[major].[minor].[ProductType].[SuiteMask].[build]`: the 4th and 5th must stay empty. */
function manufacturerFindings(doc: InfDocument): string[] {
  const findings: string[] = [];
  for (const line of doc.section('Manufacturer')?.lines ?? []) {
    for (const decoration of line.values.slice(1)) {
      const parts = decoration.split('.');
      if ((parts[3] ?? '') !== '' || (parts[4] ?? '') !== '') {
        findings.push(`[Manufacturer] line ${line.lineNumber}: the decoration ${decoration} has a ProductType or SuiteMask`);
      }
    }
  }
  return findings;
}

/** Sections named by a directive anywhere in the INF (`AddReg = a, b`). */
function referencedSections(doc: InfDocument, directive: string): string[] {
  const names = new Set<string>();
  for (const section of doc.sections) {
    for (const line of section.lines) {
      if (line.key?.toLowerCase() !== directive) continue;
      for (const value of line.values) if (value !== '') names.add(value);
    }
  }
  return [...names];
}

function addRegFindings(doc: InfDocument): string[] {
  const findings: string[] = [];
  for (const name of referencedSections(doc, 'addreg')) {
    for (const line of doc.section(name)?.lines ?? []) {
      // Registry lines have no `=`: `HKR,,FriendlyName,,%Desc%`.
      const fields = line.key === undefined ? line.values : [...line.key.split(','), ...line.values];
      const root = doc.expand(fields[0] ?? '').toUpperCase();
      const written = doc.expand(fields[1] ?? '').replace(/^\\+/, '');
      const subkey = written.toLowerCase();
      const allowed =
        root === 'HKR' ||
        root === 'HKCR' ||
        (root === 'HKLM' && ALLOWED_HKLM_SUBKEYS.some((prefix) => subkey === prefix || subkey.startsWith(`${prefix}\\`)));
      if (!allowed) findings.push(`[${name}] line ${line.lineNumber}: AddReg writes to ${root}${written ? `\\${written}` : ''}, outside HKR`);
    }
  }
  return findings;
}

function copyFilesFindings(doc: InfDocument): string[] {
  const destination = (section: string): string[] | undefined => {
    const line = doc.value('DestinationDirs', section) ?? doc.value('DestinationDirs', 'DefaultDestDir');
    return line?.values.map((value) => doc.expand(value).trim());
  };
  const findings: string[] = [];
  for (const target of referencedSections(doc, 'copyfiles')) {
    // `CopyFiles = @file.sys` copies one file to the DefaultDestDir.
    const dirs = destination(target.startsWith('@') ? 'DefaultDestDir' : target);
    if (!dirs) continue;
    const [dirid = '', subdir = ''] = dirs;
    if (ALLOWED_DIRIDS.has(dirid) || (dirid === '10' && subdir !== '')) continue;
    findings.push(`CopyFiles ${target} goes to dirid ${dirs.join(',')}; only 11, 12, 13 or 10 with a subdirectory are allowed`);
  }
  return findings;
}
