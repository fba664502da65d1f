import { HdcError } from '../client/errors/hdc-error.js';

/** Who holds a state file's lock, as written in the lock file. */
export interface StateLockHolder {
  pid: number;
  host: string;
  /** When that run took the lock (ISO 8601). */
  since: string;
}

/**
 * Another run is using this state file (and its output folder): two runs on one state would create twice and
 * overwrite each other's record. Nothing was sent to the service.
 */
export class StateLockedError extends HdcError {
  override readonly kind: string = 'state-locked';
  /** The lock file. */
  readonly path: string;
  readonly holder: StateLockHolder | undefined;

  constructor(path: string, holder: StateLockHolder | undefined) {
    const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'another run';
    super(
      `Another run (${who}) is using this state file; wait for it to finish, or choose another output folder. ` +
        `If that run is gone, delete ${path}.`,
      { code: 'StateLocked' },
    );
    this.path = path;
    this.holder = holder;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path, holder: this.holder };
  }
}
