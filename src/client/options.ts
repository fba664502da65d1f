import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { RetryHooks, RetryOptions } from './pipeline/retry.js';

/** The v2.0 API: `servers[0]` of the spec. */
export const DEFAULT_BASE_URL = 'https://manage.devcenter.microsoft.com/v2.0/my/hardware';

/** Options of {@link createHdcClient}. */
export interface HdcClientOptions {
  /**
   * The API root that operation paths such as `/products` are appended to.
   * Point it at the sandbox (`http://127.0.0.1:PORT/v2.0/my/hardware`) for offline runs.
   * Plain http is refused unless the host is loopback.
   * @default "https://manage.devcenter.microsoft.com/v2.0/my/hardware"
   */
  baseUrl?: string;
  /**
   * Any `@azure/identity` credential (client secret, certificate, managed or workload identity). Tokens are
   * requested for `https://manage.devcenter.microsoft.com/.default`, cached, and refreshed 5 minutes before expiry.
   * @example new ClientSecretCredential(tenantId, clientId, clientSecret)
   */
  credential?: TokenCredential;
  /**
   * A fixed bearer token, or a function returning one (optionally with its expiry as an `AccessToken`).
   * Use `credential` instead where you can: a fixed token cannot be renewed after it expires.
   * @example async () => (await myVault.getSecret('hdc-token')).value
   */
  token?: string | ((options: { abortSignal?: AbortSignal }) => string | AccessToken | Promise<string | AccessToken>);
  /**
   * The fetch implementation for API calls.
   * @default globalThis.fetch (looked up per call, so msw and similar tools take effect)
   */
  fetch?: typeof fetch;
  /**
   * Per-attempt timeout: from sending a request until its JSON body has been read. `Infinity` turns it off
   * (the caller's `signal` still cancels).
   * @default 60000
   */
  timeoutMs?: number;
  /**
   * Retry policy for throttling (429), server errors and network failures. POSTs are retried only where the
   * service surely did not act on them. `{ maxRetries: 0 }` turns retries off.
   * @default { maxRetries: 3, initialDelayMs: 1000, maxDelayMs: 30000, maxRetryAfterMs: 60000 }
   */
  retry?: RetryOptions & RetryHooks;
  /**
   * Sent as `User-Agent`; hwdash appends its own name and version.
   * @example "contoso-release-pipeline/2.1"
   */
  userAgent?: string;
  /**
   * The largest JSON response body accepted, in bytes. Larger bodies fail with a `MalformedResponseError`.
   * @default 33554432 (32 MiB)
   */
  maxResponseBytes?: number;
}
