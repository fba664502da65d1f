/**
 * A loopback stand-in for GitHub's ID-token endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`): answers
 * `GET …?api-version=2.0&audience=<aud>` authorised by `Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` with
 * `{ "value": "<JWT>" }`, the JWT made by a loopback OIDC issuer for the job's subject and the audience asked for.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeIssuer } from '../entra/support.js';

export interface GitHubTokenEndpoint {
  /** The value for ACTIONS_ID_TOKEN_REQUEST_URL (with a query string already, as GitHub's has). */
  requestUrl: string;
  /** The value for ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  /** Every request: the audience asked for and whether it carried the request token. */
  readonly requests: { audience: string | null; authorised: boolean }[];
  /** Every ID token handed out. */
  readonly issued: string[];
  stop(): Promise<void>;
}

export async function startGitHubTokenEndpoint(issuer: FakeIssuer): Promise<GitHubTokenEndpoint> {
  const requestToken = `ghs_${randomBytes(18).toString('hex')}`;
  const requests: GitHubTokenEndpoint['requests'] = [];
  const issued: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorised = req.headers.authorization === `Bearer ${requestToken}`;
    requests.push({ audience: url.searchParams.get('audience'), authorised });
    if (url.pathname !== '/_apis/actionstoken/token' || url.searchParams.get('api-version') !== '2.0') return void res.writeHead(404).end();
    if (!authorised) return void res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"message":"Bad credentials"}');
    const audience = url.searchParams.get('audience') ?? 'https://github.com/contoso';
    void issuer.token({ aud: audience, ref: 'refs/heads/main', repository_owner: 'contoso' }).then((value) => {
      issued.push(value);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ count: 1, value }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    requestUrl: `http://127.0.0.1:${port}/_apis/actionstoken/token?api-version=2.0`,
    requestToken,
    requests,
    issued,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
