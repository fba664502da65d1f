/**
 * Thrown by {@link parseJson} for text that is not JSON (truncated bodies, HTML error pages, empty bodies...).
 * The message is the one `JSON.parse` gives for the original text; `cause` is that native error.
 */
export class JsonSyntaxError extends SyntaxError {
  /** Offset in the text where parsing failed, when the engine reports one. */
  readonly position?: number;

  constructor(message: string, options: { position?: number; cause: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'JsonSyntaxError';
    if (options.position !== undefined) this.position = options.position;
  }
}
