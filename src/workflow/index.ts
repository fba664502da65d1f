export {
  waitForSubmission,
  waitForShippingLabel,
  waitForPreprodPackage,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  type WaitOptions,
  type WaitForSubmissionOptions,
  type WaitForShippingLabelOptions,
  type WorkflowEvent,
  type WorkflowSubject,
} from './wait.js';
export { WorkflowFailedError } from './workflow-failed-error.js';
export { WorkflowTimeoutError } from './workflow-timeout-error.js';
export {
  assertShippingLabelRules,
  ShippingLabelRuleError,
  type ShippingLabelRule,
  type DriverMetadataFile,
} from './shipping-label-rules.js';
export { shippingLabelFromMetadata, type ShippingLabelFromMetadataOptions, type PublishingSpecificationsInput } from './shipping-label-from-metadata.js';
