/** What every request goes through: authentication, routing, path IDs, content types, body validation, paging. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox } from '../../src/mock/sandbox/index.js';
import { useSandbox } from './fixture.js';
import { call, expectResponsesMatchSpec, newProductBody, TOKEN } from './support.js';

describe('sandbox gateway', () => {
  const suite = useSandbox({ token: TOKEN, pageSize: 2 });
  const { recorder } = suite;
  let base: string;
  let root: string;
  beforeAll(() => {
    base = suite.base;
    root = new URL(base).origin;
  });

  describe('authentication', () => {
    it.each([
      ['no Authorization header', null],
      ['another token', 'not-the-token'],
    ])('refuses %s with 401 and the gateway body', async (_case, token) => {
      const response = await call(base, 'GET', '/products', { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.body).toEqual({ statusCode: 401, message: 'Unauthorized. Access token is missing or invalid.' });
    });

    it('refuses a non-bearer scheme', async () => {
      const response = await call(base, 'GET', '/products', { token: null, headers: { Authorization: `Basic ${TOKEN}` } });
      expect(response.status).toBe(401);
    });

    it('accepts any non-empty bearer token when no token is configured', async () => {
      const open = await startSandbox({ azurite: suite.azurite });
      try {
        expect((await call(open.baseUrl, 'GET', '/products', { token: 'anything' })).status).toBe(200);
        expect((await call(open.baseUrl, 'GET', '/products', { token: null, headers: { Authorization: 'Bearer ' } })).status).toBe(401);
      } finally {
        await open.stop();
      }
    });
  });

  describe('routing', () => {
    it('serves v1.0 and v2.0, trailing slashes, any casing of literal segments and both audience spellings', async () => {
      for (const path of [
        '/v2.0/my/hardware/products',
        '/v2.0/my/hardware/products/',
        '/v1.0/my/hardware/products',
        '/V2.0/My/Hardware/PRODUCTS',
        '/v2.0/my/hardware/audiences',
        '/v2.0/my/hardware/audience',
        '/v1.0/my/hardware/audience/',
      ]) {
        expect([path, (await call(root, 'GET', path)).status]).toEqual([path, 200]);
      }
    });

    it('answers links on the version the request came in on', async () => {
      const created = await call(root, 'POST', '/v1.0/my/hardware/products', { body: newProductBody() });
      expect(created.status).toBe(201);
      expect(created.body.links[0].href).toBe(`${root}/v1.0/my/hardware/products/${created.body.id}`);
    });

    it('answers unknown paths with a gateway 404 and known paths with a wrong method with 405 and Allow', async () => {
      const unknown = await call(root, 'GET', '/v2.0/my/hardware/nothing-here');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ statusCode: 404, message: 'Resource not found: GET /v2.0/my/hardware/nothing-here' });
      expect((await call(root, 'GET', '/v3.0/my/hardware/products')).status).toBe(404);
      const wrongMethod = await call(base, 'DELETE', '/products');
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
    });

    it('serves preproduction signing on v2.0 only', async () => {
      expect((await call(root, 'GET', '/v1.0/my/hardware/preprod/packages/abc')).status).toBe(404);
      const v2 = await call(root, 'GET', '/v2.0/my/hardware/preprod/packages/abc');
      expect(v2.status).toBe(404);
      expect(v2.body.error).toEqual({ code: 'entityNotFound', message: 'Package not found', validationErrors: [] });
    });

    it('echoes MS-CorrelationId and MS-RequestId, or makes them up', async () => {
      const echoed = await call(base, 'GET', '/audiences', { headers: { 'MS-CorrelationId': 'corr-1', 'MS-RequestId': 'req-1' } });
      expect(echoed.headers.get('ms-correlationid')).toBe('corr-1');
      expect(echoed.headers.get('ms-requestid')).toBe('req-1');
      const made = await call(base, 'GET', '/audiences');
      expect(made.headers.get('ms-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('IDs in paths', () => {
    it.each([
      ['/products/abc', 'productId'],
      ['/products/1.152921504621442e18', 'productId'],
      ['/products/-5/submissions', 'productId'],
      ['/products/9007199267351835/submissions/x1', 'submissionId'],
      ['/products/9007199267351835/submissions/1/shippingLabels/1e5', 'shippingLabelId'],
    ])('refuses %s with 400 invalidInput on %s', async (path, target) => {
      const response = await call(base, 'GET', path);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalidInput');
      expect(response.body.error.validationErrors).toEqual([expect.objectContaining({ target })]);
    });

    it('answers IDs that do not exist with 404 entityNotFound', async () => {
      const product = await call(base, 'GET', '/products/9007199254740993');
      expect(product.status).toBe(404);
      expect(product.body.error).toMatchObject({ code: 'entityNotFound', message: 'Product not found' });
      expect((await call(base, 'GET', '/products/9007199254740993/submissions')).body.error.message).toBe('Product not found');
      const created = await call(base, 'POST', '/products', { body: newProductBody() });
      const submission = await call(base, 'GET', `/products/${created.body.id}/submissions/1152921504606846977`);
      expect(submission.status).toBe(404);
      expect(submission.body.error.message).toBe('No submission found');
      const commit = await call(base, 'POST', `/products/${created.body.id}/submissions/1152921504606846977/commit`);
      expect(commit.body.error.message).toBe('No submission found');
    });

    it('keeps IDs exact: the neighbour of an ID that a double would round to is another resource', async () => {
      const created = await call(base, 'POST', '/products', { body: newProductBody() });
      const id = BigInt(created.body.id);
      const neighbour = id % 2n === 1n ? id + 1n : id - 1n;
      expect((await call(base, 'GET', `/products/${id}`)).status).toBe(200);
      expect((await call(base, 'GET', `/products/${neighbour}`)).status).toBe(404);
    });
  });

  describe('request bodies', () => {
    it.each([
      ['text/plain', 'text/plain'],
      ['no Content-Type', undefined],
    ])('refuses %s on a JSON operation with 415', async (_case, contentType) => {
      const response = await fetch(`${base}/products`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, ...(contentType ? { 'Content-Type': contentType } : {}) },
        body: contentType ? JSON.stringify(newProductBody()) : new Blob([JSON.stringify(newProductBody())]),
      });
      expect(response.status).toBe(415);
      expect((await response.json()).error.code).toBe('unsupportedMediaType');
    });

    it('accepts a JSON media type with parameters', async () => {
      expect((await call(base, 'POST', '/products', { body: newProductBody(), contentType: 'application/json; charset=utf-8' })).status).toBe(201);
    });

    it('refuses malformed and empty JSON with 400', async () => {
      const malformed = await call(base, 'POST', '/products', { raw: '{"productName": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('invalidInput');
      expect(malformed.body.error.message).toMatch(/^The request body is not valid JSON: /);
      const empty = await call(base, 'POST', '/products', { raw: '', contentType: 'application/json' });
      expect(empty.status).toBe(400);
      expect(empty.body.error.message).toBe('The request body is empty; this operation needs a JSON body.');
    });

    it('refuses bodies the spec refuses with 422 and one validation error per field', async () => {
      const response = await call(base, 'POST', '/products', { body: { ...newProductBody(), testHarness: 'whql', isTestSign: 'yes', colour: 'blue' } });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('invalidInput');
      const targets = response.body.error.validationErrors.map((error: { target: string }) => error.target).sort();
      expect(targets).toEqual(['colour', 'isTestSign', 'testHarness']);
      expect(response.body.error.validationErrors).toContainEqual({
        target: 'testHarness',
        message: 'testHarness must be equal to one of the allowed values: "attestation", "hlk", "hck", "notset"',
      });
      const required = await call(base, 'POST', `/products/${(await call(base, 'POST', '/products', { body: newProductBody() })).body.id}/submissions`, { body: {} });
      // Nothing in a create-submission body is required by the docs: an empty body is not refused for it.
      expect(required.status).toBe(201);
      expect(response.body.error.validationErrors).toContainEqual({ target: 'isTestSign', message: 'isTestSign must be boolean' });
    });
  });

  describe('paging', () => {
    it('pages lists with next_link until it is absent, keeping the page size', async () => {
      for (let index = 0; index < 3; index += 1) await call(base, 'POST', '/products', { body: newProductBody({ productName: `paged ${index}` }) });
      const everything = await call(base, 'GET', '/products?pageSize=1000');
      expect(everything.body.links).toEqual([{ href: `${base}/products?pageSize=1000`, rel: 'self', method: 'GET' }]);
      const all: string[] = everything.body.value.map((product: { id: string }) => product.id);
      expect(all.length).toBeGreaterThanOrEqual(5);

      const seen: string[] = [];
      let next: string | undefined = '/products';
      let pages = 0;
      while (next) {
        const page = await call(base, 'GET', next);
        expect(page.status).toBe(200);
        expect(page.body.value.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.value.map((product: { id: string }) => product.id));
        next = page.body.links.find((link: { rel: string }) => link.rel === 'next_link')?.href;
        if (next) expect(new URL(next).searchParams.get('pageSize')).toBe('2');
        pages += 1;
      }
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / 2));
    });

    it('refuses a tampered continuation token and an out-of-range page size', async () => {
      const token = await call(base, 'GET', '/products?continuationToken=not-a-token');
      expect(token.status).toBe(400);
      expect(token.body.error.validationErrors[0].target).toBe('continuationToken');
      for (const size of ['0', '1001', 'ten']) {
        const response = await call(base, 'GET', `/products?pageSize=${size}`);
        expect(response.status).toBe(400);
        expect(response.body.error.validationErrors[0].target).toBe('pageSize');
      }
    });
  });

  describe('audiences', () => {
    it('lists a fixed set of audiences with GUID IDs, paged', async () => {
      const first = await call(base, 'GET', '/audiences');
      expect(first.body.value).toHaveLength(2);
      const second = await call(base, 'GET', first.body.links.find((link: { rel: string }) => link.rel === 'next_link').href);
      const audiences = [...first.body.value, ...second.body.value];
      expect(audiences).toHaveLength(4);
      for (const audience of audiences) {
        expect(audience.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(Object.keys(audience).sort()).toEqual(['audienceName', 'description', 'id', 'name']);
      }
      expect(second.body.links.some((link: { rel: string }) => link.rel === 'next_link')).toBe(false);
    });
  });

  it('answers only with statuses and bodies the spec documents', async () => {
    await expectResponsesMatchSpec(recorder.records);
  });
});
