/**
 * Creating a resource (product, submission, shipping label) exactly once, although the API has no idempotency key.
 *
 * Before the POST, the intent is recorded: the name the resource gets, and the IDs of the same-named resources that
 * already exist. When the outcome is unknown (the answer was lost to a timeout, a reset or a 5xx, or the process
 * died), the resource is looked up by that record: a new ID under that name is the one this run created. The service
 * can still be carrying out a create for a while after the request (SDCM issue #43: over 5 minutes for a product),
 * so "not created" is only concluded once the intent is older than the create timeout. The answer is then one of
 * two, never a blind second POST: "created: ID", or "not created".
 */
import { HdcError } from '../client/errors/hdc-error.js';
import { InvalidStateError } from '../client/errors/invalid-state-error.js';
import { restate } from '../client/errors/restate.js';
import { sleep as abortableSleep } from '../client/pipeline/pipeline.js';
import { isAmbiguousFailure } from '../client/pipeline/retry.js';
import type { Int64Id } from '../client/ids.js';
import type { CreateIntent } from './state-file.js';

/** A resource as a list shows it: enough to tell which one carries the intended name. */
export interface Named {
  id: Int64Id;
  name: string | undefined;
}

/** The resource side of a create: what it is, its name, how to list its kind and how to create one. */
export interface CreatableResource<T extends { id: Int64Id }> {
  /** For messages: `product`, `submission`, `shipping label`. */
  what: string;
  /** The name the resource gets (`productName`, `name`). */
  name: string;
  /** Every existing resource this create could produce a sibling of, with its name. */
  list: (signal: AbortSignal | undefined) => AsyncIterable<Named>;
  /** Sends the create, with the per-attempt timeout given. */
  create: (timeoutMs: number, signal: AbortSignal | undefined) => Promise<T>;
}

/** How a create is carried out: its timeout, the pace of lookups, and the caller's cancellation. */
export interface CreateOptions {
  signal?: AbortSignal;
  /**
   * How long the service may take to carry out the create; also the create request's timeout.
   * @default 10 minutes (SDCM issue #43 saw a product take over 5)
   */
  createTimeoutMs?: number;
  /**
   * Pause between lookups while waiting for a create that may still be under way.
   * @default 5000
   */
  pollIntervalMs?: number;
  /** Told about lookups, so a log shows why a rerun pauses. */
  onNotice?: (message: string) => void;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Where an intent lives between runs (the state file); a one-off create keeps it in memory. */
export interface IntentStore {
  load(): CreateIntent | undefined;
  save(intent: CreateIntent | undefined): Promise<void>;
}

/** How long the service may take to carry out a create: SDCM issue #43 saw a product take over 5 minutes. */
export const DEFAULT_CREATE_TIMEOUT_MS = 10 * 60 * 1000;

type CreateOnceSpec<T extends { id: Int64Id }> = CreatableResource<T> & CreateOptions & { intents?: IntentStore };

/** What `createOnce` ended with: the new resource (`created`), or the ID of one a lost answer had created (`found`). */
export type CreateOutcome<T> = { id: Int64Id; created: T } | { id: Int64Id; found: true };

/**
 * Creates the resource, or finds the one an earlier attempt created.
 * @throws the create's own error when it surely did not create; for an unknown outcome that the lookup settles as
 * "not created", the same kind of error, saying so.
 */
export async function createOnce<T extends { id: Int64Id }>(spec: CreateOnceSpec<T>): Promise<CreateOutcome<T>> {
  const createTimeoutMs = spec.createTimeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS;
  let memory: CreateIntent | undefined;
  const intents = spec.intents ?? { load: () => memory, save: async (intent: CreateIntent | undefined) => void (memory = intent) };
  const earlier = intents.load();
  if (earlier) {
    spec.onNotice?.(`an earlier run was creating the ${spec.what} "${earlier.name}" at ${earlier.since}: looking it up before creating anything`);
    const found = await resolveIntent(spec, earlier);
    if (found !== undefined) {
      spec.onNotice?.(`found the ${spec.what} ${found} the earlier run created`);
      return { id: found, found: true };
    }
    spec.onNotice?.(`the earlier run did not create the ${spec.what}: creating it now`);
  }
  const intent: CreateIntent = { name: spec.name, existing: await idsNamed(spec, spec.name), since: new Date(now(spec)).toISOString() };
  await intents.save(intent);
  let created: T;
  try {
    created = await spec.create(createTimeoutMs, spec.signal);
  } catch (error) {
    // Only an answer from the service, or a connection never made, proves nothing was created. An abort or an
    // unexpected failure leaves the outcome unknown: the intent stays, and a rerun settles it.
    if (error instanceof HdcError && !isAmbiguousFailure(error)) {
      await intents.save(undefined);
      throw error;
    }
    if (spec.signal?.aborted || !(error instanceof HdcError)) throw error;
    spec.onNotice?.(`the answer to creating the ${spec.what} was lost (${error.message}): looking it up`);
    const found = await resolveIntent(spec, intent).catch((lookupError: unknown) => {
      if (spec.signal?.aborted || !(lookupError instanceof HdcError)) throw lookupError;
      throw restate(
        lookupError,
        `The answer to creating the ${spec.what} "${spec.name}" was lost (${error.message}), and looking it up failed (${lookupError.message}), ` +
          `so it may have been created. ${spec.intents ? `Run the same command again: it looks the ${spec.what} up before creating anything.` : `List the ${spec.what}s before creating it again.`}`,
      );
    });
    if (found !== undefined) {
      spec.onNotice?.(`the ${spec.what} was created: ${found}`);
      return { id: found, found: true };
    }
    await intents.save(undefined);
    throw restate(error, `${error.message}. The ${spec.what} "${spec.name}" was not created (looked up after the answer was lost); run the same command again to create it.`);
  }
  return { id: created.id, created };
}

/**
 * The ID the intent's create produced, waiting while the service may still be carrying it out; undefined once that
 * window has passed with nothing to show ("not created").
 */
async function resolveIntent<T extends { id: Int64Id }>(spec: CreateOnceSpec<T>, intent: CreateIntent): Promise<Int64Id | undefined> {
  const deadline = Date.parse(intent.since) + (spec.createTimeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS);
  const known = new Set(intent.existing);
  for (let announced = false; ; announced = true) {
    const candidates = (await idsNamed(spec, intent.name)).filter((id) => !known.has(id));
    if (candidates.length === 1) return candidates[0];
    if (candidates.length > 1) {
      throw new InvalidStateError(
        `${candidates.length} ${spec.what}s named "${intent.name}" appeared since this run meant to create one (${candidates.join(', ')}); ` +
          `hwdash cannot tell which is its own. Pick one (e.g. --product <id>) or delete the state file to start over.`,
        { code: 'AmbiguousCreate' },
      );
    }
    const left = deadline - now(spec);
    if (left <= 0) return undefined;
    if (!announced) {
      spec.onNotice?.(`no ${spec.what} "${intent.name}" yet; the service may still be creating it, so hwdash looks again for up to ${Math.ceil(left / 1000)} s`);
    }
    await (spec.sleep ?? abortableSleep)(Math.min(spec.pollIntervalMs ?? 5000, left), spec.signal);
  }
}

async function idsNamed<T extends { id: Int64Id }>(spec: CreateOnceSpec<T>, name: string): Promise<Int64Id[]> {
  const ids: Int64Id[] = [];
  for await (const item of spec.list(spec.signal)) if (item.name === name) ids.push(item.id);
  return ids;
}

function now<T extends { id: Int64Id }>(spec: CreateOnceSpec<T>): number {
  return spec.now?.() ?? Date.now();
}
