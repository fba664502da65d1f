import { HdcError } from './hdc-error.js';

/** The request was rejected as invalid (400 or 422, usually `InvalidInput`), or hwdash refused to send it because an input was malformed (for example a path ID that is not all digits). `validationErrors` says which fields. */
export class ValidationError extends HdcError {
  override readonly kind: string = 'validation';
}
