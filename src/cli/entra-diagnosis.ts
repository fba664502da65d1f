/**
 * `hwdash doctor`'s reading of a failed sign-in: which part of the Entra ID set-up is wrong, in plain words, from the
 * AADSTS code Entra ID answered with. MSAL hides one case behind a generic "endpoints_resolution_error": a tenant that
 * does not exist makes the tenant's discovery document fail before any token request. There the doctor fetches that
 * document itself to read the AADSTS code (or the network error) it answers with.
 */

/** AADSTS codes of the usual set-up mistakes, in words. */
const AADSTS: [RegExp, string][] = [
  [/AADSTS(90002|900023|90013)\b/, 'the tenant was not found: AZURE_TENANT_ID is wrong (use the Directory (tenant) ID of the Entra ID tenant linked to Partner Center).'],
  [/AADSTS700016\b/, 'the application was not found in that tenant: AZURE_CLIENT_ID is wrong, or the app is registered in another tenant.'],
  [/AADSTS7000215\b/, "the client secret is wrong: set AZURE_CLIENT_SECRET to the secret's Value (not its Secret ID)."],
  [/AADSTS7000222\b/, 'the client secret has expired: create a new one for the app and update AZURE_CLIENT_SECRET.'],
  [/AADSTS7000218\b/, 'no client secret or assertion reached Entra ID: set AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE.'],
  [
    /AADSTS700024\b/,
    "the client assertion has expired (or is not valid yet): a federated token (AZURE_FEDERATED_TOKEN_FILE, GitHub's OIDC token) lives only minutes, so get a fresh one; for a certificate, check this machine's clock.",
  ],
  [
    /AADSTS700027\b/,
    "the certificate was refused: the certificate in AZURE_CLIENT_CERTIFICATE_PATH is not registered on the app (upload it under Certificates & secrets), or its private key does not match.",
  ],
  [
    /AADSTS(70021|700211|700212|700213|7002138)\b/,
    "the federated token matches no federated credential of the app: its issuer, subject and audience (api://AzureADTokenExchange) must equal the credential's exactly, case included.",
  ],
  [/AADSTS(7000272|50166)\b/, "the federated token's signature could not be checked against its issuer's published keys: check the issuer of the token in AZURE_FEDERATED_TOKEN_FILE."],
  [/AADSTS(500011|1002012|28000|70011)\b/, 'Entra ID refused the scope: hwdash asks for https://manage.devcenter.microsoft.com/.default; is this the right cloud (AZURE_AUTHORITY_HOST)?'],
];

const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** What went wrong with getting a token, in words, for `hwdash doctor`. */
export async function identityProblem(error: unknown, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const message = error instanceof Error ? error.message : String(error);
  const known = aadstsWords(message);
  if (known) return known;
  if (/endpoints_resolution_error|openid_config_error|untrusted_authority/i.test(message)) return probeTenant(env);
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network/i.test(message)) return `${authorityHost(env)} could not be reached (${firstLine(message)}); check the network or proxy.`;
  if ((error as Error)?.name === 'CredentialUnavailableError') return `no usable credential: ${firstLine(message)}`;
  return `no token could be acquired: ${firstLine(message)}`;
}

function aadstsWords(text: string): string | undefined {
  for (const [pattern, words] of AADSTS) if (pattern.test(text)) return words;
  return undefined;
}

/** Reads the tenant's discovery document the way MSAL did, to tell "no such tenant" from "no network". */
async function probeTenant(env: NodeJS.ProcessEnv): Promise<string> {
  const host = authorityHost(env);
  const tenant = env.AZURE_TENANT_ID ?? 'organizations';
  const url = `${host}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `${host} could not be reached (${cause?.code ?? cause?.message ?? (error as Error).message}); check the network, a proxy, or AZURE_AUTHORITY_HOST.`;
  }
  const text = await response.text().catch(() => '');
  const known = aadstsWords(text);
  if (known) return known;
  if (response.ok) return `Entra ID at ${host} answers for tenant ${tenant}, but MSAL could not use it as an authority; check AZURE_AUTHORITY_HOST.`;
  return `Entra ID could not resolve tenant ${tenant} at ${host} (HTTP ${response.status}); check AZURE_TENANT_ID and AZURE_AUTHORITY_HOST.`;
}

function authorityHost(env: NodeJS.ProcessEnv): string {
  return (env.AZURE_AUTHORITY_HOST ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '');
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}
