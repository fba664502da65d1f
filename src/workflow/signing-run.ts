/**
 * One signing run, as the steps of `signDriver` share it: the client, the state (read from the state file, and
 * written back after every change), the lock that keeps a second run off that state, and the progress events.
 * Opening a run checks every input before anything is created: the package is a regular file, the output folder
 * can be created and written, the state file is this run's (or absent), and no other run holds it.
 */
import { stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import type { HdcClient } from '../client/client.js';
import { toId, type Int64Id } from '../client/ids.js';
import { DEFAULT_CREATE_TIMEOUT_MS, createOnce, type CreatableResource, type CreateOutcome } from './create-once.js';
import { ensureDirectory } from './ensure-directory.js';
import { PackageFileError } from './package-file-error.js';
import type { SignDriverProgressEvent, SignDriverStep } from './progress.js';
import { lockStateFile, type StateLock } from './state-lock.js';
import {
  STATE_FILE_VERSION,
  assertStateMatches,
  defaultStateFilePath,
  readStateFile,
  writeStateFile,
  type CreateIntent,
  type CreatedResource,
  type SignDriverState,
} from './state-file.js';
import type { WaitOptions } from './wait.js';

/** What opening a run needs; `signDriver`'s options are a superset. */
export interface SigningRunOptions {
  client: HdcClient;
  package: string;
  productId?: string;
  outDir: string;
  stateFile?: string | false;
  signal?: AbortSignal;
  onProgress?: (event: SignDriverProgressEvent) => void;
  /** @see SignDriverOptions.createTimeoutMs */
  createTimeoutMs?: number;
  pollIntervalMs?: number;
  timeoutMs?: number;
  sleep?: WaitOptions['sleep'];
  now?: WaitOptions['now'];
}

export class SigningRun {
  readonly client: HdcClient;
  readonly signal: AbortSignal | undefined;
  readonly packagePath: string;
  readonly packageSize: number;
  readonly outDir: string;
  readonly statePath: string | undefined;
  /** The state as recorded; mutated only through {@link record}. */
  readonly state: SignDriverState;
  /** A state file from an earlier run was found and is being continued. */
  readonly resumed: boolean;
  readonly requestedProductId: Int64Id | undefined;
  readonly createTimeoutMs: number;
  readonly waitOptions: WaitOptions;
  readonly #emit: (event: SignDriverProgressEvent) => void;
  readonly #lock: StateLock | undefined;

  private constructor(options: SigningRunOptions, init: { size: number; state: SignDriverState; resumed: boolean; lock?: StateLock; statePath?: string }) {
    this.client = options.client;
    this.signal = options.signal;
    this.packagePath = resolve(options.package);
    this.packageSize = init.size;
    this.outDir = resolve(options.outDir);
    this.statePath = init.statePath;
    this.state = init.state;
    this.resumed = init.resumed;
    this.requestedProductId = options.productId === undefined ? undefined : toId('productId', options.productId);
    this.createTimeoutMs = options.createTimeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS;
    this.#emit = options.onProgress ?? (() => undefined);
    this.#lock = init.lock;
    this.waitOptions = {
      signal: options.signal,
      onEvent: this.#emit,
      onNotice: (message) => this.notice('wait', message),
      pollIntervalMs: options.pollIntervalMs,
      timeoutMs: options.timeoutMs,
      sleep: options.sleep,
      now: options.now,
    };
  }

  /**
   * Checks the inputs, takes the state file's lock and reads the state.
   * @throws PackageFileError, DirectoryError, StateLockedError, StateFileError — before anything is sent.
   */
  static async open(options: SigningRunOptions): Promise<SigningRun> {
    const packagePath = resolve(options.package);
    const size = await regularFileSize(packagePath);
    const outDir = resolve(options.outDir);
    await ensureDirectory(outDir);
    options.signal?.throwIfAborted();
    const statePath = options.stateFile === false ? undefined : resolve(options.stateFile ?? defaultStateFilePath(outDir));
    if (statePath) await ensureDirectory(resolve(statePath, '..'));
    const lock = statePath ? await lockStateFile(statePath) : undefined;
    try {
      const previous = statePath ? await readStateFile(statePath) : undefined;
      const productId = options.productId === undefined ? undefined : toId('productId', options.productId);
      if (previous && statePath) {
        await assertStateMatches(statePath, previous, { apiBaseUrl: options.client.baseUrl, package: { path: packagePath, size }, productId });
      }
      const now = new Date(options.now?.() ?? Date.now()).toISOString();
      const state = previous ?? { version: STATE_FILE_VERSION, startedAt: now, apiBaseUrl: options.client.baseUrl, package: { path: packagePath, size }, updatedAt: '' };
      return new SigningRun(options, { size, state, resumed: previous !== undefined, ...(lock ? { lock } : {}), ...(statePath ? { statePath } : {}) });
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  /** The package's file name without its extension: the default product name, and the stem of the submission's. */
  get packageStem(): string {
    return basename(this.packagePath, extname(this.packagePath));
  }

  /** Records a step's outcome (atomically, before the run goes on). */
  async record(done: Partial<SignDriverState>): Promise<void> {
    Object.assign(this.state, done);
    if (this.statePath) await writeStateFile(this.statePath, this.state);
  }

  /** The intent recorded for a create, if one is pending. */
  intent(resource: CreatedResource): CreateIntent | undefined {
    return this.state.intents?.[resource];
  }

  /** Records (or, with undefined, clears) the intent to create a resource, together with any other outcome. */
  async recordIntent(resource: CreatedResource, intent: CreateIntent | undefined, done: Partial<SignDriverState> = {}): Promise<void> {
    const intents = { ...this.state.intents };
    if (intent) intents[resource] = intent;
    else delete intents[resource];
    await this.record({ ...done, intents: Object.keys(intents).length > 0 ? intents : undefined });
  }

  emit(event: SignDriverProgressEvent): void {
    this.#emit(event);
  }

  started(step: SignDriverStep): void {
    this.signal?.throwIfAborted();
    this.#emit({ kind: 'step', step, status: 'started' });
  }

  completed(step: SignDriverStep, detail?: string): void {
    this.#emit({ kind: 'step', step, status: 'completed', ...(detail ? { detail } : {}) });
  }

  skipped(step: SignDriverStep, detail: string): void {
    this.signal?.throwIfAborted();
    this.#emit({ kind: 'step', step, status: 'skipped', detail });
  }

  /** A message about a step that is neither its start nor its end (e.g. looking up what an earlier run created). */
  notice(step: SignDriverStep, message: string): void {
    this.#emit({ kind: 'notice', step, message });
  }

  /**
   * Creates the run's product, submission or shipping label exactly once: the intent goes to the state file before
   * the request, and a rerun (or a lost answer) looks the resource up by it (see `createOnce`).
   */
  createOnce<T extends { id: Int64Id }>(resource: CreatedResource, step: SignDriverStep, creatable: CreatableResource<T>): Promise<CreateOutcome<T>> {
    const { pollIntervalMs, now, sleep } = this.waitOptions;
    return createOnce({
      ...creatable,
      createTimeoutMs: this.createTimeoutMs,
      ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
      ...(this.signal ? { signal: this.signal } : {}),
      ...(now ? { now } : {}),
      ...(sleep ? { sleep } : {}),
      onNotice: (message) => this.notice(step, message),
      intents: { load: () => this.intent(resource), save: (intent) => this.recordIntent(resource, intent) },
    });
  }

  /** Releases the state file's lock. */
  async close(): Promise<void> {
    await this.#lock?.release();
  }
}

/**
 * The package's size, after checking it is a regular file: a FIFO or a device (`/dev/zero`) would block or never
 * end, and a folder is not a package.
 */
async function regularFileSize(path: string): Promise<number> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new PackageFileError(
      error.code === 'ENOENT' ? `The package ${path} does not exist.` : `Cannot read the package ${path} (${error.code}).`,
      { path, code: error.code ?? 'EIO' },
    );
  });
  if (!info.isFile()) throw new PackageFileError(`The package ${path} is not a regular file (a folder, a device or a pipe); give the path of a .cab, .hlkx or .hckx file.`, { path, code: 'ENOTFILE' });
  return info.size;
}
