/** The command line or an input file is wrong: exit code 1. The message says how to fix it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
