import { Option, type Command } from 'commander';
import type { NewProduct } from '../../client/resources/products.js';
import type { SignDriverResult } from '../../workflow/sign-driver.js';
import { collect, examples, parseId } from '../arguments.js';
import { addLabelOptions, labelOptionsFromFlags, type LabelFlags } from '../label-options.js';
import { action } from '../run.js';
import { addWaitOptions, waitSettings, type WaitFlags } from './submission.js';

/** What attestation signs for when the user does not say: current Windows 10/11 on x64 and ARM64. */
const DEFAULT_SIGNATURES = ['WINDOWS_v100_X64_VB_FULL', 'WINDOWS_v100_ARM64_VB_FULL'];

/** What `hwdash submit --json` prints: signDriver's result, the shipping label's copy on disk, and the run's seconds. */
export type SubmitOutput = SignDriverResult & { shippingLabelPath?: string; seconds: number };

interface SubmitFlags extends WaitFlags, LabelFlags {
  product?: string;
  productFile?: string;
  productName?: string;
  signature?: string[];
  name?: string;
  type: 'initial' | 'derived';
  out: string;
  state?: string | false;
  label?: string | true;
  waitLabel?: boolean;
}

export function registerSubmitCommand(program: Command): void {
  addWaitOptions(
    addLabelOptions(
      program
        .command('submit')
        .description('sign a driver package end to end: preflight, product, submission, upload, commit, wait, download, and a shipping label')
        .argument('<package>', 'the package: an EV-signed .cab (attestation) or an .hlkx/.hckx')
        .option('--product <productId>', 'use this existing product instead of creating one', parseId)
        .option('--product-file <file>', 'create the product from this NewProduct JSON file')
        .option('--product-name <name>', 'name of the product to create (default: the package name)')
        .option('--signature <osCode>', `OS code to sign for when creating the product (repeatable; default ${DEFAULT_SIGNATURES.join(', ')})`, collect)
        .option('--name <name>', 'submission name (default: the package name and the date)')
        .addOption(new Option('--type <type>', 'initial or derived submission').choices(['initial', 'derived']).default('initial'))
        .option('--out <dir>', 'folder for the signed package, driver metadata and state file', 'signed')
        .option('--state <file>', 'state file that makes a rerun resume (default <out>/.hwdash-state.json; with --sandbox none)')
        .option('--no-state', 'keep no state file: a rerun starts a new submission')
        .option('--label [name]', 'create a shipping label from the driver metadata when signed (name default: "<submission> to Windows Update")')
        .option('--wait-label', "wait for the shipping label's workflow (Microsoft approval) too"),
    ),
  )
    .addHelpText(
      'after',
      `${examples(
        'hwdash submit examples/out/sample-driver.cab --sandbox --out signed/ --label',
        'hwdash submit driver.cab --product 14631253285588838 --out signed/',
        'hwdash submit driver.cab --product-name "Contoso touch" --signature WINDOWS_v100_X64_NI_FULL --label "Contoso touch to WU" --os-code WINDOWS_v100_X64_NI_FULL',
      )}
Every finished step is recorded in the state file. After a failure, a timeout or Ctrl-C, run the same command again:
it continues with the same submission instead of creating, uploading or committing twice.
`,
    )
    .action(
      action(async (context, packagePath: string, flags: SubmitFlags) => {
        const { basename, extname } = await import('node:path');
        const { UsageError } = await import('../usage-error.js');
        if (flags.product && (flags.productFile || flags.productName || flags.signature)) {
          throw new UsageError('--product uses an existing product; --product-file, --product-name and --signature are for creating one.');
        }
        const stem = basename(packagePath, extname(packagePath));
        let product: NewProduct | undefined;
        if (flags.productFile) {
          const { readJsonInput } = await import('../input.js');
          product = await readJsonInput<NewProduct>(flags.productFile, 'NewProduct', context.output);
        } else if (!flags.product) {
          const { validateInput } = await import('../input.js');
          const extension = extname(packagePath).toLowerCase();
          const body = {
            productName: flags.productName ?? stem,
            testHarness: extension === '.hlkx' ? 'hlk' : extension === '.hckx' ? 'hck' : 'attestation',
            deviceType: 'internal',
            announcementDate: `${new Date().toISOString().slice(0, 10)}T00:00:00Z`,
            selectedProductTypes: { Windows_v100: 'Unclassified' },
            requestedSignatures: flags.signature ?? DEFAULT_SIGNATURES,
          };
          product = await validateInput<NewProduct>(JSON.stringify(body), 'the product options', 'NewProduct', context.output);
        }
        const submissionName = flags.name ?? `${stem} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
        const labelName = flags.label === undefined ? undefined : flags.label === true ? `${submissionName} to Windows Update` : flags.label;
        // The embedded sandbox's IDs end with the run, so its state would only stand in the way of the next run.
        const stateFile = flags.state === false ? false : (flags.state ?? (context.options.sandbox ? false : undefined));

        const client = await context.client();
        const { signDriver } = await import('../../workflow/sign-driver.js');
        await context.progress.prepare();
        const started = Date.now();
        const result = await signDriver({
          client,
          package: packagePath,
          ...(product ? { product } : { productId: flags.product! }),
          submissionName,
          submissionType: flags.type,
          outDir: flags.out,
          ...(stateFile === undefined ? {} : { stateFile }),
          ...(labelName ? { label: { ...labelOptionsFromFlags(labelName, flags), wait: Boolean(flags.waitLabel) } } : {}),
          ...waitSettings(context, flags),
          signal: context.signal,
          onProgress: context.progress.onProgress,
        });
        context.progress.stop();
        // The label lives in the service; a copy next to the signed package records what was published where.
        let shippingLabelPath: string | undefined;
        if (result.shippingLabelId) {
          const labelNow = await client.shippingLabels.get(result.productId, result.submissionId, result.shippingLabelId, { signal: context.signal });
          const { join, resolve } = await import('node:path');
          const { writeFileAtomically } = await import('../../workflow/atomic-file.js');
          const { toJsonText } = await import('../output.js');
          shippingLabelPath = join(resolve(flags.out), `shipping-label-${result.shippingLabelId}.json`);
          await writeFileAtomically(shippingLabelPath, (file) => file.writeFile(`${toJsonText(labelNow)}\n`, 'utf8'));
        }
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        const output: SubmitOutput = { ...result, ...(shippingLabelPath ? { shippingLabelPath } : {}), seconds };
        context.output.result(output, () =>
          [
            `signed in ${seconds} s${result.resumed ? ' (resumed from the state file)' : ''}`,
            `  product:         ${result.productId}`,
            `  submission:      ${result.submissionId}`,
            `  signed package:  ${result.signedPackagePath}`,
            `  driver metadata: ${result.driverMetadataPath}`,
            ...(result.shippingLabelId ? [`  shipping label:  ${result.shippingLabelId} (${shippingLabelPath})`] : []),
            ...(result.stateFile ? [`  state file:      ${result.stateFile}`] : []),
          ].join('\n'),
        );
      }),
    );
}
