import { HdcError } from './hdc-error.js';

/** The service did not accept the credentials (401), even after the token was re-acquired once, or no token could be obtained. */
export class AuthenticationError extends HdcError {
  override readonly kind: string = 'authentication';
}
