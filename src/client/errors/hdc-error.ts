import { inspect } from 'node:util';
import { redactText, redactUrl } from '../redact.js';

/** One entry of the service's `validationErrors` array: which field, and what is wrong with it. */
export interface ValidationErrorItem {
  target?: string;
  message: string;
}

/** The request an error belongs to, with secrets already removed. */
export interface ErrorRequestInfo {
  method: string;
  /** The URL with SAS signatures and other credentials redacted. */
  url: string;
}

export interface HdcErrorOptions {
  /** HTTP status, when the service answered. */
  status?: number;
  /** The service's error code (`InvalidInput`, `EntityNotFound`, ...) or a client-side code. */
  code?: string;
  validationErrors?: ValidationErrorItem[];
  /** `MS-RequestId` of the failed request: quote it when you contact Microsoft support. */
  requestId?: string;
  /** `MS-CorrelationId` of the client that made the request. */
  correlationId?: string;
  request?: { method: string; url: string | URL };
  /** The HTTP response, kept non-enumerable so that it never ends up in logs or JSON by accident. */
  response?: Response;
  /** The raw (redacted, truncated) response body text. */
  body?: string;
  cause?: unknown;
}

/** Longest response body text kept on an error: enough to diagnose, small enough for logs. */
const MAX_BODY_CHARS = 4096;

/**
 * Base class of every error hwdash throws or returns. Subclasses say what kind of failure it was, so callers
 * can `instanceof`-check (or read `kind`) instead of parsing messages.
 *
 * Everything on it is safe to log: the URL is redacted, the body text is redacted, and the raw `Response`
 * is non-enumerable (invisible to `JSON.stringify` and `util.inspect`).
 */
export class HdcError extends Error {
  /** A stable machine-readable kind; one per subclass. */
  readonly kind: string = 'error';
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly validationErrors: ValidationErrorItem[];
  readonly requestId: string | undefined;
  readonly correlationId: string | undefined;
  readonly request: ErrorRequestInfo | undefined;
  readonly body: string | undefined;
  declare readonly response: Response | undefined;

  constructor(message: string, options: HdcErrorOptions = {}) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: sanitiseCause(options.cause) });
    this.name = new.target.name;
    this.status = options.status;
    this.code = options.code;
    this.validationErrors = (options.validationErrors ?? []).map((v) => ({
      ...(v.target === undefined ? {} : { target: v.target }),
      message: redactText(v.message),
    }));
    this.requestId = options.requestId;
    this.correlationId = options.correlationId;
    this.request = options.request ? { method: options.request.method, url: redactUrl(options.request.url) } : undefined;
    this.body = options.body === undefined ? undefined : redactText(options.body).slice(0, MAX_BODY_CHARS);
    Object.defineProperty(this, 'response', { value: options.response, enumerable: false, writable: false });
    if (this.stack) this.stack = redactText(this.stack);
  }

  /** What `JSON.stringify` shows: the safe fields only. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      code: this.code,
      validationErrors: this.validationErrors,
      requestId: this.requestId,
      correlationId: this.correlationId,
      request: this.request,
    };
  }

  /** `util.inspect` (and so console.log) shows the same safe fields, never the response or a raw cause. */
  [inspect.custom](): string {
    const details = inspect(this.toJSON(), { depth: 4, breakLength: 120 });
    return `${this.stack ?? `${this.name}: ${this.message}`}\n${details}`;
  }
}

/**
 * Causes come from fetch/undici and the storage SDK and may carry request URLs and headers. Keep their
 * name, message and code, redacted, and drop the rest.
 */
function sanitiseCause(cause: unknown): unknown {
  if (cause instanceof HdcError) return cause;
  if (cause instanceof Error) {
    const safe = new Error(redactText(cause.message));
    safe.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') (safe as Error & { code?: string }).code = code;
    const inner = (cause as { cause?: unknown }).cause;
    if (inner !== undefined) Object.defineProperty(safe, 'cause', { value: sanitiseCause(inner), enumerable: false });
    safe.stack = `${safe.name}: ${safe.message}`;
    return safe;
  }
  return typeof cause === 'string' ? redactText(cause) : undefined;
}
