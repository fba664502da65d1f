/**
 * Telling a driver INF from another file that happens to end in `.inf`, such as the CD `autorun.inf` that Microsoft's
 * toaster sample keeps beside `toastpkg.inf`.
 *
 * Windows decides by the [Version] section. The "INF Version section" page
 * (windows-driver-docs-pr/install/inf-version-section.md) says "Every INF file must have this section", that its
 * Signature "Must be $Windows NT$ or $Chicago$", and "If signature-name is none of these string values, the file is
 * not accepted as a valid INF"; Class, ClassGuid and Provider are "required for device drivers that are installed
 * through the PnP manager". InfVerif's first error says the same (code 1001: "Driver INFs require a top-level
 * [Version] section").
 *
 * So a file with a [Version] Signature Windows accepts is a driver INF. A file that is not one but carries what only
 * a driver INF has ([Version] directives, or a [Manufacturer] section) was written as a driver INF and is checked as
 * one, so that its broken [Version] is reported. Anything else (AutoRun files, `desktop.ini`-style settings) is no INF
 * to Windows setup, and is left alone.
 */
import type { InfDocument } from './inf.js';

/** `driver`: a driver INF, or a file written as one. `other`: no INF that Windows setup reads. */
export type InfKind = 'driver' | 'other';

/** The [Version] Signatures Windows accepts (case-insensitive); `$Windows 95$` is the legacy spelling of `$Chicago$`. */
export const INF_SIGNATURES: ReadonlySet<string> = new Set(['$windows nt$', '$chicago$', '$windows 95$']);

/** [Version] directives that only a driver INF has. */
const DRIVER_VERSION_KEYS = ['Signature', 'Class', 'ClassGuid', 'Provider', 'DriverVer', 'CatalogFile'];

export function infKind(doc: InfDocument): InfKind {
  const signature = doc.value('Version', 'Signature');
  if (signature && INF_SIGNATURES.has(doc.expand(signature.values[0] ?? '').toLowerCase())) return 'driver';
  const writtenAsDriver =
    doc.section('Manufacturer') !== undefined || DRIVER_VERSION_KEYS.some((key) => doc.value('Version', key) !== undefined);
  return writtenAsDriver ? 'driver' : 'other';
}
