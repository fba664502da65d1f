/**
 * The sandbox's blob storage on Azurite. Upload and download URLs are real SAS URLs, so clients exercise the same
 * @azure/storage-blob code paths they use against `ingestionpackages.blob.core.windows.net`.
 */
import type { Readable } from 'node:stream';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { createSasUrl, type startAzurite } from '../azurite.js';

export type AzuriteHandle = Awaited<ReturnType<typeof startAzurite>>;

/** Uploaded packages, as on the live service (container `ingestion`, blob name a GUID). */
export const INGESTION_CONTAINER = 'ingestion';
/** What the sandbox produces: signed packages and driver metadata files. */
export const SIGNED_CONTAINER = 'signed';
/** Preproduction packages and their signed-files assets; only the API reads these, never a SAS URL. */
export const PREPROD_CONTAINER = 'preprod';

/** Default SAS lifetime in real time. The live service's run hours to days; an hour is plenty for any upload. */
export const DEFAULT_SAS_LIFETIME_MS = 60 * 60 * 1000;

export class SandboxBlobs {
  readonly #service: BlobServiceClient;

  /** @param sasLifetimeMs how long the URLs handed out stay valid, in real milliseconds (Azurite judges them by its clock). */
  private constructor(
    readonly azurite: AzuriteHandle,
    readonly sasLifetimeMs: number,
  ) {
    this.#service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  }

  static async open(azurite: AzuriteHandle, sasLifetimeMs = DEFAULT_SAS_LIFETIME_MS): Promise<SandboxBlobs> {
    const blobs = new SandboxBlobs(azurite, sasLifetimeMs);
    for (const container of [INGESTION_CONTAINER, SIGNED_CONTAINER, PREPROD_CONTAINER]) {
      await blobs.container(container).createIfNotExists();
    }
    return blobs;
  }

  container(name: string): ContainerClient {
    return this.#service.getContainerClient(name);
  }

  /** Read, create and write: what an uploader needs, including the SDK's block-list calls. */
  uploadUrl(blobName: string): Promise<string> {
    return this.#sas(INGESTION_CONTAINER, blobName, 'rcw');
  }

  /** Read-only, as the service's download links (`sp=rl`). Azure's blob SAS has no list permission, so `r`. */
  downloadUrl(container: string, blobName: string): Promise<string> {
    return this.#sas(container, blobName, 'r');
  }

  /** The blob's size, or undefined if nothing was uploaded. */
  async size(container: string, blobName: string): Promise<number | undefined> {
    const blob = this.container(container).getBlobClient(blobName);
    if (!(await blob.exists())) return undefined;
    return (await blob.getProperties()).contentLength ?? 0;
  }

  async downloadToFile(container: string, blobName: string, path: string): Promise<void> {
    await this.container(container).getBlobClient(blobName).downloadToFile(path);
  }

  /** Streams `data` into a block blob; memory stays bounded whatever the size. Returns the blob's ETag. */
  async upload(container: string, blobName: string, data: Readable, contentType: string): Promise<string> {
    const response = await this.container(container)
      .getBlockBlobClient(blobName)
      .uploadStream(data, 4 * 1024 * 1024, 4, { blobHTTPHeaders: { blobContentType: contentType } });
    return response.etag ?? '';
  }

  async remove(container: string, blobName: string): Promise<void> {
    await this.container(container).getBlobClient(blobName).deleteIfExists();
  }

  async openRead(container: string, blobName: string): Promise<Readable> {
    const response = await this.container(container).getBlobClient(blobName).download();
    return response.readableStreamBody as Readable;
  }

  async #sas(container: string, blobName: string, permissions: string): Promise<string> {
    return await createSasUrl(this.azurite, container, blobName, { permissions, expiresOn: new Date(Date.now() + this.sasLifetimeMs) });
  }
}
