import { HdcError } from './hdc-error.js';

/** The resource is not in a state that allows the request (`RequestInvalidForCurrentState` or `UpdateUnauthorized`), e.g. committing a submission that is not pending. */
export class InvalidStateError extends HdcError {
  override readonly kind: string = 'invalid-state';
}
