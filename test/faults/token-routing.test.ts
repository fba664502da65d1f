/** Where the token goes: only to the API's origin, never to a next_link elsewhere, a blob URL, a redirect, or plain http. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createHdcClient, HdcError, MalformedResponseError, NetworkError, PermissionError, SecurityError } from '../../src/client/index.js';
import { errorOf } from '../../src/client/pipeline/response-body.js';
import { API_PATH, json, resetBeforeHeaders, startScenarioServer, type ScenarioServer } from './server.js';
import { bearerOf, captureConsole, caught, expectNoSecrets, FakeClock, SAS_SIG, scenarioClient, TOKEN } from './support.js';

let server: ScenarioServer;
/** Another origin on loopback: a different port is a different origin, as another host would be. */
let elsewhere: ScenarioServer;
let logs: string[];
beforeAll(async () => {
  server = await startScenarioServer();
  elsewhere = await startScenarioServer();
});
afterAll(async () => {
  await server.close();
  await elsewhere.close();
});
beforeEach(() => {
  logs = captureConsole();
});
afterEach(() => {
  server.reset();
  elsewhere.reset();
  jest.restoreAllMocks();
});

const pageLinking = (href: string) => json(200, { value: [{ id: 'a' }, { id: 'b' }], links: [{ rel: 'next_link', href, method: 'GET' }] });

async function listAll(client: ReturnType<typeof scenarioClient>['client']): Promise<{ seen: unknown[]; error: unknown }> {
  const seen: unknown[] = [];
  const error = await caught(async () => {
    for await (const audience of client.audiences.list()) seen.push(audience);
  });
  return { seen, error };
}

describe('next_link', () => {
  it.each([
    ['another port on the same host', () => `${elsewhere.origin}${API_PATH}/audiences?continuationToken=2&sig=${SAS_SIG}`],
    ['the same port under another host name', () => `http://localhost:${server.port}${API_PATH}/audiences?continuationToken=2`],
    ['https on the same host and port', () => `https://127.0.0.1:${server.port}${API_PATH}/audiences?continuationToken=2`],
  ])('to %s: SecurityError after the first page, nothing sent there', async (_name, href) => {
    server.route('GET', '/audiences', pageLinking(href()));
    const { client, retries } = scenarioClient(server.baseUrl);

    const { seen, error } = await listAll(client);

    expect(error).toBeInstanceOf(SecurityError);
    expect((error as SecurityError).code).toBe('ForeignNextLink');
    expect(seen).toHaveLength(2);
    expect(server.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
    expectNoSecrets(error, retries, logs);
  });

  it('relative, or absolute on the API origin: followed, with the token', async () => {
    server.route('GET', '/audiences', pageLinking('audiences?continuationToken=2'), pageLinking(`${server.origin}${API_PATH}/audiences?continuationToken=3`), json(200, { value: [{ id: 'c' }] }));
    const { client } = scenarioClient(server.baseUrl);

    const all: unknown[] = [];
    for await (const audience of client.audiences.list()) all.push(audience);

    expect(all).toHaveLength(5);
    expect(server.requests.map((request) => request.path)).toEqual([`${API_PATH}/audiences`, `${API_PATH}/audiences?continuationToken=2`, `${API_PATH}/audiences?continuationToken=3`]);
    expect(server.requests.map(bearerOf)).toEqual([TOKEN, TOKEN, TOKEN]);
  });

  it('the same next_link twice: MalformedResponseError instead of looping forever', async () => {
    server.route('GET', '/audiences', pageLinking('audiences?continuationToken=2'));
    const { client } = scenarioClient(server.baseUrl);

    const { error } = await listAll(client);

    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).code).toBe('PagingLoop');
    expect(server.requests).toHaveLength(2);
  });
});

describe('against the real host name (a fetch shim carries https://manage.devcenter.microsoft.com to loopback)', () => {
  const API = 'https://manage.devcenter.microsoft.com/v2.0/my/hardware';

  /** Sends what the client addressed to the real API to the scenario server; records every URL the client asked for. */
  function shim() {
    const asked: string[] = [];
    const fetchToLoopback: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      asked.push(url.toString());
      if (url.origin !== 'https://manage.devcenter.microsoft.com') throw new TypeError(`test shim: no network for ${url.origin}`);
      return fetch(`${server.origin}${url.pathname}${url.search}`, init);
    };
    return { asked, fetch: fetchToLoopback };
  }

  it('a next_link over plain http to the API host: SecurityError, not requested', async () => {
    const { asked, fetch } = shim();
    server.route('GET', '/audiences', pageLinking('http://manage.devcenter.microsoft.com/v2.0/my/hardware/audiences?continuationToken=2'));
    const { client, retries } = scenarioClient(API, { fetch });

    const { seen, error } = await listAll(client);

    expect(error).toBeInstanceOf(SecurityError);
    expect(seen).toHaveLength(2);
    expect(asked).toEqual([`${API}/audiences`]);
    expectNoSecrets(error, retries, logs);
  });

  it('a next_link over plain http to another host: SecurityError, not requested', async () => {
    const { asked, fetch } = shim();
    server.route('GET', '/audiences', pageLinking(`http://hdc-mirror.example.net/v2.0/my/hardware/audiences?token=${TOKEN}`));
    const { client, retries } = scenarioClient(API, { fetch });

    const { error } = await listAll(client);

    expect(error).toBeInstanceOf(SecurityError);
    expect(asked).toHaveLength(1);
    expectNoSecrets(error, retries, logs);
  });

  it('an explicit :443 on the API origin is the same origin: followed', async () => {
    const { asked, fetch } = shim();
    server.route('GET', '/audiences', pageLinking('https://manage.devcenter.microsoft.com:443/v2.0/my/hardware/audiences?continuationToken=2'), json(200, { value: [] }));
    const { client } = scenarioClient(API, { fetch });

    const all: unknown[] = [];
    for await (const audience of client.audiences.list()) all.push(audience);

    expect(all).toHaveLength(2);
    expect(asked).toHaveLength(2);
    expect(server.requests.map(bearerOf)).toEqual([TOKEN, TOKEN]);
  });
});

describe('other ways a token could leave', () => {
  it('send() to a blob SAS URL on another origin: no Authorization header arrives, even one the caller set', async () => {
    elsewhere.route('GET', /\/ingestion\//, json(200, {}));
    const { client } = scenarioClient(server.baseUrl);

    const response = await client.send({ method: 'GET', url: `${elsewhere.origin}/ingestion/package.cab?sv=2023-11-03&sig=${SAS_SIG}`, headers: { authorization: `Bearer ${TOKEN}` } });

    expect(response.status).toBe(200);
    expect(elsewhere.requests).toHaveLength(1);
    expect(elsewhere.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('failures on a SAS URL: the errors carry the URL with its sig redacted, and nothing else of it', async () => {
    const sasPath = `/ingestion/package.cab?sv=2023-11-03&sp=rcw&sig=${SAS_SIG}`;
    elsewhere.route(
      'GET',
      /^\/ingestion\/denied/,
      { kind: 'respond', status: 403, headers: { 'content-type': 'application/xml' }, body: `<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code><Message>Signature did not match for ${elsewhere.origin}${sasPath}</Message></Error>` },
    );
    elsewhere.route('GET', /^\/ingestion\/reset/, resetBeforeHeaders());
    const { client, retries } = scenarioClient(server.baseUrl);

    const denied = await client.send({ method: 'GET', url: `${elsewhere.origin}/ingestion/denied${sasPath.slice('/ingestion/package.cab'.length)}` });
    const deniedError = errorOf(denied);
    const resetError = await caught(() => client.send({ method: 'GET', url: `${elsewhere.origin}/ingestion/reset${sasPath.slice('/ingestion/package.cab'.length)}` }));

    expect(deniedError).toBeInstanceOf(PermissionError);
    expect(deniedError!.request!.url).toContain('sig=REDACTED');
    expect(resetError).toBeInstanceOf(NetworkError);
    expect(elsewhere.count('GET', /^\/ingestion\/reset/)).toBe(4);
    expectNoSecrets(deniedError, resetError, retries, logs);
  });

  it('a redirect from the API to another origin is not followed', async () => {
    server.route('GET', '/audiences', { kind: 'respond', status: 302, headers: { location: `${elsewhere.origin}/steal` }, body: '' });
    const { client, retries } = scenarioClient(server.baseUrl);

    const { error } = await listAll(client);

    expect(error).toBeInstanceOf(HdcError);
    expect((error as HdcError).status).toBe(302);
    expect(elsewhere.requests).toHaveLength(0);
    expectNoSecrets(error, retries, logs);
  });

  it('a plain-http baseUrl on a non-loopback host: SecurityError before anything is sent', () => {
    let error: unknown;
    try {
      createHdcClient({ baseUrl: 'http://manage.devcenter.microsoft.com/v2.0/my/hardware', token: TOKEN, retry: { sleep: new FakeClock().sleep } });
    } catch (caughtError) {
      error = caughtError;
    }
    expect(error).toBeInstanceOf(SecurityError);
    expect((error as SecurityError).code).toBe('InsecureTransport');
    expectNoSecrets(error);
  });
});
