import { BlobTransferError, type BlobTransferErrorOptions } from './blob-transfer-error.js';

export interface UploadErrorOptions extends BlobTransferErrorOptions {
  file: string;
}

/** The package could not be uploaded. `request.url` is the upload URL with its signature redacted. */
export class UploadError extends BlobTransferError {
  override readonly kind: string = 'upload';
  /** The package file being uploaded. */
  readonly file: string;

  constructor(message: string, options: UploadErrorOptions) {
    super(message, options);
    this.file = options.file;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), file: this.file };
  }
}
