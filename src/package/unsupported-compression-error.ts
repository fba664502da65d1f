import { PackageFormatError, type PackageFormatErrorOptions } from './package-format-error.js';

/**
 * A CAB folder is compressed with a method hwdash does not decode (LZX or Quantum). Listing the cabinet still works;
 * only the contents of that folder cannot be read, so checks that need them are skipped rather than failed.
 */
export class UnsupportedCompressionError extends PackageFormatError {
  override readonly kind: string = 'unsupported-compression';
  /** The CAB compression method, e.g. `lzx`, `quantum`, or `type 7` for an unknown one. */
  readonly compression: string;

  constructor(compression: string, options: PackageFormatErrorOptions & { entryPath: string }) {
    const label = compression === 'lzx' ? 'LZX' : compression === 'quantum' ? 'Quantum' : `compression ${compression}`;
    super(
      'unsupported-compression',
      `${options.entryPath} in ${options.filePath} is compressed with ${label}, which hwdash cannot read; its contents were not checked. ` +
        'Rebuild the CAB uncompressed or with MSZIP (makecab: .Set CompressionType=MSZIP) if you want hwdash to check them.',
      options,
    );
    this.compression = compression;
  }
}
