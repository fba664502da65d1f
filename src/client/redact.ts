/**
 * Secret redaction. Every URL, header set or text that can end up in an error, a log line or CLI output
 * passes through here first, so that bearer tokens, client secrets and SAS signatures never leave the process.
 */

export const REDACTED = 'REDACTED';

/**
 * Query parameters that carry credentials. `sig` is the SAS signature; the rest are OAuth/Entra parameters that
 * can appear on token URLs. Matched case-insensitively.
 */
const SECRET_QUERY_PARAMS = new Set([
  'sig',
  'signature',
  'client_secret',
  'client_assertion',
  'access_token',
  'refresh_token',
  'code',
  'token',
  'password',
]);

/** Headers whose values are credentials. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-ms-copy-source-authorization']);

/**
 * Returns the URL with every credential query parameter's value replaced and any user-info removed.
 * Works on strings that do not parse as URLs too (the service returns hrefs such as `https:// manage...`),
 * by falling back to a textual replacement of `name=value` pairs.
 */
export function redactUrl(url: string | URL): string {
  const text = String(url);
  try {
    const parsed = new URL(text);
    if (parsed.username || parsed.password) {
      parsed.username = '';
      parsed.password = '';
    }
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_QUERY_PARAMS.has(key.toLowerCase())) parsed.searchParams.set(key, REDACTED);
    }
    return parsed.toString();
  } catch {
    return redactText(text);
  }
}

/** Returns a plain object of headers with credential values replaced. */
export function redactHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
  }
  return out;
}

const QUERY_SECRET_PATTERN = new RegExp(`([?&;](?:${[...SECRET_QUERY_PARAMS].join('|')})=)[^&#\\s"'<>]*`, 'gi');
const BEARER_PATTERN = /\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;
/** JWTs (three base64url segments starting with `eyJ`) are tokens wherever they appear. */
const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/**
 * Secrets this process has handled: the access tokens the client obtained. A service or proxy can echo a
 * token back without a `Bearer` prefix, and an opaque (non-JWT) token matches no pattern, so the literal
 * values are redacted wherever they appear. Bounded: tokens rotate hourly and old ones are of little use.
 */
const knownSecrets = new Set<string>();
const MAX_KNOWN_SECRETS = 32;

/** Environment variables that hold credentials `@azure/identity` (and so the CLI) reads. */
const SECRET_ENV_VARS = ['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_PASSWORD'];

/** Adds a secret (an access token) that {@link redactText} must remove from any text from now on. */
export function rememberSecret(secret: string): void {
  if (!secret || secret.length < 8 || knownSecrets.has(secret)) return;
  knownSecrets.add(secret);
  if (knownSecrets.size > MAX_KNOWN_SECRETS) knownSecrets.delete(knownSecrets.values().next().value!);
}

/**
 * Redacts secrets embedded in free text: SAS signatures, bearer tokens, JWTs, the tokens this process
 * obtained, client secrets from the environment, and any extra literal secrets. `keepSasSignatures` leaves SAS
 * URLs usable, for a user who asked to see them (a SAS URL grants access to one blob for hours, a token to the API).
 */
export function redactText(text: string, secrets: Iterable<string> = [], options: { keepSasSignatures?: boolean } = {}): string {
  const redactQuery = (match: string, name: string): string => (options.keepSasSignatures && /^[?&;]sig=$/i.test(name) ? match : `${name}${REDACTED}`);
  let out = text.replace(QUERY_SECRET_PATTERN, redactQuery).replace(BEARER_PATTERN, `$1${REDACTED}`).replace(JWT_PATTERN, REDACTED);
  const fromEnv = SECRET_ENV_VARS.map((name) => process.env[name] ?? '');
  for (const secret of [...secrets, ...knownSecrets, ...fromEnv]) {
    // Short strings would redact ordinary words; real secrets are long.
    if (secret && secret.length >= 8) out = out.split(secret).join(REDACTED);
  }
  return out;
}
