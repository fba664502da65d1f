/**
 * The ingestion workflow of a committed submission (reference section 5, step 6), as a pure function of sandbox
 * time since the commit and of the ingestion outcome (known once the uploaded package has been examined).
 */
import { SUBMISSION_STEPS } from '../../client/vocabulary.js';

/** The service's ingestion steps, in order: the same vocabulary the workflow layer reads. */
export const INGESTION_STEPS = SUBMISSION_STEPS;

export type IngestionStep = (typeof INGESTION_STEPS)[number];

export type WorkflowState = 'notStarted' | 'started' | 'completed' | 'failed';

export type CommitStatus = 'commitPending' | 'commitReceived' | 'commitComplete';

/** Sandbox seconds between the commit and the first workflow step (commitReceived). */
export const COMMIT_RECEIVED_SECONDS = 3;

/** Sandbox seconds per step: roughly a minute in all at speed 1, so a demo at speed 60 takes about a second. */
export const INGESTION_STEP_SECONDS: Record<IngestionStep, number> = {
  packageInfoValidation: 5,
  preparation: 5,
  scanning: 10,
  validation: 10,
  catalogCreation: 5,
  manualReview: 10,
  signing: 10,
  finalizeIngestion: 5,
};

/** The last part of every step reports `completed` before the next one starts, as pollers see on the live service. */
const COMPLETED_FRACTION = 0.2;

/**
 * The driver metadata file shows up a little after the signed package (a real-world quirk [SDCM] waits for separately).
 */
export const DRIVER_METADATA_DELAY_SECONDS = 5;

export type IngestionOutcome = { failed: false } | { failed: true; step: IngestionStep; messages: string[] };

export interface SubmissionProgress {
  commitStatus: CommitStatus;
  currentStep: IngestionStep;
  state: WorkflowState;
  messages: string[];
  /** finalizeIngestion completed: the signed package and the certification report are available. */
  signedPackageReady: boolean;
  driverMetadataReady: boolean;
}

interface Slot {
  step: IngestionStep;
  /** sandbox seconds since commit */
  start: number;
  end: number;
}

const SCHEDULE: readonly Slot[] = INGESTION_STEPS.reduce<Slot[]>((slots, step) => {
  const start = slots.at(-1)?.end ?? COMMIT_RECEIVED_SECONDS;
  return [...slots, { step, start, end: start + INGESTION_STEP_SECONDS[step] }];
}, []);

const FINAL_SLOT = SCHEDULE.at(-1)!;

/** Sandbox seconds from commit until the signed package is available. */
export const SECONDS_UNTIL_SIGNED = FINAL_SLOT.end;

/**
 * @param secondsSinceCommit sandbox seconds since commit, or undefined if the submission is not committed.
 * @param outcome undefined while the package is still being examined; the workflow then waits in packageInfoValidation.
 */
export function submissionProgress(secondsSinceCommit: number | undefined, outcome: IngestionOutcome | undefined): SubmissionProgress {
  const nothingReady = { signedPackageReady: false, driverMetadataReady: false };
  if (secondsSinceCommit === undefined) {
    return { commitStatus: 'commitPending', currentStep: 'packageInfoValidation', state: 'notStarted', messages: [], ...nothingReady };
  }
  if (secondsSinceCommit < COMMIT_RECEIVED_SECONDS) {
    return { commitStatus: 'commitReceived', currentStep: 'packageInfoValidation', state: 'notStarted', messages: [], ...nothingReady };
  }
  if (outcome === undefined) {
    return { commitStatus: 'commitComplete', currentStep: 'packageInfoValidation', state: 'started', messages: [], ...nothingReady };
  }
  const slot = SCHEDULE.find((candidate) => secondsSinceCommit < candidate.end) ?? FINAL_SLOT;
  const failing = outcome.failed ? SCHEDULE.find((candidate) => candidate.step === outcome.step)! : undefined;
  if (outcome.failed && failing && secondsSinceCommit >= failing.start) {
    const failed = secondsSinceCommit >= failing.end;
    return {
      commitStatus: 'commitComplete',
      currentStep: failing.step,
      state: failed ? 'failed' : 'started',
      messages: failed ? outcome.messages : [],
      ...nothingReady,
    };
  }
  // The final step stays completed for good from its end on; earlier steps show completed briefly before the next starts.
  const completedFrom = slot === FINAL_SLOT ? slot.end : slot.end - (slot.end - slot.start) * COMPLETED_FRACTION;
  const completed = secondsSinceCommit >= completedFrom;
  const signed = slot === FINAL_SLOT && completed;
  return {
    commitStatus: 'commitComplete',
    currentStep: slot.step,
    state: completed ? 'completed' : 'started',
    messages: [],
    signedPackageReady: signed,
    driverMetadataReady: signed && secondsSinceCommit >= FINAL_SLOT.end + DRIVER_METADATA_DELAY_SECONDS,
  };
}
