/**
 * One signing run, as the steps of `signDriver` share it: the client, the state (read from the state file, and
 * written back after every change), the lock that keeps a second run off that state, and the progress events.
 * Opening a run checks the rest of the inputs before anything is created: the output folder can be created and
 * written, the state file is this run's (or absent), and no other run holds it.
 */
import { basename, extname, resolve } from 'node:path';
import type { HdcClient } from '../client/client.js';
import { toId, type Int64Id } from '../client/ids.js';
import { DEFAULT_CREATE_TIMEOUT_MS, createOnce, type CreatableResource, type CreateOutcome } from './create-once.js';
import { ensureDirectory } from './ensure-directory.js';
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

/** What a signing run needs: the client, the package, where its outcome goes, and its timing. */
export interface SigningRunOptions {
  client: HdcClient;
  /** Path of the package: an EV-signed `.cab` for attestation, or an `.hlkx`/`.hckx`. */
  package: string;
  /** Uses an existing product (`signDriver` creates one from `product` otherwise). */
  productId?: string;
  /** Folder for the signed package, the driver metadata and (by default) the state file. */
  outDir: string;
  /**
   * Where completed steps (and creates about to be sent) are recorded. `false` keeps no record: a rerun then starts
   * a new submission.
   * @default `<outDir>/.hwdash-state.json`
   */
  stateFile?: string | false;
  /** Cancels the run. Completed steps stay recorded, a partial download is kept for the rerun to resume. */
  signal?: AbortSignal;
  onProgress?: (event: SignDriverProgressEvent) => void;
  /**
   * How long the service may take to carry out a create (product, submission, shipping label): the create request's
   * timeout, and how long a rerun waits for an earlier attempt's create to show before it concludes "not created".
   * @default 600000 (10 minutes; SDCM issue #43 saw a product take over 5)
   */
  createTimeoutMs?: number;
  /** @default 5000 (see `waitForSubmission`) */
  pollIntervalMs?: number;
  /** Overall limit of each wait (the submission's, then the label's). @default the wait's own default */
  timeoutMs?: number;
  /** Replaces the waits' timer, for tests. */
  sleep?: WaitOptions['sleep'];
  /** Replaces the waits' clock, for tests. */
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
   * Opens a run on a package that passed preflight (of `size` bytes): creates the output folder, takes the state
   * file's lock and reads the state.
   * @throws DirectoryError, StateLockedError, StateFileError — before anything is sent.
   */
  static async open(options: SigningRunOptions, size: number): Promise<SigningRun> {
    const packagePath = resolve(options.package);
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
