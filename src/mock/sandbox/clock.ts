/**
 * The sandbox's scaled clock. Workflows are computed from elapsed time rather than driven by timers, so a paused
 * process, an injected clock in tests, or a speed of 1000 all give consistent answers without anything running between requests.
 */
export class SandboxClock {
  constructor(
    private readonly wallClock: () => number,
    /** Sandbox seconds per real second. */
    readonly speed: number,
  ) {
    if (!Number.isFinite(speed) || speed <= 0) {
      throw new RangeError(`Sandbox speed must be a positive number, got ${speed}.`);
    }
  }

  /** Real milliseconds since the epoch, from the injected clock. */
  now(): number {
    return this.wallClock();
  }

  /** Sandbox seconds elapsed since `startedAt` (a value of `now()`). */
  secondsSince(startedAt: number): number {
    return this.secondsBetween(startedAt, this.wallClock());
  }

  /** Sandbox seconds between two values of `now()`. */
  secondsBetween(from: number, to: number): number {
    return ((to - from) * this.speed) / 1000;
  }

  /** An ISO 8601 UTC date-time (`2025-01-01T00:00:00.000Z`), the form the service sends. */
  iso(at: number = this.wallClock()): string {
    return new Date(at).toISOString();
  }
}
