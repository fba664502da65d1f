/**
 * Fault injection. Most faults answer a request *instead of* the service: a throttle (429), a server error
 * (500/502/503), a connection reset before any byte, or a slow body. Two happen *after* the service has acted, which is
 * what makes a client's retry dangerous: `late` holds the answer back for a while (longer than a client's timeout),
 * `lost` drops the connection before any byte of the answer. Each fault has its own probability, and may be limited to
 * one operation (`lost@createProduct:1`) or one HTTP method (`late@POST:0.2`). A seeded PRNG makes a run reproducible:
 * the same seed and the same request sequence give the same faults.
 */
import { FaultSpecError } from './fault-spec-error.js';

export type FaultKind = '429' | '500' | '502' | '503' | 'reset' | 'slow' | 'late' | 'lost';

export interface FaultSpec {
  kind: FaultKind;
  /**
   * Probability per request, in [0, 1]. The probabilities of all faults that can apply to one request (the global
   * ones, its method's and its operation's) must not add up to more than 1.
   */
  probability: number;
  /**
   * `slow`: how long the response body takes to trickle out; `late`: how long the answer is held back. Milliseconds
   * of real time. @default 1000 for slow, 5000 for late
   */
  delayMs?: number;
  /** Only requests of this operation (an operationId such as `createProduct`) or HTTP method (`POST`). @default every request */
  target?: string;
}

/** What a fault is chosen for: the request's method and, when it matched a route, its operation. */
export interface FaultRequest {
  method: string;
  operationId?: string;
}

const FAULT_KINDS: readonly FaultKind[] = ['429', '500', '502', '503', 'reset', 'slow', 'late', 'lost'];
const DELAYED_KINDS: readonly FaultKind[] = ['slow', 'late'];
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export const DEFAULT_SLOW_MS = 1000;
/** Longer than the few seconds a test gives a client's timeout, short enough not to stall a demo. */
export const DEFAULT_LATE_MS = 5000;

/**
 * Parses `"429:0.1,lost@createProduct:0.5,late@POST:1:8000"` (or validates an array of specs): `kind[@target]:probability[:delayMs]`.
 * With `operations` (operationId → HTTP method), targets must name a known operation or method, and the probabilities
 * are checked per operation; without it, per target.
 */
export function parseFaults(faults: string | FaultSpec[], operations?: ReadonlyMap<string, string>): FaultSpec[] {
  const specs = (typeof faults === 'string' ? parseFaultString(faults) : faults).map(normaliseTarget);
  for (const spec of specs) checkSpec(spec, operations);
  checkTotals(specs, operations);
  return specs;
}

function normaliseTarget(spec: FaultSpec): FaultSpec {
  if (spec.target === undefined) return spec;
  const method = spec.target.toUpperCase();
  return HTTP_METHODS.includes(method) ? { ...spec, target: method } : spec;
}

function checkSpec(spec: FaultSpec, operations: ReadonlyMap<string, string> | undefined): void {
  const name = spec.target === undefined ? spec.kind : `${spec.kind}@${spec.target}`;
  if (!FAULT_KINDS.includes(spec.kind)) {
    throw new FaultSpecError(`Unknown fault kind "${spec.kind}". Use one of: ${FAULT_KINDS.join(', ')}.`);
  }
  if (!Number.isFinite(spec.probability) || spec.probability < 0 || spec.probability > 1) {
    throw new FaultSpecError(`Fault "${name}" has probability ${spec.probability}; use a number between 0 and 1.`);
  }
  if (spec.delayMs !== undefined && (!Number.isFinite(spec.delayMs) || spec.delayMs < 0)) {
    throw new FaultSpecError(`Fault "${name}" has delayMs ${spec.delayMs}; use a non-negative number.`);
  }
  if (spec.delayMs !== undefined && !DELAYED_KINDS.includes(spec.kind)) {
    throw new FaultSpecError(`Fault "${name}" takes no delay; only ${DELAYED_KINDS.join(' and ')} do.`);
  }
  if (spec.target !== undefined && !HTTP_METHODS.includes(spec.target) && operations && !operations.has(spec.target)) {
    throw new FaultSpecError(`Fault "${name}" names no known operation or HTTP method. Use a method (${HTTP_METHODS.join(', ')}) or an operationId such as createProduct.`);
  }
}

/** The faults that apply to one request, in the order they were written. */
function applicable(specs: readonly FaultSpec[], request: FaultRequest): FaultSpec[] {
  const method = request.method.toUpperCase();
  return specs.filter((spec) => spec.target === undefined || spec.target === method || spec.target === request.operationId);
}

function checkTotals(specs: readonly FaultSpec[], operations: ReadonlyMap<string, string> | undefined): void {
  const check = (label: string, chosen: readonly FaultSpec[]): void => {
    const total = chosen.reduce((sum, spec) => sum + spec.probability, 0);
    if (total > 1 + 1e-9) throw new FaultSpecError(`Fault probabilities${label} add up to ${total}; together they must not exceed 1.`);
  };
  check('', specs.filter((spec) => spec.target === undefined));
  const targets = new Set(specs.flatMap((spec) => (spec.target === undefined ? [] : [spec.target])));
  for (const target of targets) {
    const method = HTTP_METHODS.includes(target) ? target : operations?.get(target);
    check(` for ${target}`, applicable(specs, HTTP_METHODS.includes(target) ? { method: target } : { method: method ?? '', operationId: target }));
  }
}

function parseFaultString(text: string): FaultSpec[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [head, probability, delay, extra] = part.split(':').map((field) => field.trim());
      if (probability === undefined || probability === '' || extra !== undefined || delay === '') {
        throw new FaultSpecError(`Fault "${part}" is not of the form kind:probability, kind@target:probability or kind:probability:delayMs (e.g. 429:0.1, lost@createProduct:1, late@POST:1:8000).`);
      }
      const [kind, target, more] = head!.split('@');
      if (more !== undefined || target === '') throw new FaultSpecError(`Fault "${part}" names its target badly; write kind@target, e.g. late@POST:0.5.`);
      return {
        kind: kind as FaultKind,
        probability: Number(probability),
        ...(target === undefined ? {} : { target }),
        ...(delay === undefined ? {} : { delayMs: Number(delay) }),
      };
    });
}

/** mulberry32: a small, well-distributed 32-bit PRNG; plenty for choosing faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws one number per request, whatever applies to it (so that the sequence stays reproducible), and maps it onto
 * the cumulative probabilities of the faults that apply to that request.
 */
export function createFaultInjector(specs: FaultSpec[], seed: number): (request: FaultRequest) => FaultSpec | undefined {
  const random = seededRandom(seed);
  return (request) => {
    const draw = random();
    let edge = 0;
    for (const spec of applicable(specs, request)) {
      edge += spec.probability;
      if (draw < edge) return spec;
    }
    return undefined;
  };
}

/** Faults that let the service act and then spoil its answer, rather than answering instead of it. */
export function actsFirst(fault: FaultSpec | undefined): fault is FaultSpec & { kind: 'late' | 'lost' } {
  return fault?.kind === 'late' || fault?.kind === 'lost';
}
