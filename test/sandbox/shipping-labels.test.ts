/** Shipping labels: the documented creation rules, the workflow, updates and cancellation, on a manual clock. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { BlockBlobClient } from '@azure/storage-blob';
import { startSandbox } from '../../src/mock/sandbox/index.js';
import { AUDIENCES } from '../../src/mock/sandbox/audiences.js';
import { CANCELLED_MESSAGE, SECONDS_UNTIL_APPROVAL, SECONDS_UNTIL_UPDATABLE, secondsUntilFinished } from '../../src/mock/sandbox/shipping-label-workflow.js';
import { NOT_READY_MESSAGE, WORKFLOW_IN_PROGRESS_MESSAGE } from '../../src/mock/sandbox/shipping-labels.js';
import { DRIVER_METADATA_DELAY_SECONDS, SECONDS_UNTIL_SIGNED } from '../../src/mock/sandbox/submission-workflow.js';
import { CHID_MESSAGE, EXTENSION_MESSAGE } from '../../src/mock/sandbox/targeting-rules.js';
import { useSandbox } from './fixture.js';
import {
  call,
  DEVICE_IDS,
  driverCab,
  EXTENSION_DEVICE_ID,
  expectResponsesMatchSpec,
  newProductBody,
  OS_CODES,
  signedSubmission,
  waitFor,
  type ApiResponse,
} from './support.js';

const DONE = SECONDS_UNTIL_SIGNED + DRIVER_METADATA_DELAY_SECONDS;
const CHID = '3f8b0d4e-2a7c-4b1e-9d5f-6c0a1b2c3d4e';

describe('sandbox shipping labels', () => {
  const suite = useSandbox({ ownAzurite: true, manualClock: true, pageSize: 2 });
  const { clock, recorder } = suite;
  let base: string;
  let productId: string;
  let submissionId: string;
  let bundleId: string;
  let labels: string;

  const hardwareId = (pnpString = DEVICE_IDS[0]!, operatingSystemCode = OS_CODES[0]!, infId = 'contoso.inf') => ({
    bundleId,
    infId,
    operatingSystemCode,
    pnpString,
  });
  const windowsUpdateLabel = (overrides: Record<string, unknown> = {}, targeting: Record<string, unknown> = {}) => ({
    name: 'WU label',
    destination: 'windowsUpdate',
    publishingSpecifications: {
      isAutoInstallDuringOSUpgrade: false,
      isAutoInstallOnApplicableSystems: false,
      manualAcquisition: true,
      isDisclosureRestricted: false,
      publishToWindows10s: false,
      visibleToAccounts: [27691110],
    },
    targeting: { hardwareIds: [hardwareId()], ...targeting },
    ...overrides,
  });
  const create = (body: unknown): Promise<ApiResponse> => call(base, 'POST', labels, { body });
  const get = (id: string, query = '?includeTargetingInfo=true'): Promise<ApiResponse> => call(base, 'GET', `${labels}/${id}${query}`);
  const update = (id: string, targeting: unknown): Promise<ApiResponse> => call(base, 'PATCH', `${labels}/${id}`, { body: { targeting } });
  const cancel = (id: string): Promise<ApiResponse> => call(base, 'PUT', `${labels}/${id}/cancel`);
  const expectError = (response: ApiResponse, status: number, code: string, message: string): void => {
    expect([response.status, response.body?.error?.code, response.body?.error?.message]).toEqual([status, code, message]);
  };

  beforeAll(async () => {
    base = suite.base;
    ({ productId, submissionId } = await signedSubmission(base, clock, DONE));
    labels = `/products/${productId}/submissions/${submissionId}/shippingLabels`;
    const submission = await call(base, 'GET', `/products/${productId}/submissions/${submissionId}`);
    const metadataUrl = submission.body.downloads.items.find((item: { type: string }) => item.type === 'driverMetadata').url;
    const metadata = await fetch(metadataUrl).then((response) => response.json());
    bundleId = Object.keys(metadata.BundleInfoMap)[0]!;
  });

  it('refuses a label before the submission has been signed', async () => {
    const product = await call(base, 'POST', '/products', { body: newProductBody() });
    const submission = await call(base, 'POST', `/products/${product.body.id}/submissions`, { body: { name: 's', type: 'initial' } });
    const path = `/products/${product.body.id}/submissions/${submission.body.id}/shippingLabels`;
    expectError(await call(base, 'POST', path, { body: windowsUpdateLabel() }), 400, 'requestInvalidForCurrentState', NOT_READY_MESSAGE);
    await new BlockBlobClient(submission.body.downloads.items[0].url).uploadData(driverCab());
    await call(base, 'POST', `/products/${product.body.id}/submissions/${submission.body.id}/commit`);
    clock.advance(SECONDS_UNTIL_SIGNED - 1);
    expectError(await call(base, 'POST', path, { body: windowsUpdateLabel() }), 400, 'requestInvalidForCurrentState', NOT_READY_MESSAGE);
  });

  it('refuses a label for a submission whose workflow failed', async () => {
    const product = await call(base, 'POST', '/products', { body: newProductBody() });
    const submission = await call(base, 'POST', `/products/${product.body.id}/submissions`, { body: { name: 's', type: 'initial' } });
    const path = `/products/${product.body.id}/submissions/${submission.body.id}`;
    await call(base, 'POST', `${path}/commit`);
    clock.advance(DONE);
    await waitFor(() => call(base, 'GET', path), (response) => response.body.workflowStatus.state === 'failed');
    expectError(
      await call(base, 'POST', `${path}/shippingLabels`, { body: windowsUpdateLabel() }),
      400,
      'requestInvalidForCurrentState',
      'The submission failed in packageInfoValidation; a shipping label can only be created for a signed submission.',
    );
  });

  it('creates a Windows Update label that starts at preProcessShippingLabel/notStarted, targeting shown only on request', async () => {
    const created = await create(windowsUpdateLabel({}, { chids: [{ chid: CHID }], restrictedToAudiences: [AUDIENCES[0]!.id] }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ productId, submissionId, name: 'WU label', destination: 'windowsUpdate' });
    expect(created.text).toContain('"visibleToAccounts":[27691110]');
    expect(created.body.targeting).toBeUndefined();
    expect(created.body.workflowStatus).toEqual({ currentStep: 'preProcessShippingLabel', state: 'notStarted', messages: [] });
    expect(created.body.links.map((link: { rel: string; method: string }) => [link.rel, link.method])).toEqual([
      ['self', 'GET'],
      ['update_shippinglabel', 'PATCH'],
    ]);
    expect((await get(created.body.id, '')).body.targeting).toBeUndefined();
    expect((await get(created.body.id, '?includeTargetingInfo=false')).body.targeting).toBeUndefined();
    expect((await get(created.body.id)).body.targeting).toEqual({
      hardwareIds: [{ ...hardwareId(), distributionState: 'pendingAdd' }],
      chids: [{ chid: CHID, distributionState: 'PendingAdd' }],
      restrictedToAudiences: [AUDIENCES[0]!.id],
    });
    const invalid = await get(created.body.id, '?includeTargetingInfo=maybe');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.validationErrors[0].target).toBe('includeTargetingInfo');
  });

  describe('creation rules', () => {
    it('refuses auto-install without additionalInfoForMsApproval and with manualAcquisition true (schema, 422)', async () => {
      const autoInstall = { isAutoInstallOnApplicableSystems: true, manualAcquisition: true };
      const response = await create(windowsUpdateLabel({ publishingSpecifications: autoInstall }));
      expect(response.status).toBe(422);
      const targets = response.body.error.validationErrors.map((error: { target: string }) => error.target);
      expect(targets).toEqual(expect.arrayContaining(['publishingSpecifications.additionalInfoForMsApproval', 'publishingSpecifications.manualAcquisition']));
    });

    it('refuses manualAcquisition false when nothing installs automatically, flags sent or left out', async () => {
      const sent = await create(windowsUpdateLabel({ publishingSpecifications: { isAutoInstallDuringOSUpgrade: false, isAutoInstallOnApplicableSystems: false, manualAcquisition: false } }));
      expect(sent.status).toBe(422);
      const omitted = await create(windowsUpdateLabel({ publishingSpecifications: { manualAcquisition: false } }));
      expect(omitted.status).toBe(400);
      expect(omitted.body.error.validationErrors).toEqual([
        {
          target: 'publishingSpecifications.manualAcquisition',
          message: 'manualAcquisition must be true when neither isAutoInstallDuringOSUpgrade nor isAutoInstallOnApplicableSystems is true.',
        },
      ]);
    });

    it('refuses hardware IDs that are not a combination from the driver metadata', async () => {
      const response = await create(
        windowsUpdateLabel({}, { hardwareIds: [hardwareId(), hardwareId('usb\\vid_dead&pid_beef'), { ...hardwareId(), bundleId: 'amd64' }, hardwareId(DEVICE_IDS[0], 'WINDOWS_v100_X64_GE_FULL')] }),
      );
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalidInput');
      expect(response.body.error.validationErrors.map((error: { target: string }) => error.target)).toEqual([
        'targeting.hardwareIds[1]',
        'targeting.hardwareIds[2]',
        'targeting.hardwareIds[3]',
      ]);
    });

    it('matches hardware IDs case-insensitively, as Windows does', async () => {
      const response = await create(windowsUpdateLabel({}, { hardwareIds: [{ ...hardwareId(), pnpString: DEVICE_IDS[1]!.toUpperCase(), infId: 'CONTOSO.INF' }] }));
      expect(response.status).toBe(201);
    });

    it('refuses CHIDs with hardware IDs below Windows 10', async () => {
      const response = await create(windowsUpdateLabel({}, { hardwareIds: [hardwareId(DEVICE_IDS[0], 'WINDOWS_7_X64')], chids: [{ chid: CHID }] }));
      expectError(response, 400, 'invalidInput', CHID_MESSAGE);
      expect(response.body.error.validationErrors).toEqual([{ target: 'targeting.chids', message: CHID_MESSAGE }]);
    });

    it('refuses an extension INF published as manual, accepts it as auto-install', async () => {
      const extension = hardwareId(EXTENSION_DEVICE_ID, OS_CODES[1], 'contoso_ext.inf');
      expectError(await create(windowsUpdateLabel({}, { hardwareIds: [extension] })), 400, 'invalidInput', EXTENSION_MESSAGE);
      const automatic = await create(
        windowsUpdateLabel(
          {
            publishingSpecifications: {
              isAutoInstallDuringOSUpgrade: true,
              isAutoInstallOnApplicableSystems: false,
              manualAcquisition: false,
              additionalInfoForMsApproval: { microsoftContact: 'sponsor@microsoft.com', businessJustification: 'Fixes a crash', affectedOems: ['Contoso'] },
            },
          },
          { hardwareIds: [extension] },
        ),
      );
      expect(automatic.status).toBe(201);
    });

    it('refuses a Windows Update label without hardware IDs, a notSet destination and unknown audiences', async () => {
      expectError(await create(windowsUpdateLabel({}, { hardwareIds: [] })), 400, 'invalidInput', 'A Windows Update shipping label needs hardware IDs.');
      expectError(await create({ name: 'x', destination: 'notSet' }), 400, 'invalidInput', 'A shipping label needs a destination.');
      const audience = await create(windowsUpdateLabel({}, { restrictedToAudiences: ['00000000-0000-0000-0000-000000000000'] }));
      expectError(audience, 400, 'invalidInput', 'Unknown audience.');
    });

    it('requires publishingSpecifications and targeting for Windows Update and recipientSpecifications for sharing (schema)', async () => {
      const windowsUpdate = await create({ name: 'x', destination: 'windowsUpdate' });
      expect(windowsUpdate.status).toBe(422);
      expect(windowsUpdate.body.error.validationErrors.map((error: { target: string }) => error.target)).toEqual(
        expect.arrayContaining(['publishingSpecifications', 'targeting']),
      );
      const sharing = await create({ name: 'x', destination: 'anotherPartner' });
      expect(sharing.status).toBe(422);
      expect(sharing.body.error.validationErrors.map((error: { target: string }) => error.target)).toContain('recipientSpecifications');
    });
  });

  describe('workflow, update and cancel', () => {
    it('refuses updates while preprocessing, then applies add/remove and publishes them when the run finishes', async () => {
      const created = await create(windowsUpdateLabel());
      const id: string = created.body.id;
      clock.advance(SECONDS_UNTIL_UPDATABLE - 1);
      const busy = await update(id, { hardwareIds: [{ action: 'add', ...hardwareId(DEVICE_IDS[1]) }] });
      expectError(busy, 400, 'invalidInput', WORKFLOW_IN_PROGRESS_MESSAGE);

      clock.advance(secondsUntilFinished('windowsUpdate'));
      const finished = await get(id);
      expect(finished.body.workflowStatus).toEqual({ currentStep: 'finalizePublishing', state: 'completed', messages: [] });
      expect(finished.body.targeting.hardwareIds).toEqual([{ ...hardwareId(), distributionState: 'added' }]);

      const changed = await update(id, {
        hardwareIds: [
          { action: 'add', ...hardwareId(DEVICE_IDS[1]) },
          { action: 'remove', ...hardwareId() },
        ],
        chids: [{ action: 'add', chid: CHID }],
        restrictedToAudiences: [AUDIENCES[1]!.id, AUDIENCES[2]!.id],
        businessJustification: 'Rev 2 hardware',
      });
      expect(changed.status).toBe(204);
      const pending = await get(id);
      // An update starts a new run, which preprocesses the change again.
      expect(pending.body.workflowStatus).toEqual({ currentStep: 'preProcessShippingLabel', state: 'notStarted', messages: [] });
      expect(pending.body.targeting).toEqual({
        hardwareIds: [
          { ...hardwareId(), distributionState: 'pendingRemove' },
          { ...hardwareId(DEVICE_IDS[1]), distributionState: 'pendingAdd' },
        ],
        chids: [{ chid: CHID, distributionState: 'PendingAdd' }],
        restrictedToAudiences: [AUDIENCES[1]!.id, AUDIENCES[2]!.id],
        businessJustification: 'Rev 2 hardware',
      });

      clock.advance(secondsUntilFinished('windowsUpdate'));
      expect((await get(id)).body.targeting).toEqual({
        hardwareIds: [{ ...hardwareId(DEVICE_IDS[1]), distributionState: 'added' }],
        chids: [{ chid: CHID, distributionState: 'Added' }],
        restrictedToAudiences: [AUDIENCES[1]!.id, AUDIENCES[2]!.id],
        businessJustification: 'Rev 2 hardware',
      });

      // Audiences are replace-only: an empty list removes the restriction.
      expect((await update(id, { restrictedToAudiences: [] })).status).toBe(204);
      expect((await get(id)).body.targeting.restrictedToAudiences).toEqual([]);
    });

    it('refuses removing what the label does not target and adding invalid combinations, leaving the label unchanged', async () => {
      const created = await create(windowsUpdateLabel());
      const id: string = created.body.id;
      clock.advance(SECONDS_UNTIL_UPDATABLE);
      const before = (await get(id)).body.targeting;
      const remove = await update(id, { hardwareIds: [{ action: 'remove', ...hardwareId(DEVICE_IDS[1]) }] });
      expectError(remove, 400, 'invalidInput', 'Hardware ID not targeted.');
      const add = await update(id, { hardwareIds: [{ action: 'add', ...hardwareId('pci\\ven_0000') }] });
      expect(add.body.error.validationErrors[0].target).toBe('targeting.hardwareIds[0]');
      const chid = await update(id, { chids: [{ action: 'remove', chid: CHID }] });
      expectError(chid, 400, 'invalidInput', 'CHID not targeted.');
      const extension = await update(id, { hardwareIds: [{ action: 'add', ...hardwareId(EXTENSION_DEVICE_ID, OS_CODES[0], 'contoso_ext.inf') }] });
      expectError(extension, 400, 'invalidInput', EXTENSION_MESSAGE);
      const noAction = await update(id, { hardwareIds: [hardwareId()] });
      expect(noAction.status).toBe(422);
      expect(noAction.body.error.validationErrors).toEqual([{ target: 'targeting.hardwareIds.0.action', message: 'targeting.hardwareIds.0.action is required' }]);
      expect((await get(id)).body.targeting).toEqual(before);
    });

    it('cancels only in microsoftApproval, then shows the label as cancelled and refuses changes', async () => {
      const created = await create(windowsUpdateLabel());
      const id: string = created.body.id;
      clock.advance(SECONDS_UNTIL_APPROVAL - 1);
      const early = await cancel(id);
      expectError(early, 400, 'requestInvalidForCurrentState', 'A shipping label can only be cancelled while it is in Microsoft Approval or Gradual Rollout.');
      clock.advance(1);
      expect((await get(id)).body.workflowStatus).toEqual({ currentStep: 'microsoftApproval', state: 'started', messages: [] });
      const cancelled = await cancel(id);
      expect(cancelled.status).toBe(204);
      expect(cancelled.text).toBe('');
      clock.advance(1000);
      expect((await get(id)).body.workflowStatus).toEqual({ currentStep: 'microsoftApproval', state: 'failed', messages: [CANCELLED_MESSAGE] });
      expectError(await cancel(id), 400, 'requestInvalidForCurrentState', 'The shipping label has already been cancelled.');
      expectError(await update(id, { restrictedToAudiences: [] }), 400, 'requestInvalidForCurrentState', "The shipping label was cancelled; it can't be updated.");
    });

    it('refuses a cancel after publishing', async () => {
      const created = await create(windowsUpdateLabel());
      clock.advance(secondsUntilFinished('windowsUpdate'));
      expect((await cancel(created.body.id)).status).toBe(400);
    });

    it('shares a label with another partner through processSharing and finalizeSharing, and never cancels it', async () => {
      const created = await create({ name: 'share', destination: 'anotherPartner', recipientSpecifications: { receiverPublisherId: '27691110', enforceChidTargeting: false } });
      expect(created.status).toBe(201);
      expect(created.body.recipientSpecifications).toEqual({ receiverPublisherId: '27691110', enforceChidTargeting: false });
      expect(created.body.publishingSpecifications).toBeUndefined();
      clock.advance(secondsUntilFinished('anotherPartner') - 10);
      expect((await get(created.body.id)).body.workflowStatus.currentStep).toBe('processSharing');
      clock.advance(10);
      expect((await get(created.body.id)).body.workflowStatus).toEqual({ currentStep: 'finalizeSharing', state: 'completed', messages: [] });
      expectError(
        await cancel(created.body.id),
        400,
        'requestInvalidForCurrentState',
        "Shipping labels shared with another partner can't be cancelled; revoke the sharing once its workflow has completed.",
      );
    });

    it('does not find a label under another submission', async () => {
      const created = await create(windowsUpdateLabel());
      const response = await call(base, 'GET', `/products/${productId}/submissions/1152921504606846977/shippingLabels/${created.body.id}`);
      expect(response.body.error.message).toBe('No submission found');
      const unknown = await call(base, 'GET', `${labels}/1152921504606846977`);
      expectError(unknown, 404, 'entityNotFound', 'No shipping label found');
    });
  });

  it('lists labels page by page, keeping includeTargetingInfo in next_link', async () => {
    const first = await call(base, 'GET', `${labels}?includeTargetingInfo=true`);
    expect(first.body.value).toHaveLength(2);
    for (const label of first.body.value) expect(label.targeting).toBeDefined();
    const next: string = first.body.links.find((link: { rel: string }) => link.rel === 'next_link').href;
    expect(new URL(next).searchParams.get('includeTargetingInfo')).toBe('true');
    const second = await call(base, 'GET', next);
    for (const label of second.body.value) expect(label.targeting).toBeDefined();
    const plain = await call(base, 'GET', labels);
    for (const label of plain.body.value) expect(label.targeting).toBeUndefined();
  });

  it('fails every label at publishJobValidation in the shippingLabel failure scenario', async () => {
    const failing = await startSandbox({ azurite: suite.azurite, now: clock.now, failures: { shippingLabel: true }, onResponse: recorder.onResponse });
    try {
      const signed = await signedSubmission(failing.baseUrl, clock, DONE);
      const path = `/products/${signed.productId}/submissions/${signed.submissionId}/shippingLabels`;
      const created = await call(failing.baseUrl, 'POST', path, { body: windowsUpdateLabel() });
      expect(created.status).toBe(201);
      clock.advance(secondsUntilFinished('windowsUpdate'));
      const failed = await call(failing.baseUrl, 'GET', `${path}/${created.body.id}`);
      expect(failed.body.workflowStatus).toEqual({
        currentStep: 'publishJobValidation',
        state: 'failed',
        messages: ['Publish job validation failed (sandbox failure scenario "shippingLabel").'],
      });
    } finally {
      await failing.stop();
    }
  });

  it('answers only with statuses and bodies the spec documents', async () => {
    await expectResponsesMatchSpec(recorder.records);
  });
});
