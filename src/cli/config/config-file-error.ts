import { UsageError } from '../usage-error.js';

/** The hwdash config file is unreadable, malformed, holds a secret, or lacks the profile asked for: exit code 1. */
export class ConfigFileError extends UsageError {
  constructor(
    message: string,
    /** The config file's path. */
    readonly file: string,
  ) {
    super(message);
    this.name = 'ConfigFileError';
  }
}
