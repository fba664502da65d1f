/**
 * The partial file of a download that survives the process: it lives next to the destination under a fixed name
 * (`.signed.zip.partial`), with a small record beside it (`.signed.zip.partial.json`: the blob's ETag and size), so
 * that a rerun after a crash or a kill can continue from the bytes already on disk, of that same version of the blob.
 *
 * Only a crash leaves the pair behind: success renames the partial into place and removes the record, and failure
 * and cancellation remove both. A record without its partial, a partial without its record, a record that does not
 * parse, or a partial longer than the blob, is discarded: the download then starts over.
 */
import { constants } from 'node:fs';
import { lstat, open, readFile, rename, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { refuseDirectory, syncDirectory } from './atomic-file.js';
import { ensureDirectory, removeCreatedDirectories } from './ensure-directory.js';

/** What the record beside a partial file says about the blob it holds the start of. */
export interface PartialRecord {
  /** The blob version the bytes come from; a rerun continues only while the blob still has it (If-Match). */
  etag: string;
  /** The blob's full size in bytes. */
  size: number;
}

/** A download in progress: its partial file, open for writing, and what a rerun needs to continue it. */
export interface PartialFile {
  readonly file: FileHandle;
  /** Bytes already in the file when it was opened (a resumed download continues from there). */
  readonly length: number;
  readonly record: PartialRecord;
}

const RECORD_VERSION = 1;
/** The partial is never followed through a symbolic link: its fixed name must not be a way to write elsewhere. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** The fixed names of the partial file and its record for `dest` (an absolute path). */
export function partialPaths(dest: string): { partial: string; record: string } {
  const partial = join(dirname(dest), `.${basename(dest)}.partial`);
  return { partial, record: `${partial}.json` };
}

/**
 * The download of `dest` that a previous run left, if the pair is complete and consistent: its record and how many
 * bytes its partial holds. Anything else left under those names is removed.
 */
export async function findPartial(dest: string): Promise<(PartialRecord & { length: number }) | undefined> {
  const { partial, record } = partialPaths(dest);
  await unlink(`${record}.tmp`).catch(() => undefined);
  const [recorded, stats] = await Promise.all([readRecord(record), lstat(partial).catch(() => undefined)]);
  if (recorded && stats?.isFile() && stats.size <= recorded.size) return { ...recorded, length: stats.size };
  if (recorded || stats) await discardPartial(dest);
  return undefined;
}

/**
 * Opens the partial file of `dest`: the existing one, to continue after `length` bytes, or a new, empty one whose
 * record is written first (atomically), so that a crash at any point leaves either nothing to resume or a pair that
 * describes its bytes. Creates the destination's directory if needed; `createdDirectory` tells {@link closePartial}
 * what to remove on failure.
 */
export async function openPartial(dest: string, record: PartialRecord, resumeAt: number): Promise<PartialFile & { createdDirectory: string | undefined }> {
  await refuseDirectory(dest);
  const createdDirectory = await ensureDirectory(dirname(dest));
  const paths = partialPaths(dest);
  try {
    if (resumeAt > 0) {
      const file = await open(paths.partial, constants.O_RDWR | NO_FOLLOW);
      // Bytes past the resume point (none, unless the file grew since it was measured) are written over.
      await file.truncate(resumeAt);
      return { file, length: resumeAt, record, createdDirectory };
    }
    await unlink(paths.partial).catch(() => undefined);
    const text = `${JSON.stringify({ version: RECORD_VERSION, ...record })}\n`;
    await writeFile(`${paths.record}.tmp`, text, { flag: 'w', mode: 0o600 });
    await rename(`${paths.record}.tmp`, paths.record);
    const file = await open(paths.partial, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o644);
    return { file, length: 0, record, createdDirectory };
  } catch (error) {
    await discardPartial(dest);
    await removeCreatedDirectories(dirname(dest), createdDirectory);
    throw error;
  }
}

/**
 * Finishes a partial file: makes it durable, renames it to `dest` (replacing a file there, never a directory) and
 * removes its record. On failure the pair is removed, and so are the directories created for it.
 */
export async function commitPartial(dest: string, partial: PartialFile & { createdDirectory: string | undefined }): Promise<void> {
  const { partial: path, record } = partialPaths(dest);
  try {
    await partial.file.sync();
    await partial.file.close();
    // Checked again: a directory may have appeared while the bytes were being written.
    await refuseDirectory(dest);
    await rename(path, dest);
  } catch (error) {
    await abandonPartial(dest, partial);
    throw error;
  }
  await unlink(record).catch(() => undefined);
  await syncDirectory(dirname(dest));
}

/** Closes a partial file after a failure or a cancellation and removes it, its record and the directories created for it. */
export async function abandonPartial(dest: string, partial: PartialFile & { createdDirectory: string | undefined }): Promise<void> {
  await partial.file.close().catch(() => undefined);
  await discardPartial(dest);
  await removeCreatedDirectories(dirname(dest), partial.createdDirectory);
}

/** Removes the partial file of `dest` and its record, whatever state they are in. */
export async function discardPartial(dest: string): Promise<void> {
  const { partial, record } = partialPaths(dest);
  await Promise.all([unlink(partial).catch(() => undefined), unlink(record).catch(() => undefined), unlink(`${record}.tmp`).catch(() => undefined)]);
}

async function readRecord(path: string): Promise<PartialRecord | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  const { version, etag, size } = (parsed ?? {}) as Record<string, unknown>;
  if (version !== RECORD_VERSION || typeof etag !== 'string' || etag === '' || !Number.isSafeInteger(size) || (size as number) < 0) return undefined;
  return { etag, size: size as number };
}
