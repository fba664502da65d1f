/**
 * Downloading what a signed submission offers (`downloads.items`): the signed package, the driver metadata file and
 * the derived package, each to a file name hwdash chooses, atomically. The certification report is a Partner Center
 * dashboard page rather than a blob, so it is reported with its URL instead of being downloaded.
 */
import { basename, join, resolve } from 'node:path';
import { InvalidStateError } from '../client/errors/invalid-state-error.js';
import type { HdcClient } from '../client/client.js';
import { redactUrl } from '../client/redact.js';
import type { Submission } from '../client/resources/submissions.js';
import { downloadToFile } from './download.js';
import { DownloadError } from './download-error.js';
import { downloadItem } from '../client/vocabulary.js';

/** The `downloads.items` types hwdash can fetch or point to. */
export type SubmissionArtifact = 'signedPackage' | 'driverMetadata' | 'derivedPackage' | 'certificationReport';

/** Progress of one artifact's download. */
export interface ArtifactDownloadProgress {
  kind: 'download';
  loadedBytes: number;
  totalBytes: number;
  /** The file name being written, e.g. `signed-1152921504621465124.zip`. */
  file?: string;
}

export interface DownloadSubmissionArtifactsOptions {
  /** Folder to write to; created if needed. */
  outDir: string;
  /**
   * What to fetch. Each must be in the submission's `downloads.items`, or nothing is downloaded.
   * @default ['signedPackage', 'driverMetadata']
   */
  items?: readonly SubmissionArtifact[];
  /** Aborting stops the download in progress; no partial file is left behind. */
  signal?: AbortSignal;
  onProgress?: (event: ArtifactDownloadProgress) => void;
}

export type SubmissionArtifactResult =
  | {
      type: Exclude<SubmissionArtifact, 'certificationReport'>;
      status: 'downloaded';
      /** Absolute path of the written file. */
      path: string;
      size: number;
      /** SHA-256 of the file, lowercase hex. */
      sha256: string;
    }
  | {
      type: 'certificationReport';
      /** The report is a dashboard page: open `url` in a browser signed in to Partner Center. */
      status: 'needsBrowser';
      url: string;
      message: string;
    };

export const DEFAULT_ARTIFACTS: readonly SubmissionArtifact[] = ['signedPackage', 'driverMetadata'];

/**
 * File names by artifact. They come from the submission ID, never from the URL: a blob name or `rscd` file name is
 * the service's to choose, and must not decide where files land on the caller's disk.
 */
export function artifactFileName(type: Exclude<SubmissionArtifact, 'certificationReport'>, submissionId: string): string {
  switch (type) {
    case 'signedPackage':
      return `signed-${submissionId}.zip`;
    case 'driverMetadata':
      return `driver-metadata-${submissionId}.json`;
    case 'derivedPackage':
      return `derived-${submissionId}.zip`;
  }
}

/**
 * Downloads the submission's artifacts into `outDir`, one after another. An expired download URL is replaced by
 * reading the submission again, once per artifact.
 *
 * @throws InvalidStateError (code `ArtifactNotAvailable`) when an item is not (yet) offered; nothing is downloaded then.
 * @throws DownloadError when a download fails; files already completed stay, the failed one leaves nothing.
 */
export async function downloadSubmissionArtifacts(
  client: HdcClient,
  submission: Submission,
  options: DownloadSubmissionArtifactsOptions,
): Promise<SubmissionArtifactResult[]> {
  const items = options.items ?? DEFAULT_ARTIFACTS;
  options.signal?.throwIfAborted();
  const missing = items.filter((type) => downloadUrl(submission, type) === undefined);
  if (missing.length > 0) {
    const workflow = submission.workflowStatus;
    const where = workflow ? ` (workflow step ${String(workflow.currentStep)}, state ${workflow.state})` : '';
    throw new InvalidStateError(
      `Submission ${submission.id} offers no ${missing.join(', ')} download yet${where}. Wait for the submission (driver metadata can arrive after the signed package), then download again.`,
      { code: 'ArtifactNotAvailable' },
    );
  }

  const results: SubmissionArtifactResult[] = [];
  for (const type of items) {
    const url = downloadUrl(submission, type)!;
    if (type === 'certificationReport') {
      results.push({
        type,
        status: 'needsBrowser',
        url,
        message: `The certification report is a Partner Center dashboard page, not a file hwdash can download: open ${redactUrl(url)} in a browser signed in to Partner Center.`,
      });
      continue;
    }
    const dest = join(resolve(options.outDir), artifactFileName(type, submission.id));
    const written = await downloadArtifact(client, submission, type, url, dest, options);
    results.push({ type, status: 'downloaded', ...written });
  }
  return results;
}

async function downloadArtifact(
  client: HdcClient,
  submission: Submission,
  type: SubmissionArtifact,
  url: string,
  dest: string,
  options: DownloadSubmissionArtifactsOptions,
): Promise<{ path: string; size: number; sha256: string }> {
  const file = basename(dest);
  const onProgress = options.onProgress
    ? ({ loadedBytes, totalBytes }: { loadedBytes: number; totalBytes: number | undefined }) => {
        if (totalBytes !== undefined) options.onProgress!({ kind: 'download', loadedBytes, totalBytes, file });
      }
    : undefined;
  // The signing flow reports each artifact's SHA-256, so that a release can record what it shipped.
  const download = async (from: string) => {
    const result = await downloadToFile({ url: from, dest, sha256: true, ...(options.signal ? { signal: options.signal } : {}), ...(onProgress ? { onProgress } : {}) });
    return { path: result.path, size: result.size, sha256: result.sha256! };
  };
  try {
    return await download(url);
  } catch (error) {
    // SAS URLs expire (hours to days); the submission hands out a fresh one on every read.
    if (!(error instanceof DownloadError) || !error.urlRejected || submission.productId === undefined) throw error;
    const fresh = await client.submissions.get(submission.productId, submission.id, options.signal ? { signal: options.signal } : {});
    const freshUrl = downloadUrl(fresh, type);
    if (freshUrl === undefined || freshUrl === url) throw error;
    return await download(freshUrl);
  }
}

function downloadUrl(submission: Submission, type: SubmissionArtifact): string | undefined {
  return downloadItem(submission.downloads, type)?.url;
}
