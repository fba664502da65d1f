/**
 * Runs one blob transfer in its own process and reports its time, CPU and memory, so that each contender's peak RSS
 * is its own: `node --import tsx bench/blob-worker.ts '<json job>'` prints `{ ms, cpuMs, rssBefore, maxRss }`.
 * Every contender loads the same modules (hwdash's transfers and the storage SDK) before its baseline RSS is taken,
 * so that the peaks compare the transfers, not what each imported.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { BlobClient, BlockBlobClient } from '@azure/storage-blob';
import { downloadToFile } from '../src/workflow/download.js';
import { uploadPackage } from '../src/workflow/upload.js';
import type { BlobJob, BlobMeasurement } from './blob-contenders.js';
import { peakRssBytes } from './peak-rss.mjs';

async function transfer({ contender, url, file, size }: BlobJob): Promise<void> {
  switch (contender.kind) {
    case 'hwdash uploadPackage':
      await uploadPackage({ file, sasUrl: url });
      return;
    case 'hwdash uploadPackage (sha256: true)':
      await uploadPackage({ file, sasUrl: url, sha256: true });
      return;
    case 'sdk uploadFile': {
      const { kind: _kind, ...options } = contender;
      await new BlockBlobClient(url).uploadFile(file, options);
      return;
    }
    case 'sdk uploadStream':
      await new BlockBlobClient(url).uploadStream(createReadStream(file, { highWaterMark: contender.highWaterMark }), contender.bufferSize, contender.maxConcurrency);
      return;
    case 'whole-file PUT': {
      // What a simple client does: read the whole file, send it in one Put Blob.
      const body = await readFile(file);
      const response = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body });
      if (response.status !== 201) throw new Error(`Put Blob answered ${response.status}: ${await response.text()}`);
      return;
    }
    case 'hwdash downloadToFile':
      await downloadToFile({ url, dest: file });
      return;
    case 'sdk downloadToFile':
      await new BlobClient(url).downloadToFile(file);
      return;
    case 'sdk download + pipe': {
      const response = await new BlobClient(url).download();
      await pipeline(response.readableStreamBody!, createWriteStream(file, { highWaterMark: contender.highWaterMark }));
      return;
    }
    case 'sdk downloadToBuffer': {
      const buffer = await new BlobClient(url).downloadToBuffer(0, size, { blockSize: contender.blockSize, concurrency: contender.concurrency });
      await writeFile(file, buffer);
      return;
    }
  }
}

const job = JSON.parse(process.argv[2] ?? '') as BlobJob;
const rssBefore = process.memoryUsage.rss();
const cpuBefore = process.cpuUsage();
const start = performance.now();
await transfer(job);
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);
const measurement: BlobMeasurement = { ms, cpuMs: (cpu.user + cpu.system) / 1000, rssBefore, maxRss: peakRssBytes() };
process.stdout.write(`${JSON.stringify(measurement)}\n`);
