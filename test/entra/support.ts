/**
 * Pieces of the Entra ID stand-in tests: an https client that trusts the sandbox's CA (jest's process started
 * before the CA existed, so NODE_EXTRA_CA_CERTS cannot help in-process), an app certificate made here, and a
 * loopback OIDC issuer playing GitHub's, whose tokens a federated credential trusts.
 */
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT_ID = '3e5c8f1a-9b2d-4c6e-8f0a-1b2c3d4e5f60';
export const CLIENT_SECRET = 'Sb~8Q~sandbox-entra-secret-value-0123456789';
export const HDC_SCOPE = 'https://manage.devcenter.microsoft.com/.default';

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** A request to the stand-in over TLS, trusting only its CA. `form` makes it a form POST. */
export function https(url: string, ca: string, options: { form?: Record<string, string>; method?: string; headers?: Record<string, string> } = {}): Promise<HttpsAnswer> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca,
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Claims of a JWT, unverified (tests look at what the stand-in put in). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** An app certificate as a person makes one: RSA 2048, self-signed; `pem` holds the key and the certificate, as AZURE_CLIENT_CERTIFICATE_PATH wants. */
export async function appCertificate(name = 'hwdash test app'): Promise<{ pem: string; certificate: string; privateKey: CryptoKey }> {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a1b2c3d',
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000),
    signingAlgorithm: algorithm,
    keys,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
  const certificatePem = certificate.toString('pem');
  return { pem: `${key}${certificatePem}\n`, certificate: certificatePem, privateKey: keys.privateKey as unknown as CryptoKey };
}

export interface FakeIssuer {
  /** `http://127.0.0.1:PORT`: the `iss` of its tokens. */
  issuer: string;
  jwks: { keys: JWK[] };
  /** A token as GitHub's OIDC endpoint makes one, audience api://AzureADTokenExchange unless `claims` says otherwise. */
  token(claims?: JWTPayload & { sub?: string }): Promise<string>;
  /** How often its keys were fetched. */
  readonly keyFetches: number;
  stop(): Promise<void>;
}

/** A loopback OIDC issuer: discovery document, JWKS, and RS256 tokens signed by its key. */
export async function startFakeIssuer(subject: string): Promise<FakeIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'fake-issuer-key-1', alg: 'RS256', use: 'sig' };
  let keyFetches = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${issuer}/.well-known/jwks` }));
    } else if (req.url === '/.well-known/jwks') {
      keyFetches++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwks: { keys: [jwk] },
    token: (claims = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ aud: 'api://AzureADTokenExchange', iss: issuer, sub: subject, iat: now, nbf: now, exp: now + 300, repository: 'contoso/drivers', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
        .sign(privateKey);
    },
    get keyFetches() {
      return keyFetches;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
