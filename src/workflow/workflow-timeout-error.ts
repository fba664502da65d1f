import { HdcError } from '../client/errors/hdc-error.js';
import type { WorkflowSubject } from './workflow-failed-error.js';

export interface WorkflowTimeoutErrorOptions {
  subject: WorkflowSubject;
  /** What was waited for, for people: e.g. `submission 1152921504621441930 of product 13635057453741329`. */
  resource: string;
  /** The last step seen, or undefined if the service never reported one. */
  lastStep: string | undefined;
  lastState: string | undefined;
  /** How long the wait lasted, in milliseconds. */
  waitedMs: number;
  /** The overall timeout that ran out. */
  timeoutMs: number;
  /** What was still missing, e.g. `the driverMetadata download`. */
  waitingFor: string;
}

/**
 * A wait ran past its overall timeout. The workflow itself may still finish: the service keeps going, and a later
 * wait on the same IDs picks it up where it is.
 */
export class WorkflowTimeoutError extends HdcError {
  override readonly kind: string = 'workflow-timeout';
  readonly subject: WorkflowSubject;
  readonly lastStep: string | undefined;
  readonly lastState: string | undefined;
  readonly waitedMs: number;
  readonly timeoutMs: number;

  constructor(options: WorkflowTimeoutErrorOptions) {
    const seen =
      options.lastStep === undefined
        ? 'the service never reported a workflow step'
        : `last seen in step ${options.lastStep} (${options.lastState ?? 'no state'})`;
    super(
      `Gave up waiting for ${options.waitingFor} of ${options.resource} after ${formatDuration(options.waitedMs)} ` +
        `(timeout ${formatDuration(options.timeoutMs)}); ${seen}. The workflow may still finish: wait again with the same IDs.`,
      { code: 'WorkflowTimeout' },
    );
    this.subject = options.subject;
    this.lastStep = options.lastStep;
    this.lastState = options.lastState;
    this.waitedMs = options.waitedMs;
    this.timeoutMs = options.timeoutMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), subject: this.subject, lastStep: this.lastStep, lastState: this.lastState, waitedMs: this.waitedMs, timeoutMs: this.timeoutMs };
  }
}

/** `2h`, `1h 30m`, `45s`, `250ms`: precise enough for a log line. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [hours ? `${hours}h` : '', minutes ? `${minutes}m` : '', seconds ? `${seconds}s` : ''].filter(Boolean);
  return parts.join(' ');
}
