import { UsageError } from './usage-error.js';

/** An input file is unreadable, not JSON, or does not match the request schema: exit code 1, naming the field. */
export class InputFileError extends UsageError {
  constructor(
    message: string,
    /** The file, as given on the command line. */
    readonly file: string,
    /** Dotted field paths with what is wrong with each, when the file parsed but broke the schema. */
    readonly problems: { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}
