/**
 * Auth: where tokens come from (credential, token function, static token), how they are cached and refreshed,
 * the one re-acquisition after a 401, where the Authorization header may go, and the tracing headers.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { TokenCache } from '../../src/client/auth/token-cache.js';
import { AuthenticationError, HDC_SCOPE, SecurityError, createHdcClient } from '../../src/client/index.js';
import { hdcHandler } from '../../src/mock/handlers.js';
import { API, PRODUCT_ID, SUBMISSION_ID, useMockServer } from './support.js';

const { server, requests } = useMockServer();

const MINUTE = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A credential that hands out numbered tokens and records every request for one. */
function countingCredential(expiresInMs: number, now: () => number = Date.now) {
  const calls: { scopes: string | string[]; options?: GetTokenOptions }[] = [];
  const credential: TokenCredential = {
    getToken: async (scopes, options) => {
      calls.push({ scopes, ...(options ? { options } : {}) });
      return { token: `token-${calls.length}`, expiresOnTimestamp: now() + expiresInMs };
    },
  };
  return { credential, calls };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('token cache (fake clock)', () => {
  it('reuses a token until 5 minutes before expiry, then refreshes it', async () => {
    let now = 1_700_000_000_000;
    const { credential, calls } = countingCredential(60 * MINUTE, () => now);
    const cache = new TokenCache({ credential }, () => now);

    await expect(cache.getToken()).resolves.toBe('token-1');
    now += 54 * MINUTE;
    await expect(cache.getToken()).resolves.toBe('token-1');
    expect(calls).toHaveLength(1);
    now += 2 * MINUTE; // 56 minutes in: 4 minutes left, inside the refresh window
    await expect(cache.getToken()).resolves.toBe('token-2');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.scopes).toBe(HDC_SCOPE);
  });

  it('honours refreshAfterTimestamp when the credential gives one', async () => {
    let now = 1_700_000_000_000;
    let issued = 0;
    const cache = new TokenCache(
      {
        credential: {
          getToken: async (): Promise<AccessToken> => ({ token: `t${++issued}`, expiresOnTimestamp: now + 60 * MINUTE, refreshAfterTimestamp: now + 30 * MINUTE }),
        },
      },
      () => now,
    );
    await cache.getToken();
    now += 29 * MINUTE;
    await expect(cache.getToken()).resolves.toBe('t1');
    now += 2 * MINUTE;
    await expect(cache.getToken()).resolves.toBe('t2');
  });

  it('keeps using the current token when an early refresh fails, and fails once it has expired', async () => {
    let now = 1_700_000_000_000;
    let fail = false;
    const cache = new TokenCache(
      {
        token: () => {
          if (fail) throw new Error('AADSTS7000215: Invalid client secret provided.');
          return { token: 'still-valid-token', expiresOnTimestamp: now + 60 * MINUTE };
        },
      },
      () => now,
    );
    await cache.getToken();
    fail = true;
    now += 57 * MINUTE;
    await expect(cache.getToken()).resolves.toBe('still-valid-token');
    now += 4 * MINUTE;
    await expect(cache.getToken()).rejects.toMatchObject({ name: 'AuthenticationError', code: 'TokenAcquisitionFailed' });
  });

  it('shares one in-flight refresh between concurrent callers', async () => {
    const gate = deferred<string>();
    let calls = 0;
    const cache = new TokenCache({
      token: () => {
        calls++;
        return gate.promise;
      },
    });
    const waiting = Array.from({ length: 8 }, () => cache.getToken());
    gate.resolve('shared-token');
    await expect(Promise.all(waiting)).resolves.toEqual(new Array(8).fill('shared-token'));
    expect(calls).toBe(1);
  });
});

describe('tokens through the client', () => {
  it('a TokenCredential is asked for the .default scope once for many calls', async () => {
    const { credential, calls } = countingCredential(60 * MINUTE);
    const client = createHdcClient({ credential });
    await client.GET('/audiences');
    await client.GET('/products/{productId}', { params: { path: { productId: PRODUCT_ID } } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.scopes).toBe('https://manage.devcenter.microsoft.com/.default');
    const sent = await requests();
    expect(sent.map((r) => r.headers.get('authorization'))).toEqual(['Bearer token-1', 'Bearer token-1']);
  });

  it('a token that expires within 5 minutes is refreshed before the next call', async () => {
    const { credential, calls } = countingCredential(4 * MINUTE);
    const client = createHdcClient({ credential });
    await client.GET('/audiences');
    await client.GET('/audiences');
    expect(calls).toHaveLength(2);
    expect((await requests()).map((r) => r.headers.get('authorization'))).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('N parallel calls cost one token request', async () => {
    const gate = deferred<AccessToken>();
    let calls = 0;
    const client = createHdcClient({
      token: () => {
        calls++;
        return gate.promise;
      },
    });
    const parallel = Array.from({ length: 10 }, () => client.GET('/audiences'));
    gate.resolve({ token: 'parallel-token', expiresOnTimestamp: Date.now() + 60 * MINUTE });
    const results = await Promise.all(parallel);
    expect(results.every((r) => r.response.status === 200)).toBe(true);
    expect(calls).toBe(1);
    const sent = await requests();
    expect(sent).toHaveLength(10);
    expect(new Set(sent.map((r) => r.headers.get('authorization')))).toEqual(new Set(['Bearer parallel-token']));
  });

  it('a static token is sent as it is', async () => {
    await createHdcClient({ token: 'static-token-value' }).GET('/audiences');
    expect((await requests())[0]!.headers.get('authorization')).toBe('Bearer static-token-value');
  });

  it('a token function may return a plain string', async () => {
    let calls = 0;
    const client = createHdcClient({
      token: () => {
        calls++;
        return 'function-token';
      },
    });
    await client.GET('/audiences');
    await client.GET('/audiences');
    expect((await requests()).map((r) => r.headers.get('authorization'))).toEqual(['Bearer function-token', 'Bearer function-token']);
    // A plain string has no expiry: it is cached until a 401 retires it.
    expect(calls).toBe(1);
  });

  it('a credential that fails surfaces as AuthenticationError and nothing is sent', async () => {
    const client = createHdcClient({
      credential: { getToken: async () => Promise.reject(new Error('AADSTS700016: Application not found in the directory')) },
      retry: { maxRetries: 0 },
    });
    await expect(client.GET('/audiences')).rejects.toBeInstanceOf(AuthenticationError);
    expect(await requests()).toHaveLength(0);
  });

  it('without a credential or token no Authorization header is sent', async () => {
    await createHdcClient().GET('/audiences');
    expect((await requests())[0]!.headers.has('authorization')).toBe(false);
  });
});

describe('401: the token is re-acquired once', () => {
  const rejectToken = (rejected: (auth: string | null) => boolean) =>
    hdcHandler('getSubmission', ({ request }) =>
      rejected(request.headers.get('authorization'))
        ? HttpResponse.json({ statusCode: 401, message: 'Access denied due to invalid or expired token.' }, { status: 401 })
        : undefined,
    );

  it('a revoked token is replaced and the call succeeds', async () => {
    server.use(rejectToken((auth) => auth === 'Bearer token-1'));
    const { credential, calls } = countingCredential(60 * MINUTE);
    const client = createHdcClient({ credential });
    const { data, error } = await client.GET('/products/{productId}/submissions/{submissionId}', {
      params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } },
    });
    expect(error).toBeUndefined();
    expect(data?.id).toBe(SUBMISSION_ID);
    expect(calls).toHaveLength(2);
    expect((await requests()).map((r) => r.headers.get('authorization'))).toEqual(['Bearer token-1', 'Bearer token-2']);

    // The new token is cached: the next call needs no token request.
    await client.GET('/audiences');
    expect(calls).toHaveLength(2);
  });

  it('a second 401 is returned as AuthenticationError, without a third attempt', async () => {
    server.use(rejectToken(() => true));
    const { credential, calls } = countingCredential(60 * MINUTE);
    const { error } = await createHdcClient({ credential }).GET('/products/{productId}/submissions/{submissionId}', {
      params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } },
    });
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error?.status).toBe(401);
    expect(calls).toHaveLength(2);
    expect(await requests()).toHaveLength(2);
  });

  it('a static token cannot be renewed, so a 401 is returned at once', async () => {
    server.use(rejectToken(() => true));
    const { error } = await createHdcClient({ token: 'static-token-value' }).GET('/products/{productId}/submissions/{submissionId}', {
      params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } },
    });
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(await requests()).toHaveLength(1);
  });

  it('the typed POST (create submission) is resent after the 401 with the same body', async () => {
    server.use(
      hdcHandler('createSubmission', ({ request }) =>
        request.headers.get('authorization') === 'Bearer token-1' ? HttpResponse.json({ statusCode: 401, message: 'expired' }, { status: 401 }) : undefined,
      ),
    );
    const { credential } = countingCredential(60 * MINUTE);
    const { data } = await createHdcClient({ credential }).POST('/products/{productId}/submissions', {
      params: { path: { productId: '14631253285588838' } },
      body: { name: 'Contoso driver 1.2', type: 'initial' },
    });
    expect(data?.id).toBe('1152921504621465124');
    const sent = await requests();
    expect(sent.map((r) => r.text)).toEqual(['{"name":"Contoso driver 1.2","type":"initial"}', '{"name":"Contoso driver 1.2","type":"initial"}']);
  });
});

describe('where the Authorization header may go', () => {
  it('never to another origin reached through send(), such as a blob SAS URL', async () => {
    const blob = 'https://ingestionpackages.blob.core.windows.net/ingestion/3f6c2a9e?sv=2017-04-17&sr=b&sig=c2lnbmF0dXJl&sp=rl';
    server.use(http.get('https://ingestionpackages.blob.core.windows.net/ingestion/:name', () => new HttpResponse('blob bytes')));
    const response = await createHdcClient({ token: 'api-only-token' }).send({ method: 'GET', url: blob, headers: { accept: '*/*' } });
    expect(response.status).toBe(200);
    const [sent] = await requests();
    expect(sent!.url.host).toBe('ingestionpackages.blob.core.windows.net');
    expect(sent!.headers.has('authorization')).toBe(false);
  });

  it('never over plain http to the API host (a different origin)', async () => {
    server.use(http.get('http://manage.devcenter.microsoft.com/v2.0/my/hardware/audiences', () => HttpResponse.json({ value: [] })));
    await createHdcClient({ token: 'api-only-token' }).send({ method: 'GET', url: 'http://manage.devcenter.microsoft.com/v2.0/my/hardware/audiences' });
    const [sent] = await requests();
    expect(sent!.url.protocol).toBe('http:');
    expect(sent!.headers.has('authorization')).toBe(false);
  });

  it('never to a next_link on another host: the list stops with SecurityError before the request', async () => {
    server.use(
      hdcHandler('listProducts', () =>
        HttpResponse.json({ value: [{ id: 1 }], links: [{ rel: 'next_link', href: 'https://attacker.example/v2.0/my/hardware/products?continuationToken=x', method: 'GET' }] }),
      ),
    );
    const seen: unknown[] = [];
    const iterate = async () => {
      for await (const product of createHdcClient({ token: 'api-only-token' }).products.list()) seen.push(product);
    };
    await expect(iterate()).rejects.toMatchObject({ name: 'SecurityError', code: 'ForeignNextLink' });
    expect(seen).toHaveLength(1);
    expect((await requests()).map((r) => r.url.host)).toEqual(['manage.devcenter.microsoft.com']);
  });

  it('a plain-http baseUrl is refused unless it is loopback', () => {
    expect(() => createHdcClient({ baseUrl: 'http://manage.devcenter.microsoft.com/v2.0/my/hardware', token: 't' })).toThrow(SecurityError);
    expect(() => createHdcClient({ baseUrl: 'http://192.168.1.20:8080/v2.0/my/hardware', token: 't' })).toThrow(/plain http/);
  });

  it('loopback http base URLs are accepted (IPv4 range, localhost, IPv6)', () => {
    for (const baseUrl of ['http://127.0.0.1:1/v2.0/my/hardware', 'http://127.10.0.3:1/x', 'http://localhost:1/x', 'http://[::1]:1/x']) {
      expect(createHdcClient({ baseUrl, token: 't' }).baseUrl).toBe(baseUrl);
    }
  });

  // msw's URL patterns cannot express an IPv6 host, so the live check covers the IPv4 and name forms.
  it.each(['http://127.0.0.1:48123/v2.0/my/hardware', 'http://localhost:48123/v2.0/my/hardware'])(
    'loopback http is allowed and carries the token: %s',
    async (baseUrl) => {
        server.use(http.get(`${baseUrl}/audiences`, () => HttpResponse.json({ value: [] })));
      const { error } = await createHdcClient({ baseUrl, token: 'loopback-token' }).GET('/audiences');
      expect(error).toBeUndefined();
      const [sent] = await requests();
      expect(sent!.url.origin).toBe(new URL(baseUrl).origin);
      expect(sent!.headers.get('authorization')).toBe('Bearer loopback-token');
    },
  );

  it('an Authorization header the caller set for a foreign URL is removed', async () => {
    server.use(http.get('https://ingestionpackages.blob.core.windows.net/ingestion/:name', () => new HttpResponse('x')));
    await createHdcClient({ token: 'api-only-token' }).send({
      method: 'GET',
      url: 'https://ingestionpackages.blob.core.windows.net/ingestion/abc',
      headers: { authorization: 'Bearer smuggled', accept: '*/*' },
    });
    expect((await requests())[0]!.headers.has('authorization')).toBe(false);
  });
});

describe('tracing headers', () => {
  it('MS-CorrelationId is one per client; MS-RequestId is a new GUID per request', async () => {
    const first = createHdcClient({ token: 'trace-token' });
    const second = createHdcClient({ token: 'trace-token' });
    await first.GET('/audiences');
    await first.GET('/products');
    await first.products.get(PRODUCT_ID);
    await second.GET('/audiences');

    const sent = await requests();
    const correlation = sent.map((r) => r.headers.get('ms-correlationid'));
    const requestIds = sent.map((r) => r.headers.get('ms-requestid'));
    expect(first.correlationId).toMatch(UUID);
    expect(correlation).toEqual([first.correlationId, first.correlationId, first.correlationId, second.correlationId]);
    expect(second.correlationId).not.toBe(first.correlationId);
    for (const id of requestIds) expect(id).toMatch(UUID);
    expect(new Set(requestIds).size).toBe(4);
    expect(requestIds).not.toContain(first.correlationId);
  });

  it('a retried request keeps its MS-RequestId (one logical request)', async () => {
    let attempts = 0;
    server.use(hdcHandler('listAudiences', () => (++attempts === 1 ? new HttpResponse('busy', { status: 503 }) : undefined)));
    const client = createHdcClient({ token: 'trace-token', retry: { sleep: async () => undefined } });
    await client.GET('/audiences');
    const sent = await requests();
    expect(sent).toHaveLength(2);
    expect(sent[0]!.headers.get('ms-requestid')).toBe(sent[1]!.headers.get('ms-requestid'));
  });

  it('User-Agent names hwdash after the caller’s own product', async () => {
    await createHdcClient({ token: 't', userAgent: 'contoso-release-pipeline/2.1' }).GET('/audiences');
    expect((await requests())[0]!.headers.get('user-agent')).toMatch(/^contoso-release-pipeline\/2\.1 hwdash\/\S+ node\/\S+$/);
  });

  it('the tracing headers go to the API base URL of the client', async () => {
    await createHdcClient({ token: 't' }).GET('/audiences');
    expect((await requests())[0]!.url.href).toBe(`${API}/audiences`);
  });
});
