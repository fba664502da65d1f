/**
 * Shared pieces of the fault-injection suite: the secrets every scenario tries to leak, a fake clock for the
 * retry policy's backoff, a client pointed at a scenario server, and the check that no secret escaped.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, jest } from '@jest/globals';
import { inspect } from 'node:util';
import { createHdcClient, type HdcClient, type HdcClientOptions } from '../../src/client/index.js';
import { startScenarioServer, type RecordedRequest, type ScenarioServer } from './server.js';

/** A bearer token that is not JWT-shaped, so only real redaction (not the JWT pattern) can hide it. */
export const TOKEN = 'hwdash-fault-token-5f1c9a7e3b2d4c6a8e0f';
export const CLIENT_SECRET = 'Xq8Q~fault.client-secret~7Zk2LpWm9Rt';
/** A SAS signature as it appears in a URL (percent-encoded base64). */
export const SAS_SIG = 'wR4tF4uLt%2BSAS%2Fsignature9kQ%3D';
export const SAS_URL = `https://contosoingest.blob.core.windows.net/ingestion/1152921504621465124/package.cab?sv=2023-11-03&se=2030-01-01T00%3A00%3A00Z&sr=b&sp=rcw&sig=${SAS_SIG}`;
/** Everything that must never appear, including the decoded form of the SAS signature. */
export const SECRETS = [TOKEN, CLIENT_SECRET, SAS_SIG, decodeURIComponent(SAS_SIG)];

/**
 * An error body that echoes every secret back, as a debugging gateway or a careless proxy page would:
 * the raw token, the Authorization header, a token request's form body and a SAS URL.
 */
export function leakyMessage(extra = ''): string {
  return `${extra}Request had Authorization: Bearer ${TOKEN}; token ${TOKEN} rejected; upstream POST grant_type=client_credentials&client_secret=${CLIENT_SECRET}; blob ${SAS_URL}`;
}

export const PRODUCT_ID = '14631253285588838';
export const SUBMISSION_ID = '1152921504621465124';

/**
 * A clock for the retry policy: `sleep` returns at once and records the delay, so delays are asserted as
 * values instead of waited for. `advance` lets a test move a faked `Date` along with the sleeps.
 */
export class FakeClock {
  readonly delays: number[] = [];
  constructor(private readonly advance?: (ms: number) => void) {}

  readonly sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    this.delays.push(ms);
    this.advance?.(ms);
  };
}

export interface ScenarioClient {
  client: HdcClient;
  clock: FakeClock;
  /** What the retry policy reported through `onRetry` (the only thing hwdash's client "logs"). */
  retries: unknown[];
}

/** A client for a scenario server, with a renewable token, the fake clock, and a 5 s timeout by default. */
export function scenarioClient(baseUrl: string, options: HdcClientOptions & { clock?: FakeClock } = {}): ScenarioClient {
  const { clock = new FakeClock(), retry, ...rest } = options;
  const retries: unknown[] = [];
  const client = createHdcClient({
    baseUrl,
    token: () => TOKEN,
    timeoutMs: 5000,
    ...rest,
    retry: { sleep: clock.sleep, onRetry: (info) => retries.push(info), ...retry },
  });
  return { client, clock, retries };
}

/** Runs `action` and returns what it threw; fails the test if it did not throw. */
export async function caught(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Every way an error can be shown: message, String, util.inspect (plain and showHidden), JSON, stack, body, causes. */
export function renderings(value: unknown): string[] {
  const out: string[] = [];
  for (let current = value, depth = 0; current !== undefined && current !== null && depth < 6; depth++) {
    if (typeof current === 'string') {
      out.push(current);
      break;
    }
    out.push(String(current), inspect(current), inspect(current, { showHidden: true, depth: 8 }), JSON.stringify(current) ?? '');
    if (current instanceof Error) {
      out.push(current.message, current.stack ?? '');
      const extra = current as Error & { body?: unknown; request?: unknown; validationErrors?: unknown };
      out.push(JSON.stringify(extra.body ?? null), JSON.stringify(extra.request ?? null), JSON.stringify(extra.validationErrors ?? null));
    }
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

/**
 * Captures console output for the duration of a test, so that "nothing logged" is checked, not assumed.
 * Call in `beforeEach`; the returned array fills as the code under test logs.
 */
/**
 * The usual setup of a scenario file: one server for the file, reset after each test, and the console captured per
 * test so that what a scenario logged can be searched for secrets. Read `server` and `logs` inside tests only.
 */
export function useScenarioServer(): { readonly server: ScenarioServer; readonly logs: string[] } {
  const scenario = {} as { server: ScenarioServer; logs: string[] };
  beforeAll(async () => {
    scenario.server = await startScenarioServer();
  });
  afterAll(() => scenario.server.close());
  beforeEach(() => {
    scenario.logs = captureConsole();
  });
  afterEach(() => {
    scenario.server.reset();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });
  return scenario;
}

export function captureConsole(): string[] {
  const lines: string[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '));
    });
  }
  return lines;
}

/** Asserts that no secret appears in any rendering of the given values (errors, logs, retry reports). */
export function expectNoSecrets(...values: unknown[]): void {
  const text = values.flatMap((value) => (Array.isArray(value) ? value.flatMap(renderings) : renderings(value))).join('\n');
  const leaks = SECRETS.filter((secret) => text.includes(secret)).map((secret) => {
    const at = text.indexOf(secret);
    return `${secret} in …${text.slice(Math.max(0, at - 80), at + secret.length + 20)}…`;
  });
  expect(leaks).toEqual([]);
}

/** The bearer token a recorded request carried, if any. */
export function bearerOf(request: RecordedRequest | undefined): string | undefined {
  const header = request?.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

/** Asserts that every recorded delay lies within [min, max]. */
export function expectDelaysWithin(delays: readonly number[], bounds: ReadonlyArray<readonly [number, number]>): void {
  expect(delays).toHaveLength(bounds.length);
  bounds.forEach(([min, max], index) => {
    expect(delays[index]).toBeGreaterThanOrEqual(min);
    expect(delays[index]).toBeLessThanOrEqual(max);
  });
}
