import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { AuthenticationError } from '../errors/authentication-error.js';
import { HdcError } from '../errors/hdc-error.js';
import { rememberSecret } from '../redact.js';

/** The OAuth scope of the Hardware Dev Center API (Entra ID v2 endpoint, client credentials). */
export const HDC_SCOPE = 'https://manage.devcenter.microsoft.com/.default';

/**
 * Where tokens come from: any `@azure/identity` credential, a fixed token, or a function (which may return
 * a plain token or an `AccessToken` with its expiry).
 */
export type TokenSource =
  | { credential: TokenCredential }
  | { token: string | ((options: { abortSignal?: AbortSignal }) => string | AccessToken | Promise<string | AccessToken>) };

/**
 * Refresh this long before expiry: Entra tokens live 60-90 minutes, and refreshing 5 minutes early means a
 * long upload or wait never presents a token that expires in flight. Same margin as Azure's bearer policy.
 */
const REFRESH_WINDOW_MS = 5 * 60 * 1000;

interface CachedToken {
  token: string;
  /** Epoch ms; Infinity when the source gave no expiry (then only a 401 retires it). */
  expiresOn: number;
  refreshAfter: number;
}

/**
 * Caches the bearer token, refreshes it ahead of expiry, and shares one in-flight refresh between concurrent
 * requests so that a burst of calls costs one token request.
 */
export class TokenCache {
  #cached: CachedToken | undefined;
  #inFlight: Promise<CachedToken> | undefined;
  readonly #source: TokenSource;
  readonly #now: () => number;

  constructor(source: TokenSource, now: () => number = Date.now) {
    this.#source = source;
    this.#now = now;
  }

  /** False for a fixed string token: asking again after a 401 would return the same rejected token. */
  get canRenew(): boolean {
    return !('token' in this.#source && typeof this.#source.token === 'string');
  }

  /**
   * The cached token while it needs no refresh, else undefined. Lets a caller skip waiting on a promise in the
   * common case: nearly every request finds the token cached.
   */
  get freshToken(): string | undefined {
    const cached = this.#cached;
    return cached && this.#now() < cached.refreshAfter ? cached.token : undefined;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    const fresh = this.freshToken;
    if (fresh !== undefined) return fresh;
    const cached = this.#cached;
    // Still valid but due for refresh: refresh in the background-shared promise, and fall back to the
    // current token if the refresh fails before it actually expires.
    try {
      return (await untilAborted(this.#refresh(), signal)).token;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (cached && this.#now() < cached.expiresOn) return cached.token;
      throw error;
    }
  }

  /** Drops the cached token if it is still the one that was rejected (another request may have renewed it). */
  invalidate(rejectedToken: string): void {
    if (this.#cached?.token === rejectedToken) this.#cached = undefined;
  }

  /**
   * The token request is shared, so no one caller's signal may cancel it: a caller that aborts stops waiting
   * at once (see `getToken`), while the request finishes for the others and fills the cache.
   */
  #refresh(): Promise<CachedToken> {
    this.#inFlight ??= this.#acquire().then(
      (token) => {
        this.#cached = token;
        this.#inFlight = undefined;
        return token;
      },
      (error: unknown) => {
        this.#inFlight = undefined;
        throw error;
      },
    );
    return this.#inFlight;
  }

  async #acquire(): Promise<CachedToken> {
    let result: string | AccessToken | null;
    try {
      if ('credential' in this.#source) {
        result = await this.#source.credential.getToken(HDC_SCOPE);
      } else {
        const { token } = this.#source;
        result = typeof token === 'string' ? token : await token({});
      }
    } catch (error) {
      if (error instanceof HdcError) throw error;
      throw new AuthenticationError(`could not obtain an access token for ${HDC_SCOPE}: ${(error as Error)?.message ?? String(error)}`, {
        code: 'TokenAcquisitionFailed',
        cause: error,
      });
    }
    if (result === null || result === undefined || (typeof result === 'object' && !result.token) || result === '') {
      throw new AuthenticationError(`the credential returned no access token for ${HDC_SCOPE}`, { code: 'TokenAcquisitionFailed' });
    }
    // From here on, the token is redacted wherever it shows up (an echoing gateway, a proxy's error page).
    rememberSecret(typeof result === 'string' ? result : result.token);
    if (typeof result === 'string') return { token: result, expiresOn: Infinity, refreshAfter: Infinity };
    const expiresOn = result.expiresOnTimestamp;
    const refreshAfter = Math.min(result.refreshAfterTimestamp ?? Infinity, expiresOn - REFRESH_WINDOW_MS);
    return { token: result.token, expiresOn, refreshAfter };
  }
}

/** Waits for `promise`, or rejects with the signal's reason as soon as it aborts (the promise runs on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
