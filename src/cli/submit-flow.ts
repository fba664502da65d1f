/**
 * One package through the whole signing flow, as `hwdash submit` runs it for each package it is given: the product
 * to create (or the one to use), the submission's name, the output folder and state file, the shipping label. The
 * batch runs many of these on one client; a single package is the batch of one.
 */
import { join, resolve } from 'node:path';
import type { NewProduct } from '../client/resources/products.js';
import type { SignDriverProgressEvent } from '../workflow/progress.js';
import type { SignDriverResult } from '../workflow/sign-driver.js';
import { writeFileAtomically } from '../workflow/atomic-file.js';
import { defaultProduct } from '../workflow/default-product.js';
import type { CliContext } from './context.js';
import { readJsonInput, validateInput, type WarningSink } from './input.js';
import { labelOptionsFromFlags, type LabelFlags } from './label-options.js';
import { toJsonText } from './output.js';
import { waitSettings, type WaitFlags } from './wait-options.js';

/** What `hwdash submit --json` prints for a package: signDriver's result, the shipping label's copy on disk, and the run's seconds. */
export type SubmitOutput = SignDriverResult & { shippingLabelPath?: string; seconds: number };

/** The flags of `hwdash submit` that shape every package's flow. */
export interface SubmitFlowFlags extends WaitFlags, LabelFlags {
  type: 'initial' | 'derived';
  signature?: string[];
  waitLabel?: boolean;
}

/** One package and what is particular to it. */
export interface PackageSpec {
  package: string;
  outDir: string;
  /** Use this product. */
  productId?: string;
  /** Create the product from this NewProduct file. */
  productFile?: string;
  /** Name of the product to create (default: the package's name). */
  productName?: string;
  /** OS codes to sign for when creating the product (default: the --signature flags, else `DEFAULT_SIGNATURES`). */
  signatures?: string[];
  submissionName?: string;
  /** A shipping label: `true` for the default name, a string for that name, undefined for none. */
  label?: string | true;
  /** `false`: no state file; undefined: `<outDir>/.hwdash-state.json`. */
  stateFile?: string | false;
}

/** Runs one package's flow on the context's (shared) client and saves the shipping label's copy next to it. */
export async function submitPackage(context: CliContext, spec: PackageSpec, flags: SubmitFlowFlags, onProgress: (event: SignDriverProgressEvent) => void): Promise<SubmitOutput> {
  const product = spec.productId ? undefined : await productToCreate(spec, flags, context.output);
  const client = await context.client();
  const { signDriver } = await import('../workflow/sign-driver.js');
  const { pollIntervalMs, timeoutMs } = waitSettings(context, flags);
  const labelName = spec.label === true ? undefined : spec.label;
  const started = Date.now();
  const result = await signDriver({
    client,
    package: spec.package,
    ...(product ? { product } : { productId: spec.productId! }),
    ...(spec.submissionName ? { submissionName: spec.submissionName } : {}),
    submissionType: flags.type,
    outDir: spec.outDir,
    ...(spec.stateFile === undefined ? {} : { stateFile: spec.stateFile }),
    ...(spec.label === undefined ? {} : { label: { ...labelOptionsFromFlags(labelName, flags), wait: Boolean(flags.waitLabel) } }),
    pollIntervalMs,
    timeoutMs,
    ...context.createTimeout(),
    signal: context.signal,
    onProgress,
  });
  const shippingLabelPath = await saveShippingLabel(context, result, spec.outDir);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  return { ...result, ...(shippingLabelPath ? { shippingLabelPath } : {}), seconds };
}

/** The product a package's flow creates: from its NewProduct file, or from the package's name and the signatures. */
async function productToCreate(spec: PackageSpec, flags: SubmitFlowFlags, warnings: WarningSink): Promise<NewProduct> {
  if (spec.productFile) return readJsonInput<NewProduct>(spec.productFile, 'NewProduct', warnings);
  const body = defaultProduct(spec.package, { ...(spec.productName ? { productName: spec.productName } : {}), ...(spec.signatures ?? flags.signature ? { signatures: spec.signatures ?? flags.signature } : {}) });
  return validateInput<NewProduct>(JSON.stringify(body), 'the product options', 'NewProduct', warnings);
}

/** The label lives in the service; a copy next to the signed package records what was published where. */
async function saveShippingLabel(context: CliContext, result: SignDriverResult, outDir: string): Promise<string | undefined> {
  if (!result.shippingLabelId) return undefined;
  const client = await context.client();
  const label = await client.shippingLabels.get(result.productId, result.submissionId, result.shippingLabelId, { signal: context.signal });
  const path = join(resolve(outDir), `shipping-label-${result.shippingLabelId}.json`);
  await writeFileAtomically(path, (file) => file.writeFile(`${toJsonText(label)}\n`, 'utf8'));
  return path;
}

/** The human summary of one signed package. */
export function submitSummary(result: SubmitOutput): string {
  return [
    `signed in ${result.seconds} s${result.resumed ? ' (resumed from the state file)' : ''}`,
    `  product:         ${result.productId}`,
    `  submission:      ${result.submissionId}`,
    `  signed package:  ${result.signedPackagePath}`,
    `  driver metadata: ${result.driverMetadataPath}`,
    ...(result.shippingLabelId ? [`  shipping label:  ${result.shippingLabelId} (${result.shippingLabelPath})`] : []),
    ...(result.stateFile ? [`  state file:      ${result.stateFile}`] : []),
  ].join('\n');
}
