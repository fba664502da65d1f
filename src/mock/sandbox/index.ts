/**
 * The hwdash sandbox: a stateful simulator of the Hardware Dev Center API over real HTTP on 127.0.0.1, with
 * blobs on Azurite and workflows on a scaled clock. `hwdash sandbox` and the tests run it; so can anyone who wants
 * to rehearse the signing flow with no account and no network.
 */
import { startAzurite } from '../azurite.js';
import { audienceRoutes } from './audiences.js';
import { BackgroundTasks } from './background.js';
import { SandboxBlobs, type AzuriteHandle } from './blob-storage.js';
import { SandboxClock } from './clock.js';
import type { SandboxEnvironment } from './environment.js';
import type { SandboxFailures } from './failures.js';
import { createFaultInjector, parseFaults, type FaultSpec } from './faults.js';
import { IdAllocator } from './ids.js';
import { preprodRoutes } from './preprod.js';
import { productRoutes } from './products.js';
import { relationshipRoutes } from './relationships.js';
import type { Route } from './router.js';
import { startServer, type ResponseRecord, type SandboxServer } from './server.js';
import { shippingLabelRoutes } from './shipping-labels.js';
import { SandboxStore } from './store.js';
import { submissionRoutes } from './submissions.js';
import { loadOpenApiDocument } from '../../client/spec-document.js';
import { createRequestValidator, operationsOf } from './validation.js';
import type { EntraOptions, EntraStandIn } from './entra/index.js';

export type { AzuriteHandle } from './blob-storage.js';
export type { SandboxFailures } from './failures.js';
export type { FaultKind, FaultSpec } from './faults.js';
export { FaultSpecError } from './fault-spec-error.js';
export type { ResponseRecord } from './server.js';
export { SIGNATURE_MANIFEST_NAME, SANDBOX_SIGNER, type SignatureManifest, type SignedSubject } from './signer.js';
export { SECONDS_UNTIL_SIGNED, DRIVER_METADATA_DELAY_SECONDS } from './submission-workflow.js';
export { SECONDS_UNTIL_APPROVAL, SECONDS_UNTIL_ROLLOUT, secondsUntilFinished, type ShippingLabelDestination } from './shipping-label-workflow.js';
export type { EntraOptions, EntraStandIn, EntraApplication, FederatedCredential, EntraRequestRecord, BearerCheck } from './entra/index.js';
export { HDC_RESOURCE, TOKEN_EXCHANGE_AUDIENCE } from './entra/constants.js';

export interface SandboxOptions {
  /** Port on 127.0.0.1. @default 0 (the OS picks a free one) */
  port?: number;
  /**
   * Clock scale: sandbox seconds per real second. At 1 a submission takes about a minute to sign; at 60, about a second.
   * @default 1
   */
  speed?: number;
  /**
   * Per-request fault probabilities, `kind[@target]:probability[:delayMs]`, e.g. `"429:0.1,reset:0.02,lost@createProduct:0.5,late@POST:1:8000"`.
   * Answering instead of the service: 429, 500, 502, 503, reset (the connection drops before any header), slow (the body
   * trickles out over delayMs). After the service has acted: late (the answer is held back for delayMs, default 5 s of
   * real time), lost (the connection drops before any byte of the answer). A target limits a fault to one operationId
   * or HTTP method. @default none
   */
  faults?: string | FaultSpec[];
  /**
   * Lifetime of the SAS URLs handed out (upload and download links), in minutes of sandbox time: at speed 60,
   * `sasLifetime: 5` gives URLs that expire after 5 real seconds, so that clients can rehearse expiry. A fresh GET of
   * the submission hands out fresh URLs. @default one hour of real time (60 × speed), whatever the speed
   */
  sasLifetime?: number;
  /** Seed of the fault PRNG: the same seed and request sequence give the same faults. @default 1 */
  seed?: number;
  /** `embedded` starts an Azurite on loopback and stops it with the sandbox; or pass a running one. @default 'embedded' */
  azurite?: 'embedded' | AzuriteHandle;
  /** Scenario failures, e.g. `{ validation: true }` makes every submission fail packageInfoValidation. */
  failures?: SandboxFailures;
  /** The only bearer token accepted. @default any non-empty bearer token */
  token?: string;
  /**
   * Play Microsoft Entra ID too, on its own https origin (see {@link Sandbox.entra}). `true` starts an open one that
   * signs in any client; with `applications`, only those sign in and the API accepts only its tokens. @default false
   */
  entra?: boolean | EntraOptions;
  /** Default page size of list operations (`next_link` paging). @default 50 */
  pageSize?: number;
  /** Wall clock in milliseconds, for tests. @default Date.now */
  now?: () => number;
  /** Called with every response the sandbox sends (e.g. to check them against the spec). */
  onResponse?: (record: ResponseRecord) => void;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT/v2.0/my/hardware`: the base URL for clients. */
  baseUrl: string;
  azurite: AzuriteHandle;
  /** The Entra ID stand-in, when `entra` was asked for: `AZURE_AUTHORITY_HOST` and the CA file to trust. */
  entra?: EntraStandIn;
  /** HTTP requests received so far, faulted ones included. */
  readonly requests: number;
  /** Closes the server and its connections, waits for background work, and stops the embedded Azurite. */
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = new SandboxClock(options.now ?? Date.now, options.speed ?? 1);
  const document = await loadOpenApiDocument();
  const operations = new Map([...operationsOf(document).values()].map((operation) => [operation.operationId, operation.method.toUpperCase()]));
  const faults = parseFaults(options.faults ?? [], operations);
  const { pageSize, sasLifetime } = checkedSettings(options);
  const validator = createRequestValidator(document);

  const ownsAzurite = options.azurite === undefined || options.azurite === 'embedded';
  const azurite = ownsAzurite ? await startAzurite({ persistence: 'disk' }) : (options.azurite as AzuriteHandle);
  // Azurite runs as a child process; an exit hook stops it even when the caller never calls stop().
  const stopAzuriteOnExit = (): void => void azurite.stop();
  if (ownsAzurite) process.once('exit', stopAzuriteOnExit);
  const releaseAzurite = async (): Promise<void> => {
    if (ownsAzurite) {
      process.off('exit', stopAzuriteOnExit);
      await azurite.stop();
    }
  };

  let entra: EntraStandIn | undefined;
  try {
    if (options.entra) {
      // Loaded only when asked for: its crypto and X.509 libraries would slow every `--sandbox` start.
      const { startEntraStandIn } = await import('./entra/index.js');
      entra = await startEntraStandIn(options.entra === true ? {} : options.entra, clock);
    }
    const background = new BackgroundTasks();
    const environment: SandboxEnvironment = {
      store: new SandboxStore(),
      ids: new IdAllocator(),
      clock,
      // Azurite judges expiry by the real clock: sandbox minutes become real milliseconds at the clock's speed.
      blobs: await SandboxBlobs.open(azurite, sasLifetime === undefined ? undefined : (sasLifetime * 60_000) / clock.speed),
      failures: options.failures ?? {},
      pageSize,
      background,
    };
    const server = await startServer(options.port ?? 0, {
      routes: sandboxRoutes(environment),
      validator,
      // Throttling waits scale with the clock too, so a fast demo with faults stays fast; never below the 1 s the header can say.
      retryAfterSeconds: Math.max(1, Math.round(20 / clock.speed)),
      token: options.token,
      ...(entra ? { checkBearer: entra.checkBearer } : {}),
      nextFault: faults.length > 0 ? createFaultInjector(faults, options.seed ?? 1) : undefined,
      onResponse: options.onResponse,
    });
    return sandboxOf(server, background, azurite, entra, releaseAzurite);
  } catch (error) {
    await entra?.stop();
    await releaseAzurite();
    throw error;
  }
}

/** The page size and SAS lifetime asked for, refused when they are not positive. */
function checkedSettings(options: SandboxOptions): { pageSize: number; sasLifetime: number | undefined } {
  const pageSize = options.pageSize ?? 50;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}.`);
  const sasLifetime = options.sasLifetime;
  if (sasLifetime !== undefined && !(Number.isFinite(sasLifetime) && sasLifetime > 0)) {
    throw new RangeError(`sasLifetime must be a positive number of minutes, got ${sasLifetime}.`);
  }
  return { pageSize, sasLifetime };
}

function sandboxRoutes(environment: SandboxEnvironment): Route[] {
  return [
    ...productRoutes(environment),
    ...submissionRoutes(environment),
    ...shippingLabelRoutes(environment),
    ...audienceRoutes(environment),
    ...preprodRoutes(environment),
    ...relationshipRoutes(environment),
  ];
}

/** The running sandbox; its stop closes the server, waits for background work, then stops Entra and the owned Azurite. */
function sandboxOf(
  server: SandboxServer,
  background: BackgroundTasks,
  azurite: AzuriteHandle,
  entra: EntraStandIn | undefined,
  releaseAzurite: () => Promise<void>,
): Sandbox {
  let stopping: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${server.port}/v2.0/my/hardware`,
    azurite,
    ...(entra ? { entra } : {}),
    get requests() {
      return server.requests;
    },
    stop() {
      stopping ??= (async () => {
        try {
          await server.close();
          await background.settled();
        } finally {
          await entra?.stop();
          await releaseAzurite();
        }
      })();
      return stopping;
    },
  };
}
