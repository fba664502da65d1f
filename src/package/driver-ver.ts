/**
 * The INF DriverVer directive (`DriverVer = mm/dd/yyyy[,w.x.y.z]`), read by the rules of Microsoft's "INF DriverVer
 * directive" page (windows-driver-docs-pr/install/inf-driverver-directive.md), each finding named by its rule so that
 * a script can tell which one a package broke.
 *
 * What blocks and what only warns follows the page's wording and what Windows itself does:
 * - "The date must be specified in month/day/year order ... A hyphen (-) can be used as the date field separator
 *   instead of the slash (/)": `03-15-2011` is a valid date. A date that is not one is a problem: Windows then applies
 *   "the default date of 00/00/0000", and InfVerif reports it as an error (code 1218, "expecting MM/DD/YYYY").
 * - "The month and day must contain two digits": only a warning. Windows reads `2/1/2023`, and Microsoft ships that
 *   form in its own PRM sample (prm/PrmFunc/prmfuncsample.inf), so refusing it would refuse packages that install.
 * - The version is optional: the page's own syntax elsewhere is `DriverVer=mm/dd/yyyy[,x.y.v.z]` (INF DDInstall
 *   section; the audio "INF Driver-Version Entry" page), and it only says "Typically, you should specify version
 *   information". A missing version is a warning. Windows keeps a driver's version as one 64-bit number
 *   (SP_DRVINFO_DATA_V2.DriverVersion, "from the DriverVer entry"), so a missing version is 0.0.0.0 to it, ranked
 *   below every versioned driver; the driver metadata reports that value.
 * - "A w.x.y.z value of 0.0.0.0 is not valid" (a Caution on the page): a problem.
 * - "Each of w, x, y, and z must be an integer that is greater than or equal to zero and less than 65535": a part
 *   above 65535 is a problem (no 16-bit part can hold it, and InfVerif's error 1217 allows "0-65536" at most). A part
 *   of exactly 65535 is only a warning, because the two Microsoft pages disagree on it: the directive page excludes
 *   it, InfVerif's error table (devtest/inf-validation-errors-and-warnings.md, code 1217) accepts it.
 * - Fewer than four parts (`1.00.0000`) are accepted without a word: Microsoft's samples use them, and Windows fills
 *   the missing parts with zeros.
 */

/** Stable names of the DriverVer rules. */
export type DriverVerRule =
  /** No DriverVer in [Version], or an empty one (an INX template or an INF that stampinf has not stamped). */
  | 'driver-ver-missing'
  /** The date is not a month/day/year date with a four-digit year and `/` or `-` between the fields. */
  | 'driver-ver-date'
  /** The month or the day has one digit (the docs ask for two). A warning. */
  | 'driver-ver-date-digits'
  /** A date without a version. A warning; Windows then uses 0.0.0.0. */
  | 'driver-ver-version-missing'
  /** The version is not one to four dot-separated integers. */
  | 'driver-ver-version-format'
  /** The version is 0.0.0.0, which the docs call invalid. */
  | 'driver-ver-version-zero'
  /** A part of the version is 65535 or more (65535 itself is a warning, above it a problem). */
  | 'driver-ver-version-range';

export interface DriverVerFinding {
  rule: DriverVerRule;
  /** `problem` blocks a submission; `warning` does not. */
  severity: 'problem' | 'warning';
  /** For people: what is wrong and what to write instead. */
  message: string;
}

/** A DriverVer that Windows can use. */
export interface DriverVerValue {
  /** ISO date, e.g. `2023-02-01`. */
  date: string;
  /** As written (`1.00.0000`), absent when the directive has only a date. */
  version?: string;
}

/** What a DriverVer says and which of its rules it breaks. */
export interface DriverVerReading {
  /** Set when no finding is a problem. */
  value?: DriverVerValue;
  findings: DriverVerFinding[];
  /** True when the text does not have the directive's shape at all (an INF syntax matter, not only a rule). */
  malformed: boolean;
}

/** The version Windows uses for a driver whose DriverVer has no version. */
export const MISSING_DRIVER_VERSION = '0.0.0.0';

const DATE = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$/;
const VERSION = /^\d+(\.\d+){0,3}$/;
/** The largest part the directive page allows is 65534; InfVerif allows 65535. */
const MAX_DOCUMENTED_PART = 65534;
const MAX_PART = 65535;

/**
 * Reads the fields of a DriverVer line (`undefined` when [Version] has none), with `%strkey%` tokens already
 * expanded.
 */
export function readDriverVer(fields: readonly string[] | undefined): DriverVerReading {
  const findings: DriverVerFinding[] = [];
  const problem = (rule: DriverVerRule, message: string, malformed = false): DriverVerReading => ({
    findings: [...findings, { rule, severity: 'problem', message }],
    malformed,
  });
  if (fields === undefined) {
    return problem('driver-ver-missing', '[Version] has no valid DriverVer. Add "DriverVer = mm/dd/yyyy,w.x.y.z" (stampinf writes it at build time).');
  }
  const dateText = fields[0] ?? '';
  if (dateText === '' && fields.every((field) => field === '')) {
    return problem(
      'driver-ver-missing',
      'DriverVer in [Version] is empty, as in an INX template or an INF that stampinf has not stamped. ' +
        'Run stampinf (the WDK build does) or write "DriverVer = mm/dd/yyyy,w.x.y.z".',
    );
  }
  const date = DATE.exec(dateText);
  const iso = date ? isoDate(Number(date[1]), Number(date[3]), date[4]!) : undefined;
  if (!date || !iso) {
    return problem(
      'driver-ver-date',
      `DriverVer date "${dateText}" is not a valid month/day/year date with a four-digit year and "/" or "-" between the fields ` +
        '(INF DriverVer directive). Windows gives such a driver the date 00/00/0000. Write e.g. "DriverVer = 03/15/2024,1.0.0.0".',
      true,
    );
  }
  if (date[1]!.length < 2 || date[3]!.length < 2) {
    findings.push({
      rule: 'driver-ver-date-digits',
      severity: 'warning',
      message: `DriverVer date "${dateText}" has a one-digit month or day; the INF DriverVer directive asks for two digits (${iso.slice(5, 7)}${date[2]}${iso.slice(8, 10)}${date[2]}${date[4]}).`,
    });
  }
  const version = fields[1] ?? '';
  if (version === '') {
    findings.push({
      rule: 'driver-ver-version-missing',
      severity: 'warning',
      message:
        `DriverVer has a date but no version, so Windows ranks the driver as version ${MISSING_DRIVER_VERSION}, below any driver with a version. ` +
        `Add one: "DriverVer = ${dateText},w.x.y.z".`,
    });
    return { value: { date: iso }, findings, malformed: false };
  }
  const versionProblem = checkVersion(version, findings);
  if (versionProblem) return problem(versionProblem.rule, versionProblem.message, versionProblem.rule === 'driver-ver-version-format');
  return { value: { date: iso, version }, findings, malformed: false };
}

/** Checks the version part; adds warnings to `findings` and returns the problem, if any. */
function checkVersion(version: string, findings: DriverVerFinding[]): { rule: DriverVerRule; message: string } | undefined {
  if (!VERSION.test(version)) {
    return {
      rule: 'driver-ver-version-format',
      message: `DriverVer version "${version}" is not w.x.y.z: one to four integers separated by dots (INF DriverVer directive).`,
    };
  }
  const parts = version.split('.').map(Number);
  if (parts.every((part) => part === 0)) {
    return {
      rule: 'driver-ver-version-zero',
      message: `DriverVer version "${version}" is 0.0.0.0, which the INF DriverVer directive calls not valid. Give the driver a real version.`,
    };
  }
  if (parts.some((part) => part > MAX_PART)) {
    return {
      rule: 'driver-ver-version-range',
      message:
        `DriverVer version "${version}" has a part above ${MAX_PART}; each of w, x, y and z must be an integer from 0 to ${MAX_DOCUMENTED_PART} ` +
        '(INF DriverVer directive), as Windows keeps each part in 16 bits.',
    };
  }
  if (parts.some((part) => part > MAX_DOCUMENTED_PART)) {
    findings.push({
      rule: 'driver-ver-version-range',
      severity: 'warning',
      message:
        `DriverVer version "${version}" has a part of ${MAX_PART}; the INF DriverVer directive wants each part below ${MAX_PART} ` +
        `(InfVerif accepts it). Use ${MAX_DOCUMENTED_PART} or less.`,
    });
  }
  return undefined;
}

/** `yyyy-mm-dd` for a real calendar date, else undefined (02/30 is not one). */
function isoDate(month: number, day: number, yearText: string): string | undefined {
  const year = Number(yearText);
  const probe = new Date(Date.UTC(year, month - 1, day));
  probe.setUTCFullYear(year);
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  return `${yearText}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
