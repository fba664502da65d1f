import type { TokenCredential } from '@azure/core-auth';

/** Where the CLI's access token comes from, as resolved from the environment. */
export type CliAuth = { token: string; source: string } | { credential: TokenCredential; source: string };

/** Variables that mean "an @azure/identity credential is configured here". */
const AZURE_IDENTITY_VARS = ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE', 'IDENTITY_ENDPOINT', 'MSI_ENDPOINT'];

export const AUTH_HELP = `Set credentials for the Hardware Dev Center API in the environment:
  AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) for an Entra ID app
  registered in Partner Center with the Manager role (and the Driver Submitter / Shipping Label owner hardware roles),
  or a workload/managed identity (AZURE_FEDERATED_TOKEN_FILE, IDENTITY_ENDPOINT; HWDASH_MANAGED_IDENTITY=1 on a VM),
  or HWDASH_TOKEN=<access token> for a token you obtained yourself.
Or run against the local sandbox with --sandbox.`;

/**
 * Resolves credentials from the environment. `@azure/identity` is heavy, so it is imported only when an Azure
 * credential is actually configured. Returns undefined when nothing is configured.
 */
export async function authFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<CliAuth | undefined> {
  if (env.HWDASH_TOKEN) return { token: env.HWDASH_TOKEN, source: 'HWDASH_TOKEN' };
  const configured = AZURE_IDENTITY_VARS.filter((name) => env[name]);
  if (configured.length === 0 && env.HWDASH_MANAGED_IDENTITY !== '1') return undefined;
  const identity = await import('@azure/identity');
  if (configured.length === 0) {
    return { credential: new identity.ManagedIdentityCredential(), source: 'managed identity (HWDASH_MANAGED_IDENTITY=1)' };
  }
  // MSAL validates an authority host it does not know by asking login.microsoftonline.com (instance discovery),
  // which fails offline and refuses a loopback host anyway. `disableInstanceDiscovery` is @azure/identity's supported
  // switch for that; it is set only for a loopback AZURE_AUTHORITY_HOST (the sandbox's Entra ID stand-in), so a real
  // authority is still validated.
  const options = isLoopbackAuthority(env.AZURE_AUTHORITY_HOST) ? { disableInstanceDiscovery: true } : {};
  // DefaultAzureCredential tries the environment (secret or certificate), workload identity, managed identity and
  // the developer tools' logins in turn; it never opens a browser, so a CI job fails rather than waits.
  return {
    credential: new identity.DefaultAzureCredential(options),
    source: `@azure/identity DefaultAzureCredential (${configured.join(', ')})`,
  };
}

function isLoopbackAuthority(authorityHost: string | undefined): boolean {
  if (!authorityHost) return false;
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(authorityHost).hostname);
  } catch {
    return false;
  }
}
