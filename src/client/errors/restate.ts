import type { HdcError } from './hdc-error.js';

/**
 * The same kind of error (so `instanceof` checks and exit codes still hold) with a message that says what was learnt
 * since: what a read-back found after an ambiguous commit, or that a create whose answer was lost did or did not
 * happen. Status, code, request IDs and the redacted request stay as they were.
 */
export function restate<E extends HdcError>(error: E, message: string, cause: unknown = error): E {
  const Kind = error.constructor as new (message: string, options: ConstructorParameters<typeof HdcError>[1]) => E;
  return new Kind(message, {
    status: error.status,
    code: error.code,
    validationErrors: error.validationErrors,
    requestId: error.requestId,
    correlationId: error.correlationId,
    ...(error.request ? { request: error.request } : {}),
    ...(error.response ? { response: error.response } : {}),
    cause,
  });
}
