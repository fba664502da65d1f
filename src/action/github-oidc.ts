/**
 * GitHub's OIDC token for the job, as `@actions/core`'s `getIDToken` fetches it: a GET to
 * `ACTIONS_ID_TOKEN_REQUEST_URL` with `&audience=…`, authorised by `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answering
 * `{ "value": "<JWT>" }`. The runner sets both variables only for jobs with `permissions: id-token: write`.
 */
import { ActionInputError } from './action-input-error.js';

/** The audience Entra ID expects of a federated credential's assertion. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface OidcTokenOptions {
  audience?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with each token fetched, before it is used: the action masks it. */
  onToken?: (token: string) => void;
}

/** The runner offers an OIDC token only to jobs with `permissions: id-token: write`. */
export function assertOidcAvailable(env: NodeJS.ProcessEnv): void {
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new ActionInputError(
      "keyless sign-in (tenant-id and client-id without client-secret) needs GitHub's OIDC token, and this job has none: add `permissions: { id-token: write, contents: read }` to the job",
    );
  }
}

export async function githubOidcToken(options: OidcTokenOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  assertOidcAvailable(env);
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN!;
  const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL!);
  url.searchParams.set('audience', options.audience ?? TOKEN_EXCHANGE_AUDIENCE);
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${requestToken}`, accept: 'application/json; api-version=2.0', 'user-agent': 'hwdash-action' },
    signal: options.signal ?? AbortSignal.timeout(60_000),
  });
  // The body of a refusal is not shown: it may echo the request token.
  if (!response.ok) throw new Error(`GitHub's OIDC token endpoint answered ${response.status} ${response.statusText}`);
  const value = ((await response.json()) as { value?: unknown }).value;
  if (typeof value !== 'string' || value === '') throw new Error("GitHub's OIDC token endpoint answered without a token");
  options.onToken?.(value);
  return value;
}
