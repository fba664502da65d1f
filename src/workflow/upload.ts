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
import type { BlockBlobClient } from '@azure/storage-blob';
import { redactUrl } from '../client/redact.js';
import { blobPipeline, describeBlobFailure, parseSasUrl, storageSdk } from './blob-storage.js';
import { FileRangeBody } from './file-range-body.js';
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
 * Block IDs are the block's index, fixed width (Azure requires equal lengths within a blob), so that after a URL
 * refresh the blocks already on the service can be recognised.
 */
export function uploadBlockId(index: number): string {
  return Buffer.from(`block-${String(index).padStart(6, '0')}`).toString('base64');
}

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

interface UploadTarget {
  url: string;
  client: BlockBlobClient;
}

async function uploadTarget(sasUrl: string, file: string): Promise<UploadTarget> {
  const parsed = parseSasUrl(sasUrl);
  if ('problem' in parsed) {
    throw new UploadError(`The upload URL ${redactUrl(sasUrl)} ${parsed.problem}.`, { file, request: { method: 'PUT', url: sasUrl } });
  }
  const { BlockBlobClient } = await storageSdk();
  return { url: sasUrl, client: new BlockBlobClient(parsed.url.toString(), await blobPipeline()) };
}

/** Asks the caller for a fresh upload URL after the current one was refused. */
async function freshTarget(options: UploadPackageOptions, signal: AbortSignal): Promise<UploadTarget> {
  let url: string;
  try {
    url = await options.refreshSasUrl!(signal);
  } catch (cause) {
    if (signal.aborted) throw cause;
    throw new UploadError(`The upload URL expired and getting a fresh one failed: ${(cause as Error)?.message ?? cause}`, {
      file: options.file,
      cause,
    });
  }
  signal.throwIfAborted();
  return uploadTarget(url, options.file);
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

/** One upload: the blocks' state across URL generations, the bounded staging queue, and the commit. */
class BlockUpload {
  readonly #blockCount: number;
  /** URL generation under which each block was confirmed staged; -1 while it is not. */
  readonly #stagedIn: Int32Array;
  /** Per-block bytes the service has acknowledged, for monotonic progress across retries. */
  readonly #blockProgress: Float64Array;
  readonly #resumed = new Set<number>();
  /** Where blocks are read for hashing, a piece at a time. */
  readonly #readBuffer = Buffer.allocUnsafe(1024 * 1024);
  /** A block that could not be read from the file: that, not the request it broke, is the upload's error. */
  #readFailure: UploadError | undefined;
  readonly #abort = new AbortController();
  readonly #signal: AbortSignal;
  #target: UploadTarget;
  #generation = 0;
  #refreshing: Promise<void> | undefined;
  /** Whether anything succeeded with the current URL; a fresh URL that is refused at once is not refreshed again. */
  #progressSinceRefresh = false;
  #loaded = 0;

  constructor(
    readonly handle: FileHandle,
    readonly size: number,
    readonly blockSize: number,
    readonly concurrency: number,
    target: UploadTarget,
    readonly options: UploadPackageOptions,
  ) {
    this.#target = target;
    this.#blockCount = Math.ceil(size / blockSize);
    this.#stagedIn = new Int32Array(this.#blockCount).fill(-1);
    this.#blockProgress = new Float64Array(this.#blockCount);
    this.#signal = options.signal ? AbortSignal.any([options.signal, this.#abort.signal]) : this.#abort.signal;
  }

  async run(): Promise<UploadPackageResult> {
    const hash = this.options.sha256 ? createHash('sha256') : undefined;
    await this.#stageAll(
      Array.from({ length: this.#blockCount }, (_, index) => index),
      hash && ((chunk) => hash.update(chunk)),
    );
    await this.#commit();
    return { size: this.size, ...(hash ? { sha256: hash.digest('hex') } : {}), blockCount: this.#blockCount, resumedBlocks: this.#resumed.size };
  }

  #blockLength(index: number): number {
    return Math.min(this.blockSize, this.size - index * this.blockSize);
  }

  /**
   * Reads the given blocks in order (for their MD5, and the package's SHA-256) and stages them with at most
   * `concurrency` in flight. The first failure cancels the others; it is thrown once every request has settled, so
   * nothing outlives the call.
   */
  async #stageAll(indexes: number[], onRead?: (chunk: Buffer) => void): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    const fail = (error: unknown): void => {
      failure ??= { error };
      this.#abort.abort();
    };
    for (const index of indexes) {
      while (inFlight.size >= this.concurrency) await Promise.race(inFlight);
      if (failure || this.#signal.aborted) break;
      let md5: Buffer;
      try {
        md5 = await this.#hashBlock(index, onRead);
      } catch (error) {
        fail(error);
        break;
      }
      const task: Promise<void> = this.#stage(index, md5)
        .catch(fail)
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
    if (this.#readFailure) throw this.#readFailure;
    if (failure) throw failure.error;
    this.#signal.throwIfAborted();
  }

  /** Reads block `index` from the file, in order, and returns its MD5; `onRead` gets its bytes too (the SHA-256). */
  async #hashBlock(index: number, onRead?: (chunk: Buffer) => void): Promise<Buffer> {
    const md5 = createHash('md5');
    const start = index * this.blockSize;
    const end = start + this.#blockLength(index);
    for (let position = start; position < end; ) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(this.#readBuffer, 0, Math.min(this.#readBuffer.length, end - position), position));
      } catch (cause) {
        throw new UploadError(`Reading the package ${this.options.file} failed: ${(cause as Error).message}`, { file: this.options.file, cause });
      }
      if (bytesRead === 0) {
        throw new UploadError(`The package ${this.options.file} became shorter while it was being uploaded; upload a file that is not being written to.`, {
          file: this.options.file,
        });
      }
      const chunk = this.#readBuffer.subarray(0, bytesRead);
      md5.update(chunk);
      onRead?.(chunk);
      position += bytesRead;
    }
    return md5.digest();
  }

  /**
   * Stages block `index`. Its bytes are read from the file again as the request sends them (from the page cache, just
   * after the MD5 pass), so that memory stays at a few stream buffers whatever the block size and concurrency; if the
   * file changed in between, the MD5 makes the service refuse the block.
   */
  async #stage(index: number, transactionalContentMD5: Buffer): Promise<void> {
    const start = index * this.blockSize;
    const length = this.#blockLength(index);
    // A fresh stream for every attempt: the storage SDK calls this again when it retries the block.
    const body = () =>
      new FileRangeBody(this.handle, start, length, this.options.file, (error) => {
        this.#readFailure ??= error;
        this.#abort.abort();
      });
    for (;;) {
      const { client } = this.#target;
      const generation = this.#generation;
      try {
        // Put Block with Content-MD5: the service rejects a block damaged in transit instead of storing it. It is
        // also what keeps Azurite fast: without it the emulator computes a CRC64 of every block in JavaScript.
        await client.stageBlock(uploadBlockId(index), body, length, {
          abortSignal: this.#signal,
          transactionalContentMD5,
          onProgress: ({ loadedBytes }) => this.#reportProgress(index, loadedBytes),
        });
      } catch (error) {
        if (this.#readFailure) throw this.#readFailure;
        await this.#recover(error, generation, 'PUT');
        continue;
      }
      this.#stagedIn[index] = generation;
      if (generation === this.#generation) this.#progressSinceRefresh = true;
      this.#reportProgress(index, length);
      return;
    }
  }

  async #commit(): Promise<void> {
    const blockIds = Array.from({ length: this.#blockCount }, (_, index) => uploadBlockId(index));
    for (;;) {
      const generation = this.#generation;
      let method = 'GET';
      try {
        // Blocks acknowledged under an earlier URL after the last check must be confirmed under this one.
        if (this.#stagedIn.some((staged) => staged >= 0 && staged < generation)) {
          await this.#reconcile(this.#target.client, generation);
        }
        const missing = this.#indexesWhere((staged) => staged < 0);
        if (missing.length > 0) await this.#stageAll(missing);
        if (generation !== this.#generation) continue;
        method = 'PUT';
        await this.#target.client.commitBlockList(blockIds, {
          abortSignal: this.#signal,
          blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
        });
        return;
      } catch (error) {
        if (error instanceof UploadError || this.#signal.aborted) throw error;
        await this.#recover(error, generation, method);
      }
    }
  }

  #indexesWhere(predicate: (stagedIn: number) => boolean): number[] {
    const indexes: number[] = [];
    this.#stagedIn.forEach((staged, index) => {
      if (predicate(staged)) indexes.push(index);
    });
    return indexes;
  }

  /**
   * Handles a failed storage call made under URL `generation`: returns when it is worth retrying (the URL was
   * refreshed), throws an UploadError otherwise. Concurrent failures share a single refresh.
   */
  async #recover(error: unknown, generation: number, method: string): Promise<void> {
    if (this.#signal.aborted) throw error;
    const failure = describeBlobFailure(error);
    if (!failure.urlRejected || !this.options.refreshSasUrl) throw this.#uploadError(error, method);
    if (generation !== this.#generation) return;
    this.#refreshing ??= this.#refresh(error).finally(() => {
      this.#refreshing = undefined;
    });
    await this.#refreshing;
  }

  async #refresh(rejection: unknown): Promise<void> {
    if (this.#generation > 0 && !this.#progressSinceRefresh) {
      throw this.#uploadError(rejection, 'PUT', 'The refreshed upload URL was rejected as well');
    }
    const target = await freshTarget(this.options, this.#signal);
    const generation = this.#generation + 1;
    try {
      await this.#reconcile(target.client, generation);
    } catch (error) {
      if (error instanceof UploadError || this.#signal.aborted) throw error;
      this.#target = target;
      throw this.#uploadError(error, 'GET', 'Listing the blocks already uploaded failed after the upload URL was refreshed');
    }
    this.#target = target;
    this.#generation = generation;
    this.#progressSinceRefresh = false;
  }

  /**
   * Asks the service which blocks it holds: those staged earlier with the right size are kept (and counted as
   * resumed), the others are marked for staging again. Only blocks this upload staged itself are trusted.
   */
  async #reconcile(client: BlockBlobClient, generation: number): Promise<void> {
    // With no block staged yet the blob does not exist, and listing its blocks would fail with BlobNotFound.
    if (!this.#stagedIn.some((staged) => staged >= 0 && staged < generation)) return;
    const list = await client.getBlockList('uncommitted', { abortSignal: this.#signal });
    const sizes = new Map((list.uncommittedBlocks ?? []).map((block) => [block.name, block.size]));
    for (let index = 0; index < this.#blockCount; index++) {
      const staged = this.#stagedIn[index]!;
      if (staged < 0 || staged >= generation) continue;
      if (sizes.get(uploadBlockId(index)) === this.#blockLength(index)) {
        this.#stagedIn[index] = generation;
        this.#resumed.add(index);
      } else {
        this.#stagedIn[index] = -1;
      }
    }
  }

  #reportProgress(index: number, blockBytes: number): void {
    const previous = this.#blockProgress[index]!;
    const bytes = Math.min(blockBytes, this.#blockLength(index));
    if (bytes <= previous) return;
    this.#blockProgress[index] = bytes;
    this.#loaded += bytes - previous;
    this.options.onProgress?.({ loadedBytes: this.#loaded, totalBytes: this.size });
  }

  #uploadError(error: unknown, method: string, context?: string): UploadError {
    return uploadFailure(error, this.options.file, this.#target.url, method, context);
  }
}

/** A failed storage call as an UploadError, with advice for the cases a caller can fix and the signature redacted. */
function uploadFailure(error: unknown, file: string, url: string, method: string, context?: string): UploadError {
  const failure = describeBlobFailure(error);
  let advice = '';
  if (failure.urlRejected) {
    advice = ' The upload URL has expired or its signature is invalid: read the submission again for a fresh initialPackage URL and upload again.';
  } else if (failure.status === 403) {
    advice = ' The upload URL does not allow writing this blob: use the submission’s initialPackage URL.';
  } else if (failure.status === 404) {
    advice = ' The container or blob of the upload URL does not exist: use the submission’s current initialPackage URL.';
  }
  const what = context ?? `Uploading ${file} to ${redactUrl(url)} failed`;
  return new UploadError(`${what}: ${failure.detail}.${advice}`, {
    file,
    urlRejected: failure.urlRejected,
    status: failure.status,
    code: failure.code,
    requestId: failure.requestId,
    request: { method, url },
    cause: error,
  });
}
