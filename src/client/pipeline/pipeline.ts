/**
 * The request pipeline, in the style of Azure's core-rest-pipeline: small policies, each one concern and
 * testable alone, composed around a transport. openapi-fetch builds the request; this pipeline sends it.
 */
import type { ParsedBody } from './response-body.js';

/** A request as the policies see it. The body is kept in a replayable form so that retries can resend it. */
export interface PipelineRequest {
  readonly method: string;
  readonly url: URL;
  /**
   * The pipeline's own copy, made once where a call enters it: policies set headers here in place (each attempt
   * sets the same ones again) instead of copying them at every step.
   */
  readonly headers: Headers;
  readonly body?: string | Uint8Array | Blob;
  /** The caller's cancellation signal. Policies that add their own (timeouts) combine it. */
  readonly signal?: AbortSignal;
  /**
   * Whether resending after an ambiguous failure is harmless. Defaults to the method's HTTP semantics; set it to
   * false for a PUT that creates something (`PUT /preprod/packages` submits a new package each time).
   */
  readonly idempotent?: boolean;
  /** This call's per-attempt timeout, overriding the client's `timeoutMs` (creates may take minutes). */
  readonly timeoutMs?: number;
  /**
   * The caller reads only the parsed value of a successful JSON answer, never the body itself (a typed call with
   * `parseAs: 'json'`): the body's bytes may then be reused while parsing.
   */
  readonly jsonOnly?: boolean;
  /**
   * Where the body policy leaves the parsed JSON of a successful answer. A slot the caller passes with its request,
   * rather than a map keyed by responses: such a map would weigh on every garbage collection of a busy client.
   */
  readonly parsed?: ParsedBody;
}

export type SendRequest = (request: PipelineRequest) => Promise<Response>;

/** One step of the pipeline: it may change the request, call `next` (any number of times), and inspect the response. */
export type Policy = (request: PipelineRequest, next: SendRequest) => Promise<Response>;

/** Composes policies, outermost first, around the transport. */
export function createPipeline(policies: readonly Policy[], transport: SendRequest): SendRequest {
  return policies.reduceRight<SendRequest>((next, policy) => (request) => policy(request, next), transport);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Loopback hosts may use plain http (tests, the sandbox); everything else must be https. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

export function isSecureTransport(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
}
