/**
 * The whole driver-signing flow in one call (reference section 5): preflight, product, submission, upload, commit,
 * wait, download, and optionally a shipping label. Each step is a function of its own (`steps/`), which the CLI's
 * step commands call too. Every outcome is recorded in a state file before the run goes on, and every create is
 * recorded as an intent before it is sent, so a rerun after a crash, a kill, a cancelled CI job or a timeout
 * continues where the run stopped: nothing is created twice, an uploaded package is not sent again, and a commit is
 * only sent after reading that the submission is still pending.
 */
import { resolve } from 'node:path';
import type { Int64Id } from '../client/ids.js';
import type { NewProduct } from '../client/resources/products.js';
import type { NewSubmission } from '../client/resources/submissions.js';
import { assertPreflight, type PreflightOptions } from '../package/preflight.js';
import { SigningRun, type SigningRunOptions } from './signing-run.js';
import { commitStep } from './steps/commit.js';
import { downloadStep } from './steps/download.js';
import { ensureProduct } from './steps/product.js';
import { shippingLabelStep, type SignDriverLabelOptions } from './steps/shipping-label.js';
import { defaultSubmissionName, ensureSubmission } from './steps/submission.js';
import { uploadStep } from './steps/upload.js';
import { waitStep } from './steps/wait.js';
import type { UploadPackageOptions } from './upload.js';

export type { SignDriverLabelOptions } from './steps/shipping-label.js';

/** `signDriver`'s options: the run's own (`SigningRunOptions`: client, package, outDir, state file, timing) and the flow's. */
export interface SignDriverOptions extends SigningRunOptions {
  /** Creates this product (step 2). Give this or `productId`. */
  product?: NewProduct;
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
  /** Create a shipping label from the signed submission's driver metadata (step 8). */
  label?: SignDriverLabelOptions;
  /** @default the harness the package's extension implies */
  preflight?: PreflightOptions;
  /** Block size and parallelism of the upload (see `uploadPackage`). */
  upload?: Pick<UploadPackageOptions, 'maxSingleShotSize' | 'blockSize' | 'concurrency'>;
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
 * @throws DirectoryError before anything is sent, when the output folder cannot be created or written.
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
  // 1. Preflight, before anything else: minutes of upload and hours of processing are not spent on a package the
  // service will reject, and a missing file, a device or a pipe is refused before the output folder is touched.
  const emit = options.onProgress ?? (() => undefined);
  options.signal?.throwIfAborted();
  emit({ kind: 'step', step: 'preflight', status: 'started' });
  const preflight = await assertPreflight(resolve(options.package), options.preflight);
  emit({ kind: 'step', step: 'preflight', status: 'completed', detail: `${preflight.kind}, ${preflight.infFiles.length} INF file${preflight.infFiles.length === 1 ? '' : 's'}` });

  const run = await SigningRun.open(options, preflight.size);
  try {
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
