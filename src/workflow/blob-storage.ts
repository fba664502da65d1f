/**
 * What uploads and downloads share about Azure Blob storage: which SAS URLs are acceptable, how the storage SDK's
 * pipeline is configured, and what a storage failure means for the caller.
 */
import type { Pipeline, RequestPolicyFactory, RestError } from '@azure/storage-blob';
import { isSecureTransport } from '../client/pipeline/pipeline.js';
import { RETRY_DEFAULTS, type RetryOptions } from '../client/pipeline/retry.js';
import { redactText, redactUrl } from '../client/redact.js';

type StorageSdk = typeof import('@azure/storage-blob');
let sdk: Promise<StorageSdk> | undefined;

/**
 * The storage SDK, loaded on the first transfer. It is by far the heaviest dependency (about 280 ms and 9 MiB to
 * import), and most users of `hwdash` make API calls without ever moving a blob in that process.
 */
export function storageSdk(): Promise<StorageSdk> {
  return (sdk ??= import('@azure/storage-blob'));
}

/** The SDK's `RestError`, recognised without loading the SDK (a failure can only come from it once it is loaded). */
export function isRestError(error: unknown): error is RestError {
  return error instanceof Error && error.name === 'RestError';
}

/**
 * The storage SDK's pipeline for blob traffic, with the client's retry settings (`RETRY_DEFAULTS` unless the caller
 * set others): the same number of retries, the same exponential start and cap, rather than the SDK's own 4 s start.
 * There is no per-try timeout: a block on a slow link may legitimately take minutes, and callers cancel with their
 * AbortSignal. One pipeline per distinct setting, so that its connections are shared.
 */
const pipelines = new Map<string, Pipeline>();
export async function blobPipeline(retry: RetryOptions = {}): Promise<Pipeline> {
  const { maxRetries, initialDelayMs, maxDelayMs } = { ...RETRY_DEFAULTS, ...retry };
  const key = `${maxRetries}/${initialDelayMs}/${maxDelayMs}`;
  let pipeline = pipelines.get(key);
  if (!pipeline) {
    const { AnonymousCredential, Pipeline: StoragePipeline, newPipeline } = await storageSdk();
    const base = newPipeline(new AnonymousCredential(), {
      retryOptions: { maxTries: maxRetries + 1, retryDelayInMs: initialDelayMs, maxRetryDelayInMs: maxDelayMs },
      userAgentOptions: { userAgentPrefix: 'hwdash' },
    });
    // Innermost, so that every attempt (retries included) is seen.
    pipeline = new StoragePipeline([...base.factories, observingPolicy], base.options);
    pipelines.set(key, pipeline);
  }
  return pipeline;
}

/** One blob request as `observeBlobRequests` reports it; the URL's signature is redacted. */
export interface BlobRequestEvent {
  method: string;
  url: string;
  /** The HTTP status, when an answer came. */
  status?: number;
  /** Why no answer came (a network failure, an abort). */
  error?: string;
  durationMs: number;
}

const observers = new Set<(event: BlobRequestEvent) => void>();

/** Calls `listener` after every blob request (the CLI's `--verbose`); returns the function that stops it. */
export function observeBlobRequests(listener: (event: BlobRequestEvent) => void): () => void {
  observers.add(listener);
  return () => observers.delete(listener);
}

const observingPolicy: RequestPolicyFactory = {
  create: (next) => ({
    async sendRequest(request) {
      if (observers.size === 0) return next.sendRequest(request);
      const started = performance.now();
      const report = (outcome: { status: number } | { error: string }): void => {
        const event = { method: request.method, url: redactUrl(request.url), ...outcome, durationMs: Math.round(performance.now() - started) };
        for (const observer of observers) observer(event);
      };
      try {
        const response = await next.sendRequest(request);
        report({ status: response.status });
        return response;
      } catch (error) {
        report({ error: describeBlobFailure(error).detail });
        throw error;
      }
    },
  }),
};

/**
 * Parses a SAS URL. The signature in it is a bearer credential, so plain http is only accepted to loopback
 * (the sandbox's Azurite). Returns the parsed URL, or why it cannot be used.
 */
export function parseSasUrl(url: string): { url: URL } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (isSecureTransport(parsed)) return { url: parsed };
  return { problem: `uses ${parsed.protocol.replace(/:$/, '')}; only https (or http to loopback) may carry a SAS signature` };
}

/** What a failed storage call tells the caller, with every secret removed. */
export interface BlobFailure {
  /** HTTP status, when the storage service answered. */
  status?: number;
  /** The storage error code (`AuthenticationFailed`, `ContainerNotFound`, ...) or the network error code. */
  code?: string;
  /** `x-ms-request-id`, for Azure support. */
  requestId?: string;
  /**
   * The service refused the SAS URL itself: it expired, or its signature does not match (Azure says
   * AuthenticationFailed, Azurite AuthorizationFailure). A fresh URL from the submission fixes it.
   */
  urlRejected: boolean;
  /** One line describing the failure, without a final period, e.g. `403 AuthorizationPermissionMismatch: This request is not authorized...`. */
  detail: string;
}

const URL_REJECTED_CODES = new Set(['authenticationfailed', 'authorizationfailure']);

export function describeBlobFailure(error: unknown): BlobFailure {
  if (isRestError(error)) {
    const status = error.statusCode;
    const code = error.code;
    const requestId = error.response?.headers.get('x-ms-request-id') ?? undefined;
    // Storage messages carry "RequestId:...\nTime:..." after the first line; those are reported separately.
    const firstLine = redactText(error.message.split('\n', 1)[0] ?? '')
      .trim()
      .replace(/\.$/, '');
    const urlRejected = status === 403 && (code === undefined || URL_REJECTED_CODES.has(code.toLowerCase()));
    const detail = [status, code === 'REQUEST_SEND_ERROR' ? undefined : code].filter((part) => part !== undefined).join(' ');
    return {
      ...(status === undefined ? {} : { status }),
      ...(code === undefined ? {} : { code }),
      ...(requestId === undefined ? {} : { requestId }),
      urlRejected,
      detail: detail ? `${detail}: ${firstLine}` : firstLine,
    };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { ...(typeof code === 'string' ? { code } : {}), urlRejected: false, detail: redactText(error.message).replace(/\.$/, '') };
  }
  return { urlRejected: false, detail: redactText(String(error)) };
}
