/**
 * How the action signs in, first match wins:
 * - `token`: an access token the workflow obtained itself;
 * - `tenant-id` + `client-id` + `client-secret`: the app's client secret;
 * - `tenant-id` + `client-id` alone: keyless, workload identity federation. GitHub's OIDC token for the job is the
 *   client assertion of an Entra ID federated credential (`ClientAssertionCredential`), fetched afresh whenever Entra
 *   ID is asked for a token, since it lives only minutes;
 * - nothing: the Azure CLI's sign-in, as `azure/login` leaves it (also keyless with OIDC).
 * Every secret and token is masked in the log before anything could print it.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { authorityOptions } from '../client/auth/authority.js';
import type { ActionInputs } from './inputs.js';
import { assertOidcAvailable, githubOidcToken } from './github-oidc.js';
import { setSecret } from './runner.js';

export type ActionAuth = { token: string; source: string } | { credential: TokenCredential; source: string };

export async function actionAuth(inputs: ActionInputs, env: NodeJS.ProcessEnv = process.env): Promise<ActionAuth> {
  if (inputs.token) {
    setSecret(inputs.token);
    return { token: inputs.token, source: 'the token input' };
  }
  const identity = await import('@azure/identity');
  const authority = authorityOptions(env.AZURE_AUTHORITY_HOST);
  if (inputs.tenantId && inputs.clientId && inputs.clientSecret) {
    setSecret(inputs.clientSecret);
    return { credential: masking(new identity.ClientSecretCredential(inputs.tenantId, inputs.clientId, inputs.clientSecret, authority)), source: `the client secret of app ${inputs.clientId}` };
  }
  if (inputs.tenantId && inputs.clientId) {
    // Checked now rather than at the first token request: a job without the permission fails before any work.
    assertOidcAvailable(env);
    setSecret(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN!);
    const assertion = (): Promise<string> => githubOidcToken({ env, onToken: setSecret });
    return {
      credential: masking(new identity.ClientAssertionCredential(inputs.tenantId, inputs.clientId, assertion, authority)),
      source: `keyless: GitHub's OIDC token as a federated credential of app ${inputs.clientId}`,
    };
  }
  return { credential: masking(new identity.AzureCliCredential()), source: 'the Azure CLI sign-in (azure/login)' };
}

/** Masks every access token the credential hands out, as soon as it has it. */
function masking(credential: TokenCredential): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const token = await credential.getToken(scopes, options);
      if (token) setSecret(token.token);
      return token;
    },
  };
}
