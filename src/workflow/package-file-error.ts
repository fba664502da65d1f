import { HdcError } from '../client/errors/hdc-error.js';

/** The package path does not lead to a readable regular file; nothing was sent. */
export class PackageFileError extends HdcError {
  override readonly kind: string = 'package-file';
  /** The package path, as resolved. */
  readonly path: string;

  constructor(message: string, options: { path: string; code: string }) {
    super(message, { code: options.code });
    this.path = options.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path };
  }
}
