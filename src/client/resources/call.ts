import type { HdcError } from '../errors/hdc-error.js';
import { MalformedResponseError } from '../errors/malformed-response-error.js';

/** Options every resource helper takes. */
export interface CallOptions {
  /** Cancels the call at once, including any backoff wait. */
  signal?: AbortSignal;
  /**
   * This call's per-attempt timeout in milliseconds, overriding the client's `timeoutMs`. Creates can take minutes
   * on the service (SDCM issue #43 saw a product take over 5), and a create cut short by a timeout has an unknown
   * outcome: give them room.
   */
  timeoutMs?: number;
}

/** Returns the data of a typed call, or throws its mapped error: the helpers' contract. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: HdcError | undefined; response: Response }>): Promise<T> {
  const { data, error } = await call;
  if (error) throw error;
  return data as T;
}

/**
 * Like {@link unwrap}, for creates, whose answer is the new resource: a success without one (an empty body)
 * would otherwise surface later as a TypeError far from its cause.
 */
export async function unwrapCreated<T>(call: Promise<{ data?: T; error?: HdcError | undefined; response: Response }>, what: string): Promise<T> {
  const { data, error, response } = await call;
  if (error) throw error;
  if (data === null || typeof data !== 'object') {
    throw new MalformedResponseError(`creating a ${what} returned ${response.status} without the ${what} in its body`, { code: 'MalformedResponse', status: response.status });
  }
  return data;
}
