import { NetworkError } from './network-error.js';

/** No complete response arrived within `timeoutMs`. */
export class TimeoutError extends NetworkError {
  override readonly kind: string = 'timeout';
}
