/**
 * An Entra ID token endpoint failure, answered the way Entra ID answers it: an OAuth error (`invalid_client`,
 * `invalid_request`, ...) whose `error_description` starts with the AADSTS code and ends with the trace and
 * correlation IDs and a timestamp, plus `error_codes`, `timestamp`, `trace_id`, `correlation_id` and `error_uri`.
 */
import { randomUUID } from 'node:crypto';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'invalid_resource'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  // The device code grant's answers while a person has not finished (RFC 8628 3.5).
  | 'authorization_pending'
  | 'expired_token';

export interface AadstsBody {
  error: OAuthErrorCode;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

export class AadstsError extends Error {
  constructor(
    readonly status: number,
    readonly error: OAuthErrorCode,
    /** The AADSTS number, e.g. 7000215. */
    readonly aadsts: number,
    /** The text after `AADSTS<code>: `. */
    readonly detail: string,
  ) {
    super(`AADSTS${aadsts}: ${detail}`);
    this.name = 'AadstsError';
  }

  /** The JSON body; `correlationId` is the client's `client-request-id` when it sent one, as Entra ID echoes it. */
  toBody(origin: string, correlationId: string = randomUUID(), now: Date = new Date()): AadstsBody {
    const traceId = randomUUID();
    // Entra ID prints "2023-05-06 06:03:00Z": ISO 8601 with a space and no fraction.
    const timestamp = `${now.toISOString().slice(0, 19).replace('T', ' ')}Z`;
    return {
      error: this.error,
      error_description: `${this.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [this.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${origin}/error?code=${this.aadsts}`,
    };
  }
}
