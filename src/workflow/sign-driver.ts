/**
 * The whole driver-signing flow in one call (reference section 5): preflight, product, submission, upload, commit,
 * wait, download, and optionally a shipping label. Each completed step is recorded in a state file, so a rerun
 * after a crash, a cancelled CI job or a timeout continues with the same submission: nothing is created twice, an
 * uploaded package is not sent again, and a commit is only sent after reading that the submission is still pending.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { HdcClient } from '../client/client.js';
import { InvalidStateError } from '../client/errors/invalid-state-error.js';
import { MalformedResponseError } from '../client/errors/malformed-response-error.js';
import { toId, type IdInput, type Int64Id } from '../client/ids.js';
import type { NewProduct } from '../client/resources/products.js';
import type { ShippingLabel } from '../client/resources/shipping-labels.js';
import type { NewSubmission, Submission } from '../client/resources/submissions.js';
import { downloadSubmissionArtifacts } from './artifacts.js';
import { assertPreflight, type PreflightOptions } from '../package/preflight.js';
import type { SignDriverProgressEvent, SignDriverStep } from './progress.js';
import { shippingLabelFromMetadata, type ShippingLabelFromMetadataOptions } from './shipping-label-from-metadata.js';
import type { DriverMetadataFile } from './shipping-label-rules.js';
import { STATE_FILE_VERSION, assertStateMatches, defaultStateFilePath, readStateFile, writeStateFile, type SignDriverState } from './state-file.js';
import { uploadPackage, type UploadPackageOptions } from './upload.js';
import { waitForShippingLabel, waitForSubmission, type WaitOptions } from './wait.js';
import { downloadItem } from '../client/vocabulary.js';

/** How the shipping label is built from the downloaded driver metadata, plus whether to wait for its workflow. */
export type SignDriverLabelOptions = ShippingLabelFromMetadataOptions & {
  /**
   * Wait for the label's workflow (Microsoft approval for Windows Update, finalized sharing for another partner).
   * @default false
   */
  wait?: boolean;
};

export interface SignDriverOptions {
  client: HdcClient;
  /** Path of the package: an EV-signed `.cab` for attestation, or an `.hlkx`/`.hckx`. */
  package: string;
  /** Creates this product (step 2). Give this or `productId`. */
  product?: NewProduct;
  /** Uses an existing product. Give this or `product`. */
  productId?: IdInput;
  submissionName: string;
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
  /** Cancels the run. Completed steps stay recorded, no partial download is left, and a rerun resumes. */
  signal?: AbortSignal;
  onProgress?: (event: SignDriverProgressEvent) => void;
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

/** `commitStatus` values meaning the service has the commit (any case; older docs' spellings included). */
const COMMITTED_STATUSES = new Set(['commitreceived', 'commitcomplete', 'commitcompleted', 'commitstarted']);

/**
 * Signs a driver package end to end and leaves the signed package and driver metadata in `outDir`.
 *
 * @throws PreflightError before anything is sent, when the package would be rejected.
 * @throws StateFileError when the state file is damaged or belongs to another package, product or service.
 * @throws WorkflowFailedError when the service fails the submission or the label, with its messages.
 * @throws WorkflowTimeoutError when a wait runs out of time; rerun to keep waiting on the same submission.
 */
export async function signDriver(options: SignDriverOptions): Promise<SignDriverResult> {
  const { client, signal } = options;
  const emit = options.onProgress ?? (() => undefined);
  const call = { signal };
  const packagePath = resolve(options.package);
  const outDir = resolve(options.outDir);
  const statePath = options.stateFile === false ? undefined : resolve(options.stateFile ?? defaultStateFilePath(outDir));
  const requestedProductId = options.productId === undefined ? undefined : toId('productId', options.productId);
  if ((options.product === undefined) === (requestedProductId === undefined)) {
    throw new TypeError('signDriver needs exactly one of `product` (to create one) and `productId` (to use an existing one).');
  }
  const waitOptions: WaitOptions = {
    signal,
    onEvent: emit,
    pollIntervalMs: options.pollIntervalMs,
    timeoutMs: options.timeoutMs,
    sleep: options.sleep,
    now: options.now,
  };
  const started = (step: SignDriverStep): void => emit({ kind: 'step', step, status: 'started' });
  const completed = (step: SignDriverStep, detail?: string): void => emit({ kind: 'step', step, status: 'completed', ...(detail ? { detail } : {}) });
  const skipped = (step: SignDriverStep, detail: string): void => emit({ kind: 'step', step, status: 'skipped', detail });

  // 1. Preflight: minutes of upload and hours of processing are not spent on a package the service will reject.
  signal?.throwIfAborted();
  started('preflight');
  const preflight = await assertPreflight(packagePath, options.preflight);
  completed('preflight', `${preflight.kind}, ${preflight.infFiles.length} INF file${preflight.infFiles.length === 1 ? '' : 's'}`);

  const previous = statePath ? await readStateFile(statePath) : undefined;
  if (previous && statePath) {
    await assertStateMatches(statePath, previous, {
      apiBaseUrl: client.baseUrl,
      package: { path: packagePath, size: preflight.size },
      productId: requestedProductId,
    });
  }
  const state: SignDriverState = previous ?? {
    version: STATE_FILE_VERSION,
    apiBaseUrl: client.baseUrl,
    package: { path: packagePath, size: preflight.size },
    updatedAt: '',
  };
  const record = async (done: Partial<SignDriverState>): Promise<void> => {
    Object.assign(state, done);
    if (statePath) await writeStateFile(statePath, state);
  };

  // 2. Product.
  signal?.throwIfAborted();
  if (state.productId !== undefined) {
    skipped('createProduct', `product ${state.productId} (from the state file)`);
  } else if (requestedProductId !== undefined) {
    await record({ productId: requestedProductId });
    skipped('createProduct', `using product ${requestedProductId}`);
  } else {
    started('createProduct');
    const product = await client.products.create(options.product!, call);
    await record({ productId: product.id, productCreated: true });
    completed('createProduct', `product ${product.id}`);
  }
  const productId = state.productId!;

  // 3. Submission. `submission` is set when this run has read it, and so holds a fresh upload URL.
  signal?.throwIfAborted();
  let submission: Submission | undefined;
  if (state.submissionId !== undefined) {
    skipped('createSubmission', `submission ${state.submissionId} (from the state file)`);
  } else {
    started('createSubmission');
    submission = await createSubmission(client, state, productId, { name: options.submissionName, type: options.submissionType ?? 'initial' }, signal);
    await record({ submissionId: submission.id });
    completed('createSubmission', `submission ${submission.id}`);
  }
  const submissionId = state.submissionId!;
  const createdThisRun = submission !== undefined;
  const readSubmission = (readSignal: AbortSignal | undefined = signal) => client.submissions.get(productId, submissionId, { signal: readSignal });

  // 4. Upload.
  signal?.throwIfAborted();
  if (state.upload) {
    skipped('upload', `${state.upload.size} bytes, SHA-256 ${state.upload.sha256} (from the state file)`);
  } else {
    started('upload');
    submission ??= await readSubmission();
    if (isCommitted(submission.commitStatus)) {
      throw new InvalidStateError(
        `Submission ${submissionId} is already committed (${submission.commitStatus}), but the state file ${statePath} has no record of its upload. Delete the state file to start a new submission.`,
        { code: 'RequestInvalidForCurrentState' },
      );
    }
    const file = basename(packagePath);
    const uploaded = await uploadPackage({
      file: packagePath,
      sasUrl: initialPackageUrl(submission),
      // An expired URL is replaced by the one a fresh read of the submission carries.
      refreshSasUrl: async (refreshSignal) => initialPackageUrl(await readSubmission(refreshSignal)),
      maxSingleShotSize: options.upload?.maxSingleShotSize,
      blockSize: options.upload?.blockSize,
      concurrency: options.upload?.concurrency,
      signal,
      onProgress: ({ loadedBytes, totalBytes }) => emit({ kind: 'upload', loadedBytes, totalBytes, file }),
    });
    await record({ upload: { size: uploaded.size, sha256: uploaded.sha256 } });
    completed('upload', `${uploaded.size} bytes, SHA-256 ${uploaded.sha256}`);
  }

  // 5. Commit. A submission from an earlier run may have been committed just before that run stopped: read first.
  signal?.throwIfAborted();
  if (state.committed) {
    skipped('commit', 'committed (from the state file)');
  } else {
    const current = createdThisRun ? undefined : await readSubmission();
    if (current && isCommitted(current.commitStatus)) {
      await record({ committed: true });
      skipped('commit', `the service already has the commit (${current.commitStatus})`);
    } else {
      started('commit');
      const outcome = await client.submissions.commit(productId, submissionId, call);
      await record({ committed: true });
      completed('commit', outcome.verified ? `verified by reading commitStatus ${outcome.commitStatus}` : undefined);
    }
  }

  // 6. Wait for the signed package and the driver metadata, which can arrive after it.
  signal?.throwIfAborted();
  let signed: Submission | undefined;
  if (state.signed) {
    skipped('wait', 'signed (from the state file)');
  } else {
    started('wait');
    signed = await waitForSubmission(client, productId, submissionId, { ...waitOptions, until: 'driverMetadata' });
    await record({ signed: true });
    completed('wait');
  }

  // 7. Download.
  signal?.throwIfAborted();
  if (state.downloaded && (await filesExist(state.downloaded.signedPackage, state.downloaded.driverMetadata))) {
    skipped('download', `${state.downloaded.signedPackage} and ${state.downloaded.driverMetadata} (from the state file)`);
  } else {
    started('download');
    // Download URLs are SAS URLs that expire: a submission read in an earlier run has stale ones.
    signed ??= await readSubmission();
    const results = await downloadSubmissionArtifacts(client, signed, {
      outDir,
      items: ['signedPackage', 'driverMetadata'],
      signal,
      onProgress: emit,
    });
    const pathOf = (type: string): string => {
      const result = results.find((candidate) => candidate.type === type);
      if (result?.status !== 'downloaded') throw new Error(`${type} was not downloaded`);
      return result.path;
    };
    const downloaded = { signedPackage: pathOf('signedPackage'), driverMetadata: pathOf('driverMetadata') };
    await record({ downloaded });
    completed('download', `${downloaded.signedPackage}, ${downloaded.driverMetadata}`);
  }
  const downloaded = state.downloaded!;

  // 8. Shipping label.
  signal?.throwIfAborted();
  if (!options.label) {
    skipped('shippingLabel', 'no shipping label asked for');
  } else if (state.shippingLabelId !== undefined && (state.shippingLabelCompleted || !options.label.wait)) {
    skipped('shippingLabel', `shipping label ${state.shippingLabelId} (from the state file)`);
  } else {
    const { wait, ...labelOptions } = options.label;
    started('shippingLabel');
    let shippingLabelId = state.shippingLabelId;
    if (shippingLabelId === undefined) {
      const metadata = JSON.parse(await readFile(downloaded.driverMetadata, 'utf8')) as DriverMetadataFile;
      const body = shippingLabelFromMetadata(metadata, labelOptions);
      // A label created just before an earlier run stopped has this name on this submission: use it, don't add one.
      const existing = previous && body.name ? await findShippingLabel(client, productId, submissionId, body.name, signal) : undefined;
      shippingLabelId = (existing ?? (await client.shippingLabels.create(productId, submissionId, body, call))).id;
      await record({ shippingLabelId });
    }
    if (wait) {
      await waitForShippingLabel(client, productId, submissionId, shippingLabelId, waitOptions);
      await record({ shippingLabelCompleted: true });
    }
    completed('shippingLabel', `shipping label ${shippingLabelId}`);
  }

  return {
    productId,
    submissionId,
    signedPackagePath: downloaded.signedPackage,
    driverMetadataPath: downloaded.driverMetadata,
    ...(state.shippingLabelId === undefined ? {} : { shippingLabelId: state.shippingLabelId }),
    upload: state.upload!,
    resumed: previous !== undefined,
    ...(statePath ? { stateFile: statePath } : {}),
  };
}

/**
 * Creates the submission. A product has only one initial submission, so when this run's own product already has one,
 * it is the submission an earlier run created just before it stopped (before it could record it): use it.
 */
async function createSubmission(
  client: HdcClient,
  state: SignDriverState,
  productId: Int64Id,
  body: NewSubmission,
  signal: AbortSignal | undefined,
): Promise<Submission> {
  try {
    return await client.submissions.create(productId, body, { signal });
  } catch (error) {
    if (!(error instanceof InvalidStateError) || !state.productCreated || body.type !== 'initial') throw error;
    for await (const existing of client.submissions.list(productId, { signal })) {
      if (existing.type?.toLowerCase() === 'initial' && existing.name === body.name) return await client.submissions.get(productId, existing.id, { signal });
    }
    throw error;
  }
}

async function findShippingLabel(
  client: HdcClient,
  productId: Int64Id,
  submissionId: Int64Id,
  name: string,
  signal: AbortSignal | undefined,
): Promise<ShippingLabel | undefined> {
  for await (const label of client.shippingLabels.list(productId, submissionId, { signal, includeTargetingInfo: false })) {
    if (label.name === name) return label;
  }
  return undefined;
}

function isCommitted(commitStatus: string | null | undefined): boolean {
  return COMMITTED_STATUSES.has(commitStatus?.toLowerCase() ?? '');
}

function initialPackageUrl(submission: Submission): string {
  const url = downloadItem(submission.downloads, 'initialPackage')?.url;
  if (!url) {
    throw new MalformedResponseError(`Submission ${submission.id} has no initialPackage download item, so there is no URL to upload the package to.`, {
      code: 'MissingUploadUrl',
    });
  }
  return url;
}

async function filesExist(...paths: string[]): Promise<boolean> {
  const found = await Promise.all(paths.map((path) => stat(path).then((info) => info.isFile(), () => false)));
  return found.every(Boolean);
}
