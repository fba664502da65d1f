import { HdcError } from '../errors/hdc-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { PipelineRequest, Policy } from './pipeline.js';
import { toNetworkError } from './transport.js';

/**
 * Bounds one attempt by `timeoutMs`, from sending until the JSON body is read (the body policy sits inside
 * this one). For streamed downloads it bounds the time to the headers. The caller's own signal still
 * cancels at once, and its reason is what the caller gets back.
 */
export function timeoutPolicy(defaultTimeoutMs: number): Policy {
  return async (request, next) => {
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const attempt = new Attempt(request.signal);
    // Node's timers take at most 2^31 - 1 ms and turn anything longer (Infinity included) into 1 ms; such a timeout
    // could never fire within a process's life anyway, so it means no timeout.
    const timer = timeoutMs <= MAX_TIMER_MS ? setTimeout(timeOut, timeoutMs, attempt.controller, request, timeoutMs) : undefined;
    try {
      return await next({ ...request, signal: attempt.controller.signal });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (attempt.controller.signal.aborted) throw attempt.controller.signal.reason;
      // A body stream that broke mid-way surfaces here as a raw fetch error.
      throw error instanceof HdcError ? error : toNetworkError(error, request);
    } finally {
      clearTimeout(timer);
      attempt.release();
    }
  };
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One attempt's signal, which the caller's signal aborts too. Forwarded by hand, as the listener object itself:
 * `AbortSignal.any`, or a closure per attempt, cost more than the rest of a typical call.
 */
class Attempt {
  readonly controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;

  constructor(callerSignal: AbortSignal | undefined) {
    this.#callerSignal = callerSignal;
    if (callerSignal?.aborted) this.controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this, { once: true });
  }

  handleEvent(): void {
    this.controller.abort(this.#callerSignal!.reason);
  }

  release(): void {
    this.#callerSignal?.removeEventListener('abort', this);
  }
}

function timeOut(controller: AbortController, request: PipelineRequest, timeoutMs: number): void {
  controller.abort(
    new TimeoutError(`${request.method} ${request.url.pathname} timed out after ${timeoutMs} ms`, {
      code: 'Timeout',
      request: { method: request.method, url: request.url },
    }),
  );
}
