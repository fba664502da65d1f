/**
 * signDriver end to end against the sandbox (real HTTP on loopback, blobs on its embedded Azurite): the signed
 * package and driver metadata end up on disk, and a run stopped at any step boundary, mid-step, or just after a
 * request reached the service resumes with the same submission and no duplicate create or commit.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHdcClient, type HdcClient } from '../../src/client/client.js';
import { parseJson } from '../../src/client/json/lossless.js';
import { SIGNATURE_MANIFEST_NAME, startSandbox, type ResponseRecord, type Sandbox } from '../../src/mock/sandbox/index.js';
import { createSasUrl } from '../../src/mock/azurite.js';
import { FORCED_VALIDATION_MESSAGE } from '../../src/mock/sandbox/failures.js';
import { extractCabFile, listCab } from '../../src/package/cab.js';
import { buildCab } from '../support/cab-writer.js';
import { PreflightError } from '../../src/package/preflight-error.js';
import { ZipArchive } from '../../src/package/zip.js';
import { SIGN_DRIVER_STEPS, type SignDriverProgressEvent, type SignDriverStep } from '../../src/workflow/progress.js';
import { signDriver, type SignDriverLabelOptions, type SignDriverOptions, type SignDriverResult } from '../../src/workflow/sign-driver.js';
import { readStateFile, type SignDriverState } from '../../src/workflow/state-file.js';
import { WorkflowFailedError } from '../../src/workflow/workflow-failed-error.js';
import { useSandbox } from '../sandbox/fixture.js';
import { TOKEN, cabWithoutInf, driverCab, newProductBody } from '../sandbox/support.js';

/**
 * The sandbox runs on a clock the waits move: each poll interval advances it by 4 sandbox seconds (and yields a
 * moment of real time for the sandbox's background ingestion). Every run then sees the same workflow steps in the
 * same order whatever the machine's load, so a test that stops at the first workflow event always stops mid-wait.
 */
const suite = useSandbox({ manualClock: true });
const { clock } = suite;
const POLL_INTERVAL_MS = 4000;
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  clock.advance(ms / 1000);
  await new Promise((resolve) => setTimeout(resolve, 2));
  signal?.throwIfAborted();
}

let sandbox: Sandbox;
let client: HdcClient;
let workDir: string;
let packagePath: string;
const { records } = suite.recorder;
let runs = 0;

const LABEL: SignDriverLabelOptions = { name: 'Contoso to Windows Update', destination: 'windowsUpdate', infs: ['contoso.inf'], wait: true };

beforeAll(async () => {
  sandbox = suite.sandbox;
  client = createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN });
  workDir = await mkdtemp(join(tmpdir(), 'hwdash-sign-driver-'));
  packagePath = join(workDir, 'contoso.cab');
  await writeFile(packagePath, driverCab());
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function options(overrides: Partial<SignDriverOptions> = {}): SignDriverOptions {
  return {
    client,
    package: packagePath,
    product: newProductBody() as SignDriverOptions['product'],
    submissionName: 'Contoso driver 1.2.3.4',
    outDir: join(workDir, `run-${++runs}`),
    label: LABEL,
    pollIntervalMs: POLL_INTERVAL_MS,
    sleep,
    ...overrides,
  };
}

/** Successful responses of an operation among `since` (e.g. one test's records). */
function succeeded(since: readonly ResponseRecord[], operationId: string): ResponseRecord[] {
  return since.filter((record) => record.operationId === operationId && record.status < 300);
}

function stepEvents(events: SignDriverProgressEvent[]): [SignDriverStep, string][] {
  return events.flatMap((event) => (event.kind === 'step' && event.status !== 'started' ? [[event.step, event.status] as [SignDriverStep, string]] : []));
}

/** The state file's step records, in order. */
const STATE_STEPS = ['productId', 'submissionId', 'upload', 'committed', 'signed', 'downloaded', 'shippingLabelId', 'shippingLabelCompleted'] as const;

function recordedSteps(state: SignDriverState | undefined): string[] {
  return STATE_STEPS.filter((key) => state?.[key] !== undefined);
}

async function outDirFiles(outDir: string): Promise<string[]> {
  return (await readdir(outDir).catch(() => [] as string[])).sort();
}

/** Throws the stop reason at the first event `stopAt` accepts, as a crash or a cancelled CI job would stop a run. */
function stopper(stopAt: (event: SignDriverProgressEvent) => boolean) {
  const controller = new AbortController();
  const reason = new Error('stopped by the test');
  const events: SignDriverProgressEvent[] = [];
  return {
    reason,
    events,
    signal: controller.signal,
    onProgress: (event: SignDriverProgressEvent) => {
      events.push(event);
      if (!controller.signal.aborted && stopAt(event)) controller.abort(reason);
    },
  };
}

async function expectSigned(result: SignDriverResult, outDir: string): Promise<void> {
  expect(result.productId).toMatch(/^[0-9]+$/);
  expect(result.submissionId).toMatch(/^[0-9]+$/);
  expect(result.signedPackagePath).toBe(join(outDir, `signed-${result.submissionId}.zip`));
  expect(result.driverMetadataPath).toBe(join(outDir, `driver-metadata-${result.submissionId}.json`));
  expect(result.upload).toEqual({ size: driverCab().length, sha256: sha256(driverCab()) });

  const zip = await ZipArchive.open(result.signedPackagePath);
  try {
    expect(zip.files.map((file) => file.path).sort()).toEqual([SIGNATURE_MANIFEST_NAME, 'package.cab']);
    expect(sha256(await zip.readFile('package.cab'))).toBe(sha256(driverCab()));
    const manifest = parseJson((await zip.readFile(SIGNATURE_MANIFEST_NAME)).toString('utf8')) as { subject: unknown };
    expect(manifest.subject).toEqual({ productId: result.productId, submissionId: result.submissionId });
  } finally {
    await zip.close();
  }
  const metadata = parseJson(await readFile(result.driverMetadataPath, 'utf8')) as { BundleInfoMap: Record<string, { InfInfoMap: Record<string, unknown> }> };
  const infs = Object.values(metadata.BundleInfoMap).flatMap((bundle) => Object.keys(bundle.InfInfoMap));
  expect(infs.sort()).toEqual(['contoso.inf', 'contoso_ext.inf']);
}

describe('signDriver', () => {
  it('signs a driver end to end and leaves the signed package, driver metadata and state on disk', async () => {
    const first = records.length;
    const events: SignDriverProgressEvent[] = [];
    const run = options({ onProgress: (event) => events.push(event) });
    const result = await signDriver(run);

    await expectSigned(result, run.outDir);
    expect(result.resumed).toBe(false);
    expect(result.shippingLabelId).toMatch(/^[0-9]+$/);
    expect(await outDirFiles(run.outDir)).toEqual(['.hwdash-state.json', `driver-metadata-${result.submissionId}.json`, `signed-${result.submissionId}.zip`]);

    expect(stepEvents(events)).toEqual(SIGN_DRIVER_STEPS.map((step) => [step, 'completed']));
    const workflowSteps = events.flatMap((event) => (event.kind === 'workflow' && event.subject === 'submission' ? [event.step] : []));
    expect(workflowSteps.at(-1)).toBe('finalizeIngestion');
    expect(events.some((event) => event.kind === 'workflow' && event.subject === 'shippingLabel')).toBe(true);
    const uploads = events.filter((event) => event.kind === 'upload');
    expect(uploads.at(-1)).toEqual({ kind: 'upload', loadedBytes: driverCab().length, totalBytes: driverCab().length, file: 'contoso.cab' });
    const downloads = events.filter((event) => event.kind === 'download') as { file?: string }[];
    expect(new Set(downloads.map((event) => event.file))).toEqual(new Set([`signed-${result.submissionId}.zip`, `driver-metadata-${result.submissionId}.json`]));

    // The label targets the driver INF's hardware IDs from the downloaded metadata, and nothing of the extension INF.
    const label = await client.shippingLabels.get(result.productId, result.submissionId, result.shippingLabelId!);
    const pnps = (label.targeting?.hardwareIds ?? []).map((entry) => `${entry.infId} ${entry.pnpString}`);
    expect(new Set(pnps)).toEqual(new Set(['contoso.inf usb\\vid_1234&pid_5678', 'contoso.inf usb\\vid_1234&pid_5679']));

    const state = await readStateFile(result.stateFile!);
    expect(state).toMatchObject({
      productId: result.productId,
      submissionId: result.submissionId,
      upload: result.upload,
      committed: true,
      signed: true,
      downloaded: { signedPackage: result.signedPackagePath, driverMetadata: result.driverMetadataPath },
      shippingLabelId: result.shippingLabelId,
      shippingLabelCompleted: true,
    });
    const stateText = await readFile(result.stateFile!, 'utf8');
    expect(stateText).toContain(`"submissionId": "${result.submissionId}"`);
    // SAS signatures are credentials: neither the state file nor the progress events carry one.
    expect(stateText).not.toMatch(/sig=/i);
    expect(JSON.stringify(events)).not.toMatch(/sig=/i);

    const mine = records.slice(first);
    expect(succeeded(mine, 'createProduct')).toHaveLength(1);
    expect(succeeded(mine, 'createSubmission')).toHaveLength(1);
    expect(succeeded(mine, 'commitSubmission')).toHaveLength(1);
    expect(succeeded(mine, 'createShippingLabel')).toHaveLength(1);

    // Running it again finds everything done: no request creates, uploads or commits anything.
    const againEvents: SignDriverProgressEvent[] = [];
    const again = await signDriver({ ...run, onProgress: (event) => againEvents.push(event) });
    expect(again).toEqual({ ...result, resumed: true });
    expect(stepEvents(againEvents)).toEqual(SIGN_DRIVER_STEPS.map((step) => [step, step === 'preflight' ? 'completed' : 'skipped']));
    const afterRerun = records.slice(first);
    expect(afterRerun.length).toBe(mine.length);
  });

  it('uses an existing product, and keeps no state file when asked not to', async () => {
    const product = await client.products.create(newProductBody() as NonNullable<SignDriverOptions['product']>);
    const events: SignDriverProgressEvent[] = [];
    const run = options({ product: undefined, productId: product.id, stateFile: false, label: undefined, onProgress: (event) => events.push(event) });
    const result = await signDriver(run);
    await expectSigned(result, run.outDir);
    expect(result).toMatchObject({ productId: product.id, resumed: false });
    expect(result.stateFile).toBeUndefined();
    expect(await outDirFiles(run.outDir)).toEqual([`driver-metadata-${result.submissionId}.json`, `signed-${result.submissionId}.zip`]);
    expect(events).toContainEqual({ kind: 'step', step: 'createProduct', status: 'skipped', detail: `using product ${product.id}` });
    expect(events).toContainEqual({ kind: 'step', step: 'shippingLabel', status: 'skipped', detail: 'no shipping label asked for' });
  });

  it('replaces an expired upload URL by reading the submission again', async () => {
    const first = records.length;
    // The create answer carries a URL that has already expired, as one from a long-delayed run would.
    const expiring: HdcClient = {
      ...client,
      submissions: {
        ...client.submissions,
        create: async (...args) => {
          const created = await client.submissions.create(...args);
          const items = await Promise.all(
            created.downloads!.items.map(async (item) => {
              if (item.type !== 'initialPackage') return item;
              const [container, blobName] = new URL(item.url).pathname.split('/').slice(2);
              return { ...item, url: await createSasUrl(sandbox.azurite, container!, blobName!, { permissions: 'rcw', expiresOn: new Date(Date.now() - 60_000) }) };
            }),
          );
          return { ...created, downloads: { ...created.downloads!, items } };
        },
      },
    };
    const run = options({ client: expiring, label: undefined });
    const result = await signDriver(run);
    await expectSigned(result, run.outDir);
    // The first read after the create is the refresh, before the commit.
    const mine = records.slice(first).map((record) => record.operationId);
    expect(mine.slice(mine.indexOf('createSubmission'), mine.indexOf('commitSubmission'))).toEqual(['createSubmission', 'getSubmission']);
  });

  it('needs exactly one of product and productId', async () => {
    await expect(signDriver(options({ productId: '13635057453741329' }))).rejects.toThrow('exactly one of `product`');
    await expect(signDriver(options({ product: undefined }))).rejects.toThrow(TypeError);
  });

  describe('resumes after stopping at each step boundary', () => {
    it.each(SIGN_DRIVER_STEPS.map((step, index) => [step, index] as const))('after %s', async (step, index) => {
      const first = records.length;
      const run = options();
      const stop = stopper((event) => event.kind === 'step' && event.step === step && event.status === 'completed');
      const stopped = await signDriver({ ...run, signal: stop.signal, onProgress: stop.onProgress }).then(
        (result) => result,
        (error: unknown) => error,
      );
      const state = await readStateFile(join(run.outDir, '.hwdash-state.json'));
      if (step === 'shippingLabel') {
        // The last boundary is the end of the run.
        expect(stopped).toMatchObject({ shippingLabelId: state?.shippingLabelId });
      } else {
        expect(stopped).toBe(stop.reason);
      }
      if (step === 'preflight') expect(state).toBeUndefined();
      const files = await outDirFiles(run.outDir);
      expect(files.filter((file) => file.endsWith('.partial'))).toEqual([]);
      if (index < SIGN_DRIVER_STEPS.indexOf('download')) expect(files.filter((file) => file !== '.hwdash-state.json')).toEqual([]);

      const events: SignDriverProgressEvent[] = [];
      const result = await signDriver({ ...run, onProgress: (event) => events.push(event) });
      await expectSigned(result, run.outDir);
      expect(result.resumed).toBe(step !== 'preflight');
      if (state?.submissionId) expect(result.submissionId).toBe(state.submissionId);
      // Every step up to the boundary is skipped on the rerun; the rest run.
      expect(stepEvents(events)).toEqual(
        SIGN_DRIVER_STEPS.map((candidate, position) => [candidate, candidate === 'preflight' || position > index ? 'completed' : 'skipped']),
      );

      const mine = records.slice(first);
      expect(succeeded(mine, 'createProduct')).toHaveLength(1);
      expect(mine.filter((record) => record.operationId === 'createSubmission')).toHaveLength(1);
      expect(mine.filter((record) => record.operationId === 'commitSubmission')).toHaveLength(1);
      expect(mine.filter((record) => record.operationId === 'createShippingLabel')).toHaveLength(1);
    });
  });

  describe('resumes after stopping in the middle of a step', () => {
    it.each([
      ['the upload', (event: SignDriverProgressEvent) => event.kind === 'upload', 'upload'],
      ['the wait', (event: SignDriverProgressEvent) => event.kind === 'workflow' && event.subject === 'submission', 'signed'],
      ['a download', (event: SignDriverProgressEvent) => event.kind === 'download', 'downloaded'],
      ['the label wait', (event: SignDriverProgressEvent) => event.kind === 'workflow' && event.subject === 'shippingLabel', 'shippingLabelCompleted'],
    ] as const)('%s', async (_, stopAt, unfinished) => {
      const first = records.length;
      const run = options();
      const stop = stopper(stopAt);
      await expect(signDriver({ ...run, signal: stop.signal, onProgress: stop.onProgress })).rejects.toBe(stop.reason);
      const state = await readStateFile(join(run.outDir, '.hwdash-state.json'));
      expect(recordedSteps(state)).toEqual(STATE_STEPS.slice(0, STATE_STEPS.indexOf(unfinished)));
      // A cancelled download leaves neither a partial file nor a half-written signed package.
      const files = (await outDirFiles(run.outDir)).filter((file) => file !== '.hwdash-state.json');
      const downloadedBefore = unfinished === 'shippingLabelCompleted';
      expect(files).toEqual(downloadedBefore ? [`driver-metadata-${state!.submissionId}.json`, `signed-${state!.submissionId}.zip`] : []);

      const result = await signDriver(run);
      await expectSigned(result, run.outDir);
      expect(result).toMatchObject({ resumed: true, submissionId: state!.submissionId });
      const mine = records.slice(first);
      expect(mine.filter((record) => record.operationId === 'createSubmission')).toHaveLength(1);
      expect(mine.filter((record) => record.operationId === 'commitSubmission')).toHaveLength(1);
      expect(mine.filter((record) => record.operationId === 'createShippingLabel')).toHaveLength(1);
    });
  });

  describe('resumes after a crash between a request and its record', () => {
    const crash = new Error('simulated crash after the request reached the service');
    /** `client`, except that one request reaches the service and then the process "crashes" before recording it. */
    const crashingAfter = (resource: 'submissions' | 'shippingLabels', method: 'create' | 'commit'): HdcClient => {
      const real = client[resource] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      return {
        ...client,
        [resource]: {
          ...real,
          [method]: async (...args: unknown[]) => {
            await real[method]!(...args);
            throw crash;
          },
        },
      };
    };

    it('does not commit again when the service already has the commit', async () => {
      const first = records.length;
      const run = options();
      await expect(signDriver({ ...run, client: crashingAfter('submissions', 'commit') })).rejects.toBe(crash);
      expect(recordedSteps(await readStateFile(join(run.outDir, '.hwdash-state.json')))).toEqual(['productId', 'submissionId', 'upload']);

      const events: SignDriverProgressEvent[] = [];
      const result = await signDriver({ ...run, onProgress: (event) => events.push(event) });
      await expectSigned(result, run.outDir);
      expect(events).toContainEqual({ kind: 'step', step: 'commit', status: 'skipped', detail: 'the service already has the commit (commitReceived)' });
      expect(records.slice(first).filter((record) => record.operationId === 'commitSubmission')).toHaveLength(1);
    });

    it('adopts the initial submission it created instead of creating a second one', async () => {
      const first = records.length;
      const run = options();
      await expect(signDriver({ ...run, client: crashingAfter('submissions', 'create') })).rejects.toBe(crash);
      const state = await readStateFile(join(run.outDir, '.hwdash-state.json'));
      expect(state?.productCreated).toBe(true);
      expect(recordedSteps(state)).toEqual(['productId']);

      const result = await signDriver(run);
      await expectSigned(result, run.outDir);
      const creates = records.slice(first).filter((record) => record.operationId === 'createSubmission');
      // The intent recorded before the crash leads the rerun to the submission by its name: no second create is sent.
      expect(creates.map((record) => record.status)).toEqual([201]);
      expect(result.submissionId).toBe((parseJson(creates[0]!.body!) as { id: string }).id);
      const submissions = [];
      for await (const submission of client.submissions.list(result.productId)) submissions.push(submission.id);
      expect(submissions).toEqual([result.submissionId]);
    });

    it('adopts the shipping label it created instead of creating a second one', async () => {
      const first = records.length;
      const run = options();
      await expect(signDriver({ ...run, client: crashingAfter('shippingLabels', 'create') })).rejects.toBe(crash);
      const result = await signDriver(run);
      const creates = succeeded(records.slice(first), 'createShippingLabel');
      expect(creates).toHaveLength(1);
      expect(result.shippingLabelId).toBe((parseJson(creates[0]!.body!) as { id: string }).id);
    });
  });

  describe('failures', () => {
    it('stops with WorkflowFailedError and the service messages; a rerun does not commit again', async () => {
      const failing = await startSandbox({ now: clock.now, azurite: sandbox.azurite, failures: { validation: true } });
      try {
        const failingClient = createHdcClient({ baseUrl: failing.baseUrl, token: TOKEN });
        const run = options({ client: failingClient, label: undefined });
        const error = await signDriver(run).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(WorkflowFailedError);
        expect(error).toMatchObject({ subject: 'submission', step: 'packageInfoValidation', state: 'failed', messages: [FORCED_VALIDATION_MESSAGE] });
        expect(await outDirFiles(run.outDir)).toEqual(['.hwdash-state.json']);
        expect(recordedSteps(await readStateFile(join(run.outDir, '.hwdash-state.json')))).toEqual(['productId', 'submissionId', 'upload', 'committed']);

        const requestsBefore = failing.requests;
        await expect(signDriver(run)).rejects.toBeInstanceOf(WorkflowFailedError);
        // Only reads: one poll of the failed submission.
        expect(failing.requests - requestsBefore).toBe(1);
      } finally {
        await failing.stop();
      }
    });

    it('refuses a package without an INF before sending anything', async () => {
      const broken = join(workDir, 'no-inf.cab');
      await writeFile(broken, cabWithoutInf());
      const run = options({ package: broken });
      const requestsBefore = sandbox.requests;
      const error = await signDriver(run).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PreflightError);
      expect((error as PreflightError).result.problems.map((problem) => problem.rule)).toContain('inf-present');
      expect(sandbox.requests).toBe(requestsBefore);
      expect(await outDirFiles(run.outDir)).toEqual([]);
    });

    it('refuses to resume with a package that changed after its upload', async () => {
      const changing = join(workDir, 'changing.cab');
      await writeFile(changing, driverCab());
      const run = options({ package: changing, label: undefined });
      const stop = stopper((event) => event.kind === 'step' && event.step === 'upload' && event.status === 'completed');
      await expect(signDriver({ ...run, signal: stop.signal, onProgress: stop.onProgress })).rejects.toBe(stop.reason);
      // Rebuilt with one byte of the driver binary changed: same size, still a valid package.
      const { files } = await listCab(changing);
      const entries = await Promise.all(files.map(async (file) => ({ path: file.path, bytes: await extractCabFile(changing, file.path) })));
      const rebuilt = buildCab(entries.map((entry) => (entry.path === 'driver/contoso.sys' ? { ...entry, bytes: Buffer.from(entry.bytes).reverse() } : entry)));
      expect(rebuilt.length).toBe(driverCab().length);
      await writeFile(changing, rebuilt);
      const requestsBefore = sandbox.requests;
      await expect(signDriver(run)).rejects.toMatchObject({ kind: 'state-file', code: 'StateFileMismatch', message: expect.stringContaining('the package has changed since it was uploaded') });
      expect(sandbox.requests).toBe(requestsBefore);
    });
  });
});
