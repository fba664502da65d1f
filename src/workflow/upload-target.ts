/**
 * Where an upload goes: the blob client for the submission's SAS URL, a fresh one when that URL expires, and a failed
 * storage call described for the caller. Shared by the single Put Blob and the block upload.
 */
import type { BlockBlobClient } from '@azure/storage-blob';
import { redactUrl } from '../client/redact.js';
import { blobPipeline, describeBlobFailure, parseSasUrl, storageSdk } from './blob-storage.js';
import type { UploadPackageOptions } from './upload.js';
import { UploadError } from './upload-error.js';

export interface UploadTarget {
  url: string;
  client: BlockBlobClient;
}

export async function uploadTarget(sasUrl: string, file: string): Promise<UploadTarget> {
  const parsed = parseSasUrl(sasUrl);
  if ('problem' in parsed) {
    throw new UploadError(`The upload URL ${redactUrl(sasUrl)} ${parsed.problem}.`, { file, request: { method: 'PUT', url: sasUrl } });
  }
  const { BlockBlobClient } = await storageSdk();
  return { url: sasUrl, client: new BlockBlobClient(parsed.url.toString(), await blobPipeline()) };
}

/** Asks the caller for a fresh upload URL after the current one was refused. */
export async function freshTarget(options: UploadPackageOptions, signal: AbortSignal): Promise<UploadTarget> {
  let url: string;
  try {
    url = await options.refreshSasUrl!(signal);
  } catch (cause) {
    if (signal.aborted) throw cause;
    throw new UploadError(`The upload URL expired and getting a fresh one failed: ${(cause as Error)?.message ?? cause}`, {
      file: options.file,
      cause,
    });
  }
  signal.throwIfAborted();
  return uploadTarget(url, options.file);
}


/** A failed storage call as an UploadError, with advice for the cases a caller can fix and the signature redacted. */
export function uploadFailure(error: unknown, file: string, url: string, method: string, context?: string): UploadError {
  const failure = describeBlobFailure(error);
  let advice = '';
  if (failure.urlRejected) {
    advice = ' The upload URL has expired or its signature is invalid: read the submission again for a fresh initialPackage URL and upload again.';
  } else if (failure.status === 403) {
    advice = ' The upload URL does not allow writing this blob: use the submission’s initialPackage URL.';
  } else if (failure.status === 404) {
    advice = ' The container or blob of the upload URL does not exist: use the submission’s current initialPackage URL.';
  }
  const what = context ?? `Uploading ${file} to ${redactUrl(url)} failed`;
  return new UploadError(`${what}: ${failure.detail}.${advice}`, {
    file,
    urlRejected: failure.urlRejected,
    status: failure.status,
    code: failure.code,
    requestId: failure.requestId,
    request: { method, url },
    cause: error,
  });
}
