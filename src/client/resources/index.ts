import type { HdcClient } from '../client.js';
import { audiencesResource, type AudiencesResource } from './audiences.js';
import { partnerSubmissionsResource, type PartnerSubmissionsResource } from './partner-submissions.js';
import { preprodResource, type PreprodResource } from './preprod.js';
import { productsResource, type ProductsResource } from './products.js';
import { shippingLabelsResource, type ShippingLabelsResource } from './shipping-labels.js';
import { submissionsResource, type SubmissionsResource } from './submissions.js';

/** The resource helpers: each returns data or throws a typed error. */
export interface HdcResources {
  products: ProductsResource;
  submissions: SubmissionsResource;
  shippingLabels: ShippingLabelsResource;
  audiences: AudiencesResource;
  preprod: PreprodResource;
  /** Submissions other partners shared with you, looked up by their IDs (undocumented endpoint). */
  partnerSubmissions: PartnerSubmissionsResource;
}

export function createResources(client: Pick<HdcClient, 'GET' | 'POST' | 'PATCH' | 'PUT'>, send: HdcClient['send'], apiBase: URL): HdcResources {
  return {
    products: productsResource(client, send, apiBase),
    submissions: submissionsResource(client, send, apiBase),
    shippingLabels: shippingLabelsResource(client, send, apiBase),
    audiences: audiencesResource(client, send, apiBase),
    preprod: preprodResource(client, send),
    partnerSubmissions: partnerSubmissionsResource(client),
  };
}
