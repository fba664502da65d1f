import { AuthenticationError } from './authentication-error.js';
import { HdcError, type HdcErrorOptions, type ValidationErrorItem } from './hdc-error.js';
import { InvalidStateError } from './invalid-state-error.js';
import { NotFoundError } from './not-found-error.js';
import { PermissionError } from './permission-error.js';
import { RateLimitError } from './rate-limit-error.js';
import { ServerError } from './server-error.js';
import { ValidationError } from './validation-error.js';
import { retryAfterMs } from './retry-after.js';

/** What the error mapping needs to know about a failed exchange. */
export interface FailedExchange {
  method: string;
  url: string;
  status: number;
  statusText: string;
  headers: Headers;
  /** The response body as text (already size-limited by the caller). */
  bodyText: string;
  correlationId?: string;
  response?: Response;
}

interface ParsedErrorBody {
  code?: string;
  message?: string;
  validationErrors: ValidationErrorItem[];
}

/**
 * The documented functional error codes. The docs print them in PascalCase, the service (and Microsoft's own
 * client) uses lowerCamelCase, so they are matched case-insensitively.
 */
const KIND_BY_CODE: Record<string, typeof HdcError> = {
  invalidinput: ValidationError,
  requestinvalidforcurrentstate: InvalidStateError,
  updateunauthorized: InvalidStateError,
  entitynotfound: NotFoundError,
};

/** Maps any non-2xx answer of the service, in any of the body shapes it uses, to a typed error. */
export function errorFromResponse(exchange: FailedExchange): HdcError {
  const parsed = parseErrorBody(exchange.bodyText);
  const path = safePath(exchange.url);
  const detail = parsed.message ?? (exchange.statusText || 'no error message in the response');
  const message = `${exchange.method} ${path} failed with ${exchange.status}${parsed.code ? ` ${parsed.code}` : ''}: ${detail}`;
  const options: HdcErrorOptions = {
    status: exchange.status,
    code: parsed.code,
    validationErrors: parsed.validationErrors,
    requestId: exchange.headers.get('ms-requestid') ?? exchange.headers.get('x-ms-request-id') ?? undefined,
    correlationId: exchange.headers.get('ms-correlationid') ?? exchange.correlationId,
    request: { method: exchange.method, url: exchange.url },
    response: exchange.response,
    body: exchange.bodyText,
  };
  if (exchange.status === 429) {
    return new RateLimitError(message, { ...options, retryAfterMs: retryAfterMs(exchange.headers, exchange.bodyText) });
  }
  if (exchange.status === 401) return new AuthenticationError(message, options);
  if (exchange.status === 403) return new PermissionError(message, options);
  const byCode = parsed.code ? KIND_BY_CODE[parsed.code.toLowerCase()] : undefined;
  if (byCode) return new byCode(message, options);
  if (exchange.status === 404) return new NotFoundError(message, options);
  if (exchange.status === 409) return new InvalidStateError(message, options);
  if (exchange.status === 400 || exchange.status === 415 || exchange.status === 422) return new ValidationError(message, options);
  if (exchange.status >= 500) return new ServerError(message, options);
  return new HdcError(message, options);
}

/**
 * The body shapes seen from this service: `{error: {code, message, validationErrors}}` (functional errors),
 * `{statusCode, message}` (the API gateway, e.g. 429 and some 401s), a top-level `{code, message}`, plain
 * text, and HTML error pages from proxies.
 */
export function parseErrorBody(text: string): ParsedErrorBody {
  const trimmed = text.trim();
  if (!trimmed) return { validationErrors: [] };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { message: plainTextMessage(trimmed), validationErrors: [] };
  }
  if (!json || typeof json !== 'object') return { message: String(json), validationErrors: [] };
  const record = json as Record<string, unknown>;
  const inner = record.error && typeof record.error === 'object' ? (record.error as Record<string, unknown>) : record;
  const message = firstString(inner.message, record.message, typeof record.error === 'string' ? record.error : undefined);
  const code = firstString(inner.code, record.code);
  return {
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message }),
    validationErrors: validationItems(inner.validationErrors ?? record.validationErrors),
  };
}

function validationItems(value: unknown): ValidationErrorItem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): ValidationErrorItem[] => {
    if (typeof item === 'string') return [{ message: item }];
    if (!item || typeof item !== 'object') return [];
    const { target, message } = item as Record<string, unknown>;
    return [{ ...(typeof target === 'string' ? { target } : {}), message: typeof message === 'string' ? message : JSON.stringify(item) }];
  });
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value.trim()) return value.trim();
  return undefined;
}

/** An HTML page becomes its title (or first text), plain text its first line; both kept short. */
function plainTextMessage(text: string): string {
  if (/^<(!doctype|html|\?xml|[a-z]+[\s>])/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    const flat = text.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    return `HTML error page: ${(title || flat || 'empty page').slice(0, 200)}`;
  }
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  return firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine;
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?', 1)[0] ?? url;
  }
}
