/**
 * The workflow of a shipping label (reference section 2.11), as a pure function of sandbox time since the label was
 * created or last updated. The service's `Created` step is what the create response reports as
 * preProcessShippingLabel/notStarted, so the schedule starts with a short notStarted phase.
 *
 * Windows Update labels go through Gradual Rollout after Microsoft Approval (gradual-rollout.md: "Created, Validation,
 * Update Generation, Microsoft Approval, Gradual Rollout, Publishing, and Finalize"). "There is no value for currentStep
 * that maps to Gradual Rollout" (get-shipping-labels.md), so the API keeps showing microsoftApproval, completed, with
 * the throttled percentage in `messages`. A label can be cancelled in either phase (cancel-a-shipping-label.md); the
 * cancellation "may take over a day" in the flighting systems, so GET shows it pending for a while (a minute of sandbox
 * time, compressed like every sandbox duration) before the label shows as cancelled.
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

/** Sandbox seconds of Gradual Rollout (about 30 days on the live service). */
export const GRADUAL_ROLLOUT_SECONDS = 30;

/** Sandbox seconds between a cancel and the label showing as cancelled ("may take over a day" on the live service). */
export const CANCELLATION_SECONDS = 60;

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
  /** In Microsoft Approval or Gradual Rollout and not cancelled: the only time a cancel is accepted, and edits are locked. */
  cancellable: boolean;
  /** The run reached its final step's completion: pending targeting changes have taken effect. */
  finished: boolean;
}

export const CANCELLED_MESSAGE = 'The shipping label was cancelled.';
export const CANCELLATION_PENDING_MESSAGE =
  'Cancellation requested: the driver is being withdrawn from the driver flighting systems, which can take over a day.';

/** The message of the Gradual Rollout phase, with the share of the eligible population the driver is offered to. */
export function gradualRolloutMessage(percent: number): string {
  return `Gradual rollout: the driver is offered to ${percent}% of its eligible population.`;
}

interface Slot {
  step: ShippingLabelStep;
  /** Gradual Rollout, which has no step of its own and shows as microsoftApproval. */
  rollout?: true;
  start: number;
  end: number;
}

function schedule(steps: readonly ShippingLabelStep[]): Slot[] {
  return steps.reduce<Slot[]>((slots, step) => {
    const start = slots.at(-1)?.end ?? CREATED_SECONDS;
    const slot = { step, start, end: start + SHIPPING_LABEL_STEP_SECONDS[step] };
    if (step !== 'microsoftApproval') return [...slots, slot];
    return [...slots, slot, { step, rollout: true, start: slot.end, end: slot.end + GRADUAL_ROLLOUT_SECONDS }];
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

/** Sandbox seconds at which a Windows Update label enters Gradual Rollout. */
export const SECONDS_UNTIL_ROLLOUT = SCHEDULES.windowsUpdate.find((slot) => slot.rollout)!.start;

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
    const pending = run.seconds < run.cancelledAt + CANCELLATION_SECONDS;
    const [state, message] = pending ? (['started', CANCELLATION_PENDING_MESSAGE] as const) : (['failed', CANCELLED_MESSAGE] as const);
    return { currentStep: slot.step, state, messages: [message], preprocessing: false, cancellable: false, finished: false };
  }
  if (slot.rollout) {
    // Throttled from 1% up to 100% of the eligible population over the phase.
    const percent = Math.min(100, 1 + Math.floor((99 * (at - slot.start)) / (slot.end - slot.start)));
    return { currentStep: slot.step, state: 'completed', messages: [gradualRolloutMessage(percent)], preprocessing, cancellable: true, finished: false };
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

/** Whether a cancelled label's withdrawal has finished, so that its targeting no longer applies. */
export function cancellationComplete(run: ShippingLabelRun): boolean {
  return run.cancelledAt !== undefined && run.seconds >= run.cancelledAt + CANCELLATION_SECONDS;
}
