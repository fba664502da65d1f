import { basename, extname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { NewProduct } from '../../client/resources/products.js';
import type { SignDriverResult } from '../../workflow/sign-driver.js';
import { collect, examples, parseId } from '../arguments.js';
import type { CliContext } from '../context.js';
import { readJsonInput, validateInput } from '../input.js';
import { addLabelOptions, labelOptionsFromFlags, type LabelFlags } from '../label-options.js';
import { toJsonText } from '../output.js';
import { action } from '../run.js';
import { UsageError } from '../usage-error.js';
import { addWaitOptions, waitSettings, type WaitFlags } from '../wait-options.js';

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
        .option('--name <name>', 'submission name (default: the package name and the minute the run first started)')
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
Every finished step is recorded in the state file, and every create is recorded before it is sent. After a failure, a
timeout, Ctrl-C or a kill, run the same command again: it continues with the same product and submission instead of
creating, uploading or committing twice. Only one run at a time may use a state file (another one exits 11).
`,
    )
    .action(
      action(async (context, packagePath: string, flags: SubmitFlags) => {
        context.resumable = true;
        if (flags.product && (flags.productFile || flags.productName || flags.signature)) {
          throw new UsageError('--product uses an existing product; --product-file, --product-name and --signature are for creating one.');
        }
        const product = flags.product ? undefined : await productToCreate(packagePath, flags);
        // The embedded sandbox's IDs end with the run, so its state would only stand in the way of the next run.
        const stateFile = flags.state === false ? false : (flags.state ?? (context.options.sandbox ? false : undefined));
        const labelName = flags.label === undefined ? undefined : flags.label === true ? undefined : flags.label;

        const client = await context.client();
        const { signDriver } = await import('../../workflow/sign-driver.js');
        await context.progress.prepare();
        const started = Date.now();
        const result = await signDriver({
          client,
          package: packagePath,
          ...(product ? { product } : { productId: flags.product! }),
          ...(flags.name ? { submissionName: flags.name } : {}),
          submissionType: flags.type,
          outDir: flags.out,
          ...(stateFile === undefined ? {} : { stateFile }),
          ...(flags.label === undefined ? {} : { label: { ...labelOptionsFromFlags(labelName, flags), wait: Boolean(flags.waitLabel) } }),
          ...pollSettings(waitSettings(context, flags)),
          ...context.createTimeout(),
          signal: context.signal,
          onProgress: context.progress.onProgress,
        });
        context.progress.stop();
        const shippingLabelPath = await saveShippingLabel(context, result, flags.out);
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        const output: SubmitOutput = { ...result, ...(shippingLabelPath ? { shippingLabelPath } : {}), seconds };
        context.output.result(output, () => summary(result, seconds, shippingLabelPath));
      }),
    );
}

function pollSettings({ pollIntervalMs, timeoutMs }: { pollIntervalMs: number; timeoutMs: number }): { pollIntervalMs: number; timeoutMs: number } {
  return { pollIntervalMs, timeoutMs };
}

/** The product `submit` creates: from --product-file, or from the package's name and the signature flags. */
async function productToCreate(packagePath: string, flags: SubmitFlags): Promise<NewProduct> {
  if (flags.productFile) return readJsonInput<NewProduct>(flags.productFile, 'NewProduct');
  const extension = extname(packagePath).toLowerCase();
  const body = {
    productName: flags.productName ?? basename(packagePath, extname(packagePath)),
    testHarness: extension === '.hlkx' ? 'hlk' : extension === '.hckx' ? 'hck' : 'attestation',
    deviceType: 'internal',
    announcementDate: `${new Date().toISOString().slice(0, 10)}T00:00:00Z`,
    selectedProductTypes: { Windows_v100: 'Unclassified' },
    requestedSignatures: flags.signature ?? DEFAULT_SIGNATURES,
  };
  return validateInput<NewProduct>(JSON.stringify(body), 'the product options', 'NewProduct');
}

/** The label lives in the service; a copy next to the signed package records what was published where. */
async function saveShippingLabel(context: CliContext, result: SignDriverResult, outDir: string): Promise<string | undefined> {
  if (!result.shippingLabelId) return undefined;
  const client = await context.client();
  const label = await client.shippingLabels.get(result.productId, result.submissionId, result.shippingLabelId, { signal: context.signal });
  const { writeFileAtomically } = await import('../../workflow/atomic-file.js');
  const path = join(resolve(outDir), `shipping-label-${result.shippingLabelId}.json`);
  await writeFileAtomically(path, (file) => file.writeFile(`${toJsonText(label)}\n`, 'utf8'));
  return path;
}

function summary(result: SignDriverResult, seconds: number, shippingLabelPath: string | undefined): string {
  return [
    `signed in ${seconds} s${result.resumed ? ' (resumed from the state file)' : ''}`,
    `  product:         ${result.productId}`,
    `  submission:      ${result.submissionId}`,
    `  signed package:  ${result.signedPackagePath}`,
    `  driver metadata: ${result.driverMetadataPath}`,
    ...(result.shippingLabelId ? [`  shipping label:  ${result.shippingLabelId} (${shippingLabelPath})`] : []),
    ...(result.stateFile ? [`  state file:      ${result.stateFile}`] : []),
  ].join('\n');
}
