import { HdcError } from '../errors/hdc-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { Policy } from './pipeline.js';
import { toNetworkError } from './transport.js';

/**
 * Bounds one attempt by `timeoutMs`, from sending until the JSON body is read (the body policy sits inside
 * this one). For streamed downloads it bounds the time to the headers. The caller's own signal still
 * cancels at once, and its reason is what the caller gets back.
 */
export function timeoutPolicy(timeoutMs: number): Policy {
  return async (request, next) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutError(`${request.method} ${request.url.pathname} timed out after ${timeoutMs} ms`, {
      code: 'Timeout',
      request: { method: request.method, url: request.url },
    })), timeoutMs);
    // The caller's signal is forwarded by hand: AbortSignal.any costs more than the rest of a typical call.
    const callerSignal = request.signal;
    const forward = (): void => controller.abort(callerSignal!.reason);
    if (callerSignal?.aborted) forward();
    else callerSignal?.addEventListener('abort', forward, { once: true });
    try {
      return await next({ ...request, signal: controller.signal });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (controller.signal.aborted) throw controller.signal.reason;
      // A body stream that broke mid-way surfaces here as a raw fetch error.
      throw error instanceof HdcError ? error : toNetworkError(error, request);
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', forward);
    }
  };
}
