/**
 * A suite's sandbox, started in its beforeAll and stopped in its afterAll. The hooks are registered where the helper
 * is called (a describe block or the file), so a suite's own beforeAll, declared after it, already finds the sandbox
 * running.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { startAzurite, type AzuriteHandle } from '../../src/mock/azurite.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/mock/sandbox/index.js';
import { ManualClock, responseRecorder } from './support.js';

/** An Azurite for the suite and the sandboxes the suite starts on it. */
export interface AzuriteFixture {
  readonly azurite: AzuriteHandle;
  /** Starts a sandbox on the suite's Azurite; it is stopped when the suite ends, before the Azurite. */
  startSandbox(options?: Omit<SandboxOptions, 'azurite'>): Promise<Sandbox>;
}

export interface SandboxFixtureOptions extends Omit<SandboxOptions, 'azurite' | 'now' | 'onResponse'> {
  /**
   * An Azurite of the suite's own (blobs in memory), stopped only after every sandbox on it, instead of the sandbox's
   * embedded one (blobs on disk), which stops with the sandbox.
   */
  ownAzurite?: boolean;
  /** Run the sandbox on a {@link ManualClock} that the tests move, so that workflow steps happen when a test says. */
  manualClock?: boolean;
}

export interface SandboxFixture {
  readonly sandbox: Sandbox;
  /** The sandbox's base URL, for `call`. */
  readonly base: string;
  /** The suite's own Azurite with `ownAzurite`, else the sandbox's embedded one (which stops with the sandbox). */
  readonly azurite: AzuriteHandle;
  /** Every response the sandbox sent, for `expectResponsesMatchSpec`. */
  readonly recorder: ReturnType<typeof responseRecorder>;
  /** Only with `manualClock`. */
  readonly clock: ManualClock;
}

/** Guards the getters: the servers run only between the suite's beforeAll and afterAll, not while jest collects tests. */
function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The suite's ${what} is not running: read it in a hook or a test, after beforeAll.`);
  return value;
}

export function useAzurite(): AzuriteFixture {
  let azurite: AzuriteHandle | undefined;
  const running: Sandbox[] = [];

  beforeAll(async () => {
    azurite = await startAzurite();
  });

  afterAll(async () => {
    for (const sandbox of running) await sandbox.stop();
    await azurite?.stop();
  });

  return {
    get azurite() {
      return started(azurite, 'Azurite');
    },
    // A closure, not a method, so that suites can pass it around as a plain function.
    startSandbox: async (options = {}) => {
      const sandbox = await startSandbox({ azurite: started(azurite, 'Azurite'), ...options });
      running.push(sandbox);
      return sandbox;
    },
  };
}

export function useSandbox(options: SandboxFixtureOptions = {}): SandboxFixture {
  const { ownAzurite = false, manualClock = false, ...sandboxOptions } = options;
  const recorder = responseRecorder();
  const clock = manualClock ? new ManualClock() : undefined;
  const shared = ownAzurite ? useAzurite() : undefined;
  let sandbox: Sandbox | undefined;

  beforeAll(async () => {
    const settings: Omit<SandboxOptions, 'azurite'> = { ...sandboxOptions, onResponse: recorder.onResponse, ...(clock && { now: clock.now }) };
    sandbox = shared ? await shared.startSandbox(settings) : await startSandbox(settings);
  });

  // useAzurite's afterAll stops a sandbox started on the suite's Azurite.
  if (!shared) {
    afterAll(async () => {
      await sandbox?.stop();
    });
  }

  return {
    get sandbox() {
      return started(sandbox, 'sandbox');
    },
    get base() {
      return started(sandbox, 'sandbox').baseUrl;
    },
    get azurite() {
      return shared ? shared.azurite : started(sandbox, 'sandbox').azurite;
    },
    recorder,
    get clock() {
      if (!clock) throw new Error('This suite runs the sandbox on real time: ask useSandbox for { manualClock: true }.');
      return clock;
    },
  };
}
