/** The service's functional error body, `{ error: { code, message, validationErrors } }` (reference section 3.3). */

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
