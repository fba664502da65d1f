import { HdcError } from './hdc-error.js';

/** The service failed (5xx), after the retries the policy allows. */
export class ServerError extends HdcError {
  override readonly kind: string = 'server';
}
