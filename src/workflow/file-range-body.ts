/**
 * A request body read from a stretch of the package file, in order, as the request sends it: the single Put Blob of
 * a small package (hashed on the way), or one block of a large one. Nothing of the file is held beyond the stream's
 * buffer.
 */
import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { UploadError } from './upload-error.js';

/** Bytes read from the file per chunk: fewer, larger socket writes than the fs default 64 KiB. */
const CHUNK = 1024 * 1024;

export class FileRangeBody extends Readable {
  #position: number;
  readonly #end: number;

  /**
   * @param hash updated with every byte read, in order (the package's SHA-256, for a single Put Blob).
   * @param onFailure told when the file cannot be read or became shorter, before the stream fails: the storage SDK
   *   would otherwise retry a body that can never be read.
   */
  constructor(
    readonly handle: FileHandle,
    start: number,
    length: number,
    readonly file: string,
    readonly onFailure: (error: UploadError) => void,
    readonly hash?: Hash,
  ) {
    super({ highWaterMark: CHUNK });
    this.#position = start;
    this.#end = start + length;
  }

  /** Whether every byte of the stretch was read. */
  get complete(): boolean {
    return this.#position === this.#end;
  }

  override _read(): void {
    const length = Math.min(CHUNK, this.#end - this.#position);
    if (length === 0) {
      this.push(null);
      return;
    }
    this.handle.read(Buffer.allocUnsafe(length), 0, length, this.#position).then(
      ({ bytesRead, buffer }) => {
        if (this.destroyed) return;
        if (bytesRead === 0) {
          this.#fail(new UploadError(`The package ${this.file} became shorter while it was being uploaded; upload a file that is not being written to.`, { file: this.file }));
          return;
        }
        const chunk = buffer.subarray(0, bytesRead);
        this.hash?.update(chunk);
        this.#position += bytesRead;
        this.push(chunk);
      },
      (cause: unknown) => {
        if (!this.destroyed) this.#fail(new UploadError(`Reading the package ${this.file} failed: ${(cause as Error).message}`, { file: this.file, cause }));
      },
    );
  }

  #fail(error: UploadError): void {
    this.onFailure(error);
    this.destroy(error);
  }
}
