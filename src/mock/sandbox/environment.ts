/** What every route handler works with: the state, the clock, blob storage and the run's settings. */
import type { BackgroundTasks } from './background.js';
import type { SandboxBlobs } from './blob-storage.js';
import type { SandboxClock } from './clock.js';
import type { SandboxFailures } from './failures.js';
import type { IdAllocator } from './ids.js';
import type { SandboxStore } from './store.js';

export interface SandboxEnvironment {
  store: SandboxStore;
  ids: IdAllocator;
  clock: SandboxClock;
  blobs: SandboxBlobs;
  failures: SandboxFailures;
  /** Default page size of list operations. */
  pageSize: number;
  background: BackgroundTasks;
}
