/**
 * Uploading a driver package to the submission's `initialPackage` SAS URL as an Azure block blob.
 *
 * Packages up to `maxSingleShotSize` go as one streamed Put Blob, as the storage SDK's `uploadFile` does: one
 * request, the file read once in order (which gives its SHA-256, when asked). Larger packages are read in order (for
 * each block's MD5, which the service verifies, and the SHA-256) while up to `concurrency` blocks are staged in parallel, each
 * streamed from the file as it is sent; memory stays at a few MiB of stream buffers whatever the file and block
 * size, and an expired URL resumes from the blocks already staged.
 * Every failure is an error: the storage SDK's convenience uploads can report success after a failed block, which
 * must never happen here.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { BlockUpload } from './block-upload.js';
import { describeBlobFailure } from './blob-storage.js';
import { FileRangeBody } from './file-range-body.js';
import { freshTarget, uploadFailure, uploadTarget, type UploadTarget } from './upload-target.js';
import { UploadError } from './upload-error.js';

export interface UploadProgress {
  /** Bytes the storage service has received so far; never decreases. */
  loadedBytes: number;
  totalBytes: number;
}

export interface UploadPackageOptions {
  /** Path of the package (`.cab`, `.hlkx`, `.hckx`). */
  file: string;
  /** The submission's `initialPackage` URL (`downloads.items[type=initialPackage].url`). */
  sasUrl: string;
  /**
   * Returns a fresh upload URL when the current one expires mid-upload, typically by reading the submission
   * again. The upload resumes from the blocks already staged above `maxSingleShotSize`, and restarts its single
   * Put Blob below it, as the storage SDK does. Without it, an expired URL fails the upload. The signal it gets is
   * aborted when the upload is.
   */
  refreshSasUrl?: (signal: AbortSignal) => Promise<string>;
  /**
   * Packages up to this size are sent as one streamed Put Blob (fastest, one request; restarted as a whole after
   * a failure); larger ones as blocks. The same option and limit as the storage SDK's `uploadFile`: at most
   * 256 MiB, 0 always uses blocks.
   * @default 256 MiB
   */
  maxSingleShotSize?: number;
  /**
   * Bytes per block, for packages above `maxSingleShotSize`. Raised automatically when the file would need more than Azure's 50,000 blocks.
   * @default 8 MiB
   */
  blockSize?: number;
  /**
   * Blocks in flight at once. Each is streamed from the file, so memory does not grow with it.
   * @default 4
   */
  concurrency?: number;
  onProgress?: (progress: UploadProgress) => void;
  /** Aborting cancels the requests in flight and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Also compute the SHA-256 of the bytes sent, e.g. to recognise the package on a rerun (the signing flow does). It is
   * computed on the thread that sends the bytes: about a seventh of a single Put Blob to a loopback emulator.
   * @default false
   */
  sha256?: boolean;
}

export interface UploadPackageResult {
  size: number;
  /** SHA-256 of the bytes read from the file, lowercase hex: with `sha256: true`. */
  sha256?: string;
  /** Blocks committed; 0 when the package went as a single Put Blob. */
  blockCount: number;
  /** Blocks that were already staged when the URL was refreshed, and so were not sent again. */
  resumedBlocks: number;
}

export const DEFAULT_UPLOAD_BLOCK_SIZE = 8 * 1024 * 1024;
export const DEFAULT_UPLOAD_CONCURRENCY = 4;
/** The storage SDK's limit for a single-shot upload (`BLOCK_BLOB_MAX_UPLOAD_BLOB_BYTES`), and our default. */
export const MAX_SINGLE_SHOT_SIZE = 256 * 1024 * 1024;
/** Azure's limits for a block blob. */
const MAX_BLOCKS = 50_000;
const MAX_BLOCK_SIZE = 4000 * 1024 * 1024;
const MIB = 1024 * 1024;


/**
 * Uploads `file` to the SAS URL as a block blob, resuming across URL refreshes, and returns its size (and SHA-256 with
 * `sha256: true`).
 */
export async function uploadPackage(options: UploadPackageOptions & { sha256: true }): Promise<UploadPackageResult & { sha256: string }>;
export async function uploadPackage(options: UploadPackageOptions): Promise<UploadPackageResult>;
export async function uploadPackage(options: UploadPackageOptions): Promise<UploadPackageResult> {
  const concurrency = options.concurrency ?? DEFAULT_UPLOAD_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const requestedBlockSize = options.blockSize ?? DEFAULT_UPLOAD_BLOCK_SIZE;
  if (!Number.isInteger(requestedBlockSize) || requestedBlockSize < 1 || requestedBlockSize > MAX_BLOCK_SIZE) {
    throw new RangeError(`blockSize must be an integer from 1 to ${MAX_BLOCK_SIZE} bytes, got ${requestedBlockSize}`);
  }
  const maxSingleShotSize = options.maxSingleShotSize ?? MAX_SINGLE_SHOT_SIZE;
  if (!Number.isInteger(maxSingleShotSize) || maxSingleShotSize < 0 || maxSingleShotSize > MAX_SINGLE_SHOT_SIZE) {
    throw new RangeError(`maxSingleShotSize must be an integer from 0 to ${MAX_SINGLE_SHOT_SIZE} bytes, got ${maxSingleShotSize}`);
  }
  options.signal?.throwIfAborted();
  const target = await uploadTarget(options.sasUrl, options.file);

  let handle: FileHandle;
  try {
    handle = await open(options.file, 'r');
  } catch (cause) {
    throw new UploadError(`Cannot read the package ${options.file}: ${(cause as Error).message}`, { file: options.file, cause });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UploadError(`The package ${options.file} is not a regular file.`, { file: options.file });
    if (stats.size === 0) {
      throw new UploadError(`The package ${options.file} is empty; build the package before uploading it.`, { file: options.file });
    }
    if (stats.size <= maxSingleShotSize) return await new SingleShotUpload(handle, stats.size, target, options).run();
    // Azure allows 50,000 blocks per blob; bigger files get bigger blocks, in whole MiB.
    const smallestBlock = Math.ceil(stats.size / MAX_BLOCKS);
    const blockSize = requestedBlockSize >= smallestBlock ? requestedBlockSize : Math.ceil(smallestBlock / MIB) * MIB;
    if (blockSize > MAX_BLOCK_SIZE) {
      throw new UploadError(`The package ${options.file} (${stats.size} bytes) exceeds the largest block blob Azure accepts.`, { file: options.file });
    }
    const upload = new BlockUpload(handle, stats.size, blockSize, concurrency, target, options);
    return await upload.run();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw error;
  } finally {
    await handle.close();
  }
}

/**
 * One Put Blob of the whole package, streamed from the file. The storage SDK retries it with a fresh body from the
 * factory; an expired URL is refreshed once and the request restarted.
 */
class SingleShotUpload {
  readonly #abort = new AbortController();
  readonly #signal: AbortSignal;
  #target: UploadTarget;
  #loaded = 0;
  #body: FileRangeBody | undefined;
  #hash: Hash | undefined;
  #readFailure: UploadError | undefined;

  constructor(
    readonly handle: FileHandle,
    readonly size: number,
    target: UploadTarget,
    readonly options: UploadPackageOptions,
  ) {
    this.#target = target;
    this.#signal = options.signal ? AbortSignal.any([options.signal, this.#abort.signal]) : this.#abort.signal;
  }

  async run(): Promise<UploadPackageResult> {
    let refreshed = false;
    try {
      for (;;) {
        try {
          await this.#target.client.upload(() => this.#newBody(), this.size, {
            abortSignal: this.#signal,
            blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
            onProgress: ({ loadedBytes }) => this.#reportProgress(loadedBytes),
          });
        } catch (error) {
          if (this.#readFailure) throw this.#readFailure;
          if (this.#signal.aborted) throw error;
          const failure = describeBlobFailure(error);
          // A fresh URL refused at once is not the expiry that a refresh fixes.
          if (!failure.urlRejected || !this.options.refreshSasUrl || refreshed) {
            throw uploadFailure(error, this.options.file, this.#target.url, 'PUT', refreshed ? 'The refreshed upload URL was rejected as well' : undefined);
          }
          this.#target = await freshTarget(this.options, this.#signal);
          refreshed = true;
          continue;
        }
        const body = this.#body!;
        if (!body.complete) throw new UploadError(`The package ${this.options.file} was not read to its end during the upload.`, { file: this.options.file });
        this.#reportProgress(this.size);
        return { size: this.size, ...(this.#hash ? { sha256: this.#hash.digest('hex') } : {}), blockCount: 0, resumedBlocks: 0 };
      }
    } finally {
      this.#body?.destroy();
    }
  }

  /** A body for the next attempt; the previous one is finished with (attempts never overlap). */
  #newBody(): FileRangeBody {
    this.#body?.destroy();
    this.#hash = this.options.sha256 ? createHash('sha256') : undefined;
    this.#body = new FileRangeBody(
      this.handle,
      0,
      this.size,
      this.options.file,
      (error) => {
        // The SDK would retry a body that failed to read; stop it instead and report the file's problem.
        this.#readFailure ??= error;
        this.#abort.abort();
      },
      this.#hash,
    );
    return this.#body;
  }

  #reportProgress(loadedBytes: number): void {
    const bytes = Math.min(loadedBytes, this.size);
    if (bytes <= this.#loaded) return;
    this.#loaded = bytes;
    this.options.onProgress?.({ loadedBytes: bytes, totalBytes: this.size });
  }
}
