import type { TokenCredential } from '@azure/core-auth';
import { createHdcClient, type HdcClient } from '../client/client.js';
import { SecurityError } from '../client/errors/security-error.js';
import { redactHeaders, redactUrl } from '../client/redact.js';
import type { EntraOptions, Sandbox, SandboxFailures } from '../mock/sandbox/index.js';
import type { CreateOptions } from '../workflow/create-once.js';
import { resolveAuth, type CliAuth } from './credentials.js';
import { Output } from './output.js';
import { ProgressReporter } from './progress.js';
import { UsageError } from './usage-error.js';
import { selectProfile } from './config/profiles.js';

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  baseUrl?: string;
  sandbox?: boolean;
  sandboxSpeed?: number;
  /** SAS URL lifetime of the embedded sandbox, in sandbox minutes. */
  sandboxSasLifetime?: number;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  /** Results show SAS URLs with their signatures. */
  showSasUrls?: boolean;
  /** Per-request timeout in seconds. */
  timeout?: number;
  /** How long a create may take at the service, in seconds. */
  createTimeout?: number;
  /** Retries of a failed request. */
  maxRetries?: number;
  /** The profile of the config file to sign in with (else HWDASH_PROFILE, else the default profile). */
  profile?: string;
}

/** How the embedded sandbox of `--sandbox` (or `hwdash sandbox`) is started. */
export interface SandboxStartOptions {
  port?: number;
  speed?: number;
  faults?: string;
  /** Lifetime of the SAS URLs, in sandbox minutes. */
  sasLifetime?: number;
  seed?: number;
  failures?: SandboxFailures;
  /** The only bearer token the sandbox accepts (default: any). */
  token?: string;
  /** Play Entra ID too (`hwdash sandbox` does; `--sandbox` does not, to stay fast). */
  entra?: EntraOptions;
}

/** The token `--sandbox` uses: the embedded sandbox accepts any bearer token. */
const SANDBOX_TOKEN = 'hwdash-sandbox-token';
/** Sandbox seconds per real second for `--sandbox`: a submission signs in about a second. */
const DEFAULT_EMBEDDED_SPEED = 60;

/** Everything a command needs, created lazily: a command that prints help never loads the client. */
export class CliContext {
  readonly output: Output;
  readonly progress: ProgressReporter;
  /** Aborted by Ctrl-C. */
  readonly signal: AbortSignal;
  readonly options: GlobalOptions;
  /**
   * A rerun of this command continues where it stopped (a state file, a partial download, a wait): its resumable
   * failures then end with "run the same command again to continue".
   */
  resumable = false;
  #client: HdcClient | undefined;
  #sandbox: Sandbox | undefined;
  #auth: CliAuth | undefined;
  #stopObservingBlobs: (() => void) | undefined;

  constructor(options: GlobalOptions, signal: AbortSignal, output?: Output) {
    this.options = options;
    this.signal = signal;
    this.output = output ?? new Output({ json: Boolean(options.json), verbose: Boolean(options.verbose), quiet: Boolean(options.quiet), showSasUrls: Boolean(options.showSasUrls) });
    this.progress = new ProgressReporter(this.output);
  }

  /** The API client: against the embedded sandbox with --sandbox, else --base-url (default: the v2.0 service). */
  async client(): Promise<HdcClient> {
    if (this.#client) return this.#client;
    let baseUrl = this.options.baseUrl ?? process.env.HWDASH_BASE_URL;
    let auth: { token: string } | { credential: TokenCredential };
    if (this.options.sandbox) {
      if (this.options.baseUrl) throw new UsageError('--sandbox and --base-url cannot be used together: --sandbox starts its own API.');
      const sandbox = await this.startSandbox();
      baseUrl = sandbox.baseUrl;
      auth = { token: SANDBOX_TOKEN };
      this.output.info(`sandbox API at ${sandbox.baseUrl} (blobs on Azurite at ${sandbox.azurite.blobEndpoint})`);
    } else {
      auth = await this.auth();
      baseUrl ??= await this.profileBaseUrl();
    }
    const timeoutSeconds = this.options.timeout;
    try {
      this.#client = createHdcClient({
        ...(baseUrl ? { baseUrl } : {}),
        ...auth,
        ...(timeoutSeconds ? { timeoutMs: Math.round(timeoutSeconds * 1000) } : {}),
        userAgent: 'hwdash-cli',
        ...(this.output.verbose ? { fetch: this.#loggingFetch() } : {}),
        retry: {
          ...(this.options.maxRetries === undefined ? {} : { maxRetries: this.options.maxRetries }),
          onRetry: (info) =>
            this.output.info(`  retrying ${info.method} ${redactUrl(info.url)} in ${Math.ceil(info.delayMs / 100) / 10} s (attempt ${info.attempt}: ${info.reason})`),
        },
      });
    } catch (error) {
      if (error instanceof SecurityError) throw new UsageError(`--base-url: ${error.message}`);
      throw error;
    }
    if (this.output.verbose) {
      const { observeBlobRequests } = await import('../workflow/blob-storage.js');
      this.#stopObservingBlobs = observeBlobRequests((event) =>
        this.output.debug(`↔ blob ${event.method} ${event.url} → ${event.status ?? event.error} (${event.durationMs} ms)`),
      );
    }
    return this.#client;
  }

  /**
   * The credentials: a profile, the environment, or the developer's own sign-in (see `resolveAuth`). With none of them,
   * the first request fails with exit code 2 and the ways to sign in.
   */
  async auth(): Promise<CliAuth> {
    if (this.#auth) return this.#auth;
    const resolved = await resolveAuth({ ...(this.options.profile ? { profileName: this.options.profile } : {}) });
    // Client secrets in the environment are redacted by redactText itself; HWDASH_TOKEN is this token.
    if ('token' in resolved) this.output.addSecret(resolved.token);
    this.output.debug(`auth: ${resolved.source}`);
    this.#auth = resolved;
    return resolved;
  }

  /** The API root of the selected profile, if it names one (after --base-url and HWDASH_BASE_URL). */
  async profileBaseUrl(): Promise<string | undefined> {
    const selected = await selectProfile(this.options.profile ?? (process.env.HWDASH_PROFILE || undefined));
    return selected?.profile.baseUrl;
  }

  /** Starts the embedded sandbox (Azurite included); it is stopped by {@link close}, also on errors and Ctrl-C. */
  async startSandbox(options: SandboxStartOptions = {}): Promise<Sandbox> {
    const { startSandbox } = await import('../mock/sandbox/index.js');
    const speed = options.speed ?? this.options.sandboxSpeed ?? DEFAULT_EMBEDDED_SPEED;
    const sasLifetime = options.sasLifetime ?? this.options.sandboxSasLifetime;
    this.signal.throwIfAborted();
    const sandbox = await startSandbox({
      speed,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(sasLifetime === undefined ? {} : { sasLifetime }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.failures ? { failures: options.failures } : {}),
      ...(options.token ? { token: options.token } : {}),
      ...(options.entra ? { entra: options.entra } : {}),
    });
    this.#sandbox = sandbox;
    // Ctrl-C while Azurite was starting: stop it now rather than after a command that will never run.
    this.signal.throwIfAborted();
    return sandbox;
  }

  /** --verbose: one line per request and response, with credentials and SAS signatures redacted. */
  #loggingFetch(): typeof fetch {
    return async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const headers = redactHeaders(new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)));
      this.output.debug(`→ ${method} ${redactUrl(url)} ${JSON.stringify(headers)}`);
      const started = Date.now();
      const response = await fetch(input, init);
      this.output.debug(`← ${response.status} ${method} ${redactUrl(url)} (${Date.now() - started} ms, request id ${response.headers.get('ms-requestid') ?? 'none'})`);
      return response;
    };
  }

  /**
   * How the CLI's creates (`product create`, `submission create`, `shipping-label create`, `submit`) run: with the
   * create timeout of `--create-timeout`, lookups at the poll pace, and a line on stderr for each lookup.
   */
  createOptions(): CreateOptions {
    return {
      signal: this.signal,
      ...this.createTimeout(),
      ...(this.options.sandbox ? { pollIntervalMs: 250 } : {}),
      onNotice: (message) => this.output.info(`  ${message}`),
    };
  }

  /** `--create-timeout` in milliseconds, when given. */
  createTimeout(): { createTimeoutMs?: number } {
    return this.options.createTimeout === undefined ? {} : { createTimeoutMs: Math.round(this.options.createTimeout * 1000) };
  }

  /** Ends bars and live lines and stops the embedded sandbox, if any. Idempotent. */
  async close(): Promise<void> {
    this.progress.stop();
    this.#stopObservingBlobs?.();
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    await sandbox?.stop();
  }
}
