/** The workflow clocks as pure functions of sandbox time: which step, which state, and what becomes available when. */
import { describe, expect, it } from '@jest/globals';
import {
  COMMIT_RECEIVED_SECONDS,
  DRIVER_METADATA_DELAY_SECONDS,
  INGESTION_STEPS,
  INGESTION_STEP_SECONDS,
  SECONDS_UNTIL_SIGNED,
  submissionProgress,
  type IngestionOutcome,
} from '../../src/mock/sandbox/submission-workflow.js';
import {
  CANCELLED_MESSAGE,
  CREATED_SECONDS,
  SECONDS_UNTIL_APPROVAL,
  SECONDS_UNTIL_UPDATABLE,
  secondsUntilFinished,
  shippingLabelProgress,
} from '../../src/mock/sandbox/shipping-label-workflow.js';

const ok = { failed: false } as const;

describe('submission workflow clock', () => {
  it('is pending until committed, then commitReceived, then walks the eight ingestion steps in order', () => {
    expect(submissionProgress(undefined, undefined)).toMatchObject({ commitStatus: 'commitPending', currentStep: 'packageInfoValidation', state: 'notStarted' });
    expect(submissionProgress(0, undefined)).toMatchObject({ commitStatus: 'commitReceived', state: 'notStarted' });
    expect(submissionProgress(COMMIT_RECEIVED_SECONDS - 0.01, ok).commitStatus).toBe('commitReceived');

    const seen: string[] = [];
    let start = COMMIT_RECEIVED_SECONDS;
    for (const step of INGESTION_STEPS) {
      const duration = INGESTION_STEP_SECONDS[step];
      expect(submissionProgress(start, ok)).toMatchObject({ commitStatus: 'commitComplete', currentStep: step, state: 'started' });
      if (step !== 'finalizeIngestion') {
        // The step reports completed for its last fifth, before the next one starts.
        expect(submissionProgress(start + duration * 0.9, ok)).toMatchObject({ currentStep: step, state: 'completed' });
      }
      seen.push(step);
      start += duration;
    }
    expect(seen).toEqual([...INGESTION_STEPS]);
    expect(start).toBe(SECONDS_UNTIL_SIGNED);
  });

  it('makes the signed package available when finalizeIngestion completes and the driver metadata a little later', () => {
    expect(submissionProgress(SECONDS_UNTIL_SIGNED - 0.01, ok)).toMatchObject({ currentStep: 'finalizeIngestion', state: 'started', signedPackageReady: false });
    expect(submissionProgress(SECONDS_UNTIL_SIGNED, ok)).toMatchObject({ state: 'completed', signedPackageReady: true, driverMetadataReady: false });
    expect(submissionProgress(SECONDS_UNTIL_SIGNED + DRIVER_METADATA_DELAY_SECONDS - 0.01, ok).driverMetadataReady).toBe(false);
    expect(submissionProgress(SECONDS_UNTIL_SIGNED + DRIVER_METADATA_DELAY_SECONDS, ok)).toMatchObject({ signedPackageReady: true, driverMetadataReady: true });
    expect(submissionProgress(1e9, ok)).toMatchObject({ currentStep: 'finalizeIngestion', state: 'completed', driverMetadataReady: true });
  });

  it('waits in packageInfoValidation while the package is still being examined', () => {
    expect(submissionProgress(1e6, undefined)).toMatchObject({ commitStatus: 'commitComplete', currentStep: 'packageInfoValidation', state: 'started' });
  });

  it('fails at the failing step once that step has run, with the messages, and never signs', () => {
    const outcome: IngestionOutcome = { failed: true, step: 'scanning', messages: ['malware found'] };
    const scanningStart = COMMIT_RECEIVED_SECONDS + INGESTION_STEP_SECONDS.packageInfoValidation + INGESTION_STEP_SECONDS.preparation;
    expect(submissionProgress(scanningStart - 0.01, outcome)).toMatchObject({ currentStep: 'preparation', state: 'completed' });
    expect(submissionProgress(scanningStart, outcome)).toMatchObject({ currentStep: 'scanning', state: 'started', messages: [] });
    const failed = submissionProgress(scanningStart + INGESTION_STEP_SECONDS.scanning, outcome);
    expect(failed).toEqual({
      commitStatus: 'commitComplete',
      currentStep: 'scanning',
      state: 'failed',
      messages: ['malware found'],
      signedPackageReady: false,
      driverMetadataReady: false,
    });
    expect(submissionProgress(1e9, outcome).state).toBe('failed');
  });
});

describe('shipping label workflow clock', () => {
  const windowsUpdate = (seconds: number, extra = {}) => shippingLabelProgress({ destination: 'windowsUpdate', seconds, ...extra });

  it('starts as preProcessShippingLabel/notStarted and walks the Windows Update steps to finalizePublishing', () => {
    expect(windowsUpdate(0)).toMatchObject({ currentStep: 'preProcessShippingLabel', state: 'notStarted', preprocessing: true, cancellable: false });
    const steps: string[] = [];
    for (let second = CREATED_SECONDS; second < secondsUntilFinished('windowsUpdate'); second += 0.5) {
      const step = windowsUpdate(second).currentStep;
      if (steps.at(-1) !== step) steps.push(step);
    }
    expect(steps).toEqual([
      'preProcessShippingLabel',
      'finalizePreProcessing',
      'publishJobValidation',
      'updateGeneration',
      'microsoftApproval',
      'publishing',
      'finalizePublishing',
    ]);
    expect(windowsUpdate(secondsUntilFinished('windowsUpdate'))).toMatchObject({ currentStep: 'finalizePublishing', state: 'completed', finished: true });
  });

  it('walks the sharing steps to finalizeSharing for partner labels', () => {
    const steps: string[] = [];
    for (let second = CREATED_SECONDS; second <= secondsUntilFinished('anotherPartner'); second += 0.5) {
      const step = shippingLabelProgress({ destination: 'anotherPartner', seconds: second }).currentStep;
      if (steps.at(-1) !== step) steps.push(step);
    }
    expect(steps).toEqual(['preProcessShippingLabel', 'finalizePreProcessing', 'publishJobValidation', 'processSharing', 'finalizeSharing']);
    expect(shippingLabelProgress({ destination: 'anotherPartner', seconds: 1e6 })).toMatchObject({ state: 'completed', finished: true, cancellable: false });
  });

  it('refuses updates until preprocessing is over and allows a cancel only in microsoftApproval', () => {
    expect(windowsUpdate(SECONDS_UNTIL_UPDATABLE - 0.01).preprocessing).toBe(true);
    expect(windowsUpdate(SECONDS_UNTIL_UPDATABLE).preprocessing).toBe(false);
    expect(windowsUpdate(SECONDS_UNTIL_APPROVAL - 0.01).cancellable).toBe(false);
    expect(windowsUpdate(SECONDS_UNTIL_APPROVAL)).toMatchObject({ currentStep: 'microsoftApproval', cancellable: true });
  });

  it('freezes a cancelled label at the step it was cancelled in, as failed', () => {
    const cancelledAt = SECONDS_UNTIL_APPROVAL + 1;
    expect(windowsUpdate(1e6, { cancelledAt })).toEqual({
      currentStep: 'microsoftApproval',
      state: 'failed',
      messages: [CANCELLED_MESSAGE],
      preprocessing: false,
      cancellable: false,
      finished: false,
    });
  });

  it('fails at a forced failure step', () => {
    const failure = { step: 'publishJobValidation' as const, messages: ['nope'] };
    expect(windowsUpdate(1e6, { failure })).toMatchObject({ currentStep: 'publishJobValidation', state: 'failed', messages: ['nope'], finished: false });
  });
});
