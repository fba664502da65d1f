import { HdcError } from './hdc-error.js';

/** hwdash refused to send a request because it would have leaked credentials: plain http to a non-loopback host, or a link (such as `next_link`) that points away from the API's origin. */
export class SecurityError extends HdcError {
  override readonly kind: string = 'security';
}
