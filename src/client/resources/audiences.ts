import type { components } from '../../../generated/hdc.js';
import type { HdcClient } from '../client.js';
import { unwrap, type CallOptions } from './call.js';
import { paginate } from './paging.js';

export type Audience = components['schemas']['Audience'];

export interface AudiencesResource {
  /** The audiences a shipping label can be restricted to (`targeting.restrictedToAudiences` takes their `id`). */
  list(options?: CallOptions): AsyncGenerator<Audience, void, undefined>;
}

export function audiencesResource(client: Pick<HdcClient, 'GET'>, send: HdcClient['send'], apiBase: URL): AudiencesResource {
  return {
    list: ({ signal } = {}) => paginate<Audience>(() => unwrap(client.GET('/audiences', { signal })), send, apiBase, signal),
  };
}
