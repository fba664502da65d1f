/**
 * A package above `maxSingleShotSize`, uploaded as blocks: read in order (each block's MD5, and the SHA-256 when
 * asked), staged with at most `concurrency` in flight, each streamed from the file as it is sent, then committed. An
 * expired URL is replaced, and the blocks the service already holds are not sent again.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { BlockBlobClient } from '@azure/storage-blob';
import { describeBlobFailure } from './blob-storage.js';
import { FileRangeBody } from './file-range-body.js';
import type { UploadPackageOptions, UploadPackageResult } from './upload.js';
import { UploadError } from './upload-error.js';
import { freshTarget, uploadFailure, type UploadTarget } from './upload-target.js';

/**
 * Block IDs are the block's index, fixed width (Azure requires equal lengths within a blob), so that after a URL
 * refresh the blocks already on the service can be recognised.
 */
export function uploadBlockId(index: number): string {
  return Buffer.from(`block-${String(index).padStart(6, '0')}`).toString('base64');
}

/** One upload: the blocks' state across URL generations, the bounded staging queue, and the commit. */
export class BlockUpload {
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
