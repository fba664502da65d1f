import type { HdcError } from '../errors/hdc-error.js';

/** Options every resource helper takes. */
export interface CallOptions {
  /** Cancels the call at once, including any backoff wait. */
  signal?: AbortSignal;
}

/** Returns the data of a typed call, or throws its mapped error: the helpers' contract. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: HdcError | undefined; response: Response }>): Promise<T> {
  const { data, error } = await call;
  if (error) throw error;
  return data as T;
}
