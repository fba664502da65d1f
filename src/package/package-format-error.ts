import { HdcError } from '../client/errors/hdc-error.js';

/** Why a driver package (CAB, Zip, HLKX/HCKX or INF) could not be read. */
export type PackageFormatReason =
  /** The file does not start with the signature of the format it was opened as. */
  | 'wrong-format'
  /** The file ends before the data its own headers describe. */
  | 'truncated'
  /** Headers or data contradict each other (bad offsets, checksum mismatch, undecodable data). */
  | 'corrupt'
  /** The CAB is one part of a multi-cabinet set. */
  | 'multi-cabinet'
  /** The data uses a compression method hwdash cannot decode (CAB LZX or Quantum). */
  | 'unsupported-compression'
  /** An entry is larger than the caller's limit for reading it into memory. */
  | 'entry-too-large'
  /** The requested entry is not in the package. */
  | 'entry-not-found'
  /** The package holds no INF file, so there is no driver to describe. */
  | 'no-driver-inf'
  /** An INF lacks what the service needs (e.g. a valid DriverVer). */
  | 'invalid-inf';

export interface PackageFormatErrorOptions {
  /** The package file on disk. */
  filePath: string;
  /** The file inside the package the error is about, with `/` separators. */
  entryPath?: string;
  cause?: unknown;
}

/**
 * A driver package could not be read. `reason` says what was wrong in a stable, machine-readable form; the message
 * says it for people, with what to do about it.
 */
export class PackageFormatError extends HdcError {
  override readonly kind: string = 'package-format';
  readonly reason: PackageFormatReason;
  readonly filePath: string;
  readonly entryPath: string | undefined;

  constructor(reason: PackageFormatReason, message: string, options: PackageFormatErrorOptions) {
    super(message, { code: reason, cause: options.cause });
    this.reason = reason;
    this.filePath = options.filePath;
    this.entryPath = options.entryPath;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, filePath: this.filePath, entryPath: this.entryPath };
  }
}
