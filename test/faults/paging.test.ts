/** Paging: 10,000 items across 100 pages, fetched one page at a time as the caller consumes them, IDs exact. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { API_PATH, dynamic, json, startScenarioServer, type ScenarioServer } from './server.js';
import { FakeClock, PRODUCT_ID, scenarioClient } from './support.js';

const TOTAL = 10_000;
const PAGE_SIZE = 100;
const PAGES = TOTAL / PAGE_SIZE;
/** Submission IDs as the service mints them: 2^60 plus a counter, far beyond what a double holds. */
const idOf = (index: number) => (2n ** 60n + 14_594_954n + BigInt(index)).toString();

let server: ScenarioServer;
beforeAll(async () => {
  server = await startScenarioServer();
});
afterAll(() => server.close());
afterEach(() => server.reset());

/** Page n (from 0) of the submissions list, with a next_link carrying an opaque continuation token. */
function submissionsPage(page: number): string {
  const value = Array.from({ length: PAGE_SIZE }, (_, i) => `{"id":${idOf(page * PAGE_SIZE + i)},"productId":${PRODUCT_ID},"name":"driver ${page * PAGE_SIZE + i}"}`);
  const token = Buffer.from(`<token><NextPartitionKey>${page + 1}</NextPartitionKey></token>`).toString('base64url');
  const links = page + 1 < PAGES ? `[{"rel":"next_link","href":"${server.origin}${API_PATH}/products/${PRODUCT_ID}/submissions?pageSize=${PAGE_SIZE}&continuationToken=${token}","method":"GET"}]` : '[]';
  return `{"value":[${value.join(',')}],"links":${links}}`;
}

const pageFromPath = (path: string) => {
  const token = new URL(path, 'http://x').searchParams.get('continuationToken');
  return token ? Number(/<NextPartitionKey>(\d+)</.exec(Buffer.from(token, 'base64url').toString())![1]) : 0;
};

describe('paging through 10,000 submissions', () => {
  it('yields every item once, in order, with exact IDs, fetching each page only when the previous one is used up', async () => {
    server.route('GET', `/products/${PRODUCT_ID}/submissions`, dynamic((request) => json(200, submissionsPage(pageFromPath(request.path)))));
    const { client } = scenarioClient(server.baseUrl);

    let count = 0;
    let mostPagesAhead = 0;
    for await (const submission of client.submissions.list(PRODUCT_ID)) {
      expect(submission.id).toBe(idOf(count));
      // Pages requested so far, against pages the consumer has reached: never more than the one it is in.
      mostPagesAhead = Math.max(mostPagesAhead, server.requests.length - Math.floor(count / PAGE_SIZE));
      count++;
    }

    expect(count).toBe(TOTAL);
    expect(server.requests).toHaveLength(PAGES);
    expect(mostPagesAhead).toBe(1);
    expect(server.requests.map((request) => pageFromPath(request.path))).toEqual(Array.from({ length: PAGES }, (_, i) => i));
  });

  it('stopping early sends no further page requests', async () => {
    server.route('GET', `/products/${PRODUCT_ID}/submissions`, dynamic((request) => json(200, submissionsPage(pageFromPath(request.path)))));
    const { client } = scenarioClient(server.baseUrl);

    let count = 0;
    for await (const submission of client.submissions.list(PRODUCT_ID)) {
      void submission;
      if (++count === 250) break;
    }

    expect(server.requests).toHaveLength(3);
  });

  it('a page that fails once (503) is retried, and paging goes on where it was', async () => {
    let failedOnce = false;
    server.route(
      'GET',
      `/products/${PRODUCT_ID}/submissions`,
      dynamic((request) => {
        const page = pageFromPath(request.path);
        if (page === 50 && !failedOnce) {
          failedOnce = true;
          return json(503, { error: { code: 'serviceUnavailable', message: 'busy' } }, { 'retry-after': '1' });
        }
        return json(200, submissionsPage(page));
      }),
    );
    const clock = new FakeClock();
    const { client } = scenarioClient(server.baseUrl, { clock });

    const ids = new Set<string>();
    for await (const submission of client.submissions.list(PRODUCT_ID)) ids.add(submission.id!);

    expect(ids.size).toBe(TOTAL);
    expect(server.requests).toHaveLength(PAGES + 1);
    expect(clock.delays).toEqual([1000]);
  });
});
