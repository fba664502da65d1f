/** The blob transfers the upload and download benchmarks compare, their settings and what one run measures. */
/** A contender and its settings. `sdk …` contenders are the storage SDK's own transfers, as a user would configure them. */
export type BlobContender =
  | { kind: 'hwdash uploadPackage' }
  | { kind: 'hwdash uploadPackage (sha256: true)' }
  | { kind: 'sdk uploadFile'; blockSize?: number; concurrency?: number; maxSingleShotSize?: number }
  | { kind: 'sdk uploadStream'; bufferSize: number; maxConcurrency: number; highWaterMark: number }
  | { kind: 'whole-file PUT' }
  | { kind: 'hwdash downloadToFile' }
  | { kind: 'sdk downloadToFile' }
  | { kind: 'sdk download + pipe'; highWaterMark: number }
  | { kind: 'sdk downloadToBuffer'; blockSize: number; concurrency: number };

export interface BlobJob {
  contender: BlobContender;
  /** The blob's SAS URL. */
  url: string;
  /** The file to upload, or the destination of a download. */
  file: string;
  /** The file's size, for the SDK calls that need it. */
  size: number;
}

export interface BlobMeasurement {
  ms: number;
  cpuMs: number;
  /** RSS once every module is loaded, just before the transfer (bytes). */
  rssBefore: number;
  /** Peak RSS of the process (bytes). */
  maxRss: number;
}

const MIB = 1024 * 1024;

/** A short name for a contender and its settings, e.g. `sdk uploadFile (8 MiB × 8)`. */
export function contenderName(contender: BlobContender): string {
  const mib = (bytes: number) => `${Math.round((bytes / MIB) * 100) / 100} MiB`;
  const kib = (bytes: number) => (bytes >= MIB ? mib(bytes) : `${bytes / 1024} KiB`);
  switch (contender.kind) {
    case 'sdk uploadFile':
      if (contender.blockSize === undefined) return 'sdk uploadFile (defaults)';
      return `sdk uploadFile (${mib(contender.blockSize)} × ${contender.concurrency}${contender.maxSingleShotSize === 0 ? ', blocks only' : ''})`;
    case 'sdk uploadStream':
      return `sdk uploadStream (${mib(contender.bufferSize)} × ${contender.maxConcurrency}, read ${kib(contender.highWaterMark)})`;
    case 'sdk download + pipe':
      return `sdk download + pipe (write buffer ${kib(contender.highWaterMark)})`;
    case 'sdk downloadToBuffer':
      return `sdk downloadToBuffer (${mib(contender.blockSize)} × ${contender.concurrency})`;
    default:
      return contender.kind;
  }
}
