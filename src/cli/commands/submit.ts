import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_SIGNATURES } from '../../workflow/default-product.js';
import { collect, examples, parseId } from '../arguments.js';
import type { CliContext } from '../context.js';
import { addLabelOptions, type LabelFlags } from '../label-options.js';
import { action } from '../run.js';
import type { PackageSpec, SubmitFlowFlags } from '../submit-flow.js';
import { UsageError } from '../usage-error.js';
import { addWaitOptions, type WaitFlags } from '../wait-options.js';

/** How many packages a batch signs at once unless told otherwise. */
const DEFAULT_CONCURRENCY = 4;

interface SubmitFlags extends WaitFlags, LabelFlags, SubmitFlowFlags {
  product?: string;
  productFile?: string;
  productName?: string;
  name?: string;
  out: string;
  state?: string | false;
  label?: string | true;
  manifest?: string;
  concurrency: number;
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64.');
  return n;
}

export function registerSubmitCommand(program: Command): void {
  addWaitOptions(
    addLabelOptions(
      program
        .command('submit')
        .description('sign driver packages end to end: preflight, product, submission, upload, commit, wait, download, and a shipping label')
        .argument('[packages...]', 'the packages: EV-signed .cab files (attestation) or .hlkx/.hckx; several make a batch')
        .option('--manifest <file>', 'a JSON file listing the packages of a batch, each with its own product, name, label or output folder')
        .option('--concurrency <n>', `batch: how many packages are signed at once (default ${DEFAULT_CONCURRENCY})`, parseConcurrency, DEFAULT_CONCURRENCY)
        .option('--product <productId>', 'use this existing product instead of creating one', parseId)
        .option('--product-file <file>', 'create the product from this NewProduct JSON file')
        .option('--product-name <name>', 'name of the product to create (default: the package name)')
        .option('--signature <osCode>', `OS code to sign for when creating the product (repeatable; default ${DEFAULT_SIGNATURES.join(', ')})`, collect)
        .option('--name <name>', 'submission name (default: the package name and the minute the run first started)')
        .addOption(new Option('--type <type>', 'initial or derived submission').choices(['initial', 'derived']).default('initial'))
        .option('--out <dir>', 'folder for the signed package, driver metadata and state file (a batch: one subfolder per package)', 'signed')
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
        'hwdash submit drivers/*.cab --out signed/ --label --concurrency 4',
        'hwdash submit --manifest release.json --out signed/',
      )}
Every finished step is recorded in the state file, and every create is recorded before it is sent. After a failure, a
timeout, Ctrl-C or a kill, run the same command again: it continues with the same product and submission instead of
creating, uploading or committing twice. Only one run at a time may use a state file (another one exits 11).

Several packages (or --manifest) make a batch: each package gets its own subfolder of --out (named after the file)
with its own state file, at most --concurrency run at once on one sign-in, a throttled request (429) holds them all,
one failure does not stop the others, and a table at the end says how each went. The exit code is the first failed
package's. Manifest: { "packages": [ "a.cab", { "package": "b.cab", "productName": "…", "product": "…", "name": "…",
"label": "…" | true, "out": "…", "signatures": ["…"] } ] }, paths relative to the manifest.
`,
    )
    .action(
      action(async (context, packages: string[], flags: SubmitFlags) => {
        context.resumable = true;
        if (flags.product && (flags.productFile || flags.productName || flags.signature)) {
          throw new UsageError('--product uses an existing product; --product-file, --product-name and --signature are for creating one.');
        }
        if (flags.manifest || packages.length > 1) return submitBatch(context, packages, flags);
        if (packages.length === 0) throw new UsageError('give the package to sign (or several, or --manifest <file>).');
        return submitSingle(context, packages[0]!, flags);
      }),
    );
}

/** The embedded sandbox's IDs end with the run, so its state would only stand in the way of the next run. */
function defaultStateFile(context: CliContext, flags: SubmitFlags): string | false | undefined {
  return flags.state === false ? false : (flags.state ?? (context.options.sandbox ? false : undefined));
}

async function submitSingle(context: CliContext, packagePath: string, flags: SubmitFlags): Promise<void> {
  const { submitPackage, submitSummary } = await import('../submit-flow.js');
  await context.progress.prepare();
  const result = await submitPackage(
    context,
    {
      package: packagePath,
      outDir: flags.out,
      ...(flags.product ? { productId: flags.product } : {}),
      ...(flags.productFile ? { productFile: flags.productFile } : {}),
      ...(flags.productName ? { productName: flags.productName } : {}),
      ...(flags.name ? { submissionName: flags.name } : {}),
      ...(flags.label === undefined ? {} : { label: flags.label }),
      ...(defaultStateFile(context, flags) === undefined ? {} : { stateFile: defaultStateFile(context, flags)! }),
    },
    flags,
    context.progress.onProgress,
  );
  context.progress.stop();
  context.output.result(result, () => submitSummary(result));
}

async function submitBatch(context: CliContext, packages: string[], flags: SubmitFlags): Promise<number> {
  if (flags.productFile || flags.productName || flags.name || typeof flags.state === 'string') {
    throw new UsageError('--product-file, --product-name, --name and --state name one package; in a batch, give them per package in a --manifest.');
  }
  const { readManifest } = await import('../batch/manifest.js');
  const { batchExitCode, batchOutDir, packageNames, runBatch } = await import('../batch/batch-run.js');
  const { batchOutput, batchTable } = await import('../batch/batch-summary.js');
  const listed = [...packages.map((path) => ({ package: resolve(path) })), ...(flags.manifest ? await readManifest(flags.manifest) : [])];
  const names = packageNames(listed.map((entry) => entry.package));
  const stateFile = defaultStateFile(context, flags) === false ? false : undefined;
  const batch = listed.map((entry, index): { name: string; spec: PackageSpec } => {
    const fromManifest = entry as Partial<import('../batch/manifest.js').ManifestEntry>;
    const label = fromManifest.label === undefined ? flags.label : fromManifest.label === false ? undefined : fromManifest.label;
    const productId = fromManifest.product ?? flags.product;
    return {
      name: names[index]!,
      spec: {
        package: entry.package,
        outDir: fromManifest.out ?? batchOutDir(flags.out, names[index]!),
        ...(productId ? { productId } : {}),
        ...(fromManifest.productName ? { productName: fromManifest.productName } : {}),
        ...(fromManifest.signatures ? { signatures: fromManifest.signatures } : {}),
        ...(fromManifest.name ? { submissionName: fromManifest.name } : {}),
        ...(label === undefined ? {} : { label }),
        ...(stateFile === false ? { stateFile: false as const } : {}),
      },
    };
  });
  const started = Date.now();
  const outcomes = await runBatch(context, batch, flags, flags.concurrency);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  context.output.result(batchOutput(outcomes, seconds, flags.concurrency), () => batchTable(outcomes, seconds, flags.concurrency));
  return batchExitCode(outcomes, context.signal);
}
