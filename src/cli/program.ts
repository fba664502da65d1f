/**
 * The `hwdash` program: global options, the command groups, Ctrl-C handling. Only commander and the command
 * definitions load at start-up; the client, credentials, progress bars and the sandbox load when a command runs,
 * so `--help` and `--version` stay fast.
 */
import { Command, Option } from 'commander';
import { VERSION } from '../client/version.js';
import { examples, parseCount, parsePositiveNumber } from './arguments.js';
import { CancelledError } from './cancelled-error.js';
import { registerAudienceCommands } from './commands/audience.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerLoginCommands } from './commands/login.js';
import { registerPartnerSubmissionCommands } from './commands/partner-submission.js';
import { registerPreprodCommands } from './commands/preprod.js';
import { registerProductCommands } from './commands/product.js';
import { registerReferenceCommands } from './commands/reference.js';
import { registerSandboxCommand } from './commands/sandbox.js';
import { registerShippingLabelCommands } from './commands/shipping-label.js';
import { registerSubmissionCommands } from './commands/submission.js';
import { registerSubmitCommand } from './commands/submit.js';
import { cancellation } from './run.js';

/** Exit code of a cancelled run; exit-codes.ts is not imported here to keep start-up light. */
const EXIT_CANCELLED = 9;
/** How long a cancelled run may spend cleaning up before it exits anyway. */
const CANCEL_GRACE_MS = 10_000;

const program = new Command('hwdash')
  .description('Microsoft Hardware Dev Center (Partner Center hardware) API: products, driver submissions, shipping labels, signing.')
  .version(VERSION, '-V, --version', 'print the hwdash version')
  .option('--base-url <url>', 'API root (default: https://manage.devcenter.microsoft.com/v2.0/my/hardware, or $HWDASH_BASE_URL)')
  .option('--sandbox', 'run against an embedded local sandbox started for this command (no account, no network)')
  .option('--sandbox-speed <factor>', 'clock speed of the embedded sandbox (sandbox seconds per real second; default 60)', parsePositiveNumber)
  .option(
    '--sandbox-sas-lifetime <minutes>',
    'lifetime of the embedded sandbox\'s upload and download URLs, in sandbox minutes (default: one real hour)',
    parsePositiveNumber,
  )
  .option('--json', 'print results as JSON on stdout (IDs as exact digit strings)')
  .option('-v, --verbose', 'log every request and response on stderr, blob transfers included (secrets redacted)')
  .option('--show-sas-urls', 'print download and upload URLs in results with their SAS signatures, e.g. for azcopy (they grant access for hours: keep them out of logs)')
  .addOption(new Option('-q, --quiet', 'print only results and errors').conflicts('verbose'))
  .option('--timeout <seconds>', 'timeout of each HTTP request (default 60)', parsePositiveNumber)
  .option('--create-timeout <seconds>', 'how long the service may take to create a product, submission or shipping label (default 600)', parsePositiveNumber)
  .option('--max-retries <n>', 'retries of a failed request: throttling, server errors, network (default 3)', parseCount)
  .option('--profile <name>', 'sign in with this profile of the config file (see `hwdash config`; or $HWDASH_PROFILE)')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Authentication (the first that applies):
  --profile <name> / HWDASH_PROFILE                            a profile of the config file (hwdash config init)
  HWDASH_TOKEN                                                 an access token you obtained yourself
  AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET    an Entra ID app registered in Partner Center
  AZURE_CLIENT_CERTIFICATE_PATH (instead of the secret)       certificate credential
  AZURE_FEDERATED_TOKEN_FILE / IDENTITY_ENDPOINT               workload or managed identity
  the config file's default profile                            (hwdash config init --default, hwdash login)
  your own sign-in                                             az login, azd auth login, Connect-AzAccount

Exit codes: 0 ok, 1 usage, 2 auth, 3 API error, 4 not found, 5 invalid state, 6 rate limited,
            7 workflow failed, 8 I/O, 9 cancelled, 10 wait timed out, 11 another run holds the state file
${examples(
  'hwdash submit driver.cab --sandbox --out signed/ --label',
  'hwdash doctor',
  'hwdash product list --json',
  'hwdash sandbox --port 8787',
)}`,
  );

registerProductCommands(program);
registerSubmissionCommands(program);
registerShippingLabelCommands(program);
registerAudienceCommands(program);
registerPreprodCommands(program);
registerPartnerSubmissionCommands(program);
registerReferenceCommands(program);
registerSubmitCommand(program);
registerDoctorCommand(program);
registerSandboxCommand(program);
registerConfigCommands(program);
registerLoginCommands(program);

// The first Ctrl-C (or SIGTERM) cancels the run: requests stop, partial files are removed, the sandbox stops, the
// state file stays resumable. Clean-up gets a bounded time: an operation that never settles (a file system that
// hangs) must not keep a cancelled process alive. A second Ctrl-C exits at once.
const cancel = (reason: string): void => {
  if (cancellation.signal.aborted) process.exit(EXIT_CANCELLED);
  cancellation.abort(new CancelledError(reason));
  setTimeout(() => {
    process.stderr.write('hwdash: clean-up did not finish in time; exiting.\n');
    process.exit(EXIT_CANCELLED);
  }, CANCEL_GRACE_MS).unref();
};
process.on('SIGINT', () => {
  process.stderr.write('\ncancelling (Ctrl-C again to exit at once)…\n');
  cancel('cancelled by Ctrl-C');
});
process.on('SIGTERM', () => cancel('terminated (SIGTERM)'));

await program.parseAsync(process.argv);
// Keep-alive sockets and the like must not hold the process open once the command is done.
process.exit(process.exitCode ?? 0);
