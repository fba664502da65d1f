import { HdcError } from './hdc-error.js';

/** The request never got a complete HTTP response: connection refused or reset, DNS failure, TLS failure. */
export class NetworkError extends HdcError {
  override readonly kind: string = 'network';
}
