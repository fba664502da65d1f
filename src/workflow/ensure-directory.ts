/**
 * Creating an output folder, level by level. Node's `mkdir(path, { recursive: true })` never settles on some file
 * systems (under /proc it spins at full CPU and ignores signals), so the path is walked by hand: find the deepest
 * existing ancestor, check it is a writable directory, then create each missing level with a plain `mkdir`, whose
 * errors are immediate and precise.
 */
import { constants } from 'node:fs';
import { access, mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DirectoryError } from './directory-error.js';

/**
 * Makes sure `path` is a directory this process can write to, creating the missing levels. Returns the first level it
 * created (to undo with {@link removeCreatedDirectories}), or undefined when the directory already existed.
 */
export async function ensureDirectory(path: string): Promise<string | undefined> {
  const target = resolve(path);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    const found = await stat(existing).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new DirectoryError(`Cannot use the folder ${target}: ${existing} cannot be read (${error.code}).`, error.code ?? 'EIO', target);
    });
    if (found) {
      if (!found.isDirectory()) throw new DirectoryError(`Cannot use the folder ${target}: ${existing} is a file, not a folder.`, 'ENOTDIR', target);
      break;
    }
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  await access(existing, constants.W_OK | constants.X_OK).catch((error: NodeJS.ErrnoException) => {
    throw new DirectoryError(`Cannot write to the folder ${existing} (${error.code}); choose another output folder.`, error.code ?? 'EACCES', target);
  });
  for (const level of missing) {
    await mkdir(level).catch((error: NodeJS.ErrnoException) => {
      // Another process may have made it meanwhile; anything else is this file system refusing the folder.
      if (error.code === 'EEXIST') return;
      throw new DirectoryError(`Cannot create the folder ${level} (${error.code}); choose another output folder.`, error.code ?? 'EIO', target);
    });
  }
  return missing[0];
}

/**
 * Undoes {@link ensureDirectory} after a failure: removes the directories from `directory` up to `firstCreated`, and
 * only while they are empty, so nothing that appeared there in the meantime is touched.
 */
export async function removeCreatedDirectories(directory: string, firstCreated: string | undefined): Promise<void> {
  if (firstCreated === undefined) return;
  for (let current = resolve(directory); ; current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    if (current === firstCreated || dirname(current) === current) return;
  }
}
