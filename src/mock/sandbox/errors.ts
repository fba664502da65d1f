/** The sandbox's errors as the service words them: one factory per documented functional error (reference section 3.2). */
import { GatewayError } from './gateway-error.js';
import { ServiceError, type ValidationError } from './service-error.js';

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
