import { HdcError } from './hdc-error.js';

/** The product, submission, shipping label or package does not exist (404 or `EntityNotFound`). */
export class NotFoundError extends HdcError {
  override readonly kind: string = 'not-found';
}
