/**
 * The whole driver-signing flow in one call (reference section 5): preflight, product, submission, upload, commit,
 * wait, download, and optionally a shipping label. Each step is a function of its own (`steps/`), which the CLI's
 * step commands call too. Every outcome is recorded in a state file before the run goes on, and every create is
 * recorded as an intent before it is sent, so a rerun after a crash, a kill, a cancelled CI job or a timeout
 * continues where the run stopped: nothing is created twice, an uploaded package is not sent again, and a commit is
 * only sent after reading that the submission is still pending.
 */
import type { Int64Id } from '../client/ids.js';
import type { NewProduct } from '../client/resources/products.js';
import type { NewSubmission } from '../client/resources/submissions.js';
import { assertPreflight, type PreflightOptions } from '../package/preflight.js';
import type { SignDriverProgressEvent } from './progress.js';
import { SigningRun, type SigningRunOptions } from './signing-run.js';
import { commitStep } from './steps/commit.js';
import { downloadStep } from './steps/download.js';
import { ensureProduct } from './steps/product.js';
import { shippingLabelStep, type SignDriverLabelOptions } from './steps/shipping-label.js';
import { defaultSubmissionName, ensureSubmission } from './steps/submission.js';
import { uploadStep } from './steps/upload.js';
import { waitStep } from './steps/wait.js';
import type { UploadPackageOptions } from './upload.js';
import type { WaitOptions } from './wait.js';

export type { SignDriverLabelOptions } from './steps/shipping-label.js';

export interface SignDriverOptions extends SigningRunOptions {
  /** Path of the package: an EV-signed `.cab` for attestation, or an `.hlkx`/`.hckx`. */
  package: string;
  /** Creates this product (step 2). Give this or `productId`. */
  product?: NewProduct;
  /** Uses an existing product. Give this or `product`. */
  productId?: string;
  /**
   * The submission's name. It is fixed when the run first starts: a rerun keeps looking for the name its state file
   * records.
   * @default the package's name and the minute the run first started, e.g. `contoso 2026-12-07 14:03`
   */
  submissionName?: string;
  /**
   * `derived` needs an existing initial submission of the product.
   * @default 'initial'
   */
  submissionType?: NewSubmission['type'];
  /** Folder for the signed package, the driver metadata and (by default) the state file. */
  outDir: string;
  /** Create a shipping label from the signed submission's driver metadata (step 8). */
  label?: SignDriverLabelOptions;
  /**
   * Where completed steps are recorded. `false` keeps no record: a rerun then starts a new submission.
   * @default `<outDir>/.hwdash-state.json`
   */
  stateFile?: string | false;
  /** @default the harness the package's extension implies */
  preflight?: PreflightOptions;
  /** Block size and parallelism of the upload (see `uploadPackage`). */
  upload?: Pick<UploadPackageOptions, 'maxSingleShotSize' | 'blockSize' | 'concurrency'>;
  /** Cancels the run. Completed steps stay recorded, a partial download is kept for the rerun to resume. */
  signal?: AbortSignal;
  onProgress?: (event: SignDriverProgressEvent) => void;
  /**
   * How long the service may take to carry out a create (product, submission, shipping label): the create request's
   * timeout, and how long a rerun waits for an earlier attempt's create to show before it concludes "not created".
   * @default 600000 (10 minutes; SDCM issue #43 saw a product take over 5)
   */
  createTimeoutMs?: number;
  /** @default 5000 (see `waitForSubmission`) */
  pollIntervalMs?: number;
  /** Overall limit of each wait (the submission's, then the label's). @default the wait's own default */
  timeoutMs?: number;
  /** Replaces the wait's timer, for tests. */
  sleep?: WaitOptions['sleep'];
  /** Replaces the wait's clock, for tests. */
  now?: WaitOptions['now'];
}

export interface SignDriverResult {
  productId: Int64Id;
  submissionId: Int64Id;
  /** Absolute path of the signed package. */
  signedPackagePath: string;
  /** Absolute path of the driver metadata file. */
  driverMetadataPath: string;
  shippingLabelId?: Int64Id;
  /** What was uploaded (recorded when it was, so also on a resumed run). */
  upload: { size: number; sha256: string };
  /** A state file from an earlier run was found and continued. */
  resumed: boolean;
  /** The state file, unless `stateFile: false`. */
  stateFile?: string;
}

/**
 * Signs a driver package end to end and leaves the signed package and driver metadata in `outDir`.
 *
 * @throws PackageFileError, DirectoryError before anything is sent, when the package or the folder cannot be used.
 * @throws StateLockedError when another run uses the same state file.
 * @throws PreflightError before anything is sent, when the package would be rejected.
 * @throws StateFileError when the state file is damaged or belongs to another package, product or service.
 * @throws WorkflowFailedError when the service fails the submission or the label, with its messages.
 * @throws WorkflowTimeoutError when a wait runs out of time; rerun to keep waiting on the same submission.
 */
export async function signDriver(options: SignDriverOptions): Promise<SignDriverResult> {
  if ((options.product === undefined) === (options.productId === undefined)) {
    throw new TypeError('signDriver needs exactly one of `product` (to create one) and `productId` (to use an existing one).');
  }
  const run = await SigningRun.open(options);
  try {
    // 1. Preflight: minutes of upload and hours of processing are not spent on a package the service will reject.
    run.started('preflight');
    const preflight = await assertPreflight(run.packagePath, options.preflight);
    run.completed('preflight', `${preflight.kind}, ${preflight.infFiles.length} INF file${preflight.infFiles.length === 1 ? '' : 's'}`);

    await ensureProduct(run, options.product);
    const name = options.submissionName ?? defaultSubmissionName(run);
    const created = await ensureSubmission(run, { name, type: options.submissionType ?? 'initial' });
    await uploadStep(run, created, options.upload);
    await commitStep(run, created !== undefined);
    const signed = await waitStep(run);
    await downloadStep(run, signed);
    await shippingLabelStep(run, options.label, name);
    return result(run);
  } finally {
    await run.close();
  }
}

function result(run: SigningRun): SignDriverResult {
  const { state } = run;
  return {
    productId: state.productId!,
    submissionId: state.submissionId!,
    signedPackagePath: state.downloaded!.signedPackage,
    driverMetadataPath: state.downloaded!.driverMetadata,
    ...(state.shippingLabelId === undefined ? {} : { shippingLabelId: state.shippingLabelId }),
    upload: state.upload!,
    resumed: run.resumed,
    ...(run.statePath ? { stateFile: run.statePath } : {}),
  };
}
