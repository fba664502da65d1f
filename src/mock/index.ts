/**
 * `hwdash/mock`: test doubles for code that uses the Hardware Dev Center API.
 * - msw handlers built from the spec's examples (`handlers`, `hdcHandler`, `hdcError`);
 * - the stateful sandbox, a real local HTTP server with blobs on Azurite (`startSandbox`).
 */
export { handlers, createHandlers, hdcHandler, hdcError, exampleResponse, type OperationId } from './handlers.js';
export {
  startSandbox,
  FaultSpecError,
  SIGNATURE_MANIFEST_NAME,
  SANDBOX_SIGNER,
  type SignatureManifest,
  type SignedSubject,
  // The sandbox's timeline, in sandbox seconds: where a test on a manual clock (`startSandbox({ now })`) moves it to.
  SECONDS_UNTIL_SIGNED,
  DRIVER_METADATA_DELAY_SECONDS,
  SECONDS_UNTIL_APPROVAL,
  SECONDS_UNTIL_ROLLOUT,
  secondsUntilFinished,
  type ShippingLabelDestination,
  HDC_RESOURCE,
  TOKEN_EXCHANGE_AUDIENCE,
  type Sandbox,
  type SandboxOptions,
  type SandboxFailures,
  type FaultSpec,
  type FaultKind,
  type ResponseRecord,
  type EntraOptions,
  type EntraStandIn,
  type EntraApplication,
  type FederatedCredential,
  type EntraRequestRecord,
  type BearerCheck,
} from './sandbox/index.js';
export { startAzurite, type AzuriteHandle, type StartAzuriteOptions } from './azurite.js';
export { AzuriteStartError } from './azurite-start-error.js';
export { operations, type OperationRecord } from '../../generated/operations.js';
