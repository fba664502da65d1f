import { HdcError } from './hdc-error.js';

/** The service answered with a body hwdash cannot use: invalid or truncated JSON, HTML where JSON was expected, or a body over the response size limit. */
export class MalformedResponseError extends HdcError {
  override readonly kind: string = 'malformed-response';
}
