/**
 * The typed calls accept exactly the options the client honours. `tsc --noEmit` (npm run typecheck) checks this
 * file: every `@ts-expect-error` below must be an error, or the check fails. The calls also run against the mock
 * server, so the accepted options are shown to work, not only to compile.
 */
import { describe, expect, it } from '@jest/globals';
import { createHdcClient, type HdcCallInit, type HdcClient } from '../../src/client/index.js';
import type { paths } from '../../generated/hdc.js';
import { PRODUCT_ID, SUBMISSION_ID, useMockServer } from './support.js';

useMockServer();

const client: HdcClient = createHdcClient({ token: 'test-token', retry: { maxRetries: 0 } });
const path = { productId: PRODUCT_ID, submissionId: SUBMISSION_ID };
const SUBMISSION = '/products/{productId}/submissions/{submissionId}' as const;

/** Calls that must not compile. Never run: they only have to fail type checking. */
export function rejectedAtCompileTime(stub: typeof fetch): void {
  // @ts-expect-error a per-call fetch would be ignored: the client's own fetch (createHdcClient({ fetch })) is used
  void client.GET(SUBMISSION, { params: { path }, fetch: stub });
  // @ts-expect-error a per-call baseUrl would be ignored: the client has one (createHdcClient({ baseUrl }))
  void client.GET(SUBMISSION, { params: { path }, baseUrl: 'https://example.com' });
  // @ts-expect-error openapi-fetch middleware is not run by the hwdash pipeline
  void client.GET(SUBMISSION, { params: { path }, middleware: [] });
  // @ts-expect-error queries are serialised by the client's own rules
  void client.GET('/products', { querySerializer: { array: { style: 'form', explode: true } } });
  // @ts-expect-error bodies are serialised with exact int64 IDs, always
  void client.POST('/products', { body: { productName: 'x' } as never, bodySerializer: JSON.stringify });
  // @ts-expect-error paths are serialised by the client (exact IDs, checked segments)
  void client.GET(SUBMISSION, { params: { path }, pathSerializer: () => '' });
  // @ts-expect-error RequestInit options such as cache or credentials are not passed to fetch
  void client.GET(SUBMISSION, { params: { path }, cache: 'no-store' });
  // @ts-expect-error nor redirect: the pipeline never follows redirects
  void client.GET(SUBMISSION, { params: { path }, redirect: 'follow' });
  // @ts-expect-error a misspelt option is an error, not a silent no-op
  void client.GET(SUBMISSION, { params: { path }, sginal: new AbortController().signal });
  // @ts-expect-error the path parameters are required
  void client.GET(SUBMISSION, {});
  // @ts-expect-error and checked by name
  void client.GET(SUBMISSION, { params: { path: { productId: PRODUCT_ID } } });
  // @ts-expect-error a path without that method
  void client.DELETE('/products');
}

describe('typed call options', () => {
  it('accepts params, body, headers, parseAs and signal, and honours each', async () => {
    const controller = new AbortController();
    const { data, response } = await client.GET(SUBMISSION, { params: { path }, headers: { 'x-test': '1' }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(data?.id).toBe(SUBMISSION_ID);

    const { data: text } = await client.GET(SUBMISSION, { params: { path }, parseAs: 'text' });
    const typedText: string | undefined = text;
    expect(typedText).toContain(SUBMISSION_ID);

    controller.abort(new Error('stop'));
    await expect(client.GET(SUBMISSION, { params: { path }, signal: controller.signal })).rejects.toThrow('stop');
  });

  it('needs no init where the operation requires nothing', async () => {
    const { data } = await client.GET('/audiences');
    expect(Array.isArray(data?.value)).toBe(true);
  });

  it('exports the init type, narrowed per operation', () => {
    const init: HdcCallInit<paths[typeof SUBMISSION]['get']> = { params: { path }, parseAs: 'json' };
    expect(Object.keys(init)).toEqual(['params', 'parseAs']);
  });
});
