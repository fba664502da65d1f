import { InvalidArgumentError, Option, type Command } from 'commander';
import { examples } from '../arguments.js';
import { CREDENTIAL_KINDS } from '../config/profiles.js';
import type { CliContext } from '../context.js';
import { action } from '../run.js';
import { readAccount } from '../auth/accounts.js';
import { checkProfileName, configDirectory, configFilePath, readConfig, selectProfile, writeConfig, type CredentialKind } from '../config/profiles.js';
import { UsageError } from '../usage-error.js';

/** The profile `config init|show` and `login` act on when none is named. */
export const DEFAULT_PROFILE_NAME = 'default';

const KINDS = Object.keys(CREDENTIAL_KINDS);

interface InitFlags {
  credential?: string;
  tenantId?: string;
  clientId?: string;
  authorityHost?: string;
  certificatePath?: string;
  default?: boolean;
}

function parseUrl(value: string): string {
  if (!URL.canParse(value)) throw new InvalidArgumentError('expected a URL, e.g. https://login.microsoftonline.com.');
  return value;
}

export function registerConfigCommands(program: Command): void {
  const config = program
    .command('config')
    .description('profiles: named sign-in settings (tenant, client ID, credential kind, API URL; never a secret)')
    .addHelpText(
      'after',
      `
Profiles live in $XDG_CONFIG_HOME/hwdash/config.json (~/.config/hwdash/config.json). Pick one with --profile <name> or
HWDASH_PROFILE; the default profile is used when no other credentials are set. Secrets never go into the file: a
client secret comes from AZURE_CLIENT_SECRET, a person's sign-in from \`hwdash login\`'s token cache.
${examples(
  'hwdash config init --profile contoso --credential azure-cli --tenant-id 72f988bf-86f1-41af-91ab-2d7cd011db47 --default',
  'hwdash config init --profile ci --credential client-secret --tenant-id … --client-id …   # secret from AZURE_CLIENT_SECRET',
  'hwdash config list',
  'hwdash --profile contoso config show',
)}`,
    );

  config
    .command('init')
    .description('create or change a profile (the one of --profile, else "default")')
    .addOption(new Option('--credential <kind>', 'how it signs in').choices(KINDS))
    .option('--tenant-id <id>', 'Entra ID tenant (directory) ID')
    .option('--client-id <id>', 'application (client) ID of the app registered in Partner Center')
    .option('--authority-host <url>', 'Entra ID host, when not https://login.microsoftonline.com', parseUrl)
    .option('--certificate-path <file>', 'client-certificate: the PEM file')
    .option('--default', 'make it the default profile')
    .addHelpText('after', '\nThe API URL is the global --base-url. Fields not given keep their value.\n')
    .action(action(async (context, flags: InitFlags) => init(context, flags)));

  config
    .command('show')
    .description('print a profile (the one of --profile, else the default) and where it is kept')
    .action(action(async (context) => show(context)));

  config
    .command('list')
    .description('list the profiles')
    .action(action(async (context) => list(context)));
}

async function init(context: CliContext, flags: InitFlags): Promise<void> {
  const name = checkProfileName(context.options.profile ?? DEFAULT_PROFILE_NAME);
  const file = configFilePath();
  const config = await readConfig(file);
  const previous = Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
  const credential = (flags.credential ?? previous?.credential) as CredentialKind | undefined;
  if (!credential) throw new UsageError(`--credential is needed for a new profile: one of ${KINDS.join(', ')}.`);
  const profile = {
    ...previous,
    credential,
    ...(flags.tenantId ? { tenantId: flags.tenantId } : {}),
    ...(flags.clientId ? { clientId: flags.clientId } : {}),
    ...(context.options.baseUrl ? { baseUrl: context.options.baseUrl } : {}),
    ...(flags.authorityHost ? { authorityHost: flags.authorityHost } : {}),
    ...(flags.certificatePath ? { certificatePath: flags.certificatePath } : {}),
  };
  config.profiles[name] = profile;
  if (flags.default || !config.defaultProfile) config.defaultProfile = name;
  await writeConfig(config, file);
  context.output.result({ name, profile, default: config.defaultProfile === name, file }, () => `profile "${name}" ${previous ? 'updated' : 'created'} in ${file}${config.defaultProfile === name ? ' (the default)' : ''}`);
}

async function show(context: CliContext): Promise<void> {
  const file = configFilePath();
  const selected = await selectProfile(context.options.profile ?? (process.env.HWDASH_PROFILE || undefined), file);
  if (!selected) throw new UsageError(`no profile is selected and ${file} names no default; create one with \`hwdash config init\`.`);
  const account = await readAccount(configDirectory(), selected.name);
  const isDefault = (await readConfig(file)).defaultProfile === selected.name;
  const signedIn = account ? { username: account.username, tenantId: account.tenantId } : undefined;
  context.output.result({ name: selected.name, default: isDefault, file, profile: selected.profile, ...(signedIn ? { signedIn } : {}) }, () =>
    [
      `profile "${selected.name}"${isDefault ? ' (the default)' : ''} in ${file}`,
      ...Object.entries(selected.profile).map(([key, value]) => `  ${key}: ${String(value)}`),
      ...(signedIn ? [`  signed in as ${signedIn.username} (tenant ${signedIn.tenantId})`] : []),
    ].join('\n'),
  );
}

async function list(context: CliContext): Promise<void> {
  const file = configFilePath();
  const config = await readConfig(file);
  const rows = Object.entries(config.profiles).map(([name, profile]) => ({ name, default: config.defaultProfile === name, ...profile }));
  context.output.result({ file, defaultProfile: config.defaultProfile ?? null, profiles: rows }, () =>
    rows.length === 0
      ? `no profiles in ${file}; create one with \`hwdash config init\`.`
      : rows.map((row) => `${row.default ? '*' : ' '} ${row.name.padEnd(16)} ${row.credential.padEnd(20)} ${row.tenantId ?? ''}${row.baseUrl ? `  ${row.baseUrl}` : ''}`).join('\n'),
  );
}
