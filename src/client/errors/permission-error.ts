import { HdcError } from './hdc-error.js';

/** The credentials are valid but lack access (403): check the app's Partner Center roles (Manager; Driver Submitter, Shipping Label owner/promoter). */
export class PermissionError extends HdcError {
  override readonly kind: string = 'permission';
}
