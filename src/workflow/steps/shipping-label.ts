/**
 * Step 8: the shipping label, built from the downloaded driver metadata and created exactly once (see
 * `createOnce`); with `wait`, its workflow is followed to Microsoft approval (or finished sharing).
 */
import { readFile } from 'node:fs/promises';
import type { HdcClient } from '../../client/client.js';
import type { Int64Id } from '../../client/ids.js';
import type { NewShippingLabel, ShippingLabel } from '../../client/resources/shipping-labels.js';
import { createOnce, type CreatableResource, type CreateOptions } from '../create-once.js';
import { shippingLabelFromMetadata, type ShippingLabelFromMetadataOptions } from '../shipping-label-from-metadata.js';
import type { DriverMetadataFile } from '../shipping-label-rules.js';
import type { SigningRun } from '../signing-run.js';
import { waitForShippingLabel } from '../wait.js';

/** How the shipping label is built from the downloaded driver metadata, plus whether to wait for its workflow. */
export type SignDriverLabelOptions = Omit<ShippingLabelFromMetadataOptions, 'name'> & {
  /** @default "<submission name> to Windows Update" */
  name?: string;
  /**
   * Wait for the label's workflow (Microsoft approval for Windows Update, finalized sharing for another partner).
   * @default false
   */
  wait?: boolean;
};

function creatableShippingLabel(client: HdcClient, productId: Int64Id, submissionId: Int64Id, body: NewShippingLabel): CreatableResource<ShippingLabel> {
  return {
    what: 'shipping label',
    name: body.name ?? '',
    list: async function* (signal) {
      for await (const item of client.shippingLabels.list(productId, submissionId, { signal, includeTargetingInfo: false })) yield { id: item.id, name: item.name };
    },
    create: (timeoutMs, signal) => client.shippingLabels.create(productId, submissionId, body, { signal, timeoutMs }),
  };
}

/**
 * Creates a shipping label. When the answer is lost, the label is looked up by its name: the result is the label
 * created, or an error saying it was not.
 */
export async function createShippingLabel(
  client: HdcClient,
  productId: Int64Id,
  submissionId: Int64Id,
  body: NewShippingLabel,
  options: CreateOptions = {},
): Promise<ShippingLabel> {
  const outcome = await createOnce({ ...creatableShippingLabel(client, productId, submissionId, body), ...options });
  return 'created' in outcome ? outcome.created : await client.shippingLabels.get(productId, submissionId, outcome.id, { signal: options.signal });
}

/** The run's shipping label: skipped when not asked for or recorded, else created once (and waited for with `wait`). */
export async function shippingLabelStep(run: SigningRun, label: SignDriverLabelOptions | undefined, submissionName: string): Promise<void> {
  const { state } = run;
  if (!label) {
    run.skipped('shippingLabel', 'no shipping label asked for');
    return;
  }
  if (state.shippingLabelId !== undefined && (state.shippingLabelCompleted || !label.wait)) {
    run.skipped('shippingLabel', `shipping label ${state.shippingLabelId} (from the state file)`);
    return;
  }
  const { wait, ...fromMetadata } = label;
  run.started('shippingLabel');
  if (state.shippingLabelId === undefined) {
    const metadata = JSON.parse(await readFile(state.downloaded!.driverMetadata, 'utf8')) as DriverMetadataFile;
    const body = shippingLabelFromMetadata(metadata, { ...fromMetadata, name: fromMetadata.name ?? `${submissionName} to Windows Update` });
    const outcome = await run.createOnce('shippingLabel', 'shippingLabel', creatableShippingLabel(run.client, state.productId!, state.submissionId!, body));
    await run.recordIntent('shippingLabel', undefined, { shippingLabelId: outcome.id });
  }
  if (wait) {
    await waitForShippingLabel(run.client, state.productId!, state.submissionId!, state.shippingLabelId!, run.waitOptions);
    await run.record({ shippingLabelCompleted: true });
  }
  run.completed('shippingLabel', `shipping label ${state.shippingLabelId}`);
}
