/**
 * Every operation of the spec, called through the typed client against the msw handlers built from the spec's
 * examples, and every resource helper. Answers must equal the documented examples with exact IDs, and requests
 * must reach the documented method and path with the exact IDs and the documented body.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { createHdcClient, type HdcClient } from '../../src/client/index.js';
import { stringifyJson } from '../../src/client/json/lossless.js';
import { hdcHandler } from '../../src/mock/handlers.js';
import { operations } from '../../generated/operations.js';
import { API, OTHER_PRODUCT_ID, PRODUCT_ID, SUBMISSION_ID, operation, requestExample, responseExample, useMockServer } from './support.js';

const { server, requests } = useMockServer();

const LABEL_ID = '1152921504606978459';
const LABEL_PRODUCT_ID = '14461751976964157';
const LABEL_SUBMISSION_ID = '1152921504621467613';
const PACKAGE_ID = '0e6f1c2a-4b7d-4f3e-9a85-b1c2d3e4f5a6';
const ASSET_ID = '7c9d2e41-5a6b-4c8d-9e0f-a1b2c3d4e5f6';
/** The first bytes of a CAB file: what a preproduction submission uploads. */
const CAB_BYTES = new Uint8Array([0x4d, 0x53, 0x43, 0x46, 0x00, 0x00, 0x00, 0x00, 0xff, 0x80, 0x0a, 0x0d]);

const newClient = (): HdcClient => createHdcClient({ token: 'test-token', retry: { maxRetries: 0 } });

interface TypedCall {
  /** The concrete path the call must reach (relative to the API root), query included. */
  path: string;
  call: (client: HdcClient) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

/**
 * One typed call per operation. The paths are written out by hand on purpose: they are what a user types,
 * and the test below checks that they are exactly the spec's paths with the IDs filled in.
 */
const typedCalls: Record<string, TypedCall> = {
  listProducts: { path: '/products', call: (c) => c.GET('/products') },
  getProduct: {
    path: `/products/${OTHER_PRODUCT_ID}`,
    call: (c) => c.GET('/products/{productId}', { params: { path: { productId: OTHER_PRODUCT_ID } } }),
  },
  createProduct: { path: '/products', call: (c) => c.POST('/products', { body: requestExample('createProduct') }) },
  updateProduct: {
    path: `/products/${OTHER_PRODUCT_ID}`,
    call: (c) => c.PATCH('/products/{productId}', { params: { path: { productId: OTHER_PRODUCT_ID } }, body: requestExample('updateProduct') }),
  },
  listSubmissions: {
    path: `/products/${PRODUCT_ID}/submissions`,
    call: (c) => c.GET('/products/{productId}/submissions', { params: { path: { productId: PRODUCT_ID } } }),
  },
  getSubmission: {
    path: `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`,
    call: (c) => c.GET('/products/{productId}/submissions/{submissionId}', { params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } } }),
  },
  createSubmission: {
    path: '/products/14631253285588838/submissions',
    call: (c) => c.POST('/products/{productId}/submissions', { params: { path: { productId: '14631253285588838' } }, body: requestExample('createSubmission') }),
  },
  updateSubmission: {
    path: `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`,
    call: (c) =>
      c.PATCH('/products/{productId}/submissions/{submissionId}', {
        params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } },
        body: requestExample('updateSubmission'),
      }),
  },
  commitSubmission: {
    path: '/products/14631253285588838/submissions/1152921504621465124/commit',
    call: (c) =>
      c.POST('/products/{productId}/submissions/{submissionId}/commit', { params: { path: { productId: '14631253285588838', submissionId: '1152921504621465124' } } }),
  },
  createPublisherMetadata: {
    path: `/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}/createpublishermetadata`,
    call: (c) =>
      c.POST('/products/{productId}/submissions/{submissionId}/createpublishermetadata', { params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } } }),
  },
  listShippingLabels: {
    path: `/products/${LABEL_PRODUCT_ID}/submissions/${LABEL_SUBMISSION_ID}/shippingLabels?includeTargetingInfo=true`,
    call: (c) =>
      c.GET('/products/{productId}/submissions/{submissionId}/shippingLabels', {
        params: { path: { productId: LABEL_PRODUCT_ID, submissionId: LABEL_SUBMISSION_ID }, query: { includeTargetingInfo: true } },
      }),
  },
  getShippingLabel: {
    path: `/products/${LABEL_PRODUCT_ID}/submissions/${LABEL_SUBMISSION_ID}/shippingLabels/${LABEL_ID}?includeTargetingInfo=true`,
    call: (c) =>
      c.GET('/products/{productId}/submissions/{submissionId}/shippingLabels/{shippingLabelId}', {
        params: { path: { productId: LABEL_PRODUCT_ID, submissionId: LABEL_SUBMISSION_ID, shippingLabelId: LABEL_ID }, query: { includeTargetingInfo: true } },
      }),
  },
  createShippingLabel: {
    path: `/products/${LABEL_PRODUCT_ID}/submissions/${LABEL_SUBMISSION_ID}/shippingLabels`,
    call: (c) =>
      c.POST('/products/{productId}/submissions/{submissionId}/shippingLabels', {
        params: { path: { productId: LABEL_PRODUCT_ID, submissionId: LABEL_SUBMISSION_ID } },
        body: requestExample('createShippingLabel'),
      }),
  },
  updateShippingLabel: {
    path: `/products/${LABEL_PRODUCT_ID}/submissions/${LABEL_SUBMISSION_ID}/shippingLabels/${LABEL_ID}`,
    call: (c) =>
      c.PATCH('/products/{productId}/submissions/{submissionId}/shippingLabels/{shippingLabelId}', {
        params: { path: { productId: LABEL_PRODUCT_ID, submissionId: LABEL_SUBMISSION_ID, shippingLabelId: LABEL_ID } },
        body: requestExample('updateShippingLabel'),
      }),
  },
  cancelShippingLabel: {
    path: `/products/${LABEL_PRODUCT_ID}/submissions/${LABEL_SUBMISSION_ID}/shippingLabels/${LABEL_ID}/cancel`,
    call: (c) =>
      c.PUT('/products/{productId}/submissions/{submissionId}/shippingLabels/{shippingLabelId}/cancel', {
        params: { path: { productId: LABEL_PRODUCT_ID, submissionId: LABEL_SUBMISSION_ID, shippingLabelId: LABEL_ID } },
      }),
  },
  listAudiences: { path: '/audiences', call: (c) => c.GET('/audiences') },
  getPartnerSubmission: {
    path: `/products/relationships/sourcepubliherid/29963920/sourceproductid/${PRODUCT_ID}/sourcesubmissionid/${SUBMISSION_ID}`,
    call: (c) =>
      c.GET('/products/relationships/sourcepubliherid/{publisherId}/sourceproductid/{productId}/sourcesubmissionid/{submissionId}', {
        params: { path: { publisherId: '29963920', productId: PRODUCT_ID, submissionId: SUBMISSION_ID } },
      }),
  },
  submitPreprodPackage: {
    path: '/preprod/packages',
    // The spec types an octet-stream body as a string; a non-JSON content type sends it as it is.
    call: (c) => c.PUT('/preprod/packages', { body: 'MSCF preproduction package', headers: { 'content-type': 'application/octet-stream' } }),
  },
  getPreprodPackage: {
    path: `/preprod/packages/${PACKAGE_ID}`,
    call: (c) => c.GET('/preprod/packages/{packageId}', { params: { path: { packageId: PACKAGE_ID } } }),
  },
  listPreprodPackageAssets: {
    path: `/preprod/packages/${PACKAGE_ID}/assets`,
    call: (c) => c.GET('/preprod/packages/{packageId}/assets', { params: { path: { packageId: PACKAGE_ID } } }),
  },
  getPreprodPackageAsset: {
    path: `/preprod/packages/${PACKAGE_ID}/assets/${ASSET_ID}`,
    call: (c) => c.GET('/preprod/packages/{packageId}/assets/{assetId}', { params: { path: { packageId: PACKAGE_ID, assetId: ASSET_ID } } }),
  },
  downloadPreprodPackageAsset: {
    path: `/preprod/packages/${PACKAGE_ID}/assets/${ASSET_ID}/download`,
    call: (c) =>
      c.GET('/preprod/packages/{packageId}/assets/{assetId}/download', {
        params: { path: { packageId: PACKAGE_ID, assetId: ASSET_ID } },
        headers: { accept: 'application/octet-stream' },
        parseAs: 'arrayBuffer',
      }),
  },
};

/** The spec path template with the concrete IDs of a call filled in must give the call's path. */
function fillTemplate(template: string, concrete: string): boolean {
  const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  return pattern.test(concrete.split('?')[0]!);
}

describe('every operation in the spec, through the typed client', () => {
  it('has a typed call in this test (add one when the spec gains an operation)', () => {
    const specIds = operations.map((op) => op.operationId).sort();
    expect(Object.keys(typedCalls).sort()).toEqual(specIds);
    expect(specIds.length).toBeGreaterThanOrEqual(21);
  });

  it.each(operations.map((op) => [op.operationId, op] as const))('%s answers with its documented status and example', async (operationId, op) => {
    const typed = typedCalls[operationId];
    if (!typed) throw new Error(`no typed call for ${operationId}`);
    expect(fillTemplate(op.path, typed.path)).toBe(true);

    const { data, error, response } = await typed.call(newClient());

    expect(error).toBeUndefined();
    expect(response.status).toBe(op.successStatus);
    if (op.responseExample !== null) {
      expect(data).toEqual(responseExample(operationId));
    } else if (op.successContentType === null) {
      expect(data).toBeUndefined();
    } else {
      // A binary answer (the asset download): a zip archive.
      expect([...new Uint8Array(data as ArrayBuffer).subarray(0, 4)]).toEqual([0x50, 0x4b, 0x05, 0x06]);
    }

    const [sent, ...more] = await requests();
    expect(more).toHaveLength(0);
    expect(sent!.method).toBe(op.method);
    expect(`${sent!.url.pathname}${sent!.url.search}`).toBe(new URL(API).pathname + typed.path);
    expect(sent!.headers.get('authorization')).toBe('Bearer test-token');
    if (op.requestExample !== null) {
      // The documented body went out byte for byte: same members, same order, IDs as bare numbers.
      expect(sent!.headers.get('content-type')).toBe('application/json');
      expect(sent!.text).toBe(op.requestExample);
    }
  });

  it('submitPreprodPackage sends the typed body as raw octets, not as a JSON string', async () => {
    await typedCalls.submitPreprodPackage!.call(newClient());
    const [sent] = await requests();
    expect(sent!.headers.get('content-type')).toBe('application/octet-stream');
    expect(sent!.text).toBe('MSCF preproduction package');
  });

  it('the seed call returns the created submission with id exactly "1152921504621465124"', async () => {
    const { data } = await newClient().POST('/products/{productId}/submissions', {
      params: { path: { productId: '14631253285588838' } },
      body: { name: 'Contoso driver 1.2', type: 'initial' },
    });
    expect(data?.id).toBe('1152921504621465124');
    expect(data?.productId).toBe('14631253285588838');
    expect(data?.commitStatus).toBe('commitPending');
  });
});

describe('products helper', () => {
  const pages = [
    { token: undefined, ids: ['9007199267351834', '9007199267351835'] },
    { token: 'page+2/==', ids: ['13635057453741329'] },
    { token: 'page 3', ids: ['14631253285588838', '14461751976964157'] },
  ];
  const page = (index: number) => {
    const next = pages[index + 1];
    const links = [{ href: `${API}/products?pageSize=2`, rel: 'self', method: 'GET' }];
    if (next) links.push({ href: `${API}/products?pageSize=2&continuationToken=${encodeURIComponent(next.token!)}`, rel: 'next_link', method: 'GET' });
    // Written with the exact IDs as bare JSON numbers, as the service sends them.
    const text = stringifyJson({ value: pages[index]!.ids.map((id) => ({ id, productName: `product ${id}` })), links });
    return new HttpResponse(text, { headers: { 'content-type': 'application/json' } });
  };

  it('list() is an async iterable that follows next_link across pages', async () => {
    server.use(
      hdcHandler('listProducts', ({ request }) => {
        const token = new URL(request.url).searchParams.get('continuationToken');
        const index = pages.findIndex((p) => (p.token ?? null) === token);
        return index === -1 ? HttpResponse.json({ error: { code: 'InvalidInput', message: `bad token ${token}` } }, { status: 400 }) : page(index);
      }),
    );
    const ids: string[] = [];
    for await (const product of newClient().products.list()) ids.push(product.id!);

    expect(ids).toEqual(pages.flatMap((p) => p.ids));
    const sent = await requests();
    expect(sent.map((r) => r.url.searchParams.get('continuationToken'))).toEqual([null, 'page+2/==', 'page 3']);
    expect(sent.every((r) => r.headers.get('authorization') === 'Bearer test-token')).toBe(true);
  });

  it('list() against the default handler yields the documented example products', async () => {
    // The example's next_link points back at /products; answer it with an empty last page.
    server.use(
      hdcHandler('listProducts', ({ request }) =>
        new URL(request.url).searchParams.has('continuationToken') ? HttpResponse.json({ value: [] }) : undefined,
      ),
    );
    const products = [];
    for await (const product of newClient().products.list()) products.push(product);
    expect(products).toEqual((responseExample('listProducts') as { value: unknown[] }).value);
  });

  it('list() stops with an error instead of looping when next_link repeats', async () => {
    const iterate = async () => {
      for await (const _ of newClient().products.list()) void _;
    };
    await expect(iterate()).rejects.toMatchObject({ name: 'MalformedResponseError', code: 'PagingLoop' });
  });

  it('get / create / update', async () => {
    const client = newClient();
    await expect(client.products.get(OTHER_PRODUCT_ID)).resolves.toEqual(responseExample('getProduct'));
    await expect(client.products.create(requestExample('createProduct'))).resolves.toEqual(responseExample('createProduct'));
    await expect(client.products.update(OTHER_PRODUCT_ID, requestExample('updateProduct'))).resolves.toBeUndefined();

    const sent = await requests();
    expect(sent.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      `GET /v2.0/my/hardware/products/${OTHER_PRODUCT_ID}`,
      'POST /v2.0/my/hardware/products',
      `PATCH /v2.0/my/hardware/products/${OTHER_PRODUCT_ID}`,
    ]);
    expect(sent[1]!.text).toBe(operation('createProduct').requestExample);
    expect(sent[2]!.text).toBe(operation('updateProduct').requestExample);
  });
});

describe('submissions helper', () => {
  it('list / get / create / update / commit / createPublisherMetadata', async () => {
    const client = newClient();
    const listed = [];
    for await (const submission of client.submissions.list(PRODUCT_ID)) listed.push(submission);
    expect(listed.map((s) => s.id)).toEqual(['1152921504621441944', '1152921504621441946', SUBMISSION_ID]);
    expect(listed).toEqual((responseExample('listSubmissions') as { value: unknown[] }).value);

    await expect(client.submissions.get(PRODUCT_ID, SUBMISSION_ID)).resolves.toEqual(responseExample('getSubmission'));
    const created = await client.submissions.create('14631253285588838', { name: 'Contoso Virtual Touch Driver 1.0.4', type: 'initial' });
    expect(created).toEqual(responseExample('createSubmission'));
    expect(created.downloads?.items?.find((item) => item.type === 'initialPackage')?.url).toMatch(/^https:\/\/ingestionpackages\.blob\.core\.windows\.net\//);
    await expect(client.submissions.update(PRODUCT_ID, SUBMISSION_ID, { name: 'Contoso Touch Controller 10.0.1.2 (RTM)' })).resolves.toBeUndefined();
    await expect(client.submissions.commit('14631253285588838', '1152921504621465124')).resolves.toEqual({ verified: false, attempts: 1 });
    await expect(client.submissions.createPublisherMetadata(PRODUCT_ID, SUBMISSION_ID)).resolves.toBeUndefined();

    const sent = await requests();
    expect(sent.map((r) => `${r.method} ${r.url.pathname.replace('/v2.0/my/hardware', '')}`)).toEqual([
      `GET /products/${PRODUCT_ID}/submissions`,
      `GET /products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`,
      'POST /products/14631253285588838/submissions',
      `PATCH /products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`,
      'POST /products/14631253285588838/submissions/1152921504621465124/commit',
      `POST /products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}/createpublishermetadata`,
    ]);
    expect(sent[2]!.text).toBe('{"name":"Contoso Virtual Touch Driver 1.0.4","type":"initial"}');
    expect(sent[3]!.text).toBe('{"name":"Contoso Touch Controller 10.0.1.2 (RTM)"}');
    // Commit: no body, but the Content-Type the docs ask for.
    expect(sent[4]!.text).toBe('');
    expect(sent[4]!.headers.get('content-type')).toBe('application/json');
  });

  it('commit() reads commitStatus after an ambiguous 502 instead of committing again blind', async () => {
    server.use(
      hdcHandler('commitSubmission', () =>
        HttpResponse.json({ error: { code: 'requestInvalidForCurrentState', message: 'Only pending submissions can be committed.' } }, { status: 502 }),
      ),
    );
    const outcome = await newClient().submissions.commit(PRODUCT_ID, SUBMISSION_ID);
    // The getSubmission example says commitComplete: the commit had taken.
    expect(outcome).toEqual({ verified: true, attempts: 1, commitStatus: 'commitComplete' });
    const sent = await requests();
    expect(sent.map((r) => r.method)).toEqual(['POST', 'GET']);
  });
});

describe('shippingLabels helper', () => {
  it('list / get send includeTargetingInfo=true by default and false when asked', async () => {
    const client = newClient();
    const labels = [];
    for await (const label of client.shippingLabels.list(LABEL_PRODUCT_ID, LABEL_SUBMISSION_ID)) labels.push(label);
    expect(labels).toEqual((responseExample('listShippingLabels') as { value: unknown[] }).value);
    const label = await client.shippingLabels.get(LABEL_PRODUCT_ID, LABEL_SUBMISSION_ID, LABEL_ID);
    expect(label).toEqual(responseExample('getShippingLabel'));
    expect(label.targeting?.hardwareIds?.[0]?.pnpString).toBe('hid\\vid_c0de&pid_7001');
    await client.shippingLabels.get(LABEL_PRODUCT_ID, LABEL_SUBMISSION_ID, LABEL_ID, { includeTargetingInfo: false });
    for await (const _ of client.shippingLabels.list(LABEL_PRODUCT_ID, LABEL_SUBMISSION_ID, { includeTargetingInfo: false })) void _;

    const sent = await requests();
    expect(sent.map((r) => r.url.searchParams.get('includeTargetingInfo'))).toEqual(['true', 'true', 'false', 'false']);
    expect(sent[1]!.url.pathname).toBe(`/v2.0/my/hardware/products/${LABEL_PRODUCT_ID}/submissions/${LABEL_SUBMISSION_ID}/shippingLabels/${LABEL_ID}`);
  });

  it('create / update / cancel', async () => {
    const client = newClient();
    const created = await client.shippingLabels.create(LABEL_PRODUCT_ID, LABEL_SUBMISSION_ID, requestExample('createShippingLabel'));
    expect(created).toEqual(responseExample('createShippingLabel'));
    expect(created.id).toBe('1152921504606997603');
    await expect(client.shippingLabels.update(LABEL_PRODUCT_ID, LABEL_SUBMISSION_ID, LABEL_ID, requestExample('updateShippingLabel'))).resolves.toBeUndefined();
    await expect(client.shippingLabels.cancel(LABEL_PRODUCT_ID, LABEL_SUBMISSION_ID, LABEL_ID)).resolves.toBeUndefined();

    const sent = await requests();
    const base = `/v2.0/my/hardware/products/${LABEL_PRODUCT_ID}/submissions/${LABEL_SUBMISSION_ID}/shippingLabels`;
    expect(sent.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([`POST ${base}`, `PATCH ${base}/${LABEL_ID}`, `PUT ${base}/${LABEL_ID}/cancel`]);
    expect(sent[0]!.text).toBe(operation('createShippingLabel').requestExample);
    expect(sent[1]!.text).toBe(operation('updateShippingLabel').requestExample);
  });
});

describe('audiences helper', () => {
  it('list() yields the documented audiences', async () => {
    const audiences = [];
    for await (const audience of newClient().audiences.list()) audiences.push(audience);
    expect(audiences.map((a) => a.id)).toEqual(['6f0d3c2b-91e4-4c7a-8b5f-2e1a9d4c7b30', 'b82e5a17-3c6d-4f09-a1e4-7d93c0f5e261']);
    expect(audiences).toEqual((responseExample('listAudiences') as { value: unknown[] }).value);
  });
});

describe('partner submissions helper', () => {
  it('get() sends the partner’s exact IDs on the misspelt path and returns the submission with this account’s IDs', async () => {
    const submission = await newClient().partnerSubmissions.get('29963920', PRODUCT_ID, SUBMISSION_ID);
    expect(submission).toEqual(responseExample('getPartnerSubmission'));
    // Exact, not rounded: 1152921504621502117 is no double.
    expect(submission.id).toBe('1152921504621502117');
    expect(submission.productId).toBe('9007199267352017');
    const [sent] = await requests();
    expect(sent!.method).toBe('GET');
    expect(sent!.url.href).toBe(`${API}/products/relationships/sourcepubliherid/29963920/sourceproductid/${PRODUCT_ID}/sourcesubmissionid/${SUBMISSION_ID}`);
  });

  it('get() throws NotFoundError when nothing was shared, and refuses a publisher ID that is not digits before sending', async () => {
    server.use(hdcHandler('getPartnerSubmission', () => HttpResponse.json({ error: { code: 'entityNotFound', message: 'not shared' } }, { status: 404 })));
    const client = newClient();
    await expect(client.partnerSubmissions.get('29963920', PRODUCT_ID, SUBMISSION_ID)).rejects.toMatchObject({ name: 'NotFoundError', status: 404 });
    await expect(client.partnerSubmissions.get('contoso', PRODUCT_ID, SUBMISSION_ID)).rejects.toMatchObject({ name: 'ValidationError' });
    // A publisher ID that has already lost digits as a JavaScript number.
    await expect(client.partnerSubmissions.get(1152921504621502117, PRODUCT_ID, SUBMISSION_ID)).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await requests()).toHaveLength(1);
  });
});

describe('preprod helper', () => {
  it('submit() sends bytes, a Blob, or a file streamed from disk as application/octet-stream', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hwdash-preprod-'));
    try {
      const file = join(dir, 'driver.cab');
      await writeFile(file, CAB_BYTES);
      const client = newClient();
      const expected = responseExample('submitPreprodPackage');
      await expect(client.preprod.submit(CAB_BYTES)).resolves.toEqual(expected);
      await expect(client.preprod.submit(new Blob([CAB_BYTES]))).resolves.toEqual(expected);
      await expect(client.preprod.submit(file)).resolves.toEqual(expected);

      const sent = await requests();
      expect(sent).toHaveLength(3);
      for (const request of sent) {
        expect(`${request.method} ${request.url.pathname}`).toBe('PUT /v2.0/my/hardware/preprod/packages');
        expect(request.headers.get('content-type')).toBe('application/octet-stream');
        expect([...request.bytes]).toEqual([...CAB_BYTES]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('get / assets / asset / downloadAsset', async () => {
    const client = newClient();
    await expect(client.preprod.get(PACKAGE_ID)).resolves.toEqual(responseExample('getPreprodPackage'));
    await expect(client.preprod.assets(PACKAGE_ID)).resolves.toEqual((responseExample('listPreprodPackageAssets') as { value: unknown[] }).value);
    await expect(client.preprod.asset(PACKAGE_ID, ASSET_ID)).resolves.toEqual(responseExample('getPreprodPackageAsset'));

    const zip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
    server.use(
      http.get(`${API}/preprod/packages/:packageId/assets/:assetId/download`, ({ params }) =>
        params.packageId === PACKAGE_ID && params.assetId === ASSET_ID
          ? new HttpResponse(zip, { headers: { 'content-type': 'application/zip', 'content-length': String(zip.byteLength) } })
          : new HttpResponse(null, { status: 404 }),
      ),
    );
    const download = await client.preprod.downloadAsset(PACKAGE_ID, ASSET_ID);
    expect(download.contentType).toBe('application/zip');
    expect(download.contentLength).toBe(22);
    expect([...new Uint8Array(await new Response(download.body).arrayBuffer())]).toEqual([...zip]);

    const sent = await requests();
    expect(sent.map((r) => r.url.pathname.replace('/v2.0/my/hardware/preprod/packages', ''))).toEqual([
      `/${PACKAGE_ID}`,
      `/${PACKAGE_ID}/assets`,
      `/${PACKAGE_ID}/assets/${ASSET_ID}`,
      `/${PACKAGE_ID}/assets/${ASSET_ID}/download`,
    ]);
    expect(sent[3]!.headers.get('accept')).toMatch(/application\/octet-stream/);
  });

  it('downloadAsset() against the default handler streams the documented binary answer', async () => {
    const download = await newClient().preprod.downloadAsset(PACKAGE_ID, ASSET_ID);
    const bytes = new Uint8Array(await new Response(download.body).arrayBuffer());
    // An empty zip archive: its end-of-central-directory record.
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x05, 0x06]);
  });
});
