/**
 * Preproduction signing: submit (streamed PUT), wait for signingStatus, download the signed files into a folder,
 * against the sandbox; and a loopback server for what the sandbox never does (a corrupted asset).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHdcClient, type HdcClient } from '../../src/client/client.js';
import { parseJson } from '../../src/client/json/lossless.js';
import { SIGNATURE_MANIFEST_NAME, startSandbox, type Sandbox } from '../../src/mock/sandbox/index.js';
import { DownloadError } from '../../src/workflow/download-error.js';
import { PreflightError } from '../../src/package/preflight-error.js';
import { ZipArchive } from '../../src/package/zip.js';
import { downloadPreprodAssets, signPreprodPackage } from '../../src/workflow/preprod.js';
import type { WorkflowEvent } from '../../src/workflow/wait.js';
import { TOKEN, cabWithoutInf, driverCab } from '../sandbox/support.js';

let sandbox: Sandbox;
let client: HdcClient;
let workDir: string;
let packagePath: string;
let outDirs = 0;
const newOutDir = () => join(workDir, `out-${++outDirs}`);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 3000 });
  client = createHdcClient({ baseUrl: sandbox.baseUrl, token: TOKEN });
  workDir = await mkdtemp(join(tmpdir(), 'hwdash-preprod-'));
  packagePath = join(workDir, 'contoso.cab');
  await writeFile(packagePath, driverCab());
});

afterAll(async () => {
  await sandbox?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('signPreprodPackage', () => {
  it('submits, waits for signing and writes the signed files', async () => {
    const outDir = newOutDir();
    const events: WorkflowEvent[] = [];
    const downloads: { loadedBytes: number; totalBytes: number; file?: string }[] = [];
    const result = await signPreprodPackage(client, {
      package: packagePath,
      outDir,
      pollIntervalMs: 10,
      onEvent: (event) => events.push(event),
      onProgress: (event) => downloads.push(event),
    });

    expect(result.package.signingStatus).toBe('Succeeded');
    expect(result.files).toHaveLength(1);
    const [file] = result.files;
    expect(file).toMatchObject({ assetType: 'SignedFilesZip', path: join(outDir, `preprod-${result.packageId}-${file!.assetId}.zip`) });
    expect(await readdir(outDir)).toEqual([`preprod-${result.packageId}-${file!.assetId}.zip`]);
    const asset = await client.preprod.asset(result.packageId, file!.assetId);
    expect(file!.sha256).toBe(asset.contentHash);
    expect(downloads.at(-1)).toEqual({ kind: 'download', loadedBytes: file!.size, totalBytes: file!.size, file: `preprod-${result.packageId}-${file!.assetId}.zip` });
    expect(events.at(-1)).toMatchObject({ kind: 'workflow', subject: 'preprodPackage' });

    const zip = await ZipArchive.open(file!.path);
    try {
      expect(zip.files.map((entry) => entry.path).sort()).toEqual([SIGNATURE_MANIFEST_NAME, 'package.cab']);
      expect(sha256(await zip.readFile('package.cab'))).toBe(sha256(driverCab()));
      const manifest = parseJson((await zip.readFile(SIGNATURE_MANIFEST_NAME)).toString('utf8')) as { subject: unknown };
      expect(manifest.subject).toEqual({ preprodPackageId: result.packageId });
    } finally {
      await zip.close();
    }
  });

  it('checks the package before sending it', async () => {
    const broken = join(workDir, 'no-inf.cab');
    await writeFile(broken, cabWithoutInf());
    const before = sandbox.requests;
    await expect(signPreprodPackage(client, { package: broken, outDir: newOutDir(), pollIntervalMs: 10 })).rejects.toBeInstanceOf(PreflightError);
    expect(sandbox.requests).toBe(before);
  });

  it('leaves no file behind when cancelled mid-download', async () => {
    const outDir = newOutDir();
    const controller = new AbortController();
    const reason = new Error('cancelled by the test');
    const promise = signPreprodPackage(client, {
      package: packagePath,
      outDir,
      pollIntervalMs: 10,
      signal: controller.signal,
      onProgress: () => controller.abort(reason),
    });
    await expect(promise).rejects.toBe(reason);
    expect(await readdir(outDir).catch(() => [])).toEqual([]);
  });
});

describe('downloadPreprodAssets', () => {
  let server: Server;
  let loopback: HdcClient;
  const good = Buffer.from('signed files');
  const damaged = Buffer.from('signed files that were damaged on the way');
  const assets = [
    // The service's asset IDs are opaque: only safe characters of one may reach a file name.
    { id: 'asset 1:signed', bytes: good, contentHash: sha256(good) },
    { id: 'asset-2', bytes: damaged, contentHash: sha256(Buffer.from('the real bytes')) },
  ];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = decodeURIComponent(new URL(request.url!, 'http://127.0.0.1').pathname);
      const asset = assets.find((candidate) => path === `/v2.0/my/hardware/preprod/packages/pkg-1/assets/${candidate.id}/download`);
      if (path === '/v2.0/my/hardware/preprod/packages/pkg-1/assets') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ value: assets.map(({ id, contentHash }) => ({ id, packageId: 'pkg-1', assetType: 'SignedFilesZip', contentHash })) }));
      } else if (asset) {
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(asset.bytes.length) });
        response.end(asset.bytes);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    loopback = createHdcClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2.0/my/hardware`, token: TOKEN });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses an asset whose content hash does not match, and keeps nothing of it', async () => {
    const outDir = newOutDir();
    const error = await downloadPreprodAssets(loopback, 'pkg-1', { outDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ code: 'ContentHashMismatch', message: expect.stringContaining(`got SHA-256 ${sha256(damaged)}`) });
    // The first asset was fine and stays, under a name made of safe characters only.
    expect(await readdir(outDir)).toEqual(['preprod-pkg-1-asset_1_signed.zip']);
  });
});
