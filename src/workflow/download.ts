/**
 * Downloading a blob (signed package, driver metadata) from its SAS URL to a file the caller names.
 *
 * By default the blob comes as one streamed GET, as the storage SDK's `downloadToFile` does, resumed from where it
 * broke off if the response is cut; with `concurrency` above 1 it is fetched in ranges, that many at a time. Either
 * way the bytes are written in order, which gives the SHA-256 in the same pass, and memory stays bounded (about
 * `chunkSize × concurrency` for ranges). The bytes land in a temporary file that is renamed into place only once the
 * length matches, so a failed or cancelled download leaves nothing behind.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { BlobClient } from '@azure/storage-blob';
import { redactUrl } from '../client/redact.js';
import { writeFileAtomically } from './atomic-file.js';
import { blobPipeline, describeBlobFailure, isRestError, parseSasUrl, storageSdk } from './blob-storage.js';
import { DownloadError } from './download-error.js';

export interface DownloadProgress {
  /** Bytes received so far; never decreases. */
  loadedBytes: number;
  /** The full size, once known (from the first response, or `expectedLength` for streams). */
  totalBytes: number | undefined;
}

export interface DownloadToFileOptions {
  /** The blob's SAS URL, e.g. `downloads.items[type=signedPackage].url`. */
  url: string;
  /** Where to write. Always chosen by the caller: a URL's blob name or `rscd` file name is never trusted as a path. */
  dest: string;
  /** Fail (before writing anything) unless the blob has exactly this many bytes. */
  expectedLength?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** Aborting cancels the requests in flight, removes the temporary file and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Ranges downloaded at once. 1 streams the blob in a single request, which is the fastest on a good link and is
   * resumed from its last byte if the response breaks off. Above 1, the blob is fetched in `chunkSize` ranges,
   * that many in parallel, which can help on a link with high latency per connection.
   * @default 1
   */
  concurrency?: number;
  /**
   * Bytes per range, when `concurrency` is above 1.
   * @default 8 MiB
   */
  chunkSize?: number;
  /**
   * Also compute the SHA-256 of the bytes written, e.g. to record a signed package's provenance. It costs about
   * 1 ms of CPU per MiB on the thread that receives the bytes, which on a fast link is a fifth of the download.
   * @default false
   */
  sha256?: boolean;
}

export interface DownloadResult {
  /** Absolute path of the written file. */
  path: string;
  size: number;
  /** SHA-256 of the written bytes, lowercase hex: with `sha256: true`, and always from `writeStreamToFile`. */
  sha256?: string;
}

/** What was written: its size, and its SHA-256 when one was asked for. */
type Written = { size: number; sha256?: string };

export interface WriteStreamToFileOptions {
  /** Fail unless the stream delivers exactly this many bytes (e.g. the response's Content-Length). */
  expectedLength?: number;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export const DEFAULT_DOWNLOAD_CONCURRENCY = 1;
export const DEFAULT_DOWNLOAD_CHUNK_SIZE = 8 * 1024 * 1024;
/** Lets the storage SDK resume a response (whole blob or range) that breaks off mid-body, from its last byte. */
const MAX_RETRY_REQUESTS = 5;

/** Downloads the blob at `url` to `dest` atomically and returns its size (and SHA-256 with `sha256: true`). */
export async function downloadToFile(options: DownloadToFileOptions): Promise<DownloadResult> {
  const concurrency = options.concurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY;
  const chunkSize = options.chunkSize ?? DEFAULT_DOWNLOAD_CHUNK_SIZE;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  checkExpectedLength(options.expectedLength);
  options.signal?.throwIfAborted();
  const parsed = parseSasUrl(options.url);
  if ('problem' in parsed) {
    throw new DownloadError(`The download URL ${redactUrl(options.url)} ${parsed.problem}.`, {
      dest: options.dest,
      request: { method: 'GET', url: options.url },
    });
  }
  const { BlobClient } = await storageSdk();
  const client = new BlobClient(parsed.url.toString(), await blobPipeline());
  const path = resolve(options.dest);
  try {
    const written = await writeFileAtomically(path, (file) => new RangedDownload(client, file, concurrency, chunkSize, options).run());
    return { path, ...written };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw toDownloadError(error, options.dest, options.url);
  }
}

/**
 * Writes a response body (web or Node stream) to `dest` atomically, with the same guarantees as downloadToFile, and
 * returns its SHA-256 too: such bodies (preprod assets) come with a content hash to check.
 */
export async function writeStreamToFile(
  stream: WebReadableStream | ReadableStream | NodeJS.ReadableStream,
  dest: string,
  options: WriteStreamToFileOptions = {},
): Promise<DownloadResult & { sha256: string }> {
  checkExpectedLength(options.expectedLength);
  const source = toNodeReadable(stream);
  const path = resolve(dest);
  try {
    options.signal?.throwIfAborted();
    const written = await writeFileAtomically(path, async (file) => {
      const sink = new OrderedSink(file, options.expectedLength, options.onProgress, dest, true);
      await sink.pipeFrom(source, options.signal);
      return sink.finish();
    });
    return { path, size: written.size, sha256: written.sha256! };
  } catch (error) {
    // Whatever went wrong, the body must not keep its connection busy.
    source.destroy();
    if (options.signal?.aborted) throw options.signal.reason;
    throw toDownloadError(error, dest);
  }
}

function checkExpectedLength(expectedLength: number | undefined): void {
  if (expectedLength !== undefined && (!Number.isSafeInteger(expectedLength) || expectedLength < 0)) {
    throw new RangeError(`expectedLength must be a non-negative integer, got ${expectedLength}`);
  }
}

function toNodeReadable(stream: WebReadableStream | ReadableStream | NodeJS.ReadableStream): Readable {
  if (stream instanceof Readable) return stream;
  if (typeof (stream as ReadableStream).getReader === 'function') return Readable.fromWeb(stream as WebReadableStream);
  return new Readable().wrap(stream as NodeJS.ReadableStream);
}

/**
 * Receives the blob's bytes in order: hashes and counts them, reports progress, writes them at their offset,
 * and stops as soon as more bytes arrive than the blob has.
 */
class OrderedSink {
  readonly #hash: Hash | undefined;
  #written = 0;
  /** The write under way, if any: a source that fails mid-write must not leave it running unseen. */
  #writing: Promise<void> = Promise.resolve();
  #total: number | undefined;

  constructor(
    readonly file: FileHandle,
    total: number | undefined,
    readonly onProgress: ((progress: DownloadProgress) => void) | undefined,
    readonly dest: string,
    sha256: boolean,
  ) {
    this.#total = total;
    this.#hash = sha256 ? createHash('sha256') : undefined;
  }

  get written(): number {
    return this.#written;
  }

  #accept(chunk: Buffer): void {
    if (this.#total !== undefined && this.#written + chunk.length > this.#total) {
      throw lengthMismatch(this.dest, `more than the ${this.#total} bytes announced arrived`);
    }
    this.#hash?.update(chunk);
    this.#written += chunk.length;
  }

  /**
   * Streams `source` into the file: the first range of a blob, or a whole response body. Small chunks are
   * gathered (up to the writable's buffer) into one write, so a body in 16 KiB pieces does not cost a
   * system call per piece.
   */
  async pipeFrom(source: NodeJS.ReadableStream, signal: AbortSignal | undefined): Promise<void> {
    const sink = new Writable({
      highWaterMark: 1024 * 1024,
      write: (chunk: Buffer, _encoding, callback) => this.#track(this.write(chunk)).then(() => callback(), callback),
      writev: (chunks, callback) => this.#track(this.#writeMany(chunks.map(({ chunk }) => chunk as Buffer))).then(() => callback(), callback),
    });
    try {
      await pipeline(source, sink, signal ? { signal } : {});
    } finally {
      await this.#writing.catch(() => undefined);
    }
  }

  #track(write: Promise<void>): Promise<void> {
    this.#writing = write;
    return write;
  }

  async #writeMany(chunks: Buffer[]): Promise<void> {
    const position = this.#written;
    for (const chunk of chunks) this.#accept(chunk);
    let pending = chunks;
    let offset = position;
    while (pending.length > 0) {
      const { bytesWritten } = await this.file.writev(pending, offset);
      offset += bytesWritten;
      pending = remainingAfter(pending, bytesWritten);
    }
    this.onProgress?.({ loadedBytes: this.#written, totalBytes: this.#total });
  }

  /** Appends `chunk` (the next bytes of the blob) to the file. */
  async write(chunk: Buffer): Promise<void> {
    const position = this.#written;
    this.#accept(chunk);
    let offset = 0;
    while (offset < chunk.length) {
      const { bytesWritten } = await this.file.write(chunk, offset, chunk.length - offset, position + offset);
      offset += bytesWritten;
    }
    this.onProgress?.({ loadedBytes: this.#written, totalBytes: this.#total });
  }

  finish(): Written {
    if (this.#total !== undefined && this.#written !== this.#total) {
      throw lengthMismatch(this.dest, `${this.#written} bytes arrived but ${this.#total} were announced`);
    }
    return this.#hash ? { size: this.#written, sha256: this.#hash.digest('hex') } : { size: this.#written };
  }
}

/** What is left of `chunks` once `written` bytes of them reached the file (a short write is rare, but allowed). */
function remainingAfter(chunks: Buffer[], written: number): Buffer[] {
  let skip = written;
  let index = 0;
  while (index < chunks.length && skip >= chunks[index]!.length) skip -= chunks[index++]!.length;
  if (index === chunks.length) return [];
  return [chunks[index]!.subarray(skip), ...chunks.slice(index + 1)];
}

function lengthMismatch(dest: string, detail: string): DownloadError {
  return new DownloadError(`The download to ${dest} is incomplete or corrupt: ${detail}. Nothing was written; download again.`, {
    dest,
    code: 'LengthMismatch',
  });
}

const CONTENT_RANGE = /^bytes \d+-\d+\/(\d+)$/;

/**
 * One blob download: a single streamed response, or, with `concurrency` above 1, a first range that tells the size
 * and the others `concurrency` at a time, written in order.
 */
class RangedDownload {
  readonly #abort = new AbortController();
  readonly #signal: AbortSignal;
  readonly #buffers: Buffer[] = [];
  /** Bytes received per range, so that progress never goes back when the SDK re-requests a broken range. */
  readonly #received = new Map<number, number>();
  #loaded = 0;
  #total: number | undefined;

  constructor(
    readonly client: BlobClient,
    readonly file: FileHandle,
    readonly concurrency: number,
    readonly chunkSize: number,
    readonly options: DownloadToFileOptions,
  ) {
    this.#signal = options.signal ? AbortSignal.any([options.signal, this.#abort.signal]) : this.#abort.signal;
  }

  async run(): Promise<Written> {
    return this.concurrency === 1 ? this.#streamWhole() : this.#inRanges();
  }

  /**
   * The whole blob as one response. When the response breaks off, the rest is asked for from the last byte written,
   * of the same version of the blob (ETag). This is done here rather than by the SDK's `maxRetryRequests`, whose
   * resuming stream gives up on a connection that drops (Node reports it as `aborted`; Azure/azure-sdk-for-js#32268).
   */
  async #streamWhole(): Promise<Written> {
    const { expectedLength, dest } = this.options;
    let response = await this.#request(0);
    const total = response.contentLength!;
    this.#setTotal(total);
    if (expectedLength !== undefined && total !== expectedLength) {
      response.readableStreamBody?.destroy();
      throw lengthMismatchExpected(dest, total, expectedLength);
    }
    const sink = new OrderedSink(this.file, total, undefined, dest, this.options.sha256 ?? false);
    const etag = response.etag!;
    for (let resumptions = 0; ; resumptions++) {
      try {
        await sink.pipeFrom(response.readableStreamBody!, this.#signal);
        return sink.finish();
      } catch (error) {
        if (this.#signal.aborted || resumptions >= MAX_RETRY_REQUESTS || !isBrokenResponse(error)) throw error;
      }
      const offset = sink.written;
      response = await this.#request(offset, etag);
      if (response.contentLength !== total - offset) {
        response.readableStreamBody?.destroy();
        throw lengthMismatch(dest, `the rest from byte ${offset} came back as ${response.contentLength} bytes`);
      }
    }
  }

  /** The blob from `offset` to its end, in one response; `etag` pins the version a resumed download started with. */
  #request(offset: number, etag?: string) {
    return this.client.download(offset, undefined, {
      abortSignal: this.#signal,
      ...(etag === undefined ? {} : { conditions: { ifMatch: etag } }),
      // Resumed by #streamWhole, from the bytes actually written.
      maxRetryRequests: 0,
      onProgress: ({ loadedBytes }) => this.#progress(0, offset + loadedBytes),
    });
  }

  /** The first range tells the size; the others follow `concurrency` at a time, written in order. */
  async #inRanges(): Promise<Written> {
    const { expectedLength, dest } = this.options;
    let first;
    try {
      first = await this.client.download(0, this.chunkSize, {
        abortSignal: this.#signal,
        maxRetryRequests: MAX_RETRY_REQUESTS,
        onProgress: ({ loadedBytes }) => this.#progress(0, loadedBytes),
      });
    } catch (error) {
      // A range request on an empty blob is answered 416; the blob is then simply empty.
      if (isRestError(error) && error.statusCode === 416) return this.#writeEmpty();
      throw error;
    }
    const firstLength = first.contentLength!;
    const rangeTotal = CONTENT_RANGE.exec(first.contentRange ?? '')?.[1];
    const total = rangeTotal === undefined ? firstLength : Number(rangeTotal);
    this.#setTotal(total);
    if (expectedLength !== undefined && total !== expectedLength) {
      first.readableStreamBody?.destroy();
      throw lengthMismatchExpected(dest, total, expectedLength);
    }

    const sink = new OrderedSink(this.file, total, undefined, dest, this.options.sha256 ?? false);
    // Range 0 is the first response, whatever its length; ranges 1.. cover the rest, chunkSize each.
    const chunkCount = 1 + Math.max(0, Math.ceil((total - firstLength) / this.chunkSize));
    const fetches = new Map<number, Promise<{ buffer: Buffer; length: number }>>();
    let failure: { error: unknown } | undefined;
    const start = (index: number): void => {
      if (index >= chunkCount || failure) return;
      const fetch = this.#fetchChunk(index, firstLength, total, first.etag!);
      // Failures surface in order when awaited; this only makes the rest stop at once.
      fetch.catch((error: unknown) => {
        failure ??= { error };
        this.#abort.abort();
      });
      fetches.set(index, fetch);
    };
    try {
      for (let index = 1; index < this.concurrency; index++) start(index);
      await sink.pipeFrom(first.readableStreamBody!, this.#signal);
      if (sink.written !== firstLength) throw lengthMismatch(dest, `the first range had ${sink.written} of ${firstLength} bytes`);
      for (let index = 1; index < chunkCount; index++) {
        start(index + this.concurrency - 1);
        const fetch = fetches.get(index)!;
        fetches.delete(index);
        const { buffer, length } = await fetch;
        await sink.write(buffer.subarray(0, length));
        this.#buffers.push(buffer);
      }
      return sink.finish();
    } catch (error) {
      this.#abort.abort();
      throw failure && !(error instanceof DownloadError) ? failure.error : error;
    } finally {
      // No request may outlive the download (the temporary file is about to be removed).
      await Promise.allSettled(fetches.values());
    }
  }

  async #fetchChunk(index: number, firstLength: number, total: number, etag: string): Promise<{ buffer: Buffer; length: number }> {
    const offset = firstLength + (index - 1) * this.chunkSize;
    const length = Math.min(this.chunkSize, total - offset);
    const response = await this.client.download(offset, length, {
      abortSignal: this.#signal,
      // Every range must come from the same version of the blob.
      conditions: { ifMatch: etag },
      maxRetryRequests: MAX_RETRY_REQUESTS,
      onProgress: ({ loadedBytes }) => this.#progress(index, loadedBytes),
    });
    if (response.contentLength !== length) {
      response.readableStreamBody?.destroy();
      throw lengthMismatch(this.options.dest, `bytes ${offset}+${length} came back as ${response.contentLength} bytes`);
    }
    const buffer = this.#buffers.pop() ?? Buffer.allocUnsafeSlow(this.chunkSize);
    let filled = 0;
    for await (const piece of response.readableStreamBody! as AsyncIterable<Buffer>) {
      if (filled + piece.length > length) throw lengthMismatch(this.options.dest, `bytes ${offset}+${length} returned more data`);
      piece.copy(buffer, filled);
      filled += piece.length;
    }
    if (filled !== length) throw lengthMismatch(this.options.dest, `bytes ${offset}+${length} returned ${filled} bytes`);
    return { buffer, length };
  }

  #writeEmpty(): Written {
    const { expectedLength, dest } = this.options;
    this.#setTotal(0);
    if (expectedLength !== undefined && expectedLength !== 0) throw lengthMismatchExpected(dest, 0, expectedLength);
    return new OrderedSink(this.file, 0, undefined, dest, this.options.sha256 ?? false).finish();
  }

  #setTotal(total: number): void {
    this.#total = total;
    this.options.onProgress?.({ loadedBytes: this.#loaded, totalBytes: total });
  }

  #progress(index: number, bytes: number): void {
    const previous = this.#received.get(index) ?? 0;
    if (bytes <= previous) return;
    this.#received.set(index, bytes);
    this.#loaded += bytes - previous;
    this.options.onProgress?.({ loadedBytes: this.#loaded, totalBytes: this.#total });
  }
}

function lengthMismatchExpected(dest: string, actual: number, expected: number): DownloadError {
  return new DownloadError(
    `The blob to download to ${dest} has ${actual} bytes, but ${expected} were expected; the URL may point to another file. Nothing was written.`,
    { dest, code: 'LengthMismatch' },
  );
}

/** A response body that broke off or failed in transit, as opposed to wrong data or a destination that cannot be written. */
function isBrokenResponse(error: unknown): boolean {
  if (error instanceof DownloadError) return false;
  const code = (error as { code?: unknown } | undefined)?.code;
  return !(typeof code === 'string' && FILE_SYSTEM_CODES.has(code));
}

/** Error codes that mean the destination could not be written, as opposed to the bytes not arriving. */
const FILE_SYSTEM_CODES = new Set(['EISDIR', 'ENOTDIR', 'ENOSPC', 'EDQUOT', 'EFBIG', 'EACCES', 'EPERM', 'EROFS', 'EEXIST', 'EIO', 'EMFILE', 'ENFILE', 'ENAMETOOLONG', 'ELOOP']);

function toDownloadError(error: unknown, dest: string, url?: string): DownloadError {
  if (error instanceof DownloadError) return error;
  const request = url === undefined ? undefined : { method: 'GET', url };
  const code = (error as { code?: unknown } | undefined)?.code;
  if (!isRestError(error) && typeof code === 'string' && FILE_SYSTEM_CODES.has(code)) {
    return new DownloadError(`Cannot write ${dest}: ${(error as Error).message}`, { dest, code, request, cause: error });
  }
  const failure = describeBlobFailure(error);
  let advice = '';
  if (failure.urlRejected) {
    advice = ' The download URL has expired or its signature is invalid: read the submission again for a fresh URL and download again.';
  } else if (failure.status === 404) {
    advice = ' The blob does not exist (yet): read the submission again for its current download URL.';
  } else if (failure.status === 412) {
    advice = ' The blob changed while it was being downloaded: download again.';
  }
  const what = url === undefined ? `Receiving the download for ${dest} failed` : `Downloading ${redactUrl(url)} to ${dest} failed`;
  return new DownloadError(`${what}: ${failure.detail}.${advice}`, {
    dest,
    urlRejected: failure.urlRejected,
    status: failure.status,
    code: failure.code,
    requestId: failure.requestId,
    request,
    cause: error,
  });
}
