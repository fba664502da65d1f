/**
 * A Windows Update label after Microsoft Approval: Gradual Rollout, which has no currentStep of its own
 * (get-shipping-labels.md), the lock on edits in both phases and the cancel that works in both
 * (gradual-rollout.md, cancel-a-shipping-label.md), and what GET shows while the cancellation runs and after.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Sandbox } from '../../src/mock/sandbox/index.js';
import {
  CANCELLATION_PENDING_MESSAGE,
  CANCELLATION_SECONDS,
  CANCELLED_MESSAGE,
  gradualRolloutMessage,
  GRADUAL_ROLLOUT_SECONDS,
  SECONDS_UNTIL_APPROVAL,
  SECONDS_UNTIL_ROLLOUT,
  secondsUntilFinished,
} from '../../src/mock/sandbox/shipping-label-workflow.js';
import { WORKFLOW_IN_PROGRESS_MESSAGE } from '../../src/mock/sandbox/shipping-labels.js';
import { DRIVER_METADATA_DELAY_SECONDS, SECONDS_UNTIL_SIGNED } from '../../src/mock/sandbox/submission-workflow.js';
import { useSandbox } from './fixture.js';
import { call, DEVICE_IDS, expectResponsesMatchSpec, OS_CODES, signedSubmission, type ApiResponse } from './support.js';

const CHID = '3f8b0d4e-2a7c-4b1e-9d5f-6c0a1b2c3d4e';

describe('sandbox shipping labels in approval and rollout', () => {
  const suite = useSandbox({ ownAzurite: true, manualClock: true });
  const { clock, recorder } = suite;
  let sandbox: Sandbox;
  let labels: string;
  let bundleId: string;

  beforeAll(async () => {
    sandbox = suite.sandbox;
    const { productId, submissionId } = await signedSubmission(sandbox.baseUrl, clock, SECONDS_UNTIL_SIGNED + DRIVER_METADATA_DELAY_SECONDS);
    labels = `/products/${productId}/submissions/${submissionId}/shippingLabels`;
    const submission = await call(sandbox.baseUrl, 'GET', `/products/${productId}/submissions/${submissionId}`);
    const metadataUrl = submission.body.downloads.items.find((item: { type: string }) => item.type === 'driverMetadata').url;
    bundleId = Object.keys((await fetch(metadataUrl).then((response) => response.json())).BundleInfoMap)[0]!;
  });

  const hardwareId = (pnpString = DEVICE_IDS[0]!) => ({ bundleId, infId: 'contoso.inf', operatingSystemCode: OS_CODES[0]!, pnpString });
  const create = async (): Promise<string> => {
    const created = await call(sandbox.baseUrl, 'POST', labels, {
      body: {
        name: 'WU label',
        destination: 'windowsUpdate',
        publishingSpecifications: { isAutoInstallDuringOSUpgrade: false, isAutoInstallOnApplicableSystems: false, manualAcquisition: true },
        targeting: { hardwareIds: [hardwareId()], chids: [{ chid: CHID }] },
      },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  };
  const get = (id: string): Promise<ApiResponse> => call(sandbox.baseUrl, 'GET', `${labels}/${id}?includeTargetingInfo=true`);
  const status = async (id: string): Promise<unknown> => (await get(id)).body.workflowStatus;
  const update = (id: string): Promise<ApiResponse> =>
    call(sandbox.baseUrl, 'PATCH', `${labels}/${id}`, { body: { targeting: { hardwareIds: [{ action: 'add', ...hardwareId(DEVICE_IDS[1]) }] } } });
  const cancel = (id: string): Promise<ApiResponse> => call(sandbox.baseUrl, 'PUT', `${labels}/${id}/cancel`);

  it('shows Gradual Rollout as microsoftApproval completed with the throttled share, then publishes', async () => {
    const id = await create();
    clock.advance(SECONDS_UNTIL_ROLLOUT - 1);
    expect(await status(id)).toEqual({ currentStep: 'microsoftApproval', state: 'completed', messages: [] });
    clock.advance(1);
    expect(await status(id)).toEqual({ currentStep: 'microsoftApproval', state: 'completed', messages: [gradualRolloutMessage(1)] });
    clock.advance(GRADUAL_ROLLOUT_SECONDS / 2);
    expect(await status(id)).toEqual({ currentStep: 'microsoftApproval', state: 'completed', messages: [gradualRolloutMessage(50)] });
    clock.advance(GRADUAL_ROLLOUT_SECONDS / 2);
    expect(await status(id)).toEqual({ currentStep: 'publishing', state: 'started', messages: [] });
    expect(SECONDS_UNTIL_ROLLOUT).toBeGreaterThan(SECONDS_UNTIL_APPROVAL);
  });

  it('locks the label for edits in Microsoft Approval and Gradual Rollout, and accepts them again once published', async () => {
    const id = await create();
    clock.advance(SECONDS_UNTIL_APPROVAL);
    const inApproval = await update(id);
    expect([inApproval.status, inApproval.body.error.message]).toEqual([400, WORKFLOW_IN_PROGRESS_MESSAGE]);
    clock.advance(SECONDS_UNTIL_ROLLOUT - SECONDS_UNTIL_APPROVAL);
    expect((await update(id)).body.error.message).toBe(WORKFLOW_IN_PROGRESS_MESSAGE);
    clock.advance(secondsUntilFinished('windowsUpdate'));
    expect((await update(id)).status).toBe(204);
  });

  it('cancels in Gradual Rollout: the cancellation runs for a while with everything pending removal, then the label shows cancelled and empty', async () => {
    const id = await create();
    clock.advance(SECONDS_UNTIL_ROLLOUT + 5);
    expect((await cancel(id)).status).toBe(204);

    const pending = await get(id);
    expect(pending.body.workflowStatus).toEqual({ currentStep: 'microsoftApproval', state: 'started', messages: [CANCELLATION_PENDING_MESSAGE] });
    expect(pending.body.targeting.hardwareIds).toEqual([{ ...hardwareId(), distributionState: 'pendingRemove' }]);
    expect(pending.body.targeting.chids).toEqual([{ chid: CHID, distributionState: 'PendingRemove' }]);
    // Time does not move the cancelled label on to publishing.
    clock.advance(CANCELLATION_SECONDS - 1);
    expect((await status(id))).toEqual({ currentStep: 'microsoftApproval', state: 'started', messages: [CANCELLATION_PENDING_MESSAGE] });

    clock.advance(1);
    const cancelled = await get(id);
    expect(cancelled.body.workflowStatus).toEqual({ currentStep: 'microsoftApproval', state: 'failed', messages: [CANCELLED_MESSAGE] });
    expect(cancelled.body.targeting).toMatchObject({ hardwareIds: [], chids: [] });
    expect((await cancel(id)).body.error.message).toBe('The shipping label has already been cancelled.');
  });

  it('answers only with statuses and bodies the spec documents', async () => {
    await expectResponsesMatchSpec(recorder.records);
  });
});
