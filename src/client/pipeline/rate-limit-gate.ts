/**
 * One rate-limit budget per client. The service throttles an account, not a request: when one call is answered 429,
 * every other call of the same client would be too. This policy sits inside the retry policy (it sees every attempt)
 * and, after a 429, holds every other request of the client until the wait the service named has passed, instead of
 * letting each of them collect its own 429 (and spend its own retries). Batch signing runs many flows on one client,
 * so a 429 slows them all, as it should.
 *
 * The request that was throttled is not held here: the retry policy already waits the named time for it, by its own
 * clock. When it comes back, that wait is over, so the gate opens for everyone.
 */
import { sleep as defaultSleep, type PipelineRequest, type Policy } from './pipeline.js';
import { serverDelay } from './retry.js';

export interface RateLimitGateOptions {
  /**
   * How long the gate is closed after a 429 that names no wait.
   * @default 1000
   */
  defaultHoldMs?: number;
  /**
   * A named wait longer than this does not close the gate: the retry policy fails such a call at once, and the others
   * should find out for themselves rather than stall.
   * @default 60000
   */
  maxHoldMs?: number;
  /** Waits while the gate is closed; rejects with `signal.reason` on abort. @default a `setTimeout` */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** @default Date.now */
  now?: () => number;
}

export function rateLimitGatePolicy(options: RateLimitGateOptions = {}): Policy {
  const { defaultHoldMs = 1000, maxHoldMs = 60_000, sleep = defaultSleep, now = Date.now } = options;
  let openAt = 0;
  let throttled: PipelineRequest | undefined;

  return async (request, next) => {
    if (request === throttled) {
      // The throttled request's own retry wait is over: so is the hold.
      openAt = 0;
      throttled = undefined;
    }
    // A hold can be extended while a request waits (another 429 arrived meanwhile): wait again, but only then.
    for (let heldUntil = openAt; heldUntil > now(); heldUntil = openAt) {
      await sleep(heldUntil - now(), request.signal);
      if (openAt <= heldUntil) break;
    }
    const response = await next(request);
    if (response.status === 429) {
      const holdMs = serverDelay(response) ?? defaultHoldMs;
      if (holdMs <= maxHoldMs && now() + holdMs > openAt) {
        openAt = now() + holdMs;
        throttled = request;
      }
    }
    return response;
  };
}
