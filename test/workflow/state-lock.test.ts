/**
 * One run per state file: the lock is taken whole or not at all, a live holder keeps it (and is named), and a lock
 * whose holder is gone is taken over: a PID that no longer runs here, a heartbeat too old from any host, or a record
 * that is not one. Nothing is left beside it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lockStateFile, STALE_AFTER_MS } from '../../src/workflow/state-lock.js';
import { StateLockedError } from '../../src/workflow/state-locked-error.js';

let dir: string;
let count = 0;
const statePath = (): string => join(dir, `state-${++count}.json`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hwdash-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The PID of a process that has run and exited: certainly not running any more. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid!));
  });
}

const record = (pid: number, host = hostname()) => JSON.stringify({ pid, host, since: '2026-12-07T10:00:00.000Z', nonce: `nonce-${pid}-${host}` });

async function ageBy(path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

describe('lockStateFile', () => {
  it('is taken whole, refuses a second taker naming the holder, and is gone once released', async () => {
    const state = statePath();
    const lock = await lockStateFile(state);
    expect(JSON.parse(await readFile(`${state}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });

    const refused = await lockStateFile(state).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StateLockedError);
    expect(refused).toMatchObject({ code: 'StateLocked', holder: { pid: process.pid, host: hostname() } });
    expect((refused as Error).message).toContain(`process ${process.pid} on ${hostname()}`);

    await lock.release();
    expect((await readdir(dir)).filter((name) => name.startsWith(`state-${count}`))).toEqual([]);
  });

  it('takes over a lock whose holder no longer runs on this host', async () => {
    const state = statePath();
    await writeFile(`${state}.lock`, record(await deadPid()));
    const lock = await lockStateFile(state);
    expect(JSON.parse(await readFile(`${state}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('keeps a lock from another host while its heartbeat is fresh, and takes it over once it is old', async () => {
    const state = statePath();
    await writeFile(`${state}.lock`, record(1, 'another-ci-runner'));
    await expect(lockStateFile(state)).rejects.toMatchObject({ holder: { host: 'another-ci-runner' } });
    await ageBy(`${state}.lock`, STALE_AFTER_MS + 60_000);
    const lock = await lockStateFile(state);
    await lock.release();
  });

  it('takes over a lock file that holds no record once it is a few seconds old (a holder killed mid-write)', async () => {
    const state = statePath();
    await writeFile(`${state}.lock`, '');
    await expect(lockStateFile(state)).rejects.toBeInstanceOf(StateLockedError);
    await ageBy(`${state}.lock`, 60_000);
    const lock = await lockStateFile(state);
    await lock.release();
  });

  it('removes the temporary files of takers that were killed, and leaves none of its own', async () => {
    const state = statePath();
    const orphan = join(dir, `.state-${count}.json.lock.${await deadPid()}-0123456789ab.partial`);
    await writeFile(orphan, record(1));
    const lock = await lockStateFile(state);
    expect((await readdir(dir)).filter((name) => name.includes(`state-${count}.json`)).sort()).toEqual([`state-${count}.json.lock`]);
    await lock.release();
  });
});
