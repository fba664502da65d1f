import { Option, type Command } from 'commander';
import { authorityOptions } from '../../client/auth/authority.js';
import { HDC_SCOPE } from '../../client/auth/token-cache.js';
import { examples } from '../arguments.js';
import type { CliContext } from '../context.js';
import { action } from '../run.js';
import { DEFAULT_PROFILE_NAME } from './config.js';
import { removeAccount, saveAccount } from '../auth/accounts.js';
import { fileTokenCachePlugin, removeTokenCaches, tokenCacheDirectory } from '../auth/token-cache-file.js';
import * as profiles from '../config/profiles.js';
import type { Profile } from '../config/profiles.js';
import { tokenCacheName } from '../auth/profile-credential.js';

interface LoginFlags {
  deviceCode?: boolean;
  browser?: boolean;
  tenantId?: string;
  clientId?: string;
  authorityHost?: string;
}

export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .description('sign a person in (device code or browser) and keep the sign-in for later commands in a profile')
    .addOption(new Option('--device-code', 'sign in on another device: open the page shown and enter the code').conflicts('browser'))
    .option('--browser', 'sign in in the browser of this machine (default where there is a display)')
    .option('--tenant-id <id>', 'Entra ID tenant (directory) ID of the Partner Center account')
    .option('--client-id <id>', 'a public client app to sign in through (default: the Azure CLI\'s, as @azure/identity uses)')
    .option('--authority-host <url>', 'Entra ID host, when not https://login.microsoftonline.com (default $AZURE_AUTHORITY_HOST)')
    .addHelpText(
      'after',
      `${examples('hwdash login --tenant-id 72f988bf-86f1-41af-91ab-2d7cd011db47', 'hwdash --profile contoso login --device-code', 'hwdash logout')}
The sign-in is saved in the profile of --profile (default "${DEFAULT_PROFILE_NAME}"), which becomes the default profile if there
is none. Later commands renew it silently from a token cache beside the config file (readable by you only) and never
prompt; when it has expired they say so, and \`hwdash login\` signs in again.
`,
    )
    .action(action(async (context, flags: LoginFlags) => login(context, flags)));

  program
    .command('logout')
    .description("forget the sign-in of a profile (its cached tokens and account); the profile's settings stay")
    .action(action(async (context) => logout(context)));
}

/** Where there is no display (SSH, a container), a browser cannot open: the device code works from any other device. */
function hasDisplay(): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

async function login(context: CliContext, flags: LoginFlags): Promise<void> {
  const identity = await import('@azure/identity');

  const name = profiles.checkProfileName(context.options.profile ?? DEFAULT_PROFILE_NAME);
  const file = profiles.configFilePath();
  const directory = profiles.configDirectory();
  const config = await profiles.readConfig(file);
  const previous = Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
  const previousKind = previous?.credential === 'device-code' || previous?.credential === 'browser' ? previous.credential : undefined;
  const kind = flags.deviceCode ? 'device-code' : flags.browser ? 'browser' : (previousKind ?? (hasDisplay() ? 'browser' : 'device-code'));
  const tenantId = flags.tenantId ?? previous?.tenantId;
  const clientId = flags.clientId ?? previous?.clientId;
  // AZURE_AUTHORITY_HOST as @azure/identity reads it (a national cloud; `hwdash sandbox` prints the stand-in's).
  const authorityHost = flags.authorityHost ?? previous?.authorityHost ?? (process.env.AZURE_AUTHORITY_HOST || undefined);

  identity.useIdentityPlugin(fileTokenCachePlugin(tokenCacheDirectory(directory)));
  const options = {
    ...(tenantId ? { tenantId } : {}),
    ...(clientId ? { clientId } : {}),
    ...authorityOptions(authorityHost),
    tokenCachePersistenceOptions: { enabled: true, name: tokenCacheName(name) },
  };
  const credential =
    kind === 'device-code'
      ? new identity.DeviceCodeCredential({
          ...options,
          // The one line a person must see, also with --quiet and --json (it goes to stderr).
          userPromptCallback: (info) => context.output.error(info.message),
        })
      : new identity.InteractiveBrowserCredential(options);
  if (kind === 'browser') context.output.info('opening the sign-in page in your browser…');
  const record = await credential.authenticate(HDC_SCOPE, { abortSignal: context.signal });
  if (!record) throw new Error('the sign-in returned no account');
  const accountPath = await saveAccount(directory, name, record);

  const profile = {
    ...previous,
    credential: kind,
    tenantId: tenantId ?? record.tenantId,
    clientId: record.clientId,
    ...(authorityHost ? { authorityHost } : {}),
    ...(context.options.baseUrl ? { baseUrl: context.options.baseUrl } : {}),
  } satisfies Profile;
  config.profiles[name] = profile;
  config.defaultProfile ??= name;
  await profiles.writeConfig(config, file);
  context.output.result({ profile: name, username: record.username, tenantId: record.tenantId, credential: kind, default: config.defaultProfile === name, file, account: accountPath }, () =>
    `signed in as ${record.username} (tenant ${record.tenantId}); profile "${name}" saved in ${file}${config.defaultProfile === name ? ' (the default)' : `; use it with --profile ${name}`}`,
  );
}

async function logout(context: CliContext): Promise<void> {
  const name = profiles.checkProfileName(context.options.profile ?? (process.env.HWDASH_PROFILE || undefined) ?? (await profiles.readConfig()).defaultProfile ?? DEFAULT_PROFILE_NAME);
  const directory = profiles.configDirectory();
  const hadAccount = await removeAccount(directory, name);
  // MSAL keeps two caches per name (with and without continuous access evaluation): both go.
  const caches = await removeTokenCaches(tokenCacheDirectory(directory), `${tokenCacheName(name)}.`);
  context.output.result({ profile: name, removed: hadAccount || caches > 0 }, () => (hadAccount || caches > 0 ? `signed out of profile "${name}".` : `profile "${name}" had no sign-in to forget.`));
}
