/**
 * The ambiguous commit: after a failure that may have come after the service acted (502, timeout, reset,
 * RequestInvalidForCurrentState), the client reads the submission's commitStatus and never commits blind twice.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { InvalidStateError, NotFoundError, ServerError, TimeoutError } from '../../src/client/index.js';
import { empty, json, resetBeforeHeaders, resetMidBody, text, trickle } from './server.js';
import { caught, expectNoSecrets, leakyMessage, PRODUCT_ID, scenarioClient, SUBMISSION_ID, useScenarioServer } from './support.js';

const SUBMISSION_PATH = `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`;
const COMMIT_PATH = `${SUBMISSION_PATH}/commit`;
const withStatus = (commitStatus: string) => json(200, `{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID},"commitStatus":"${commitStatus}"}`);
const badGateway = text(502, `Bad Gateway. ${leakyMessage()}`);
const accepted = empty(202);

const scenario = useScenarioServer();

const commits = () => scenario.server.count('POST', COMMIT_PATH);
const reads = () => scenario.server.count('GET', SUBMISSION_PATH);

describe('commit', () => {
  it('202: committed with one request and no read', async () => {
    scenario.server.route('POST', COMMIT_PATH, accepted);
    const { client } = scenarioClient(scenario.server.baseUrl);

    expect(await client.submissions.commit(PRODUCT_ID, SUBMISSION_ID)).toEqual({ verified: false, attempts: 1 });
    expect(commits()).toBe(1);
    expect(reads()).toBe(0);
    // As the reference asks: no body, Content-Length 0.
    expect(scenario.server.requests[0]!.body).toBe('');
  });

  it('502 while the commit really happened: the read shows it, success after exactly one commit', async () => {
    scenario.server.route('POST', COMMIT_PATH, badGateway, accepted);
    scenario.server.route('GET', SUBMISSION_PATH, withStatus('CommitReceived'));
    const { client, clock, retries } = scenarioClient(scenario.server.baseUrl);

    const outcome = await client.submissions.commit(PRODUCT_ID, SUBMISSION_ID);

    expect(outcome).toEqual({ verified: true, attempts: 1, commitStatus: 'CommitReceived' });
    expect(commits()).toBe(1);
    expect(reads()).toBe(1);
    expect(clock.delays).toEqual([]);
    expectNoSecrets(retries, scenario.logs);
  });

  it('502 while the commit did not happen: the read shows commitPending, so one verified resend', async () => {
    scenario.server.route('POST', COMMIT_PATH, badGateway, accepted);
    scenario.server.route('GET', SUBMISSION_PATH, withStatus('commitPending'));
    const { client } = scenarioClient(scenario.server.baseUrl);

    const outcome = await client.submissions.commit(PRODUCT_ID, SUBMISSION_ID);

    expect(outcome).toEqual({ verified: false, attempts: 2 });
    expect(commits()).toBe(2);
    expect(reads()).toBe(1);
    // The read came between the two commits: the second one was not blind.
    expect(scenario.server.requests.map((request) => request.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it('502 twice with the submission still pending: ServerError after two commits, never a third', async () => {
    scenario.server.route('POST', COMMIT_PATH, badGateway);
    scenario.server.route('GET', SUBMISSION_PATH, withStatus('commitPending'));
    const { client, retries } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.commit(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(502);
    expect((error as ServerError).message).toContain('the submission is still commitPending, so nothing was committed');
    expect(commits()).toBe(2);
    expect(reads()).toBe(2);
    expect(scenario.server.requests.map((request) => request.method)).toEqual(['POST', 'GET', 'POST', 'GET']);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('502 and the read shows CommitFailed: InvalidStateError naming the status, one commit', async () => {
    scenario.server.route('POST', COMMIT_PATH, badGateway);
    scenario.server.route('GET', SUBMISSION_PATH, withStatus('CommitFailed'));
    const { client } = scenarioClient(scenario.server.baseUrl);

    const error = await caught(() => client.submissions.commit(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(InvalidStateError);
    expect((error as InvalidStateError).message).toContain('"CommitFailed"');
    expect(commits()).toBe(1);
    expectNoSecrets(error, scenario.logs);
  });

  it('RequestInvalidForCurrentState (an earlier commit took): the read confirms it, success', async () => {
    scenario.server.route('POST', COMMIT_PATH, json(400, { error: { code: 'requestInvalidForCurrentState', message: 'Only pending submissions can be committed.' } }));
    scenario.server.route('GET', SUBMISSION_PATH, withStatus('commitComplete'));
    const { client } = scenarioClient(scenario.server.baseUrl);

    expect(await client.submissions.commit(PRODUCT_ID, SUBMISSION_ID)).toEqual({ verified: true, attempts: 1, commitStatus: 'commitComplete' });
    expect(commits()).toBe(1);
  });

  it.each([
    ['a reset before the headers', resetBeforeHeaders()],
    ['a reset mid-body', resetMidBody(202, `{"commitStatus":"${'x'.repeat(2000)}"}`, 10)],
  ])('%s: read, committed, one commit', async (_name, step) => {
    scenario.server.route('POST', COMMIT_PATH, step);
    scenario.server.route('GET', SUBMISSION_PATH, withStatus('commitReceived'));
    const { client } = scenarioClient(scenario.server.baseUrl);

    expect(await client.submissions.commit(PRODUCT_ID, SUBMISSION_ID)).toMatchObject({ verified: true, attempts: 1 });
    expect(commits()).toBe(1);
  });

  it('a timeout: read, committed, one commit', async () => {
    scenario.server.route('POST', COMMIT_PATH, trickle(202, `{"commitStatus":"${'x'.repeat(400)}"}`, { chunkBytes: 8, intervalMs: 50 }));
    scenario.server.route('GET', SUBMISSION_PATH, withStatus('commitReceived'));
    const { client } = scenarioClient(scenario.server.baseUrl, { timeoutMs: 150 });

    expect(await client.submissions.commit(PRODUCT_ID, SUBMISSION_ID)).toMatchObject({ verified: true, attempts: 1 });
    expect(commits()).toBe(1);
  });

  it('a timeout, and the read fails too: the commit is not resent, and the error says its outcome is unknown', async () => {
    scenario.server.route('POST', COMMIT_PATH, trickle(202, `{"commitStatus":"${'x'.repeat(400)}"}`, { chunkBytes: 8, intervalMs: 50 }));
    scenario.server.route('GET', SUBMISSION_PATH, json(500, { error: { code: 'internalServerError', message: leakyMessage() } }));
    const { client, retries } = scenarioClient(scenario.server.baseUrl, { timeoutMs: 150 });

    const error = await caught(() => client.submissions.commit(PRODUCT_ID, SUBMISSION_ID));

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/may or may not have been committed/);
    expect(commits()).toBe(1);
    expect(reads()).toBe(4);
    expectNoSecrets(error, retries, scenario.logs);
  });

  it('429: the pipeline resends it (the service refused it before acting), no read needed', async () => {
    scenario.server.route('POST', COMMIT_PATH, json(429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 3 seconds.' }), accepted);
    const { client, clock } = scenarioClient(scenario.server.baseUrl);

    expect(await client.submissions.commit(PRODUCT_ID, SUBMISSION_ID)).toEqual({ verified: false, attempts: 1 });
    expect(commits()).toBe(2);
    expect(reads()).toBe(0);
    expect(clock.delays).toEqual([3000]);
  });

  it('404 EntityNotFound: NotFoundError, no read, no resend', async () => {
    scenario.server.route('POST', COMMIT_PATH, json(404, { error: { code: 'entityNotFound', message: 'No submission found' } }));
    const { client } = scenarioClient(scenario.server.baseUrl);

    expect(await caught(() => client.submissions.commit(PRODUCT_ID, SUBMISSION_ID))).toBeInstanceOf(NotFoundError);
    expect(commits()).toBe(1);
    expect(reads()).toBe(0);
  });
});
