import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { EntraApplication, EntraOptions, Sandbox, SandboxFailures } from '../../mock/sandbox/index.js';
import { examples, parsePort, parsePositiveNumber } from '../arguments.js';
import { action } from '../run.js';
import { UsageError } from '../usage-error.js';

/** Ingestion steps a submission can be made to fail at (the sandbox's step names). */
const INGESTION_STEPS = ['packageInfoValidation', 'preparation', 'scanning', 'catalogCreation', 'manualReview', 'signing', 'finalizeIngestion'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

function parseGuid(value: string): string {
  if (!GUID.test(value)) throw new InvalidArgumentError('expected a GUID such as 00000000-0000-0000-0000-000000000000.');
  return value.toLowerCase();
}

interface SandboxFlags {
  port: number;
  speed: number;
  faults?: string;
  sasLifetime?: number;
  seed?: number;
  fail?: SandboxFailures;
  token?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  clientCertificate?: string;
  federatedIssuer?: string;
  federatedSubject?: string;
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('run the local Hardware Dev Center sandbox (API on 127.0.0.1, blobs on Azurite, Entra ID stand-in over TLS) until Ctrl-C')
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
    .option('--tenant-id <guid>', 'the only Entra ID tenant that exists (default: any tenant)', parseGuid)
    .option('--client-id <guid>', 'register this Entra ID app: only it signs in, and the API accepts only tokens the stand-in issued', parseGuid)
    .option('--client-secret <secret>', 'a client secret of the --client-id app')
    .option('--client-certificate <pem>', 'a PEM certificate file registered on the --client-id app (certificate credential)')
    .option('--federated-issuer <url>', 'a federated identity credential of the --client-id app: the issuer it trusts')
    .option('--federated-subject <subject>', '... and the subject (e.g. repo:contoso/drivers:ref:refs/heads/main)')
    .addHelpText(
      'after',
      `${examples(
        'hwdash sandbox --port 8787',
        'hwdash sandbox --speed 60 --faults 429:0.1,reset:0.02 --seed 7',
        'hwdash sandbox --speed 60 --faults lost@createProduct:0.5,late@createSubmission:1',
        'hwdash sandbox --speed 60 --sas-lifetime 5      # URLs expire after 5 real seconds',
        'hwdash sandbox --fail validation',
        'hwdash sandbox --tenant-id 72f988bf-86f1-41af-91ab-2d7cd011db47 --client-id 11111111-2222-3333-4444-555555555555 --client-secret s3cret > sandbox.env',
        'set -a; . ./sandbox.env; set +a; AZURE_CLIENT_SECRET=s3cret hwdash product list',
      )}
It prints HWDASH_BASE_URL, AZURE_AUTHORITY_HOST and NODE_EXTRA_CA_CERTS (and AZURE_TENANT_ID, AZURE_CLIENT_ID,
HWDASH_TOKEN when given) on stdout, one NAME=value a line, to export in the shell of any client.
`,
    )
    .action(
      action(async (context, flags: SandboxFlags) => {
        if (context.options.sandbox || context.options.baseUrl) {
          throw new UsageError('`hwdash sandbox` is the sandbox itself: drop --sandbox and --base-url.');
        }
        const entra = await entraOptions(flags);
        const sandbox = await context.startSandbox({
          port: flags.port,
          speed: flags.speed,
          ...(flags.faults ? { faults: flags.faults } : {}),
          ...(flags.sasLifetime === undefined ? {} : { sasLifetime: flags.sasLifetime }),
          ...(flags.seed === undefined ? {} : { seed: flags.seed }),
          ...(flags.fail ? { failures: flags.fail } : {}),
          ...(flags.token ? { token: flags.token } : {}),
          entra,
        });
        const env = environmentLines(sandbox, flags);
        context.output.result({ baseUrl: sandbox.baseUrl, blobEndpoint: sandbox.azurite.blobEndpoint, env }, () =>
          Object.entries(env)
            .map(([name, value]) => `${name}=${value}`)
            .join('\n'),
        );
        context.output.info(instructions(sandbox, flags));
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

/** The Entra ID stand-in's set-up from the flags: open (any client) unless --client-id registers an app. */
async function entraOptions(flags: SandboxFlags): Promise<EntraOptions> {
  const credentialFlags = [flags.clientSecret, flags.clientCertificate, flags.federatedIssuer, flags.federatedSubject];
  if (flags.clientId && flags.token) throw new UsageError('--token and --client-id exclude each other: with --client-id the API accepts the stand-in\'s tokens only.');
  if (!flags.clientId) {
    if (credentialFlags.some((flag) => flag !== undefined)) throw new UsageError('--client-secret, --client-certificate and --federated-* need --client-id.');
    return flags.tenantId ? { tenantId: flags.tenantId } : {};
  }
  if (Boolean(flags.federatedIssuer) !== Boolean(flags.federatedSubject)) throw new UsageError('--federated-issuer and --federated-subject go together.');
  if (credentialFlags.every((flag) => flag === undefined)) throw new UsageError('--client-id needs a credential: --client-secret, --client-certificate or --federated-issuer/--federated-subject.');
  const application: EntraApplication = {
    clientId: flags.clientId,
    ...(flags.clientSecret ? { secrets: [flags.clientSecret] } : {}),
    ...(flags.clientCertificate ? { certificates: [await readFile(flags.clientCertificate, 'utf8')] } : {}),
    ...(flags.federatedIssuer ? { federatedCredentials: [{ issuer: flags.federatedIssuer, subject: flags.federatedSubject! }] } : {}),
  };
  return { ...(flags.tenantId ? { tenantId: flags.tenantId } : {}), applications: [application] };
}

/** What a client's shell needs, in the order a person reads it. Never a secret but the bearer token they chose. */
function environmentLines(sandbox: Sandbox, flags: SandboxFlags): Record<string, string> {
  return {
    HWDASH_BASE_URL: sandbox.baseUrl,
    ...(sandbox.entra ? { AZURE_AUTHORITY_HOST: sandbox.entra.authorityHost, NODE_EXTRA_CA_CERTS: sandbox.entra.caCertificatePath } : {}),
    ...(flags.tenantId ? { AZURE_TENANT_ID: flags.tenantId } : {}),
    ...(flags.clientId ? { AZURE_CLIENT_ID: flags.clientId } : {}),
    ...(flags.token ? { HWDASH_TOKEN: flags.token } : {}),
  };
}

function instructions(sandbox: Sandbox, flags: SandboxFlags): string {
  const entra = sandbox.entra!;
  const signIn = flags.clientId
    ? `Entra ID stand-in at ${entra.authorityHost}: only app ${flags.clientId} signs in${flags.tenantId ? ` in tenant ${flags.tenantId}` : ''}, and the API accepts only its tokens.`
    : `Entra ID stand-in at ${entra.authorityHost}: any tenant, client ID and secret sign in; the API accepts any bearer token${flags.token ? ` (only ${flags.token})` : ''}.`;
  return [
    `hwdash sandbox: API at ${sandbox.baseUrl}, blobs on Azurite at ${sandbox.azurite.blobEndpoint}, clock ×${flags.speed}.`,
    signIn,
    `Its TLS certificate authority is ${entra.caCertificatePath} (NODE_EXTRA_CA_CERTS for Node, REQUESTS_CA_BUNDLE for Python, curl --cacert).`,
    'Use it from another terminal: export the NAME=value lines above (stdout), then for example',
    flags.token
      ? '  hwdash product list'
      : flags.clientId
        ? '  AZURE_CLIENT_SECRET=<its secret> hwdash product list    # or AZURE_CLIENT_CERTIFICATE_PATH / AZURE_FEDERATED_TOKEN_FILE'
        : `  AZURE_TENANT_ID=${flags.tenantId ?? '<any GUID>'} AZURE_CLIENT_ID=<any GUID> AZURE_CLIENT_SECRET=<anything> hwdash product list    # or HWDASH_TOKEN=sandbox`,
    'Ctrl-C stops it (all its data is in memory and goes with it).',
  ].join('\n');
}
