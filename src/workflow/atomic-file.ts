/**
 * Writing a file (a download, the state file) so that it appears complete or not at all: the bytes go to a hidden
 * temporary sibling, which is flushed to disk and renamed over the destination only once the writer succeeded. A
 * failed or cancelled write therefore never leaves a partial file where the user expects a signed package; and the
 * temporary file of a writer that was killed (its PID is in the name) is removed by the next write to the same place.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ensureDirectory, removeCreatedDirectories } from './ensure-directory.js';
import { isProcessRunning } from './process-alive.js';

/** The temporary file's name for `dest`: hidden, unique, recognisable as unfinished, and naming its writer's PID. */
export function partialFilePath(dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.${process.pid}-${randomBytes(6).toString('hex')}.partial`);
}

/**
 * Removes the temporary files that killed writers left for `dest` (a writer that is still running keeps its own).
 * Best effort: a file that cannot be listed or removed is left for a later write.
 */
export async function removeOrphanedPartials(dest: string): Promise<void> {
  const prefix = `.${basename(dest)}.`;
  const names = await readdir(dirname(dest)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)-[0-9a-f]{12}\.partial$/.exec(name.slice(prefix.length))?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !isProcessRunning(Number(pid))) await unlink(join(dirname(dest), name)).catch(() => undefined);
  }
}

/**
 * Runs `write` on a fresh temporary file next to `dest` (creating the parent directory if needed), then makes it
 * durable and renames it to `dest`, replacing a previous file of that name. If anything fails, the temporary file
 * and the directories created for it are removed, and the error rethrown. A directory at `dest` is never replaced.
 */
export async function writeFileAtomically<T>(dest: string, write: (file: FileHandle) => Promise<T>): Promise<T> {
  const path = resolve(dest);
  await refuseDirectory(path);
  const createdDirectory = await ensureDirectory(dirname(path));
  await removeOrphanedPartials(path);
  const partial = partialFilePath(path);
  let file: FileHandle;
  try {
    // 'wx': never adopt a file someone else created under the same random name.
    file = await open(partial, 'wx');
  } catch (error) {
    await removeCreatedDirectories(dirname(path), createdDirectory);
    throw error;
  }
  let closed = false;
  try {
    const result = await write(file);
    await file.sync();
    await file.close();
    closed = true;
    // Checked again: a directory may have appeared while the bytes were being written.
    await refuseDirectory(path);
    await rename(partial, path);
    await syncDirectory(dirname(path));
    return result;
  } catch (error) {
    if (!closed) await file.close().catch(() => undefined);
    await unlink(partial).catch(() => undefined);
    await removeCreatedDirectories(dirname(path), createdDirectory);
    throw error;
  }
}

export async function refuseDirectory(path: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw Object.assign(new Error(`${path} is a directory; give a file name to download to.`), { code: 'EISDIR', path });
  }
}

/**
 * Persists the rename itself. Best effort: the file's bytes are already on disk, Windows cannot open
 * directories, and some file systems refuse to sync one.
 */
export async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}
