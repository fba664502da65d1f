/** The run was cancelled (Ctrl-C): exit code 9. Files being written were removed; a state file stays resumable. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}
