import { createHdcClient, type HdcClient } from '../client/client.js';
import { redactHeaders, redactUrl } from '../client/redact.js';
import type { Sandbox } from '../mock/sandbox/index.js';
import { AUTH_HELP, authFromEnvironment } from './credentials.js';
import { Output } from './output.js';
import { ProgressReporter } from './progress.js';
import { UsageError } from './usage-error.js';
import { AuthenticationError } from '../client/errors/authentication-error.js';

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  baseUrl?: string;
  sandbox?: boolean;
  sandboxSpeed?: string;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  timeout?: string;
}

/** Everything a command needs, created lazily: a command that prints help never loads the client. */
export class CliContext {
  readonly output: Output;
  readonly progress: ProgressReporter;
  readonly signal: AbortSignal;
  readonly #options: GlobalOptions;
  #client: HdcClient | undefined;
  #sandbox: Sandbox | undefined;

  constructor(options: GlobalOptions, signal: AbortSignal, output?: Output) {
    this.#options = options;
    this.signal = signal;
    this.output = output ?? new Output({ json: Boolean(options.json), verbose: Boolean(options.verbose), quiet: Boolean(options.quiet) });
    this.progress = new ProgressReporter(this.output);
  }

  /** The API client: against the embedded sandbox with --sandbox, else --base-url (default: the v2.0 service). */
  async client(): Promise<HdcClient> {
    if (this.#client) return this.#client;
    let baseUrl = this.#options.baseUrl ?? process.env.HWDASH_BASE_URL;
    let auth: { token: string } | { credential: import('@azure/core-auth').TokenCredential };
    if (this.#options.sandbox) {
      if (this.#options.baseUrl) throw new UsageError('--sandbox and --base-url cannot be used together: --sandbox starts its own API.');
      const sandbox = await this.startSandbox();
      baseUrl = sandbox.baseUrl;
      auth = { token: 'hwdash-sandbox' };
      this.output.info(`sandbox API at ${sandbox.baseUrl} (blobs on Azurite at ${sandbox.azurite.blobEndpoint})`);
    } else {
      const resolved = await authFromEnvironment();
      if (!resolved) throw new AuthenticationError(`no credentials found.\n${AUTH_HELP}`, { code: 'NoCredentials' });
      if ('token' in resolved) this.output.addSecret(resolved.token);
      this.output.debug(`auth: ${resolved.source}`);
      auth = resolved;
    }
    const timeoutMs = this.#options.timeout === undefined ? undefined : positiveInteger('--timeout', this.#options.timeout);
    this.#client = createHdcClient({
      ...(baseUrl ? { baseUrl } : {}),
      ...auth,
      ...(timeoutMs ? { timeoutMs } : {}),
      userAgent: 'hwdash-cli',
      ...(this.output.verbose ? { fetch: this.#loggingFetch() } : {}),
      retry: { onRetry: (info) => this.output.info(`  retrying ${info.method} ${info.url} in ${Math.ceil(info.delayMs / 100) / 10} s (attempt ${info.attempt}: ${info.reason})`) },
    });
    return this.#client;
  }

  /** Starts the embedded sandbox (Azurite included); it is stopped by {@link close}. */
  async startSandbox(options: { port?: number; speed?: number; faults?: string; seed?: number; failValidation?: boolean } = {}): Promise<Sandbox> {
    const { startSandbox } = await import('../mock/sandbox/index.js');
    const speed = options.speed ?? (this.#options.sandboxSpeed === undefined ? 60 : positiveNumber('--sandbox-speed', this.#options.sandboxSpeed));
    this.#sandbox = await startSandbox({
      speed,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.failValidation ? { failures: { validation: true } } : {}),
    });
    return this.#sandbox;
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

  async close(): Promise<void> {
    this.progress.stop();
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    await sandbox?.stop();
  }
}

export function positiveInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number, got "${value}".`);
  return n;
}

export function positiveNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got "${value}".`);
  return n;
}
