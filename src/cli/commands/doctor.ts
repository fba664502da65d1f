import type { Command } from 'commander';
import type { HdcClient } from '../../client/client.js';
import { HdcError } from '../../client/errors/hdc-error.js';
import { examples } from '../arguments.js';
import type { CliContext } from '../context.js';
import { identityProblem } from '../entra-diagnosis.js';
import { exitCodeFor } from '../exit-codes.js';
import { action } from '../run.js';

/** The scope every Hardware Dev Center token is requested for. */
const API_SCOPE = 'https://manage.devcenter.microsoft.com/.default';
const API_AUDIENCE = 'https://manage.devcenter.microsoft.com';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** A failed check: its words for the user, and the exit code it stands for. */
class DoctorFinding extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the set-up: credentials, token, and access to the Partner Center account (with harmless reads only)')
    .addHelpText(
      'after',
      `${examples('hwdash doctor', 'AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… hwdash doctor', 'hwdash doctor --json')}
It reads the audiences and the first page of products; it never creates or changes anything.
`,
    )
    .action(
      action(async (context) => {
        const checks: Check[] = [];
        let failure: DoctorFinding | undefined;
        const run = async (name: string, check: () => Promise<string>): Promise<boolean> => {
          try {
            checks.push({ name, ok: true, detail: await check() });
            context.output.info(`✓ ${name}: ${checks.at(-1)!.detail}`);
            return true;
          } catch (error) {
            if (context.signal.aborted) throw error;
            failure = error instanceof DoctorFinding ? error : new DoctorFinding(plainWords(error), exitCodeFor(error));
            checks.push({ name, ok: false, detail: failure.message });
            context.output.info(`✗ ${name}: ${failure.message}`);
            return false;
          }
        };

        let client: HdcClient | undefined;
        if (context.options.sandbox) {
          await run('sandbox', async () => {
            client = await context.client();
            return `embedded sandbox at ${client.baseUrl}`;
          });
        } else {
          (await run('credentials', async () => (await context.auth()).source)) &&
            (await run('token', () => checkToken(context))) &&
            (await run('API endpoint', async () => {
              client = await context.client();
              return client.baseUrl;
            }));
        }
        if (client) {
          const api = client;
          (await run('read audiences', async () => {
            let count = 0;
            for await (const _ of api.audiences.list({ signal: context.signal })) count++;
            return `${count} audience${count === 1 ? '' : 's'}`;
          })) &&
            (await run('read products (Partner Center account and roles)', async () => {
              for await (const product of api.products.list({ signal: context.signal })) return `the account has products (e.g. ${product.id})`;
              return 'the account has no products yet; the app can read it';
            }));
        }

        const ok = failure === undefined;
        context.output.result({ ok, checks }, () => (ok ? 'everything looks right.' : `not ready: ${failure!.message}`));
        return failure?.exitCode;
      }),
    );
}

/** Gets a token the way every command will, and says what is wrong with it in plain words. */
async function checkToken(context: CliContext): Promise<string> {
  const auth = await context.auth();
  if ('token' in auth) return describeStaticToken(auth.token);
  let token;
  try {
    token = await auth.credential.getToken(API_SCOPE, { abortSignal: context.signal });
  } catch (error) {
    throw new DoctorFinding(await identityProblem(error), 2);
  }
  if (!token) throw new DoctorFinding('the credential returned no token; check the AZURE_* variables.', 2);
  context.output.addSecret(token.token);
  const minutes = Math.round((token.expiresOnTimestamp - Date.now()) / 60_000);
  return `acquired for ${API_SCOPE}, valid for ${minutes} more minutes`;
}

/** HWDASH_TOKEN: if it is a JWT, check what can be checked offline (audience, expiry) without printing it. */
function describeStaticToken(token: string): string {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return 'HWDASH_TOKEN is set (not a JWT, so it is checked only by the API calls below)';
  let claims: { aud?: unknown; exp?: unknown; tid?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return 'HWDASH_TOKEN is set (its claims are unreadable, so it is checked only by the API calls below)';
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) {
    throw new DoctorFinding(`HWDASH_TOKEN expired at ${new Date(claims.exp * 1000).toISOString()}; get a new one (tokens last about 60 minutes).`, 2);
  }
  const audience = String(claims.aud ?? '');
  if (audience && !audience.startsWith(API_AUDIENCE)) {
    throw new DoctorFinding(`HWDASH_TOKEN is for "${audience}", not for ${API_AUDIENCE}; request it with the scope ${API_SCOPE}.`, 2);
  }
  const expiry = typeof claims.exp === 'number' ? `, expires ${new Date(claims.exp * 1000).toISOString()}` : '';
  return `HWDASH_TOKEN for ${audience || 'an unknown audience'}${typeof claims.tid === 'string' ? ` in tenant ${claims.tid}` : ''}${expiry}`;
}

/** API failures of the read checks, in words: which part of the set-up is wrong. */
function plainWords(error: unknown): string {
  if (error instanceof HdcError) {
    switch (error.kind) {
      case 'authentication':
        return error.code === 'NoCredentials'
          ? `no credentials: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or HWDASH_TOKEN), or use --sandbox.`
          : `the API refused the token (401): it is expired, for another audience than ${API_AUDIENCE}, or from the wrong tenant${serviceWords(error.message)}.`;
      case 'permission':
        return 'the API refused access (403): the Entra ID app is not associated with the Partner Center account, or it lacks the Manager role (and the Driver Submitter / Shipping Label owner hardware roles). Add it under Partner Center → Account settings → User management → Azure AD applications.';
      case 'network':
      case 'timeout':
        return `the API could not be reached (${error.message}); check the network, a proxy, or --base-url.`;
    }
    return `${error.message}${error.status ? ` (HTTP ${error.status})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** What the service itself said, after the client's "GET /path failed with 401: " prefix, to quote in a finding. */
function serviceWords(message: string): string {
  const said = /failed with \d+(?: \S+)?: (.*)$/s.exec(message)?.[1]?.trim();
  return said ? ` (the API says: "${said.split('\n')[0]!.slice(0, 200)}")` : '';
}
