/**
 * The waits and the label builder against the real sandbox (HTTP on loopback, blobs on Azurite, a clock 600 times
 * faster): sign a driver, wait for its driver metadata, build a Windows Update label from it, and wait for the
 * label's whole publishing workflow.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { BlobClient, BlockBlobClient } from '@azure/storage-blob';
import { createHdcClient, ValidationError, type HdcClient, type NewProduct } from '../../src/client/index.js';
import { EXTENSION_MESSAGE } from '../../src/mock/sandbox/targeting-rules.js';
import {
  shippingLabelFromMetadata,
  ShippingLabelRuleError,
  waitForShippingLabel,
  waitForSubmission,
  type DriverMetadataFile,
  type WorkflowEvent,
} from '../../src/workflow/index.js';
import { SUBMISSION_STEPS, WINDOWS_UPDATE_LABEL_STEPS } from '../../src/client/vocabulary.js';
import { useSandbox } from '../sandbox/fixture.js';
import { DEVICE_IDS, driverCab, newProductBody, OS_CODES, TOKEN } from '../sandbox/support.js';

const suite = useSandbox({ speed: 600, token: TOKEN });
let client: HdcClient;

beforeAll(() => {
  client = createHdcClient({ baseUrl: suite.base, token: TOKEN });
});

/** Steps seen must be the workflow's steps in its order (polls may skip some, never reorder them). */
function expectInOrder(events: readonly WorkflowEvent[], steps: readonly string[]): void {
  const positions = events.map((event) => steps.indexOf(event.step));
  expect(positions.every((position) => position >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
}

describe('waits against the sandbox', () => {
  it('signs a driver, builds a shipping label from its driver metadata, and waits for the label to publish', async () => {
    const product = await client.products.create(newProductBody() as NewProduct);
    const created = await client.submissions.create(product.id, { name: 'wait e2e', type: 'initial' });
    await new BlockBlobClient(created.downloads!.items[0]!.url).uploadData(driverCab());
    await client.submissions.commit(product.id, created.id);

    const submissionEvents: WorkflowEvent[] = [];
    const signed = await waitForSubmission(client, product.id, created.id, {
      until: 'driverMetadata',
      pollIntervalMs: 5,
      timeoutMs: 300_000,
      onEvent: (event) => submissionEvents.push(event),
    });

    expect(signed.workflowStatus).toMatchObject({ currentStep: 'finalizeIngestion', state: 'completed' });
    expect(submissionEvents.at(-1)).toEqual({ kind: 'workflow', subject: 'submission', step: 'finalizeIngestion', state: 'completed' });
    expectInOrder(submissionEvents, SUBMISSION_STEPS);
    const metadataUrl = signed.downloads!.items.find((item) => item.type === 'driverMetadata')!.url;
    const metadata = JSON.parse((await new BlobClient(metadataUrl).downloadToBuffer()).toString('utf8')) as DriverMetadataFile;

    // The package holds an extension INF: published manually, the label is refused before anything is sent...
    expect(() => shippingLabelFromMetadata(metadata, { name: 'all INFs', destination: 'windowsUpdate' })).toThrow(ShippingLabelRuleError);
    // ...and the sandbox, like the service, refuses the same label with the same words.
    const everything = shippingLabelFromMetadata(metadata, {
      name: 'all INFs',
      destination: 'windowsUpdate',
      publishingSpecifications: { isAutoInstallOnApplicableSystems: true, additionalInfoForMsApproval: { businessJustification: 'e2e' } },
    });
    const refused = await client.shippingLabels
      .create(product.id, created.id, { ...everything, publishingSpecifications: { manualAcquisition: true } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect(JSON.stringify(refused)).toContain(EXTENSION_MESSAGE);

    const label = shippingLabelFromMetadata(metadata, { name: 'Contoso device to WU', destination: 'windowsUpdate', infs: ['contoso.inf'] });
    const createdLabel = await client.shippingLabels.create(product.id, created.id, label);

    // By default the wait ends where Microsoft's CLI stops: at Microsoft approval, or later if a poll came late.
    const approved = await waitForShippingLabel(client, product.id, created.id, createdLabel.id, { pollIntervalMs: 5, timeoutMs: 300_000 });
    expect(['microsoftApproval', 'publishing', 'finalizePublishing']).toContain(approved.workflowStatus!.currentStep);

    const labelEvents: WorkflowEvent[] = [];
    const published = await waitForShippingLabel(client, product.id, created.id, createdLabel.id, {
      until: 'completed',
      pollIntervalMs: 5,
      timeoutMs: 300_000,
      onEvent: (event) => labelEvents.push(event),
    });

    expect(labelEvents.at(-1)).toMatchObject({ subject: 'shippingLabel', step: 'finalizePublishing', state: 'completed' });
    expectInOrder(labelEvents, WINDOWS_UPDATE_LABEL_STEPS);
    const targeted = published.targeting!.hardwareIds!.map((hardwareId) => `${hardwareId.operatingSystemCode} ${hardwareId.pnpString} ${hardwareId.distributionState}`);
    expect(targeted.sort()).toEqual(OS_CODES.flatMap((code) => DEVICE_IDS.map((device) => `${code} ${device} added`)).sort());
  });
});
