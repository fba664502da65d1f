import type { components } from '../../../generated/hdc.js';
import { MalformedResponseError } from '../errors/malformed-response-error.js';
import { SecurityError } from '../errors/security-error.js';
import { errorOf } from '../pipeline/response-body.js';
import type { HdcClient } from '../client.js';

type Link = components['schemas']['Link'];

/** A list answer: `{ value: [...], links: [...] }`. */
export interface Page<T> {
  value?: T[];
  links?: Link[];
}

/**
 * Yields every item of a list, following `next_link` until it is absent. The link is an opaque URL (the
 * service puts a continuation token in it), so it is followed as given, but only on the API's own origin:
 * the access token must not go anywhere else. Only one page is held in memory at a time.
 */
export async function* paginate<T>(
  firstPage: () => Promise<Page<T>>,
  send: HdcClient['send'],
  apiBase: URL,
  signal?: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  let page: Page<T> | undefined = await firstPage();
  const followed = new Set<string>();
  while (page) {
    if (page.value !== undefined && !Array.isArray(page.value)) {
      throw new MalformedResponseError('a list response has a "value" that is not an array', { code: 'MalformedResponse' });
    }
    yield* page.value ?? [];
    const next = nextLink(page.links, apiBase);
    if (!next) return;
    if (followed.has(next.href)) {
      throw new MalformedResponseError(`the service returned the same next_link twice (${next.pathname}); stopping instead of looping forever`, { code: 'PagingLoop' });
    }
    followed.add(next.href);
    page = undefined; // let the previous page be collected while the next one loads
    const response = await send({ method: 'GET', url: next, ...(signal ? { signal } : {}) });
    const error = errorOf(response);
    if (error) throw error;
    page = (await response.json()) as Page<T>;
  }
}

function nextLink(links: Link[] | undefined, apiBase: URL): URL | undefined {
  const href = links?.find((link) => link.rel?.toLowerCase() === 'next_link')?.href;
  if (!href) return undefined;
  let url: URL;
  try {
    url = new URL(href.trim(), apiBase);
  } catch {
    throw new MalformedResponseError(`the next_link ${JSON.stringify(href.slice(0, 120))} is not a URL`, { code: 'MalformedResponse' });
  }
  if (url.origin !== apiBase.origin) {
    throw new SecurityError(`refusing to follow next_link to ${url.origin}: it is not the API's origin (${apiBase.origin}), and the request would carry your access token`, {
      code: 'ForeignNextLink',
      request: { method: 'GET', url },
    });
  }
  return url;
}
