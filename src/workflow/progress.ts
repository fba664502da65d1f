/**
 * What `signDriver` reports while it runs: its own steps, byte counts of transfers, and the service's workflow
 * steps as the wait sees them. One union, so a CLI or a CI log needs a single `onProgress` handler.
 */
import type { WorkflowEvent } from './wait.js';

/** The steps of `signDriver`, in order (reference section 5). */
export type SignDriverStep = 'preflight' | 'createProduct' | 'createSubmission' | 'upload' | 'commit' | 'wait' | 'download' | 'shippingLabel';

/** The steps of `signDriver` in the order they run. */
export const SIGN_DRIVER_STEPS: readonly SignDriverStep[] = [
  'preflight',
  'createProduct',
  'createSubmission',
  'upload',
  'commit',
  'wait',
  'download',
  'shippingLabel',
];

/**
 * - `step`: a step started, completed, or was skipped (already done according to the state file, or not asked for).
 * - `upload` / `download`: bytes transferred so far; `file` is the file name (not a URL).
 * - `notice`: something worth a line in a CI log during a step, e.g. that a rerun found what an earlier run created.
 * - `workflow`: the service reported a new workflow step or state.
 */
export type SignDriverProgressEvent =
  | { kind: 'step'; step: SignDriverStep; status: 'started' | 'completed' | 'skipped'; detail?: string }
  | { kind: 'notice'; step: SignDriverStep; message: string }
  | { kind: 'upload' | 'download'; loadedBytes: number; totalBytes: number; file?: string }
  | WorkflowEvent;
