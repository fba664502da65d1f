import type { DriverVerRule } from './driver-ver.js';

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
  /** A zipped driver folder submitted for attestation keeps its driver INFs at the root. */
  | 'zip-drivers-in-subfolder'
  | 'cab-signed'
  | 'hlk-plain-zip-not-zip64'
  | 'hlk-signed'
  | 'inf-present'
  /** An `.inf` file that is no driver INF (e.g. a CD `autorun.inf`): Windows setup does not read it. A warning. */
  | 'inf-not-driver'
  | 'inf-version'
  | 'inf-syntax';

export interface PreflightProblem {
  rule: PreflightRule;
  message: string;
  /** The file inside the package the finding is about. */
  path?: string;
  /**
   * The finer rule within `rule`: for DriverVer findings (`inf-version`), which rule of the INF DriverVer directive
   * the INF breaks, e.g. `driver-ver-version-range`.
   */
  check?: DriverVerRule;
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
  /** Package paths of the INF files, driver INFs or not. */
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
