import { openAsBlob } from 'node:fs';
import type { components } from '../../../generated/hdc.js';
import type { HdcClient } from '../client.js';
import { MalformedResponseError } from '../errors/malformed-response-error.js';
import { toSegment } from '../ids.js';
import { errorOf } from '../pipeline/response-body.js';
import { unwrap, type CallOptions } from './call.js';

export type PreprodPackage = components['schemas']['PreprodPackage'];
export type PreprodAsset = components['schemas']['PreprodAsset'];

/** A downloaded asset: its bytes as a stream, to be written out by the caller. */
export interface AssetDownload {
  body: ReadableStream<Uint8Array>;
  /** From Content-Length, when the service sent one. */
  contentLength: number | undefined;
  contentType: string | undefined;
}

export interface PreprodResource {
  /**
   * Submits a package for preproduction signing. A file path is streamed from disk (and can be resent on a
   * retry without holding it in memory); a Blob or bytes are sent as they are.
   */
  submit(pkg: string | Blob | Uint8Array, options?: CallOptions): Promise<PreprodPackage>;
  get(packageId: string, options?: CallOptions): Promise<PreprodPackage>;
  assets(packageId: string, options?: CallOptions): Promise<PreprodAsset[]>;
  asset(packageId: string, assetId: string, options?: CallOptions): Promise<PreprodAsset>;
  downloadAsset(packageId: string, assetId: string, options?: CallOptions): Promise<AssetDownload>;
}

export function preprodResource(client: Pick<HdcClient, 'GET'>, send: HdcClient['send']): PreprodResource {
  const assetPath = (packageId: string, assetId: string) => ({ packageId: toSegment('packageId', packageId), assetId: toSegment('assetId', assetId) });
  return {
    submit: async (pkg, { signal, timeoutMs } = {}) => {
      // Through `send`, not the typed PUT: openapi-fetch would buffer the body into a Request.
      const body = typeof pkg === 'string' ? await openAsBlob(pkg) : pkg;
      const response = await send({
        method: 'PUT',
        url: 'preprod/packages',
        headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
        body,
        // Each PUT submits a new package: resending after a 500 or a timeout could start a second signing.
        idempotent: false,
        ...(signal ? { signal } : {}),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      const error = errorOf(response);
      if (error) throw error;
      const data = (await response.json()) as PreprodPackage | undefined;
      if (!data || typeof data !== 'object') {
        throw new MalformedResponseError('PUT /preprod/packages succeeded but returned no package description', { code: 'MalformedResponse', status: response.status });
      }
      return data;
    },
    get: async (packageId, { signal } = {}) =>
      unwrap(client.GET('/preprod/packages/{packageId}', { params: { path: { packageId: toSegment('packageId', packageId) } }, signal })),
    assets: async (packageId, { signal } = {}) => {
      const list = await unwrap(client.GET('/preprod/packages/{packageId}/assets', { params: { path: { packageId: toSegment('packageId', packageId) } }, signal }));
      return (Array.isArray(list) ? list : (list as { value?: PreprodAsset[] })?.value ?? []) as PreprodAsset[];
    },
    asset: async (packageId, assetId, { signal } = {}) =>
      unwrap(client.GET('/preprod/packages/{packageId}/assets/{assetId}', { params: { path: assetPath(packageId, assetId) }, signal })),
    downloadAsset: async (packageId, assetId, { signal } = {}) => {
      const { packageId: p, assetId: a } = assetPath(packageId, assetId);
      const response = await send({
        method: 'GET',
        url: `preprod/packages/${encodeURIComponent(p)}/assets/${encodeURIComponent(a)}/download`,
        headers: { accept: 'application/octet-stream, application/zip, */*' },
        ...(signal ? { signal } : {}),
      });
      const error = errorOf(response);
      if (error) throw error;
      if (!response.body) throw new MalformedResponseError(`the download of asset ${a} returned no body`, { code: 'MalformedResponse', status: response.status });
      const length = Number(response.headers.get('content-length'));
      return {
        body: response.body,
        contentLength: Number.isFinite(length) && response.headers.has('content-length') ? length : undefined,
        contentType: response.headers.get('content-type') ?? undefined,
      };
    },
  };
}
