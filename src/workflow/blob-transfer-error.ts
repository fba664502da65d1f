import { HdcError, type HdcErrorOptions } from '../client/errors/hdc-error.js';

export interface BlobTransferErrorOptions extends HdcErrorOptions {
  /** The storage service refused the SAS URL itself (expired or invalid signature): read the submission again for a fresh one. */
  urlRejected?: boolean;
}

/**
 * A package upload or an artifact download failed. `request.url`, when present, is the blob URL with its signature
 * redacted. `urlRejected` says whether a fresh SAS URL (read the submission again) would help.
 */
export class BlobTransferError extends HdcError {
  override readonly kind: string = 'blob-transfer';
  readonly urlRejected: boolean;

  constructor(message: string, options: BlobTransferErrorOptions) {
    super(message, options);
    this.urlRejected = options.urlRejected ?? false;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), urlRejected: this.urlRejected };
  }
}
