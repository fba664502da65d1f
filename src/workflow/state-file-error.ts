import { HdcError, type HdcErrorOptions } from '../client/errors/hdc-error.js';

/** Why a state file cannot be used. */
export type StateFileErrorCode = 'StateFileUnreadable' | 'StateFileInvalidJson' | 'StateFileInvalid' | 'StateFileVersion' | 'StateFileMismatch';

export interface StateFileErrorOptions extends HdcErrorOptions {
  code: StateFileErrorCode;
  /** The state file. */
  path: string;
}

/**
 * The state file is unreadable, damaged, from another hwdash version, or about another package, product or
 * service. Nothing was sent to the service. The message says how to go on: usually delete the file (to start a new
 * submission) or pass the package it was written for.
 */
export class StateFileError extends HdcError {
  override readonly kind: string = 'state-file';
  declare readonly code: StateFileErrorCode;
  /** The state file. */
  readonly path: string;

  constructor(message: string, options: StateFileErrorOptions) {
    super(message, options);
    this.path = options.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path };
  }
}
