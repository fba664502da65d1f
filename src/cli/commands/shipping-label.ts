import type { Command } from 'commander';
import type { NewShippingLabel, ShippingLabelUpdate } from '../../client/resources/shipping-labels.js';
import type { DriverMetadataFile } from '../../workflow/shipping-label-rules.js';
import { examples, parseId } from '../arguments.js';
import { MAX_METADATA_FILE_BYTES, readInputText, readJsonInput, validateInput } from '../input.js';
import { addLabelOptions, labelOptionsFromFlags, type LabelFlags } from '../label-options.js';
import { describeShippingLabel, shippingLabelTable } from '../render.js';
import { action } from '../run.js';
import { UsageError } from '../usage-error.js';
import { addWaitOptions, waitSettings, type WaitFlags } from '../wait-options.js';

const IDS = '<productId> <submissionId>';

export function registerShippingLabelCommands(program: Command): void {
  const label = program
    .command('shipping-label')
    .description('shipping labels: publish a signed driver to Windows Update or share it with a partner')
    .addHelpText(
      'after',
      examples(
        `hwdash shipping-label create ${IDS} --from-metadata driver-metadata.json --name "Contoso 1.2 to WU" --os-code WINDOWS_v100_X64_VB_FULL`,
        `hwdash shipping-label wait ${IDS} <shippingLabelId>`,
        `hwdash shipping-label list ${IDS}`,
      ),
    );
  for (const register of [registerList, registerGet, registerCreate, registerUpdate, registerCancel, registerWait]) register(label);
}

function registerList(label: Command): void {
  label
    .command('list')
    .description('list the shipping labels of a submission')
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .addHelpText('after', examples('hwdash shipping-label list 14631253285588838 1152921504621465124 --json'))
    .action(
      action(async (context, productId: string, submissionId: string) => {
        const client = await context.client();
        const labels = await Array.fromAsync(client.shippingLabels.list(productId, submissionId, { signal: context.signal }));
        context.output.result(labels, () => shippingLabelTable(labels));
      }),
    );
}

function registerGet(label: Command): void {
  label
    .command('get')
    .description('show a shipping label with its targeting and workflow status')
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .argument('<shippingLabelId>', 'shipping label ID', parseId)
    .addHelpText('after', examples('hwdash shipping-label get 14631253285588838 1152921504621465124 1152921504606997603'))
    .action(
      action(async (context, productId: string, submissionId: string, shippingLabelId: string) => {
        const client = await context.client();
        const found = await client.shippingLabels.get(productId, submissionId, shippingLabelId, { signal: context.signal });
        context.output.result(found, () => describeShippingLabel(found));
      }),
    );
}

function registerCreate(label: Command): void {
  addLabelOptions(
    label
      .command('create')
      .description('create a shipping label from a JSON file, or from the driver metadata with filters and publishing flags')
      .argument('<productId>', 'product ID', parseId)
      .argument('<submissionId>', 'submission ID', parseId)
      .option('--file <file>', 'a NewShippingLabel JSON file (checked against the spec before sending)')
      .option('--from-metadata <file>', 'build the targeting from this driver metadata file (`hwdash submission metadata`)')
      .option('--name <name>', 'label name (with --from-metadata)'),
  )
    .addHelpText(
      'after',
      examples(
        'hwdash shipping-label create 14631253285588838 1152921504621465124 --file label.json',
        'hwdash shipping-label create 14631253285588838 1152921504621465124 --from-metadata driver-metadata.json --name "Contoso 1.2 to WU"',
        'hwdash shipping-label create 14631253285588838 1152921504621465124 --from-metadata driver-metadata.json --name "VB only" --os-code WINDOWS_v100_X64_VB_FULL --inf contoso.inf',
        'hwdash shipping-label create 14631253285588838 1152921504621465124 --from-metadata driver-metadata.json --name "Auto" --auto-install --ms-contact pm@contoso.com --validations "HLK, field test" --affected-oem Contoso --business-justification "security fix"',
      ),
    )
    .action(
      action(async (context, productId: string, submissionId: string, flags: LabelFlags & { file?: string; fromMetadata?: string; name?: string }) => {
        if (Boolean(flags.file) === Boolean(flags.fromMetadata)) throw new UsageError('pass exactly one of --file <label.json> and --from-metadata <driver-metadata.json>.');
        let body: NewShippingLabel;
        if (flags.file) {
          body = await readJsonInput<NewShippingLabel>(flags.file, 'NewShippingLabel', context.output);
        } else {
          if (!flags.name) throw new UsageError('--from-metadata needs a label name: add --name "<name>".');
          const metadata = await validateInput<DriverMetadataFile>(await readInputText(flags.fromMetadata!, MAX_METADATA_FILE_BYTES), flags.fromMetadata!, 'DriverMetadata');
          const { shippingLabelFromMetadata } = await import('../../workflow/shipping-label-from-metadata.js');
          body = shippingLabelFromMetadata(metadata, labelOptionsFromFlags(flags.name, flags));
          context.output.info(`targeting ${body.targeting?.hardwareIds?.length ?? 0} hardware ID(s) from ${flags.fromMetadata}`);
        }
        const client = await context.client();
        const { createShippingLabel } = await import('../../workflow/steps/shipping-label.js');
        const created = await createShippingLabel(client, productId, submissionId, body, context.createOptions());
        context.output.result(created, () => `created shipping label ${created.id} (${created.name ?? ''}) on submission ${submissionId}`);
      }),
    );
}

function registerUpdate(label: Command): void {
  label
    .command('update')
    .description('add or remove hardware IDs and CHIDs, replace audiences, or add a business justification (ShippingLabelUpdate JSON)')
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .argument('<shippingLabelId>', 'shipping label ID', parseId)
    .argument('<file>', 'JSON file: { "targeting": { ... } }')
    .addHelpText('after', `${examples('hwdash shipping-label update 14631253285588838 1152921504621465124 1152921504606997603 changes.json')}
changes.json:
  { "targeting": { "restrictedToAudiences": ["7e2a0d3c-5b1e-4c36-9f0e-3c1d2b7f9a10"] } }
`)
    .action(
      action(async (context, productId: string, submissionId: string, shippingLabelId: string, file: string) => {
        const changes = await readJsonInput<ShippingLabelUpdate>(file, 'ShippingLabelUpdate', context.output);
        const client = await context.client();
        await client.shippingLabels.update(productId, submissionId, shippingLabelId, changes, { signal: context.signal });
        const updated = await client.shippingLabels.get(productId, submissionId, shippingLabelId, { signal: context.signal });
        context.output.result(updated, () => `updated shipping label ${shippingLabelId}`);
      }),
    );
}

function registerCancel(label: Command): void {
  label
    .command('cancel')
    .description('cancel a shipping label (only while it is in Microsoft approval or gradual rollout)')
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .argument('<shippingLabelId>', 'shipping label ID', parseId)
    .addHelpText('after', examples('hwdash shipping-label cancel 14631253285588838 1152921504621465124 1152921504606997603'))
    .action(
      action(async (context, productId: string, submissionId: string, shippingLabelId: string) => {
        const client = await context.client();
        await client.shippingLabels.cancel(productId, submissionId, shippingLabelId, { signal: context.signal });
        context.output.result({ productId, submissionId, shippingLabelId, cancelled: true }, () => `asked to cancel shipping label ${shippingLabelId}; cancelling can take more than a day`);
      }),
    );
}

function registerWait(label: Command): void {
  addWaitOptions(
    label
      .command('wait')
      .description('wait until the label reaches Microsoft approval (or, with --completed, the end of its workflow)')
      .argument('<productId>', 'product ID', parseId)
      .argument('<submissionId>', 'submission ID', parseId)
      .argument('<shippingLabelId>', 'shipping label ID', parseId)
      .option('--completed', 'wait for the last step (finalizePublishing) instead of Microsoft approval'),
  )
    .addHelpText('after', examples('hwdash shipping-label wait 14631253285588838 1152921504621465124 1152921504606997603'))
    .action(
      action(async (context, productId: string, submissionId: string, shippingLabelId: string, flags: WaitFlags & { completed?: boolean }) => {
        context.resumable = true;
        const client = await context.client();
        const { waitForShippingLabel } = await import('../../workflow/wait.js');
        await context.progress.prepare();
        const done = await waitForShippingLabel(client, productId, submissionId, shippingLabelId, {
          ...waitSettings(context, flags),
          signal: context.signal,
          until: flags.completed ? 'completed' : 'microsoftApproval',
          onEvent: context.progress.onProgress,
        });
        context.progress.stop();
        context.output.result(done, () => describeShippingLabel(done));
      }),
    );
}
