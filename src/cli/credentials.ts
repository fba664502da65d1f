import type { TokenCredential } from '@azure/core-auth';
import { authorityOptions } from '../client/auth/authority.js';
import { AuthenticationError } from '../client/errors/authentication-error.js';
import { credentialForProfile } from './auth/profile-credential.js';
import { configDirectory, selectProfile, type Profile } from './config/profiles.js';

/** Where the CLI's access token comes from. */
export type CliAuth = { token: string; source: string } | { credential: TokenCredential; source: string };

/** Variables that mean "an @azure/identity credential is configured here". */
const AZURE_IDENTITY_VARS = [
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_TOKEN_CREDENTIALS',
  'IDENTITY_ENDPOINT',
  'MSI_ENDPOINT',
];

export const AUTH_HELP = `Sign in to the Hardware Dev Center API in one of these ways:
  AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) for an Entra ID app
  registered in Partner Center with the Manager role (and the Driver Submitter / Shipping Label owner hardware roles),
  or a workload/managed identity (AZURE_FEDERATED_TOKEN_FILE, IDENTITY_ENDPOINT; HWDASH_MANAGED_IDENTITY=1 on a VM),
  or HWDASH_TOKEN=<access token> for a token you obtained yourself,
  or your own sign-in: \`az login\` (Azure CLI), \`azd auth login\`, or \`hwdash login\`,
  or a profile (\`hwdash config init\`, then --profile <name>).
Or run against the local sandbox with --sandbox.`;

export interface AuthSources {
  env?: NodeJS.ProcessEnv;
  /** `--profile`, else HWDASH_PROFILE. */
  profileName?: string;
}

/**
 * Resolves the CLI's credentials, first match wins:
 * 1. a profile named by `--profile` or HWDASH_PROFILE (asked for by name, so it beats everything else);
 * 2. HWDASH_TOKEN;
 * 3. `AZURE_*` variables: `DefaultAzureCredential`, which reads them (secret, certificate, workload identity, …);
 * 4. HWDASH_MANAGED_IDENTITY=1: the machine's managed identity;
 * 5. the config file's default profile;
 * 6. the developer's own sign-in: `DefaultAzureCredential`'s developer tools (Azure CLI, Azure Developer CLI, Azure
 *    PowerShell). Its managed-identity probe is left out: it would send a request to the instance metadata address
 *    from every laptop; HWDASH_MANAGED_IDENTITY=1 asks for it.
 * `@azure/identity` is heavy, so it is imported only here, once a command needs credentials.
 */
export async function resolveAuth(sources: AuthSources = {}): Promise<CliAuth> {
  const env = sources.env ?? process.env;
  const profileName = sources.profileName ?? (env.HWDASH_PROFILE || undefined);
  const explicit = profileName === undefined ? undefined : await selectProfile(profileName);
  if (explicit) return fromProfile(explicit.name, explicit.profile, configDirectory(env), env);
  if (env.HWDASH_TOKEN) return { token: env.HWDASH_TOKEN, source: 'HWDASH_TOKEN' };
  const configured = AZURE_IDENTITY_VARS.filter((name) => env[name]);
  if (configured.length > 0) {
    const identity = await import('@azure/identity');
    const { authorityHost: _host, ...discovery } = authorityOptions(env.AZURE_AUTHORITY_HOST);
    // DefaultAzureCredential tries the environment (secret or certificate), workload identity, managed identity and
    // the developer tools' logins in turn; it never opens a browser, so a CI job fails rather than waits.
    return { credential: new identity.DefaultAzureCredential(discovery), source: `@azure/identity DefaultAzureCredential (${configured.join(', ')})` };
  }
  if (env.HWDASH_MANAGED_IDENTITY === '1') {
    const identity = await import('@azure/identity');
    return { credential: new identity.ManagedIdentityCredential(), source: 'managed identity (HWDASH_MANAGED_IDENTITY=1)' };
  }
  const fallback = await selectProfile(undefined);
  if (fallback) return fromProfile(fallback.name, fallback.profile, configDirectory(env), env);
  return developerSignIn();
}

async function fromProfile(name: string, profile: Profile, directory: string, env: NodeJS.ProcessEnv): Promise<CliAuth> {
  return credentialForProfile(name, profile, directory, env);
}

/** `az login`, `azd auth login`, `Connect-AzAccount`: whichever the developer used, in DefaultAzureCredential's order. */
async function developerSignIn(): Promise<CliAuth> {
  const identity = await import('@azure/identity');
  const chain = new identity.ChainedTokenCredential(new identity.AzureCliCredential(), new identity.AzureDeveloperCliCredential(), new identity.AzurePowerShellCredential());
  return {
    credential: {
      async getToken(scopes, options) {
        try {
          return await chain.getToken(scopes, options);
        } catch (error) {
          // None of the tools is installed or signed in: that is "no credentials", with what to do about it.
          if (error instanceof identity.AggregateAuthenticationError && error.errors.every((cause) => (cause as Error)?.name === 'CredentialUnavailableError')) {
            throw new AuthenticationError(`no credentials found.\n${AUTH_HELP}`, { code: 'NoCredentials' });
          }
          throw error;
        }
      },
    },
    source: 'your own sign-in (Azure CLI, Azure Developer CLI or Azure PowerShell)',
  };
}
