import { BlobTransferError, type BlobTransferErrorOptions } from './blob-transfer-error.js';

export interface DownloadErrorOptions extends BlobTransferErrorOptions {
  dest: string;
}

/** A download failed; no file was written. `request.url`, when present, is the blob URL with its signature redacted. */
export class DownloadError extends BlobTransferError {
  override readonly kind: string = 'download';
  /** The destination the caller asked for. */
  readonly dest: string;

  constructor(message: string, options: DownloadErrorOptions) {
    super(message, options);
    this.dest = options.dest;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), dest: this.dest };
  }
}
