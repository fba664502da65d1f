/**
 * Exact 64-bit IDs, both directions: 1152921504621441930, 13635057453741329 and 9007199267351835 are all
 * rounded by JSON.parse (to …442048, …328 and …836). They must arrive as the exact digit strings in bodies,
 * lists and links, go out as bare JSON numbers in request bodies, and be put into paths digit for digit.
 * Anything that is not an ID is refused before a request is sent.
 */
import { describe, expect, it } from '@jest/globals';
import { HttpResponse } from 'msw';
import { ValidationError, createHdcClient, type HdcClient } from '../../src/client/index.js';
import { quoteExactIntegers } from '../../src/client/json/exact-scan.js';
import { INT64_KEYS } from '../../src/client/json/lossless.js';
import { hdcHandler } from '../../src/mock/handlers.js';
import { productsPage } from '../support/json-pages.js';
import { API, OTHER_PRODUCT_ID, PRODUCT_ID, SUBMISSION_ID, useMockServer } from './support.js';

const { server, requests } = useMockServer();

const IDS = [SUBMISSION_ID, PRODUCT_ID, OTHER_PRODUCT_ID] as const;
const newClient = (): HdcClient => createHdcClient({ token: 'test-token', retry: { maxRetries: 0 } });

/** A JSON answer written as text, so the IDs are bare number literals exactly as the service sends them. */
const rawJson = (text: string) => () => new HttpResponse(text, { headers: { 'content-type': 'application/json' } });

it('the test IDs really are rounded by JSON.parse (the tests below would prove nothing otherwise)', () => {
  for (const id of IDS) expect(String(JSON.parse(id))).not.toBe(id);
  expect(BigInt(JSON.parse(SUBMISSION_ID))).toBe(1152921504621442048n);
});

describe('responses: IDs become exact digit strings', () => {
  it('in a single resource body', async () => {
    server.use(
      hdcHandler('getSubmission', rawJson(`{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID},"name":"n","type":"initial","commitStatus":"commitComplete"}`)),
    );
    const { data } = await newClient().GET('/products/{productId}/submissions/{submissionId}', {
      params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } },
    });
    expect(data?.id).toBe(SUBMISSION_ID);
    expect(data?.productId).toBe(PRODUCT_ID);
  });

  it('in the shipped example bodies (handlers serve the exact text)', async () => {
    const client = newClient();
    const product = await client.products.get(OTHER_PRODUCT_ID);
    expect(product.id).toBe(OTHER_PRODUCT_ID);
    expect(product.sharedProductId).toBe('1152921504606971256');
    const submission = await client.submissions.get(PRODUCT_ID, SUBMISSION_ID);
    expect(submission.id).toBe(SUBMISSION_ID);
    expect(submission.productId).toBe(PRODUCT_ID);
  });

  it('in lists, including nested and array-valued IDs', async () => {
    server.use(
      hdcHandler(
        'listShippingLabels',
        rawJson(
          `{"value":[` +
            IDS.map(
              (id) =>
                `{"id":${id},"productId":${PRODUCT_ID},"submissionId":${SUBMISSION_ID},"publishingSpecifications":{"visibleToAccounts":[${IDS.join(',')}]},"name":"label ${id}"}`,
            ).join(',') +
            `]}`,
        ),
      ),
    );
    const labels = [];
    for await (const label of newClient().shippingLabels.list(PRODUCT_ID, SUBMISSION_ID)) labels.push(label);
    expect(labels.map((l) => l.id)).toEqual([...IDS]);
    expect(labels.every((l) => l.productId === PRODUCT_ID && l.submissionId === SUBMISSION_ID)).toBe(true);
    expect(labels[2]!.publishingSpecifications?.visibleToAccounts).toEqual([...IDS]);
  });

  it('in links, and a next_link carrying the IDs is followed to exactly that URL', async () => {
    const next = `${API}/products/${PRODUCT_ID}/submissions?pageSize=1&after=${SUBMISSION_ID}&product=${OTHER_PRODUCT_ID}`;
    server.use(
      hdcHandler('listSubmissions', ({ request }) =>
        new URL(request.url).searchParams.has('after')
          ? rawJson(`{"value":[{"id":${OTHER_PRODUCT_ID},"productId":${PRODUCT_ID}}]}`)()
          : rawJson(
              `{"value":[{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID},"links":[{"href":"${API}/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}","rel":"self","method":"GET"}]}],` +
                `"links":[{"href":"${next}","rel":"next_link","method":"GET"}]}`,
            )(),
      ),
    );
    const submissions = [];
    for await (const submission of newClient().submissions.list(PRODUCT_ID)) submissions.push(submission);
    expect(submissions.map((s) => s.id)).toEqual([SUBMISSION_ID, OTHER_PRODUCT_ID]);
    expect(submissions[0]!.links?.[0]?.href).toBe(`${API}/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`);
    const sent = await requests();
    expect(sent.map((r) => r.url.href)).toEqual([`${API}/products/${PRODUCT_ID}/submissions`, next]);
  });

  it('an ID-looking number under another key stays exact too (nothing is ever rounded silently)', async () => {
    server.use(hdcHandler('getProduct', rawJson(`{"id":${OTHER_PRODUCT_ID},"additionalAttributes":{"someCounter":${SUBMISSION_ID}},"firmwareVersion":"1"}`)));
    const product = await newClient().products.get(OTHER_PRODUCT_ID);
    expect((product.additionalAttributes as Record<string, unknown>).someCounter).toBe(SUBMISSION_ID);
  });
});

describe('responses: a large body that arrives in many chunks', () => {
  // Read in 16 KiB chunks (as a socket delivers them), joined with room to spare, and quoted in place.
  const page = productsPage(400 * 1024);
  const chunked = () => () => {
    const bytes = new TextEncoder().encode(page);
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, (offset += 16 * 1024)));
      },
    });
    return new HttpResponse(body, { headers: { 'content-type': 'application/json' } });
  };
  const expected = JSON.parse(quoteExactIntegers(page, INT64_KEYS)) as { value: Array<{ id: string; sharedProductId: string }> };

  it('gives exact IDs to a typed call', async () => {
    server.use(hdcHandler('listProducts', chunked()));
    const { data } = await newClient().GET('/products', {});
    expect(data).toEqual(expected);
    expect(expected.value[0]!.id).toMatch(/^9\d{15}$/);
  });

  it('serves the text as sent, not as quoted, to a typed call that asks for text and to send()', async () => {
    server.use(hdcHandler('listProducts', chunked()));
    const { data: text } = await newClient().GET('/products', { parseAs: 'text' });
    expect(text).toBe(page);
    const response = await newClient().send({ method: 'GET', url: 'products' });
    expect(await response.clone().text()).toBe(page);
    expect(await response.json()).toEqual(expected);
  });
});

describe('requests: IDs go out as bare JSON numbers', () => {
  it('in a typed request body (visibleToAccounts), read as raw text by the handler', async () => {
    await newClient().POST('/products/{productId}/submissions/{submissionId}/shippingLabels', {
      params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } },
      body: {
        name: 'share',
        destination: 'windowsUpdate',
        publishingSpecifications: { visibleToAccounts: [...IDS], isAutoInstallDuringOSUpgrade: false, isAutoInstallOnApplicableSystems: false, manualAcquisition: true },
        targeting: { hardwareIds: [] },
      },
    });
    const [sent] = await requests();
    expect(sent!.text).toContain(`"visibleToAccounts":[${SUBMISSION_ID},${PRODUCT_ID},${OTHER_PRODUCT_ID}]`);
    expect(sent!.text).not.toContain(`"${SUBMISSION_ID}"`);
  });

  it('a value read from a response goes back out unchanged (round trip)', async () => {
    const client = newClient();
    const label = await client.shippingLabels.get('14461751976964157', '1152921504621467613', '1152921504606978459');
    const accounts = [...(label.publishingSpecifications?.visibleToAccounts ?? []), SUBMISSION_ID];
    await client.shippingLabels.create(label.productId!, label.submissionId!, {
      name: 'copy',
      destination: 'windowsUpdate',
      publishingSpecifications: { visibleToAccounts: accounts, isAutoInstallDuringOSUpgrade: false, isAutoInstallOnApplicableSystems: false, manualAcquisition: true },
      targeting: {},
    });
    const sent = await requests();
    expect(sent[1]!.url.pathname).toBe('/v2.0/my/hardware/products/14461751976964157/submissions/1152921504621467613/shippingLabels');
    expect(sent[1]!.text).toContain(`"visibleToAccounts":[27691110,${SUBMISSION_ID}]`);
  });

  it('bigint values are written as bare numbers as well', async () => {
    await newClient().POST('/products/{productId}/submissions/{submissionId}/shippingLabels', {
      params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } },
      body: {
        name: 'bigint',
        destination: 'notSet',
        publishingSpecifications: { visibleToAccounts: [BigInt(SUBMISSION_ID)] as unknown as string[] },
      },
    });
    expect((await requests())[0]!.text).toContain(`"visibleToAccounts":[${SUBMISSION_ID}]`);
  });
});

describe('paths: IDs are put in digit for digit', () => {
  it('typed calls', async () => {
    await newClient().GET('/products/{productId}/submissions/{submissionId}/shippingLabels/{shippingLabelId}', {
      params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID, shippingLabelId: OTHER_PRODUCT_ID } },
    });
    expect((await requests())[0]!.url.pathname).toBe(`/v2.0/my/hardware/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}/shippingLabels/${OTHER_PRODUCT_ID}`);
  });

  it('resource helpers, with digit strings, bigints and safe numbers', async () => {
    const client = newClient();
    await client.submissions.get(BigInt(PRODUCT_ID), BigInt(SUBMISSION_ID));
    await client.submissions.update(PRODUCT_ID, SUBMISSION_ID, { name: 'x' });
    await client.submissions.commit(OTHER_PRODUCT_ID, SUBMISSION_ID);
    await client.shippingLabels.cancel(PRODUCT_ID, SUBMISSION_ID, OTHER_PRODUCT_ID);
    await client.products.get(27691110);
    const paths = (await requests()).map((r) => r.url.pathname.replace('/v2.0/my/hardware', ''));
    expect(paths).toEqual([
      `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`,
      `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`,
      `/products/${OTHER_PRODUCT_ID}/submissions/${SUBMISSION_ID}/commit`,
      `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}/shippingLabels/${OTHER_PRODUCT_ID}/cancel`,
      '/products/27691110',
    ]);
  });
});

describe('a path ID that is not an ID is refused before any request is sent', () => {
  const invalid: [string, unknown][] = [
    ["'12a'", '12a'],
    ["'../1'", '../1'],
    ["'%2F'", '%2F'],
    ["'' (empty)", ''],
    ["'-1'", '-1'],
    ["' 13635057453741329' (space)", ` ${PRODUCT_ID}`],
    ['a JS number above 2^53 (13635057453741329 already rounded)', 13635057453741329],
    ['2^53 + 2', 2 ** 53 + 2],
    ['a fraction', 1.5],
    ['a negative bigint', -1n],
  ];

  it.each(invalid)('typed call with productId %s', async (_name, value) => {
    const failure = await newClient()
      .GET('/products/{productId}', { params: { path: { productId: value as string } } })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).code).toBe('InvalidPathParameter');
    expect((failure as ValidationError).message).toMatch(/^invalid productId .*: /);
    expect((failure as ValidationError).validationErrors[0]?.target).toBe('productId');
    expect(await requests()).toHaveLength(0);
  });

  it.each(invalid)('resource helper with submissionId %s', async (_name, value) => {
    await expect(newClient().submissions.get(PRODUCT_ID, value as string)).rejects.toMatchObject({
      name: 'ValidationError',
      code: 'InvalidPathParameter',
      validationErrors: [{ target: 'submissionId' }],
    });
    expect(await requests()).toHaveLength(0);
  });

  it('helpers reject (never throw synchronously), and the message says why a large number is refused', async () => {
    const pending = newClient().products.get(13635057453741329);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toThrow(/cannot hold this ID exactly; pass IDs as digit strings/);
  });

  it('a list helper refuses a bad ID before its first page is requested', async () => {
    const iterate = async () => {
      for await (const _ of newClient().shippingLabels.list(PRODUCT_ID, '1e18')) void _;
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'InvalidPathParameter' });
    expect(await requests()).toHaveLength(0);
  });

  it('a missing path parameter is refused too', async () => {
    await expect(newClient().GET('/products/{productId}', { params: { path: {} as { productId: string } } })).rejects.toMatchObject({
      code: 'InvalidPathParameter',
      message: expect.stringMatching(/productId .*required/),
    });
    expect(await requests()).toHaveLength(0);
  });

  it.each(['../x', '%2F', 'a/b', '..', 'a%5Cb', 'x?y=1', ''])('preprod packageId %j (an opaque string) must still be one path segment', async (value) => {
    const client = newClient();
    await expect(Promise.resolve().then(() => client.preprod.get(value))).rejects.toMatchObject({ code: 'InvalidPathParameter' });
    await expect(Promise.resolve().then(() => client.preprod.downloadAsset('0e6f1c2a-4b7d-4f3e-9a85-b1c2d3e4f5a6', value))).rejects.toMatchObject({
      code: 'InvalidPathParameter',
    });
    expect(await requests()).toHaveLength(0);
  });
});
