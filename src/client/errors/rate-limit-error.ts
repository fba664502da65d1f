import { HdcError, type HdcErrorOptions } from './hdc-error.js';

/**
 * The service throttled the request (429) and either the retries ran out or it asked for a wait longer than
 * the configured maximum. `retryAfterMs` is how long it asked for, when it said.
 */
export class RateLimitError extends HdcError {
  override readonly kind: string = 'rate-limit';
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: HdcErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}
