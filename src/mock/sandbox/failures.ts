/**
 * Switchable scenario failures: make every submission or shipping label fail the way the live service reports such
 * failures, so that clients can rehearse their failure paths against the sandbox.
 */
import type { IngestionStep } from './submission-workflow.js';
import type { ShippingLabelStep } from './shipping-label-workflow.js';

export interface SandboxFailures {
  /** Fail every committed submission at packageInfoValidation, as if the service had rejected the package's metadata. */
  validation?: boolean;
  /** Fail every committed submission at this ingestion step instead (e.g. `scanning`, `signing`). */
  ingestionStep?: IngestionStep;
  /** Fail every shipping label at publishJobValidation. */
  shippingLabel?: boolean;
}

export const FORCED_VALIDATION_MESSAGE = 'Package metadata validation failed: the package was rejected (sandbox failure scenario "validation").';

/** The forced ingestion failure, if any; `validation` wins over `ingestionStep` since it comes first in the workflow. */
export function forcedIngestionFailure(failures: SandboxFailures): { step: IngestionStep; messages: string[] } | undefined {
  if (failures.validation) return { step: 'packageInfoValidation', messages: [FORCED_VALIDATION_MESSAGE] };
  if (failures.ingestionStep) {
    return { step: failures.ingestionStep, messages: [`The ${failures.ingestionStep} step failed (sandbox failure scenario "ingestionStep").`] };
  }
  return undefined;
}

export function forcedShippingLabelFailure(failures: SandboxFailures): { step: ShippingLabelStep; messages: string[] } | undefined {
  if (!failures.shippingLabel) return undefined;
  return { step: 'publishJobValidation', messages: ['Publish job validation failed (sandbox failure scenario "shippingLabel").'] };
}
