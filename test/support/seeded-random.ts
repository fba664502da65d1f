/**
 * mulberry32: a small, well-distributed 32-bit PRNG. Tests and benchmarks use it so that a document, a page or a
 * sequence of kill times is the same on every run and every machine, and a failing one can be replayed from its seed.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
