/**
 * One run per state file. A second `hwdash submit` on the same output folder would create a second product,
 * submission and label, and the state file would keep whichever run wrote last; so a run takes a lock first.
 *
 * The lock is a file created with O_EXCL next to the state file, holding the holder's PID, host and start time.
 * It is stale when its holder is gone: on the same host a PID that no longer runs, on any host a heartbeat (the
 * holder touches the file every half minute) older than {@link STALE_AFTER_MS}, so that a lock left by a killed CI
 * job and restored from a cache on another runner does not block the rerun for good. Taking over a stale lock is
 * serialised by a second, short-lived lock (an atomic `mkdir`), so two reruns cannot both take it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, open, readFile, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { partialFilePath, removeOrphanedPartials } from './atomic-file.js';
import { isProcessRunning } from './process-alive.js';
import { StateLockedError, type StateLockHolder } from './state-locked-error.js';

/** A held lock. */
export interface StateLock {
  readonly path: string;
  /** Releases the lock (idempotent); a lock taken over by another run meanwhile is left alone. */
  release(): Promise<void>;
}

const HEARTBEAT_MS = 30_000;
/** Four missed heartbeats: far beyond any scheduling delay of a live holder, even on an oversubscribed machine. */
export const STALE_AFTER_MS = 4 * HEARTBEAT_MS;

interface LockRecord extends StateLockHolder {
  nonce: string;
}

/**
 * Takes the lock of `statePath` (the file `<statePath>.lock`), taking over a stale one.
 * @throws StateLockedError when a live run holds it.
 */
export async function lockStateFile(statePath: string): Promise<StateLock> {
  const path = `${statePath}.lock`;
  const record: LockRecord = { pid: process.pid, host: hostname(), since: new Date().toISOString(), nonce: randomUUID() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path, record)) return heldLock(path, record);
    const holder = await readHolder(path);
    if (holder === 'gone') continue;
    if (!(await isStale(path, holder))) throw new StateLockedError(path, holder ?? undefined);
    await takeOver(path, holder);
  }
  throw new StateLockedError(path, undefined);
}

/**
 * Creates the lock with its record in one step: the record is written to a temporary file that is then hard-linked to
 * the lock's name, which fails if the lock exists. A holder killed at any moment therefore leaves either no lock or a
 * complete one, never an empty file that would look held. File systems without hard links get O_EXCL and a write.
 */
async function tryCreate(path: string, record: LockRecord): Promise<boolean> {
  await removeOrphanedPartials(path);
  const temporary = partialFilePath(path);
  await writeFile(temporary, `${JSON.stringify(record)}\n`, { encoding: 'utf8', flag: 'wx' });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw error;
    return createInPlace(path, record);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** What `link` says on a file system that has no hard links (FAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

async function createInPlace(path: string, record: LockRecord): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await file.writeFile(`${JSON.stringify(record)}\n`, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  return true;
}

function heldLock(path: string, record: LockRecord): StateLock {
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released: Promise<void> | undefined;
  return {
    path,
    release() {
      released ??= (async () => {
        clearInterval(heartbeat);
        const holder = await readHolder(path);
        if (holder !== 'gone' && holder?.nonce === record.nonce) await unlink(path).catch(() => undefined);
      })();
      return released;
    },
  };
}

/** The lock's holder; null when the file is unreadable or half-written; 'gone' when it vanished meanwhile. */
async function readHolder(path: string): Promise<LockRecord | null | 'gone'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return null;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockRecord>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.nonce === 'string') return parsed as LockRecord;
  } catch {
    // Only a lock made in place (no hard links) can be caught half-written: judged by the file's age below.
  }
  return null;
}

async function isStale(path: string, holder: LockRecord | null): Promise<boolean> {
  if (holder && holder.host === hostname() && !isProcessRunning(holder.pid)) return true;
  const info = await stat(path).catch(() => undefined);
  if (!info) return true;
  // An unreadable record gets a few seconds for its holder to finish writing it.
  const staleAfter = holder ? STALE_AFTER_MS : 5_000;
  return Date.now() - info.mtimeMs > staleAfter;
}

/** Removes a stale lock, unless another rerun has replaced it meanwhile (checked under a short takeover lock). */
async function takeOver(path: string, stale: LockRecord | null): Promise<void> {
  const guard = `${path}.takeover`;
  try {
    await mkdir(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A takeover in progress, or one whose process died mid-way (then its guard is old).
    const info = await stat(guard).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 30_000) await rmdir(guard).catch(() => undefined);
    return;
  }
  try {
    const current = await readHolder(path);
    const same = current === 'gone' ? false : current === null ? stale === null : current.nonce === stale?.nonce;
    if (same) await unlink(path).catch(() => undefined);
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}
