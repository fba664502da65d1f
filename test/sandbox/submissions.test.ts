/** Products and submissions: the service's documented rules and the ingestion workflow, on a manual clock. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { BlockBlobClient } from '@azure/storage-blob';
import { startSandbox } from '../../src/mock/sandbox/index.js';
import { FORCED_VALIDATION_MESSAGE } from '../../src/mock/sandbox/failures.js';
import { EMPTY_PACKAGE_MESSAGE, MISSING_PACKAGE_MESSAGE } from '../../src/mock/sandbox/ingestion.js';
import { COMMIT_RECEIVED_SECONDS, DRIVER_METADATA_DELAY_SECONDS, SECONDS_UNTIL_SIGNED } from '../../src/mock/sandbox/submission-workflow.js';
import { useSandbox } from './fixture.js';
import { cabWithoutInf, call, driverCab, expectResponsesMatchSpec, newProductBody, waitFor, type ApiResponse } from './support.js';

const DONE = SECONDS_UNTIL_SIGNED + DRIVER_METADATA_DELAY_SECONDS;

describe('sandbox products and submissions', () => {
  const suite = useSandbox({ ownAzurite: true, manualClock: true });
  const { clock, recorder } = suite;
  let base: string;
  beforeAll(() => {
    base = suite.base;
  });

  const createProduct = async (overrides = {}): Promise<string> => (await call(base, 'POST', '/products', { body: newProductBody(overrides) })).body.id;
  const createSubmission = (productId: string, type = 'initial', name = 'initial'): Promise<ApiResponse> =>
    call(base, 'POST', `/products/${productId}/submissions`, { body: { name, type } });
  const getSubmission = (productId: string, submissionId: string): Promise<ApiResponse> =>
    call(base, 'GET', `/products/${productId}/submissions/${submissionId}`);
  const commit = (productId: string, submissionId: string): Promise<ApiResponse> =>
    call(base, 'POST', `/products/${productId}/submissions/${submissionId}/commit`);
  /** Commits, moves the clock past the whole workflow and waits until the package has been examined. */
  const commitAndFinish = async (productId: string, submissionId: string): Promise<ApiResponse> => {
    expect((await commit(productId, submissionId)).status).toBe(202);
    clock.advance(DONE);
    return waitFor(
      () => getSubmission(productId, submissionId),
      (response) => response.body.workflowStatus.state === 'failed' || response.body.downloads.items.length === 4,
    );
  };
  const uploadTo = async (submission: ApiResponse, bytes: Buffer): Promise<void> => {
    await new BlockBlobClient(submission.body.downloads.items[0].url).uploadData(bytes);
  };

  describe('products', () => {
    it('creates a product with a fresh ID above 2^53, a shared product ID above 2^60 and links', async () => {
      const created = await call(base, 'POST', '/products', { body: newProductBody({ testHarness: 'HLK', firmwareVersion: '1.0', isTestSign: true }) });
      expect(created.status).toBe(201);
      const id = BigInt(created.body.id);
      expect(id >= 2n ** 53n && id < 2n ** 54n).toBe(true);
      expect(BigInt(created.body.sharedProductId) >= 2n ** 60n).toBe(true);
      expect(created.body).toMatchObject({ isCommitted: false, testHarness: 'hlk', firmwareVersion: '1.0', isTestSign: true, isFlightSign: false });
      expect(created.body.links).toEqual([
        { href: `${base}/products/${created.body.id}`, rel: 'self', method: 'GET' },
        { href: `${base}/products/${created.body.id}/submissions`, rel: 'get_submissions', method: 'GET' },
      ]);
      const read = await call(base, 'GET', `/products/${created.body.id}`);
      expect(read.body).toEqual(created.body);
      const next = await createProduct();
      expect(BigInt(next)).toBe(id + 1n);
    });

    it('refuses updates without an initial submission', async () => {
      const productId = await createProduct();
      const response = await call(base, 'PATCH', `/products/${productId}`, { body: { productName: 'renamed' } });
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: 'updateUnauthorized', message: "Can't update product without an initial submission", validationErrors: [] });
    });

    it('updates name, marketing names and announcement date before commit; refuses the name during ingestion and the date after', async () => {
      const productId = await createProduct();
      const submission = await createSubmission(productId);
      const patch = (body: object): Promise<ApiResponse> => call(base, 'PATCH', `/products/${productId}`, { body });
      expect((await patch({ productName: 'renamed', marketingNames: ['A', 'B'], announcementDate: '2026-01-01T00:00:00' })).status).toBe(204);
      expect((await call(base, 'GET', `/products/${productId}`)).body).toMatchObject({
        productName: 'renamed',
        marketingNames: ['A', 'B'],
        announcementDate: '2026-01-01T00:00:00',
      });

      await uploadTo(submission, driverCab());
      expect((await commit(productId, submission.body.id)).status).toBe(202);
      const duringIngestion = await patch({ productName: 'again' });
      expect(duringIngestion.status).toBe(400);
      expect(duringIngestion.body.error).toMatchObject({ code: 'updateUnauthorized', message: "Product Name can't be updated at this time. Try again." });

      clock.advance(DONE);
      await waitFor(() => getSubmission(productId, submission.body.id), (response) => response.body.downloads.items.length === 4);
      const date = await patch({ announcementDate: '2026-02-01T00:00:00Z' });
      expect(date.body.error).toMatchObject({ code: 'updateUnauthorized', message: "Announcement Date can't be updated after the ingestion process is finished" });
      expect((await patch({ productName: 'final', marketingNames: [] })).status).toBe(204);
      expect((await call(base, 'GET', `/products/${productId}`)).body).toMatchObject({ productName: 'final', marketingNames: [], isCommitted: true });
    });

    it('refuses updates once the workflow failed', async () => {
      const productId = await createProduct();
      const submission = await createSubmission(productId);
      await commitAndFinish(productId, submission.body.id);
      const response = await call(base, 'PATCH', `/products/${productId}`, { body: { marketingNames: ['x'] } });
      expect(response.body.error).toMatchObject({ code: 'updateUnauthorized', message: "Can't update product because the workflow failed" });
    });

    it('refuses an update body with fields that cannot change', async () => {
      const productId = await createProduct();
      const response = await call(base, 'PATCH', `/products/${productId}`, { body: { deviceType: 'external' } });
      expect(response.status).toBe(422);
      expect(response.body.error.validationErrors).toEqual([{ target: 'deviceType', message: 'deviceType is not a known property here' }]);
    });
  });

  describe('submissions', () => {
    it('creates an initial submission with an upload SAS URL, then refuses a second initial and allows derived ones', async () => {
      // Derived submissions are for HLK products (SDCM issue #69 refuses them for attestation ones).
      const productId = await createProduct({ testHarness: 'hlk' });
      const derivedFirst = await createSubmission(productId, 'derived');
      expect(derivedFirst.status).toBe(400);
      expect(derivedFirst.body.error).toMatchObject({
        code: 'requestInvalidForCurrentState',
        message: "Can't create derived submission since no initial submission created",
      });
      const initial = await createSubmission(productId);
      expect(initial.status).toBe(201);
      expect(initial.body.workflowStatus).toEqual({ currentStep: 'packageInfoValidation', state: 'notStarted', messages: [] });
      const second = await createSubmission(productId);
      expect(second.body.error).toMatchObject({ code: 'requestInvalidForCurrentState', message: 'Initial submission already exists' });
      const derived = await createSubmission(productId, 'derived', 'derived one');
      expect(derived.status).toBe(201);
      expect(derived.body.type).toBe('derived');
      expect(BigInt(derived.body.id)).toBeGreaterThan(BigInt(initial.body.id));

      const list = await call(base, 'GET', `/products/${productId}/submissions`);
      expect(list.body.value.map((submission: { id: string }) => submission.id)).toEqual([initial.body.id, derived.body.id]);
      for (const item of list.body.value) {
        expect(item.downloads).toBeUndefined();
        expect(item.workflowStatus.state).toBe('notStarted');
      }
    });

    it('renames a submission', async () => {
      const productId = await createProduct();
      const submission = await createSubmission(productId);
      const url = `/products/${productId}/submissions/${submission.body.id}`;
      expect((await call(base, 'PATCH', url, { body: { name: 'renamed' } })).status).toBe(204);
      expect((await call(base, 'GET', url)).body.name).toBe('renamed');
      expect((await call(base, 'PATCH', url, { body: { name: 'x', type: 'derived' } })).status).toBe(422);
    });

    it('walks commitPending → commitReceived → commitComplete and the ingestion steps on the clock, then signs', async () => {
      const productId = await createProduct();
      const submission = await createSubmission(productId);
      const submissionId: string = submission.body.id;
      await uploadTo(submission, driverCab());
      expect((await commit(productId, submissionId)).status).toBe(202);
      const received = await getSubmission(productId, submissionId);
      expect(received.body.commitStatus).toBe('commitReceived');
      // After commit the initial package link is read-only.
      expect(new URL(received.body.downloads.items[0].url).searchParams.get('sp')).toBe('r');

      // packageInfoValidation reports completed in its last second, and only once the package has been examined.
      clock.advance(COMMIT_RECEIVED_SECONDS + 4);
      await waitFor(() => getSubmission(productId, submissionId), (response) => response.body.workflowStatus.state === 'completed');
      const steps: string[] = [];
      for (let second = COMMIT_RECEIVED_SECONDS + 4; second < SECONDS_UNTIL_SIGNED; second += 1) {
        const step = (await getSubmission(productId, submissionId)).body.workflowStatus.currentStep;
        if (steps.at(-1) !== step) steps.push(step);
        clock.advance(1);
      }
      expect(steps).toEqual(['packageInfoValidation', 'preparation', 'scanning', 'validation', 'catalogCreation', 'manualReview', 'signing', 'finalizeIngestion']);
      const signed = await getSubmission(productId, submissionId);
      expect(signed.body.workflowStatus).toEqual({ currentStep: 'finalizeIngestion', state: 'completed', messages: [] });
      // The documented quirk: the driver metadata arrives after the signed package.
      expect(signed.body.downloads.items.map((item: { type: string }) => item.type)).toEqual(['initialPackage', 'signedPackage', 'certificationReport']);
      clock.advance(DRIVER_METADATA_DELAY_SECONDS);
      const complete = await getSubmission(productId, submissionId);
      expect(complete.body.downloads.items.map((item: { type: string }) => item.type)).toEqual(['initialPackage', 'signedPackage', 'certificationReport', 'driverMetadata']);
    });

    it('commits only pending submissions', async () => {
      const productId = await createProduct();
      const submission = await createSubmission(productId);
      expect((await commit(productId, submission.body.id)).status).toBe(202);
      const again = await commit(productId, submission.body.id);
      expect(again.status).toBe(400);
      expect(again.body.error).toMatchObject({ code: 'requestInvalidForCurrentState', message: 'Only pending submissions can be committed.' });
    });

    it.each([
      ['nothing was uploaded', undefined, [MISSING_PACKAGE_MESSAGE]],
      ['the upload is empty', Buffer.alloc(0), [EMPTY_PACKAGE_MESSAGE]],
    ])('fails packageInfoValidation when %s', async (_case, bytes, messages) => {
      const productId = await createProduct();
      const submission = await createSubmission(productId);
      if (bytes) await uploadTo(submission, bytes);
      const failed = await commitAndFinish(productId, submission.body.id);
      expect(failed.body.commitStatus).toBe('commitComplete');
      expect(failed.body.workflowStatus).toEqual({ currentStep: 'packageInfoValidation', state: 'failed', messages });
      expect(failed.body.downloads.items.map((item: { type: string }) => item.type)).toEqual(['initialPackage']);
    });

    it('fails packageInfoValidation with the preflight findings, naming the package as uploaded', async () => {
      const productId = await createProduct();
      const submission = await createSubmission(productId);
      await uploadTo(submission, cabWithoutInf());
      const failed = await commitAndFinish(productId, submission.body.id);
      expect(failed.body.workflowStatus.state).toBe('failed');
      expect(failed.body.workflowStatus.messages).toEqual([
        'package.cab holds no .inf file, so there is no driver to sign. Add the driver\'s INF, SYS and CAT files (in a subfolder).',
      ]);
    });

    it('fails an HLK product\'s CAB upload: the harness takes an .hlkx package', async () => {
      const productId = await createProduct({ testHarness: 'hlk' });
      const submission = await createSubmission(productId);
      await uploadTo(submission, driverCab());
      const failed = await commitAndFinish(productId, submission.body.id);
      expect(failed.body.workflowStatus).toMatchObject({ currentStep: 'packageInfoValidation', state: 'failed' });
      expect(failed.body.workflowStatus.messages).toEqual([
        expect.stringMatching(/^HLK submissions take the \.hlkx package that HLK Studio creates; package\.cab is a \.cab\./),
        expect.stringMatching(/^package\.cab should be an \.hlkx package, which is a Zip file, but it is a cabinet\./),
      ]);
    });

    it('refuses to rename a submission whose workflow failed', async () => {
      const productId = await createProduct();
      const submission = await createSubmission(productId);
      await commitAndFinish(productId, submission.body.id);
      const response = await call(base, 'PATCH', `/products/${productId}/submissions/${submission.body.id}`, { body: { name: 'x' } });
      expect(response.body.error).toMatchObject({ code: 'updateUnauthorized', message: "Can't update the submission since the workflows failed" });
    });

    it('accepts createpublishermetadata with 202', async () => {
      const productId = await createProduct();
      const submission = await createSubmission(productId);
      const response = await call(base, 'POST', `/products/${productId}/submissions/${submission.body.id}/createpublishermetadata`);
      expect(response.status).toBe(202);
      expect(response.text).toBe('');
    });

    it('does not find a submission under another product', async () => {
      const productId = await createProduct();
      const other = await createProduct();
      const submission = await createSubmission(productId);
      const response = await getSubmission(other, submission.body.id);
      expect(response.status).toBe(404);
      expect(response.body.error.message).toBe('No submission found');
    });
  });

  describe('scenario failures', () => {
    it.each([
      [{ validation: true }, 'packageInfoValidation', FORCED_VALIDATION_MESSAGE],
      [{ ingestionStep: 'scanning' as const }, 'scanning', 'The scanning step failed (sandbox failure scenario "ingestionStep").'],
    ])('fails every submission as configured: %j', async (failures, step, message) => {
      const failing = await startSandbox({ azurite: suite.azurite, now: clock.now, failures, onResponse: recorder.onResponse });
      try {
        const productId = (await call(failing.baseUrl, 'POST', '/products', { body: newProductBody() })).body.id;
        const submission = await call(failing.baseUrl, 'POST', `/products/${productId}/submissions`, { body: { name: 's', type: 'initial' } });
        await uploadTo(submission, driverCab());
        await call(failing.baseUrl, 'POST', `/products/${productId}/submissions/${submission.body.id}/commit`);
        clock.advance(DONE);
        const failed = await waitFor(
          () => call(failing.baseUrl, 'GET', `/products/${productId}/submissions/${submission.body.id}`),
          (response) => response.body.workflowStatus.state === 'failed',
        );
        expect(failed.body.workflowStatus).toEqual({ currentStep: step, state: 'failed', messages: [message] });
        expect(failed.body.downloads.items).toHaveLength(1);
      } finally {
        await failing.stop();
      }
    });
  });

  it('answers only with statuses and bodies the spec documents', async () => {
    await expectResponsesMatchSpec(recorder.records);
  });
});
