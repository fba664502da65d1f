/**
 * Where a download's bytes go: in order, at their offset in the file, counted, hashed when asked, and flushed to disk
 * as they come rather than all at the end.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DownloadError } from './download-error.js';

export interface DownloadProgress {
  /** Bytes received so far; never decreases. */
  loadedBytes: number;
  /** The full size, once known (from the first response, or `expectedLength` for streams). */
  totalBytes: number | undefined;
}

/** What was written: its size, and its SHA-256 when one was asked for. */
export type Written = { size: number; sha256?: string };

/**
 * Bytes written between two background flushes. The file must be on disk before it is renamed into place; flushing
 * while the rest still arrives leaves only the last stretch for that final sync, which on a fast link would
 * otherwise add a sixth to the download (256 MiB take about 200 ms to flush here).
 */
const FLUSH_EVERY = 16 * 1024 * 1024;
/** Bytes read at a time when hashing what a previous run already wrote. */
const REHASH_CHUNK = 1024 * 1024;

/**
 * Receives the blob's bytes in order: hashes and counts them, reports progress, writes them at their offset, and
 * stops as soon as more bytes arrive than the blob has.
 */
export class DownloadSink {
  readonly #hash: Hash | undefined;
  #written: number;
  /** The write under way, if any: a source that fails mid-write must not leave it running unseen. */
  #writing: Promise<void> = Promise.resolve();
  #flushedUpTo: number;
  #flushing: Promise<void> | undefined;
  #flushError: unknown;

  constructor(
    readonly file: FileHandle,
    readonly total: number | undefined,
    readonly onProgress: ((progress: DownloadProgress) => void) | undefined,
    readonly dest: string,
    options: { sha256: boolean; offset?: number },
  ) {
    this.#written = options.offset ?? 0;
    this.#flushedUpTo = this.#written;
    this.#hash = options.sha256 ? createHash('sha256') : undefined;
  }

  get written(): number {
    return this.#written;
  }

  /** Hashes the bytes the file already holds (a resumed download), so that the SHA-256 covers the whole blob. */
  async hashExisting(signal: AbortSignal | undefined): Promise<void> {
    if (!this.#hash) return;
    const buffer = Buffer.allocUnsafe(REHASH_CHUNK);
    for (let position = 0; position < this.#written; ) {
      signal?.throwIfAborted();
      const { bytesRead } = await this.file.read(buffer, 0, Math.min(REHASH_CHUNK, this.#written - position), position);
      if (bytesRead === 0) throw lengthMismatch(this.dest, `the partial file ended at ${position} of the ${this.#written} bytes it had`);
      this.#hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  }

  #accept(chunk: Buffer): void {
    if (this.total !== undefined && this.#written + chunk.length > this.total) {
      throw lengthMismatch(this.dest, `more than the ${this.total} bytes announced arrived`);
    }
    this.#hash?.update(chunk);
    this.#written += chunk.length;
  }

  /**
   * Streams `source` into the file. Chunks are gathered (up to the writable's 4 MiB buffer) into one write, so a body
   * in 64 KiB pieces does not cost a system call per piece: the storage SDK's `download()` piped into a file stream
   * was fastest here with a 4 MiB write buffer too.
   */
  async pipeFrom(source: NodeJS.ReadableStream, signal: AbortSignal | undefined): Promise<void> {
    const sink = new Writable({
      highWaterMark: 4 * 1024 * 1024,
      write: (chunk: Buffer, _encoding, callback) => this.#track(this.#writeMany([chunk])).then(() => callback(), callback),
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
    this.#flushInBackground();
    this.onProgress?.({ loadedBytes: this.#written, totalBytes: this.total });
  }

  /** Starts flushing what was written so far, unless a flush is under way (the next one will cover this too). */
  #flushInBackground(): void {
    if (this.#flushing || this.#written - this.#flushedUpTo < FLUSH_EVERY) return;
    this.#flushedUpTo = this.#written;
    this.#flushing = this.file.datasync().then(
      () => {
        this.#flushing = undefined;
      },
      (error: unknown) => {
        this.#flushError ??= error;
        this.#flushing = undefined;
      },
    );
  }

  /**
   * Checks the length and waits for the background flush: the file may be synced, closed or removed after this.
   * Call it on every path, failures included.
   */
  async settle(): Promise<void> {
    await this.#writing.catch(() => undefined);
    await this.#flushing;
    if (this.#flushError !== undefined) throw this.#flushError;
  }

  finish(): Written {
    if (this.total !== undefined && this.#written !== this.total) {
      throw lengthMismatch(this.dest, `${this.#written} bytes arrived but ${this.total} were announced`);
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

export function lengthMismatch(dest: string, detail: string): DownloadError {
  return new DownloadError(`The download to ${dest} is incomplete or corrupt: ${detail}. Nothing was written; download again.`, {
    dest,
    code: 'LengthMismatch',
  });
}
