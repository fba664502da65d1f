/**
 * The `@azure/identity` credential a profile stands for. Secrets are never in the profile: they come from the
 * environment (a client secret, a certificate's password, a federated token file) or from the token cache that
 * `hwdash login` filled.
 */
import type { TokenCredential } from '@azure/core-auth';
import { AuthenticationError } from '../../client/errors/authentication-error.js';
import type { Profile } from '../config/profiles.js';
import { readAccount } from './accounts.js';
import { authorityOptions } from '../../client/auth/authority.js';
import { fileTokenCachePlugin, tokenCacheDirectory } from './token-cache-file.js';

export interface ProfileCredential {
  credential: TokenCredential;
  source: string;
}

/** The name a profile's persistent token cache goes by. */
export function tokenCacheName(profileName: string): string {
  return `hwdash-${profileName}`;
}

export async function credentialForProfile(name: string, profile: Profile, configDirectory: string, env: NodeJS.ProcessEnv = process.env): Promise<ProfileCredential> {
  const identity = await import('@azure/identity');
  const { tenantId, clientId } = profile;
  const authority = authorityOptions(profile.authorityHost);
  const source = `profile "${name}" (${profile.credential}${tenantId ? `, tenant ${tenantId}` : ''})`;
  const needs = (field: 'tenantId' | 'clientId'): string => {
    if (!profile[field]) throw new AuthenticationError(`profile "${name}" (${profile.credential}) needs a ${field}; set it with \`hwdash config init --profile ${name} …\`.`, { code: 'ProfileIncomplete' });
    return profile[field];
  };
  const fromEnvironment = (variable: string): string => {
    const value = env[variable];
    if (!value) throw new AuthenticationError(`profile "${name}" (${profile.credential}) takes its secret from ${variable}, which is not set.`, { code: 'NoCredentials' });
    return value;
  };
  switch (profile.credential) {
    case 'default':
      return { credential: new identity.DefaultAzureCredential({ ...(tenantId ? { tenantId } : {}), ...(clientId ? { managedIdentityClientId: clientId, workloadIdentityClientId: clientId } : {}), ...authority }), source };
    case 'azure-cli':
      return { credential: new identity.AzureCliCredential(tenantId ? { tenantId } : {}), source };
    case 'azure-developer-cli':
      return { credential: new identity.AzureDeveloperCliCredential(tenantId ? { tenantId } : {}), source };
    case 'client-secret':
      return { credential: new identity.ClientSecretCredential(needs('tenantId'), needs('clientId'), fromEnvironment('AZURE_CLIENT_SECRET'), authority), source };
    case 'client-certificate': {
      const certificatePath = profile.certificatePath ?? fromEnvironment('AZURE_CLIENT_CERTIFICATE_PATH');
      const certificatePassword = env.AZURE_CLIENT_CERTIFICATE_PASSWORD;
      return { credential: new identity.ClientCertificateCredential(needs('tenantId'), needs('clientId'), { certificatePath, ...(certificatePassword ? { certificatePassword } : {}) }, authority), source };
    }
    case 'workload-identity':
      return { credential: new identity.WorkloadIdentityCredential({ tenantId: needs('tenantId'), clientId: needs('clientId'), tokenFilePath: fromEnvironment('AZURE_FEDERATED_TOKEN_FILE'), ...authority }), source };
    case 'managed-identity':
      return { credential: clientId ? new identity.ManagedIdentityCredential({ clientId }) : new identity.ManagedIdentityCredential(), source };
    case 'device-code':
    case 'browser':
      return { credential: await signedInCredential(name, profile, configDirectory), source };
  }
}

/**
 * A person's sign-in from `hwdash login`: the cached account, renewed silently from the token cache. It never prompts:
 * a command in a script must not stop to wait for a person, so an expired sign-in asks for `hwdash login` instead.
 */
async function signedInCredential(name: string, profile: Profile, configDirectory: string): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const account = await readAccount(configDirectory, name);
  if (!account) throw new AuthenticationError(`profile "${name}" has no signed-in account; run \`hwdash login --profile ${name}\`.`, { code: 'LoginRequired' });
  identity.useIdentityPlugin(fileTokenCachePlugin(tokenCacheDirectory(configDirectory)));
  const options = {
    tenantId: profile.tenantId ?? account.tenantId,
    clientId: profile.clientId ?? account.clientId,
    ...authorityOptions(profile.authorityHost),
    authenticationRecord: account,
    disableAutomaticAuthentication: true,
    tokenCachePersistenceOptions: { enabled: true, name: tokenCacheName(name) },
  };
  const credential = profile.credential === 'browser' ? new identity.InteractiveBrowserCredential(options) : new identity.DeviceCodeCredential(options);
  return {
    async getToken(scopes, getTokenOptions) {
      try {
        return await credential.getToken(scopes, getTokenOptions);
      } catch (error) {
        if ((error as Error)?.name === 'AuthenticationRequiredError') {
          throw new AuthenticationError(`the sign-in of profile "${name}" (${account.username}) has expired or was revoked; run \`hwdash login --profile ${name}\` again.`, { code: 'LoginRequired' });
        }
        throw error;
      }
    },
  };
}

