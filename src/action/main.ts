/**
 * The GitHub Action (action.yml): signs a driver package with `signDriver`, against Partner Center or any API root
 * (`base-url`), and reports the way a CI job wants it. Bundled into one file (`npm run build:action`) so that the
 * runner starts it with no `npm install`.
 *
 * Resuming: the state file lives in `out-dir`; a re-run of the job (with that folder restored, e.g. by
 * `actions/cache`) continues with the same product and submission instead of creating them again.
 */
import { createHdcClient } from '../client/client.js';
import { HdcError } from '../client/errors/hdc-error.js';
import { redactText } from '../client/redact.js';
import { defaultProduct } from '../workflow/default-product.js';
import type { SignDriverResult } from '../workflow/sign-driver.js';
import { actionAuth } from './credentials.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { appendSummary, issueCommand, setOutput } from './runner.js';
import { StepLog } from './step-log.js';
import { summaryMarkdown } from './summary.js';

/** Failures a re-run of the job gets past, continuing from the state file. */
const RESUMABLE_KINDS = new Set(['network', 'timeout', 'rate-limit', 'server', 'upload', 'download', 'blob-transfer', 'workflow-timeout']);

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const cancel = new AbortController();
  const onSignal = (signal: string) => () => cancel.abort(new Error(`cancelled (${signal})`));
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));
  const log = new StepLog();
  let inputs: ActionInputs | undefined;
  let baseUrl = '';
  try {
    inputs = readInputs(env);
    const auth = await actionAuth(inputs, env);
    console.log(`hwdash: signing ${inputs.package}, signed in with ${auth.source}`);
    const client = createHdcClient({
      ...(inputs.baseUrl ? { baseUrl: inputs.baseUrl } : {}),
      ...auth,
      userAgent: 'hwdash-action',
      retry: { onRetry: (info) => console.log(`  retrying ${info.method} ${info.url} in ${Math.ceil(info.delayMs / 100) / 10} s (${info.reason})`) },
    });
    baseUrl = client.baseUrl;
    const result = await sign(client, inputs, log, cancel.signal);
    const shippingLabelState = result.shippingLabelId ? await labelState(client, result, cancel.signal) : undefined;
    writeOutputs(result, env);
    appendSummary(summaryMarkdown({ package: inputs.package, baseUrl, steps: log.steps, result, ...(shippingLabelState ? { shippingLabelState } : {}) }), env);
    console.log(`hwdash: signed; submission ${result.submissionId} of product ${result.productId}`);
    return 0;
  } catch (error) {
    const message = redactText(error instanceof Error ? error.message : String(error));
    const resumable = (error instanceof HdcError && RESUMABLE_KINDS.has(error.kind)) || (error as Error)?.name === 'WorkflowTimeoutError';
    log.failed(message);
    issueCommand('error', `${message}${resumable ? ' (re-run the job to continue from the state file in out-dir)' : ''}`);
    appendSummary(summaryMarkdown({ package: inputs?.package ?? '(no package)', baseUrl, steps: log.steps, error: { message, resumable } }), env);
    return 1;
  }
}

async function sign(client: ReturnType<typeof createHdcClient>, inputs: ActionInputs, log: StepLog, signal: AbortSignal): Promise<SignDriverResult> {
  const { signDriver } = await import('../workflow/sign-driver.js');
  const product = inputs.productId
    ? undefined
    : defaultProduct(inputs.package, { ...(inputs.productName ? { productName: inputs.productName } : {}), ...(inputs.signatures ? { signatures: inputs.signatures } : {}) });
  return signDriver({
    client,
    package: inputs.package,
    ...(product ? { product } : { productId: inputs.productId! }),
    ...(inputs.submissionName ? { submissionName: inputs.submissionName } : {}),
    outDir: inputs.outDir,
    ...(inputs.label
      ? {
          label: {
            destination: inputs.labelDestination,
            ...(inputs.labelName ? { name: inputs.labelName } : {}),
            ...(inputs.labelOsCodes ? { osCodes: inputs.labelOsCodes } : {}),
            ...(inputs.labelRecipient ? { recipientSpecifications: { receiverPublisherId: inputs.labelRecipient } } : {}),
          },
        }
      : {}),
    pollIntervalMs: inputs.pollIntervalMs,
    timeoutMs: inputs.waitTimeoutMs,
    signal,
    onProgress: log.onProgress,
  });
}

/** The label's workflow as the service reports it now, for the summary: `preProcessShippingLabel completed`. */
async function labelState(client: ReturnType<typeof createHdcClient>, result: SignDriverResult, signal: AbortSignal): Promise<string | undefined> {
  try {
    const label = await client.shippingLabels.get(result.productId, result.submissionId, result.shippingLabelId!, { signal, includeTargetingInfo: false });
    const status = label.workflowStatus;
    return status ? `${String(status.currentStep ?? '')} ${String(status.state ?? '')}`.trim() : undefined;
  } catch {
    // The label exists (its ID is known); a failed read only leaves its state out of the summary.
    return undefined;
  }
}

/** Outputs; IDs as the exact digit strings the API sent. */
function writeOutputs(result: SignDriverResult, env: NodeJS.ProcessEnv): void {
  setOutput('product-id', result.productId, env);
  setOutput('submission-id', result.submissionId, env);
  setOutput('signed-package', result.signedPackagePath, env);
  setOutput('driver-metadata', result.driverMetadataPath, env);
  setOutput('shipping-label-id', result.shippingLabelId ?? '', env);
  setOutput('state-file', result.stateFile ?? '', env);
  setOutput('resumed', String(result.resumed), env);
}
