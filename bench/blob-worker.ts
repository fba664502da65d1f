/**
 * Runs one blob transfer in its own process and reports its time and memory, so that each contender's peak RSS is
 * its own: `node --import tsx bench/blob-worker.ts '<json job>'` prints `{ ms, rssBefore, maxRss }` (bytes).
 * The baseline RSS is taken after every module is loaded, just before the transfer starts.
 */
import { readFile } from 'node:fs/promises';
import { BlobClient, BlockBlobClient } from '@azure/storage-blob';
import { downloadToFile } from '../src/workflow/download.js';
import { uploadPackage } from '../src/workflow/upload.js';

export type BlobContender = 'uploadPackage' | 'sdk uploadFile' | 'whole-file PUT' | 'downloadToFile' | 'sdk downloadToFile';

export interface BlobJob {
  contender: BlobContender;
  /** The blob's SAS URL. */
  url: string;
  /** The file to upload, or the destination of a download. */
  file: string;
}

export interface BlobMeasurement {
  ms: number;
  rssBefore: number;
  maxRss: number;
}

const transfers: Record<BlobContender, (job: BlobJob) => Promise<unknown>> = {
  uploadPackage: ({ file, url }) => uploadPackage({ file, sasUrl: url }),
  'sdk uploadFile': ({ file, url }) => new BlockBlobClient(url).uploadFile(file),
  // What a simple client does: read the whole file, send it in one Put Blob.
  'whole-file PUT': async ({ file, url }) => {
    const body = await readFile(file);
    const response = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body });
    if (response.status !== 201) throw new Error(`Put Blob answered ${response.status}: ${await response.text()}`);
  },
  downloadToFile: ({ file, url }) => downloadToFile({ url, dest: file }),
  'sdk downloadToFile': ({ file, url }) => new BlobClient(url).downloadToFile(file),
};

const job = JSON.parse(process.argv[2] ?? '') as BlobJob;
const rssBefore = process.memoryUsage.rss();
const start = performance.now();
await transfers[job.contender](job);
const ms = performance.now() - start;
const measurement: BlobMeasurement = { ms, rssBefore, maxRss: process.resourceUsage().maxRSS * 1024 };
process.stdout.write(`${JSON.stringify(measurement)}\n`);
