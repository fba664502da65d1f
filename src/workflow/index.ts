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
export { WorkflowFailedError, type WorkflowFailedErrorOptions } from './workflow-failed-error.js';
export { WorkflowTimeoutError, type WorkflowTimeoutErrorOptions } from './workflow-timeout-error.js';
export { assertShippingLabelRules, type DriverMetadataFile } from './shipping-label-rules.js';
export { ShippingLabelRuleError, type ShippingLabelRule } from './shipping-label-rule-error.js';
export { shippingLabelFromMetadata, type ShippingLabelFromMetadataOptions, type PublishingSpecificationsInput } from './shipping-label-from-metadata.js';
export { SIGN_DRIVER_STEPS, type SignDriverStep, type SignDriverProgressEvent } from './progress.js';
export {
  signDriver,
  type SignDriverOptions,
  type SignDriverResult,
  type SignDriverLabelOptions,
} from './sign-driver.js';
export {
  STATE_FILE_VERSION,
  DEFAULT_STATE_FILE_NAME,
  defaultStateFilePath,
  readStateFile,
  writeStateFile,
  assertStateMatches,
  type SignDriverState,
  type StateExpectation,
} from './state-file.js';
export { StateFileError, type StateFileErrorCode, type StateFileErrorOptions } from './state-file-error.js';
export {
  downloadSubmissionArtifacts,
  artifactFileName,
  DEFAULT_ARTIFACTS,
  type SubmissionArtifact,
  type SubmissionArtifactResult,
  type ArtifactDownloadProgress,
  type DownloadSubmissionArtifactsOptions,
} from './artifacts.js';
export {
  signPreprodPackage,
  submitPreprodPackage,
  downloadPreprodAssets,
  preprodAssetFileName,
  type SignPreprodPackageOptions,
  type SignPreprodPackageResult,
  type PreprodDownloadOptions,
  type PreprodAssetFile,
} from './preprod.js';
export {
  uploadPackage,
  DEFAULT_UPLOAD_BLOCK_SIZE,
  DEFAULT_UPLOAD_CONCURRENCY,
  MAX_SINGLE_SHOT_SIZE,
  type UploadPackageOptions,
  type UploadPackageResult,
  type UploadProgress,
} from './upload.js';
export {
  downloadToFile,
  type DownloadToFileOptions,
  type DownloadResult,
  type DownloadProgress,
} from './download.js';
export { BlobTransferError, type BlobTransferErrorOptions } from './blob-transfer-error.js';
export { UploadError, type UploadErrorOptions } from './upload-error.js';
export { DownloadError, type DownloadErrorOptions } from './download-error.js';
export { createProduct } from './steps/product.js';
export { createSubmission } from './steps/submission.js';
export { uploadSubmissionPackage, type UploadSubmissionPackageOptions } from './steps/upload.js';
export { commitSubmissionPackage, type CommitSubmissionOptions } from './steps/commit.js';
export { createShippingLabel } from './steps/shipping-label.js';
export { DEFAULT_CREATE_TIMEOUT_MS, type CreateOptions } from './create-once.js';
export type { SigningRunOptions } from './signing-run.js';
export { type CreateIntent, type CreatedResource } from './state-file.js';
export { StateLockedError, type StateLockHolder } from './state-locked-error.js';
export { DirectoryError } from './directory-error.js';
export { DEFAULT_SIGNATURES, defaultProduct } from './default-product.js';
