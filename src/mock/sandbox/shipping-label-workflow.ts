/**
 * The workflow of a shipping label (reference section 2.11), as a pure function of sandbox time since the label was
 * created or last updated. The service's `Created` step is what the create response reports as
 * preProcessShippingLabel/notStarted, so the schedule starts with a short notStarted phase.
 */
import { SHARING_LABEL_STEPS, WINDOWS_UPDATE_LABEL_STEPS } from '../../client/vocabulary.js';
import type { WorkflowState } from './submission-workflow.js';

/** `notSet` is refused when a label is created, so a stored label always has one of these. */
export type ShippingLabelDestination = 'windowsUpdate' | 'anotherPartner';

type LabelStep<Steps extends readonly string[]> = Exclude<Steps[number], 'created'>;

/** The service's label steps (the workflow layer's vocabulary), without `created`, which is the notStarted phase here. */
const WINDOWS_UPDATE_STEPS = WINDOWS_UPDATE_LABEL_STEPS.filter((step) => step !== 'created') as Array<LabelStep<typeof WINDOWS_UPDATE_LABEL_STEPS>>;
const SHARING_STEPS = SHARING_LABEL_STEPS.filter((step) => step !== 'created') as Array<LabelStep<typeof SHARING_LABEL_STEPS>>;

export type ShippingLabelStep = (typeof WINDOWS_UPDATE_STEPS)[number] | (typeof SHARING_STEPS)[number];

/** Sandbox seconds in the created (notStarted) phase. */
export const CREATED_SECONDS = 2;

export const SHIPPING_LABEL_STEP_SECONDS: Record<ShippingLabelStep, number> = {
  preProcessShippingLabel: 5,
  finalizePreProcessing: 5,
  publishJobValidation: 5,
  updateGeneration: 10,
  // Promotion and flighting wait on people at Microsoft: the longest step, and the only one a label can be cancelled in.
  microsoftApproval: 30,
  publishing: 10,
  finalizePublishing: 5,
  processSharing: 10,
  finalizeSharing: 5,
};

const COMPLETED_FRACTION = 0.2;

export interface ShippingLabelRun {
  destination: ShippingLabelDestination;
  /** Sandbox seconds since the label was created or last updated. */
  seconds: number;
  /** Sandbox seconds (same origin) at which the label was cancelled. */
  cancelledAt?: number;
  /** Fail the run at this step with these messages (a switchable sandbox failure). */
  failure?: { step: ShippingLabelStep; messages: string[] };
}

export interface ShippingLabelProgress {
  currentStep: ShippingLabelStep;
  state: WorkflowState;
  messages: string[];
  /** Preprocessing of the latest targeting is still running: updates are refused. */
  preprocessing: boolean;
  /** In microsoftApproval and not cancelled: the only time a cancel is accepted. */
  cancellable: boolean;
  /** The run reached its final step's completion: pending targeting changes have taken effect. */
  finished: boolean;
}

export const CANCELLED_MESSAGE = 'The shipping label was cancelled.';

interface Slot {
  step: ShippingLabelStep;
  start: number;
  end: number;
}

function schedule(steps: readonly ShippingLabelStep[]): Slot[] {
  return steps.reduce<Slot[]>((slots, step) => {
    const start = slots.at(-1)?.end ?? CREATED_SECONDS;
    return [...slots, { step, start, end: start + SHIPPING_LABEL_STEP_SECONDS[step] }];
  }, []);
}

const SCHEDULES = {
  windowsUpdate: schedule(WINDOWS_UPDATE_STEPS),
  anotherPartner: schedule(SHARING_STEPS),
};

/** Sandbox seconds until a label's run has finished (for the given destination). */
export function secondsUntilFinished(destination: ShippingLabelDestination): number {
  return scheduleFor(destination).at(-1)!.end;
}

/** Sandbox seconds until preprocessing is over and the label accepts updates. */
export const SECONDS_UNTIL_UPDATABLE = SCHEDULES.windowsUpdate.find((slot) => slot.step === 'finalizePreProcessing')!.end;

/** Sandbox seconds at which a Windows Update label enters microsoftApproval. */
export const SECONDS_UNTIL_APPROVAL = SCHEDULES.windowsUpdate.find((slot) => slot.step === 'microsoftApproval')!.start;

function scheduleFor(destination: ShippingLabelDestination): Slot[] {
  return SCHEDULES[destination];
}

export function shippingLabelProgress(run: ShippingLabelRun): ShippingLabelProgress {
  const slots = scheduleFor(run.destination);
  const finalSlot = slots.at(-1)!;
  const at = run.cancelledAt ?? run.seconds;
  const preprocessing = run.seconds < SECONDS_UNTIL_UPDATABLE;
  if (at < CREATED_SECONDS) {
    return { currentStep: 'preProcessShippingLabel', state: 'notStarted', messages: [], preprocessing, cancellable: false, finished: false };
  }
  const slot = slots.find((candidate) => at < candidate.end) ?? finalSlot;
  const failing = run.failure && slots.find((candidate) => candidate.step === run.failure!.step);
  if (run.failure && failing && at >= failing.start) {
    const failed = at >= failing.end;
    const messages = failed ? run.failure.messages : [];
    return { currentStep: failing.step, state: failed ? 'failed' : 'started', messages, preprocessing, cancellable: false, finished: false };
  }
  if (run.cancelledAt !== undefined) {
    return { currentStep: slot.step, state: 'failed', messages: [CANCELLED_MESSAGE], preprocessing: false, cancellable: false, finished: false };
  }
  const completedFrom = slot === finalSlot ? slot.end : slot.end - (slot.end - slot.start) * COMPLETED_FRACTION;
  const completed = at >= completedFrom;
  return {
    currentStep: slot.step,
    state: completed ? 'completed' : 'started',
    messages: [],
    preprocessing,
    cancellable: slot.step === 'microsoftApproval',
    finished: slot === finalSlot && completed,
  };
}
