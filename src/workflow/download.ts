/**
 * Downloading a blob (signed package, driver metadata) from its SAS URL to a file the caller names.
 *
 * The blob comes as one streamed GET, as the storage SDK's `downloadToFile` does, resumed from the last byte written
 * if the response breaks off. The bytes are written in order, which gives the SHA-256 in the same pass, and memory
 * stays flat whatever the size. They land in a partial file next to the destination that is renamed into place once
 * the length matches. A run that is killed leaves that partial file and the blob's ETag beside it
 * (resumable-file.ts); the next run continues from there if the blob is still the same, and starts over otherwise.
 * A failed or cancelled download leaves nothing behind.
 */
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { BlobClient, BlobDownloadResponseParsed } from '@azure/storage-blob';
import { redactUrl } from '../client/redact.js';
import { writeFileAtomically } from './atomic-file.js';
import { blobPipeline, describeBlobFailure, isRestError, parseSasUrl, storageSdk } from './blob-storage.js';
import { DownloadError } from './download-error.js';
import { DownloadSink, lengthMismatch, type DownloadProgress, type Written } from './download-sink.js';
import { abandonPartial, commitPartial, discardPartial, findPartial, openPartial, type PartialRecord } from './resumable-file.js';

export type { DownloadProgress } from './download-sink.js';

export interface DownloadToFileOptions {
  /** The blob's SAS URL, e.g. `downloads.items[type=signedPackage].url`. */
  url: string;
  /** Where to write. Always chosen by the caller: a URL's blob name or `rscd` file name is never trusted as a path. */
  dest: string;
  /** Fail (before writing anything) unless the blob has exactly this many bytes. */
  expectedLength?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** Aborting cancels the request in flight, removes the partial file and rejects with the signal's reason. */
  signal?: AbortSignal;
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

export interface WriteStreamToFileOptions {
  /** Fail unless the stream delivers exactly this many bytes (e.g. the response's Content-Length). */
  expectedLength?: number;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** How many times a response that breaks off mid-body is resumed, from its last byte. */
const MAX_RESUMPTIONS = 5;

/**
 * Downloads the blob at `url` to `dest` atomically and returns its size (and SHA-256 with `sha256: true`). After a
 * crash or a kill, the same call continues from the bytes the killed run wrote, if the blob has not changed.
 */
export async function downloadToFile(options: DownloadToFileOptions): Promise<DownloadResult> {
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
    const written = await new BlobDownload(client, path, options).run();
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
      const sink = new DownloadSink(file, options.expectedLength, options.onProgress, dest, { sha256: true });
      try {
        await sink.pipeFrom(source, options.signal);
      } catch (error) {
        await sink.settle().catch(() => undefined);
        throw error;
      }
      await sink.settle();
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
 * One blob download: find what a killed run left, continue it or start over, stream the rest into the partial file
 * (resuming within this run if the response breaks off), and rename the file into place.
 */
class BlobDownload {
  readonly #abort = new AbortController();
  readonly #signal: AbortSignal;
  #loaded = 0;
  #total: number | undefined;

  constructor(
    readonly client: BlobClient,
    readonly dest: string,
    readonly options: DownloadToFileOptions,
  ) {
    this.#signal = options.signal ? AbortSignal.any([options.signal, this.#abort.signal]) : this.#abort.signal;
  }

  async run(): Promise<Written> {
    const resumable = await this.#resumePoint();
    let first: { response?: BlobDownloadResponseParsed; record: PartialRecord };
    try {
      first = await this.#firstResponse(resumable);
    } catch (error) {
      // A failed download leaves nothing behind, not even what a killed run had left.
      if (resumable) await discardPartial(this.dest);
      throw error;
    }
    const { response, record } = first;
    this.#setTotal(record.size, resumable?.length ?? 0);
    const partial = await openPartial(this.dest, record, resumable?.length ?? 0);
    const sink = new DownloadSink(partial.file, record.size, undefined, this.options.dest, { sha256: this.options.sha256 ?? false, offset: partial.length });
    let written: Written;
    try {
      await sink.hashExisting(this.#signal);
      if (response) await this.#stream(response, sink, record);
      await sink.settle();
      written = sink.finish();
    } catch (error) {
      this.#abort.abort();
      await sink.settle().catch(() => undefined);
      await abandonPartial(this.dest, partial);
      throw error;
    }
    await commitPartial(this.dest, partial);
    return written;
  }

  /**
   * The response to stream from, and the blob version it is of: the rest after what a killed run wrote, or the whole
   * blob. None when the killed run had written every byte. Nothing is written before the size is checked.
   */
  async #firstResponse(resumable: (PartialRecord & { length: number }) | undefined): Promise<{ response?: BlobDownloadResponseParsed; record: PartialRecord }> {
    if (resumable) {
      const record = { etag: resumable.etag, size: resumable.size };
      return resumable.length < resumable.size ? { response: await this.#requestRest(resumable.length, record), record } : { record };
    }
    const response = await this.#request(0);
    const record = { etag: response.etag!, size: response.contentLength! };
    const { expectedLength } = this.options;
    if (expectedLength !== undefined && record.size !== expectedLength) {
      response.readableStreamBody?.destroy();
      throw lengthMismatchExpected(this.options.dest, record.size, expectedLength);
    }
    return { response, record };
  }

  /**
   * What a killed run left for this destination, if it can be continued: the blob still has the recorded ETag and
   * size (and the size the caller expects). Anything else is discarded, and the download starts over.
   */
  async #resumePoint(): Promise<(PartialRecord & { length: number }) | undefined> {
    const found = await findPartial(this.dest);
    if (!found) return undefined;
    const { expectedLength } = this.options;
    if (expectedLength === undefined || expectedLength === found.size) {
      try {
        const properties = await this.client.getProperties({ abortSignal: this.#signal, conditions: { ifMatch: found.etag } });
        if (properties.contentLength === found.size) return found;
      } catch (error) {
        // 412: the blob changed since. Anything else (an expired URL, a network failure) is for the caller to see.
        if (!(isRestError(error) && error.statusCode === 412)) {
          await discardPartial(this.dest);
          throw error;
        }
      }
    }
    await discardPartial(this.dest);
    return undefined;
  }

  /**
   * Streams the response into the file. When it breaks off, the rest is asked for from the last byte written, of the
   * same version of the blob (ETag). This is done here rather than by the SDK's `maxRetryRequests`, whose resuming
   * stream gives up on a connection that drops (Node reports it as `aborted`; Azure/azure-sdk-for-js#32268).
   */
  async #stream(first: BlobDownloadResponseParsed, sink: DownloadSink, record: PartialRecord): Promise<void> {
    let response = first;
    for (let resumptions = 0; ; resumptions++) {
      try {
        await sink.pipeFrom(response.readableStreamBody!, this.#signal);
        return;
      } catch (error) {
        if (this.#signal.aborted || resumptions >= MAX_RESUMPTIONS || !isBrokenResponse(error)) throw error;
      }
      response = await this.#requestRest(sink.written, record);
    }
  }

  /** The rest of the blob's recorded version from `offset`, checked to be exactly the bytes missing. */
  async #requestRest(offset: number, record: PartialRecord): Promise<BlobDownloadResponseParsed> {
    const response = await this.#request(offset, record.etag);
    if (response.contentLength !== record.size - offset) {
      response.readableStreamBody?.destroy();
      throw lengthMismatch(this.options.dest, `the rest from byte ${offset} came back as ${response.contentLength} bytes`);
    }
    return response;
  }

  /** The blob from `offset` to its end, in one response; `etag` pins the version a resumed download started with. */
  async #request(offset: number, etag?: string): Promise<BlobDownloadResponseParsed> {
    const response = await this.client.download(offset, undefined, {
      abortSignal: this.#signal,
      ...(etag === undefined ? {} : { conditions: { ifMatch: etag } }),
      // Resumed by #stream, from the bytes actually written.
      maxRetryRequests: 0,
      onProgress: ({ loadedBytes }) => this.#progress(offset + loadedBytes),
    });
    // The body flows (into its own bounded buffer) before it is piped into the file, which is opened only once the
    // headers are checked: an abort or a cut in between must not surface as an unhandled 'error' event. The stream
    // keeps the error, and piping it then fails with it.
    response.readableStreamBody?.on('error', () => undefined);
    return response;
  }

  #setTotal(total: number, alreadyThere: number): void {
    this.#total = total;
    this.#loaded = alreadyThere;
    this.options.onProgress?.({ loadedBytes: this.#loaded, totalBytes: total });
  }

  #progress(bytes: number): void {
    if (bytes <= this.#loaded) return;
    this.#loaded = bytes;
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
