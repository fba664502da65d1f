/**
 * The two error body shapes the sandbox sends (reference section 3.3): the service's functional error
 * `{ error: { code, message, validationErrors } }` and the API gateway's `{ statusCode, message }` (401, 429, unknown routes).
 */

export interface ValidationError {
  /** The request field the message is about, as a dotted path (`publishingSpecifications.manualAcquisition`). */
  target: string;
  message: string;
}

/**
 * Functional error codes. [SDCM] matches `requestInvalidForCurrentState` and `entityNotFound` case-sensitively, which
 * tells us the live service sends lowerCamel although the docs print PascalCase; the sandbox sends what the service sends.
 */
export type ServiceErrorCode =
  | 'invalidInput'
  | 'requestInvalidForCurrentState'
  | 'updateUnauthorized'
  | 'entityNotFound'
  | 'unsupportedMediaType'
  | 'internalServerError'
  | 'badGateway'
  | 'serviceUnavailable';

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: ServiceErrorCode,
    message: string,
    readonly validationErrors: ValidationError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }

  toBody(): { error: { code: string; message: string; validationErrors: ValidationError[] } } {
    return { error: { code: this.code, message: this.message, validationErrors: this.validationErrors } };
  }
}

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  toBody(): { statusCode: number; message: string } {
    return { statusCode: this.status, message: this.message };
  }
}

export function invalidInput(message: string, validationErrors: ValidationError[] = []): ServiceError {
  return new ServiceError(400, 'invalidInput', message, validationErrors);
}

/** Schema violations in a well-formed JSON body: 422 with one validation error per offending field. */
export function unprocessable(validationErrors: ValidationError[]): ServiceError {
  return new ServiceError(422, 'invalidInput', 'The request body failed validation.', validationErrors);
}

export function invalidForCurrentState(message: string): ServiceError {
  return new ServiceError(400, 'requestInvalidForCurrentState', message);
}

export function updateUnauthorized(message: string): ServiceError {
  return new ServiceError(400, 'updateUnauthorized', message);
}

export function entityNotFound(message: string): ServiceError {
  return new ServiceError(404, 'entityNotFound', message);
}

export function unauthorized(message: string): GatewayError {
  return new GatewayError(401, message, { 'WWW-Authenticate': 'Bearer' });
}
