/**
 * The stand-in's HTTPS front on 127.0.0.1: its own origin, apart from the API's, as login.microsoftonline.com is
 * apart from manage.devcenter.microsoft.com. Routes discovery and token requests; answers every failure with an
 * AADSTS body. Requests are recorded (method, path, grant type, status; never a body) so that tests can see exactly
 * what a client asked for.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { AadstsError } from './aadsts-error.js';
import { missingParameter, postRequired } from './aadsts.js';
import { instanceDiscovery, openIdConfigurationV1, openIdConfigurationV2 } from './discovery.js';
import type { EntraDirectory } from './directory.js';
import type { SigningKey } from './signing-key.js';
import type { PersonSignIn } from './person-sign-in.js';
import type { EndpointVersion, TokenService } from './token-endpoint.js';

/** One request the stand-in answered. */
export interface EntraRequestRecord {
  method: string;
  /** The path without the query string (which may carry a `client-request-id`, nothing secret, but noise). */
  path: string;
  grantType?: string;
  status: number;
  /** The AADSTS code of a refusal. */
  aadsts?: number;
}

export interface EntraServerOptions {
  tls: { cert: string; key: string };
  directory: EntraDirectory;
  personSignIn: PersonSignIn;
  key: SigningKey;
  tokens: TokenService;
}

export interface EntraServer {
  server: Server;
  origin: string;
  readonly requests: readonly EntraRequestRecord[];
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 64 * 1024;
const TENANT_PATH = /^\/([^/]+)\/(?:(v2\.0)\/)?\.well-known\/openid-configuration$/i;
const TOKEN_PATH = /^\/([^/]+)\/oauth2\/(?:(v2\.0)\/)?token$/i;
const DEVICE_CODE_PATH = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?devicecode$/i;
const AUTHORIZE_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/i;
const KEYS_PATH = /^\/[^/]+\/discovery\/(?:v2\.0\/)?keys$/i;
const INSTANCE_PATH = /^\/common\/discovery\/instance$/i;

type Answer = { status: number; json: unknown; grantType?: string; location?: string };

export async function startEntraServer(port: number, options: EntraServerOptions): Promise<EntraServer> {
  const requests: EntraRequestRecord[] = [];
  let origin = '';
  const server = createServer({ cert: options.tls.cert, key: options.tls.key }, (request, response) => {
    answer(request, origin, options)
      .then((result) => send(request, response, result, requests))
      .catch((error: unknown) => response.destroy(error instanceof Error ? error : new Error(String(error))));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function answer(request: IncomingMessage, origin: string, options: EntraServerOptions): Promise<Answer> {
  const url = new URL(request.url ?? '/', origin);
  const method = request.method ?? 'GET';
  const correlationId = request.headers['client-request-id']?.toString() ?? url.searchParams.get('client-request-id') ?? undefined;
  try {
    const token = TOKEN_PATH.exec(url.pathname);
    if (token) {
      if (method !== 'POST') throw postRequired();
      const form = await readForm(request);
      const version: EndpointVersion = token[2] ? 'v2' : 'v1';
      const tenant = options.directory.tenant(decodeURIComponent(token[1]!));
      const json = await options.tokens.issue({ version, tenant, form, authorization: request.headers.authorization, origin });
      return { status: 200, json, grantType: form.get('grant_type') ?? undefined };
    }
    const deviceCode = DEVICE_CODE_PATH.exec(url.pathname);
    if (deviceCode) {
      if (method !== 'POST') throw postRequired();
      const tenant = options.directory.tenant(decodeURIComponent(deviceCode[1]!));
      return { status: 200, json: options.personSignIn.startDeviceCode(await readForm(request), tenant, origin) };
    }
    if (url.pathname === '/devicelogin') return deviceLogin(request, url, options.personSignIn);
    if (method !== 'GET') return notFound();
    const authorize = AUTHORIZE_PATH.exec(url.pathname);
    if (authorize) {
      const tenant = options.directory.tenant(decodeURIComponent(authorize[1]!));
      return { status: 302, json: {}, location: options.personSignIn.authorize(url.searchParams, tenant) };
    }
    const configuration = TENANT_PATH.exec(url.pathname);
    if (configuration) {
      const tenant = options.directory.tenant(decodeURIComponent(configuration[1]!));
      return { status: 200, json: configuration[2] ? openIdConfigurationV2(origin, tenant) : openIdConfigurationV1(origin, tenant) };
    }
    if (KEYS_PATH.test(url.pathname)) return { status: 200, json: options.key.jwks };
    if (INSTANCE_PATH.test(url.pathname)) return { status: 200, json: instanceDiscovery(origin, url.searchParams.get('authorization_endpoint')) };
    return notFound();
  } catch (error) {
    if (error instanceof AadstsError) return { status: error.status, json: error.toBody(origin, correlationId) };
    throw error;
  }
}

/**
 * The verification page a person opens to enter the user code (microsoft.com/devicelogin for real). The stand-in has
 * no passwords: entering the code (`user_code`, and optionally `username`, by GET query or POST form) is the sign-in.
 */
async function deviceLogin(request: IncomingMessage, url: URL, personSignIn: PersonSignIn): Promise<Answer> {
  const fields = request.method === 'POST' ? await readForm(request) : url.searchParams;
  const userCode = fields.get('user_code') ?? '';
  const username = fields.get('username') || undefined;
  if (!personSignIn.approve(userCode, username)) {
    return { status: 400, json: { error: 'invalid_request', error_description: 'That code is not valid or has expired. Check the code and try again.' } };
  }
  return { status: 200, json: { signedIn: true, message: 'You have signed in. You may now close this window.' } };
}

function notFound(): Answer {
  return { status: 404, json: { error: 'not_found', error_description: 'The Entra ID stand-in serves discovery and token endpoints only.' } };
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw missingParameter('grant_type');
    chunks.push(chunk as Buffer);
  }
  // Entra ID reads only form bodies: a JSON body looks to it like a request without parameters.
  if (mediaType !== 'application/x-www-form-urlencoded') return new URLSearchParams();
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(request: IncomingMessage, response: ServerResponse, result: Answer, requests: EntraRequestRecord[]): void {
  const text = JSON.stringify(result.json);
  const body = result.json as { error_codes?: number[]; correlation_id?: string };
  requests.push({
    method: request.method ?? 'GET',
    path: new URL(request.url ?? '/', 'https://127.0.0.1').pathname,
    ...(result.grantType ? { grantType: result.grantType } : {}),
    status: result.status,
    ...(body.error_codes ? { aadsts: body.error_codes[0] } : {}),
  });
  response.writeHead(result.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store, no-cache',
    Pragma: 'no-cache',
    'x-ms-request-id': randomUUID(),
    ...(body.correlation_id ? { 'client-request-id': body.correlation_id } : {}),
    ...(result.location ? { Location: result.location } : {}),
  });
  response.end(text);
}
