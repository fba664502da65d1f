import { InvalidArgumentError, type Command } from 'commander';
import type { SandboxFailures } from '../../mock/sandbox/index.js';
import { examples, parsePort, parsePositiveNumber } from '../arguments.js';
import { action } from '../run.js';
import { UsageError } from '../usage-error.js';

/** Ingestion steps a submission can be made to fail at (the sandbox's step names). */
const INGESTION_STEPS = ['packageInfoValidation', 'preparation', 'scanning', 'catalogCreation', 'manualReview', 'signing', 'finalizeIngestion'];

/** `--fail validation` (the package is rejected), `--fail shipping-label`, or `--fail <ingestion step>`. */
function parseFailure(value: string, previous: SandboxFailures | undefined): SandboxFailures {
  const failures = { ...previous };
  if (value === 'validation') failures.validation = true;
  else if (value === 'shipping-label') failures.shippingLabel = true;
  else if (INGESTION_STEPS.includes(value)) failures.ingestionStep = value as SandboxFailures['ingestionStep'];
  else throw new InvalidArgumentError(`use validation, shipping-label, or one of the ingestion steps ${INGESTION_STEPS.join(', ')}.`);
  return failures;
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('run the local Hardware Dev Center sandbox (API on 127.0.0.1, blobs on Azurite) until Ctrl-C')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', parsePort, 0)
    .option('--speed <factor>', 'clock speed: sandbox seconds per real second (1: a submission signs in about a minute)', parsePositiveNumber, 1)
    .option(
      '--faults <spec>',
      'inject faults per request, kind[@operationId|@METHOD]:probability[:delayMs], e.g. 429:0.1,reset:0.02,lost@createProduct:0.5,late@POST:1:8000 ' +
        '(kinds 429, 500, 502, 503, reset, slow; late and lost happen after the service acted)',
    )
    .option('--sas-lifetime <minutes>', 'lifetime of upload and download URLs in sandbox minutes (default: one real hour), to try expiry', parsePositiveNumber)
    .option('--seed <n>', 'seed of the fault generator (same seed, same faults)', parseSeed)
    .option('--fail <scenario>', 'make workflows fail: validation, shipping-label, or an ingestion step such as signing; repeatable', parseFailure)
    .option('--token <token>', 'accept only this bearer token (default: any)')
    .addHelpText(
      'after',
      examples(
        'hwdash sandbox --port 8787',
        'hwdash sandbox --speed 60 --faults 429:0.1,reset:0.02 --seed 7',
        'hwdash sandbox --speed 60 --faults lost@createProduct:0.5,late@createSubmission:1',
        'hwdash sandbox --speed 60 --sas-lifetime 5      # URLs expire after 5 real seconds',
        'hwdash sandbox --fail validation',
        'HWDASH_TOKEN=sandbox hwdash --base-url http://127.0.0.1:8787/v2.0/my/hardware submit driver.cab --out signed/',
      ),
    )
    .action(
      action(async (context, flags: { port: number; speed: number; faults?: string; sasLifetime?: number; seed?: number; fail?: SandboxFailures; token?: string }) => {
        if (context.options.sandbox || context.options.baseUrl) {
          throw new UsageError('`hwdash sandbox` is the sandbox itself: drop --sandbox and --base-url.');
        }
        const sandbox = await context.startSandbox({
          port: flags.port,
          speed: flags.speed,
          ...(flags.faults ? { faults: flags.faults } : {}),
          ...(flags.sasLifetime === undefined ? {} : { sasLifetime: flags.sasLifetime }),
          ...(flags.seed === undefined ? {} : { seed: flags.seed }),
          ...(flags.fail ? { failures: flags.fail } : {}),
          ...(flags.token ? { token: flags.token } : {}),
        });
        const token = flags.token ?? 'sandbox';
        context.output.result({ baseUrl: sandbox.baseUrl, blobEndpoint: sandbox.azurite.blobEndpoint, token }, () => sandbox.baseUrl);
        context.output.info(
          [
            `hwdash sandbox: API at ${sandbox.baseUrl}, blobs on Azurite at ${sandbox.azurite.blobEndpoint}, clock ×${flags.speed}.`,
            'Use it from another terminal:',
            `  export HWDASH_TOKEN=${token} HWDASH_BASE_URL=${sandbox.baseUrl}`,
            `  hwdash product list          # or: HWDASH_TOKEN=${token} hwdash --base-url ${sandbox.baseUrl} product list`,
            'Ctrl-C stops it (all its data is in memory and goes with it).',
          ].join('\n'),
        );
        await new Promise<void>((resolve) => {
          if (context.signal.aborted) resolve();
          else context.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        await context.close();
        context.output.info('sandbox stopped.');
        // Ctrl-C is how a sandbox is meant to end, so it is a success here.
        return 0;
      }),
    );
}
