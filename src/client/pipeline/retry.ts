import { HdcError } from '../errors/hdc-error.js';
import { NetworkError } from '../errors/network-error.js';
import { RateLimitError } from '../errors/rate-limit-error.js';
import { ServerError } from '../errors/server-error.js';
import { retryAfterMs } from '../errors/retry-after.js';
import { errorOf } from './response-body.js';
import { sleep, type Policy } from './pipeline.js';
import { NEVER_SENT_CODES } from './transport.js';

/** Retry settings. All delays are in milliseconds. */
export interface RetryOptions {
  /**
   * How many times a failed request is resent.
   * @default 3
   */
  maxRetries?: number;
  /**
   * The first backoff delay; each retry doubles it, with jitter.
   * @default 1000
   */
  initialDelayMs?: number;
  /**
   * The cap on an exponential backoff delay.
   * @default 30000
   */
  maxDelayMs?: number;
  /**
   * The longest wait hwdash accepts when the service names one (`Retry-After`, `retry-after-ms`, or
   * "Try again in N seconds"). A longer demand fails at once with a `RateLimitError` instead of stalling a CI job.
   * @default 60000
   */
  maxRetryAfterMs?: number;
}

export const RETRY_DEFAULTS: Required<RetryOptions> = { maxRetries: 3, initialDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 };

/**
 * Extension points of the retry policy, passed alongside the settings in `retry`. `sleep` and `random` exist
 * so that tests can assert backoff delays on a fake clock instead of waiting for them; `onRetry` is how a
 * caller logs retries (hwdash itself logs nothing).
 */
export interface RetryHooks {
  /**
   * Waits out one backoff delay. It must reject with `signal.reason` as soon as the signal aborts.
   * @default a `setTimeout` that an abort cancels at once
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The jitter source, in [0, 1).
   * @default Math.random
   */
  random?: () => number;
  /**
   * Called before each backoff wait. `url` is the path only (no query, so no SAS signature or continuation token);
   * `reason` is the status or the error kind and socket code.
   */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; method: string; url: string }) => void;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** 501 Not Implemented and 505 HTTP Version Not Supported will not change on a retry. */
const NEVER_RETRIED_5XX = new Set([501, 505]);

/**
 * Whether an answer may be retried. A POST (create product, submission or shipping label; commit), or any request
 * marked not idempotent (the preprod package PUT), is resent only when the service surely did not act on it:
 * it refused it up front (429, 503) or the connection was never made. Anything else could duplicate a resource
 * or a commit.
 */
export function isRetryable(method: string, outcome: { status?: number; error?: unknown }, idempotent = IDEMPOTENT.has(method.toUpperCase())): boolean {
  if (outcome.error !== undefined) {
    if (!(outcome.error instanceof NetworkError)) return false;
    return idempotent || NEVER_SENT_CODES.has(outcome.error.code ?? '');
  }
  const status = outcome.status ?? 0;
  if (status === 429 || status === 503) return true;
  if (!idempotent) return false;
  return status === 408 || (status >= 500 && !NEVER_RETRIED_5XX.has(status));
}

/**
 * Whether a failed request that creates or commits something may nevertheless have been carried out: the service can
 * act and then time out, reset the connection, or answer 5xx (it is known to answer 502 while committing). A
 * connection never made, or an answer the service gave before acting (4xx, 429), is not ambiguous. What to do about an
 * ambiguous outcome is the caller's: read the resource back, never resend blind.
 */
export function isAmbiguousFailure(error: unknown): boolean {
  if (error instanceof NetworkError) return !NEVER_SENT_CODES.has(error.code ?? '');
  return error instanceof ServerError;
}

/**
 * Exponential backoff with jitter, as Azure's core pipeline does it: half the clamped exponential delay
 * plus a random share of the other half, so that many clients throttled together do not retry in lockstep.
 */
export function backoffDelay(retry: number, options: Required<RetryOptions>, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** retry);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export function retryPolicy(options: RetryOptions = {}, hooks: RetryHooks = {}): Policy {
  const settings = { ...RETRY_DEFAULTS, ...options };
  const wait = hooks.sleep ?? sleep;
  return async (request, next) => {
    for (let retry = 0; ; retry++) {
      if (request.signal?.aborted) throw request.signal.reason;
      let response: Response | undefined;
      let error: unknown;
      try {
        response = await next(request);
      } catch (caught) {
        if (request.signal?.aborted) throw request.signal.reason;
        error = caught;
      }
      const outcome = response ? { status: response.status } : { error };
      if (retry >= settings.maxRetries || !isRetryable(request.method, outcome, request.idempotent)) {
        if (response) return response;
        throw error;
      }

      const asked = response ? serverDelay(response) : undefined;
      // A wait longer than allowed would stall the caller (a CI job): report the throttling now instead.
      // The answer carries its mapped error (a RateLimitError for a 429, with the asked-for retryAfterMs).
      if (asked !== undefined && asked > settings.maxRetryAfterMs) return response!;
      const delayMs = asked ?? backoffDelay(retry, settings, hooks.random);
      hooks.onRetry?.({ attempt: retry + 1, delayMs, reason: response ? String(response.status) : describe(error), method: request.method, url: request.url.pathname });
      await response?.body?.cancel().catch(() => undefined);
      await wait(delayMs, request.signal);
    }
  };
}

/** The wait the service named in a throttling or error answer, if any (a 429's `retryAfterMs`). */
export function serverDelay(response: Response): number | undefined {
  const mapped = errorOf(response);
  if (mapped instanceof RateLimitError) return mapped.retryAfterMs;
  return retryAfterMs(response.headers, mapped?.body ?? '');
}

function describe(error: unknown): string {
  return error instanceof HdcError ? `${error.kind}${error.code ? ` ${error.code}` : ''}` : String(error);
}
