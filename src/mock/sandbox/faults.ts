/**
 * Fault injection: before handling a request the sandbox may answer it with a throttle (429), a server error
 * (500/502/503), a connection reset, or a slow body, each with its own probability. A seeded PRNG makes a run
 * reproducible: the same seed and the same request sequence give the same faults.
 */
import { FaultSpecError } from './fault-spec-error.js';

export type FaultKind = '429' | '500' | '502' | '503' | 'reset' | 'slow';

export interface FaultSpec {
  kind: FaultKind;
  /** Probability per request, in [0, 1]. The probabilities of all faults together must not exceed 1. */
  probability: number;
  /** For `slow`: how long the response body takes to trickle out, in milliseconds. @default 1000 */
  delayMs?: number;
}

const FAULT_KINDS: readonly FaultKind[] = ['429', '500', '502', '503', 'reset', 'slow'];

export const DEFAULT_SLOW_MS = 1000;

/** Parses `"429:0.1,500:0.05,reset:0.02,slow:0.01"` (or validates an array of specs). */
export function parseFaults(faults: string | FaultSpec[]): FaultSpec[] {
  const specs = typeof faults === 'string' ? parseFaultString(faults) : faults;
  let total = 0;
  for (const spec of specs) {
    if (!FAULT_KINDS.includes(spec.kind)) {
      throw new FaultSpecError(`Unknown fault kind "${spec.kind}". Use one of: ${FAULT_KINDS.join(', ')}.`);
    }
    if (!Number.isFinite(spec.probability) || spec.probability < 0 || spec.probability > 1) {
      throw new FaultSpecError(`Fault "${spec.kind}" has probability ${spec.probability}; use a number between 0 and 1.`);
    }
    if (spec.delayMs !== undefined && (!Number.isFinite(spec.delayMs) || spec.delayMs < 0)) {
      throw new FaultSpecError(`Fault "${spec.kind}" has delayMs ${spec.delayMs}; use a non-negative number.`);
    }
    total += spec.probability;
  }
  if (total > 1 + 1e-9) {
    throw new FaultSpecError(`Fault probabilities add up to ${total}; together they must not exceed 1.`);
  }
  return specs;
}

function parseFaultString(text: string): FaultSpec[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [kind, probability, extra] = part.split(':');
      if (probability === undefined || extra !== undefined || probability.trim() === '') {
        throw new FaultSpecError(`Fault "${part}" is not of the form kind:probability (e.g. 429:0.1).`);
      }
      return { kind: kind!.trim() as FaultKind, probability: Number(probability) };
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

/** Draws one number per request and maps it onto the cumulative fault probabilities. */
export function createFaultInjector(specs: FaultSpec[], seed: number): () => FaultSpec | undefined {
  const random = seededRandom(seed);
  return () => {
    const draw = random();
    let edge = 0;
    for (const spec of specs) {
      edge += spec.probability;
      if (draw < edge) return spec;
    }
    return undefined;
  };
}
