/**
 * `next_link` paging (reference section 2.13). The service's continuation token is an opaque URL-encoded base64 blob;
 * the sandbox's is too (base64url of a small JSON), so clients that treat `next_link` as opaque work against both.
 */
import { invalidInput } from './errors.js';

export interface Link {
  href: string;
  rel: string;
  method: string;
}

export interface Page<T> {
  value: T[];
  links: Link[];
}

const MAX_PAGE_SIZE = 1000;

interface TokenPayload {
  /** items already returned */
  skip: number;
}

/**
 * One page of `items`. `listUrl` is the list's absolute URL without query; the query keeps `pageSize` and
 * `continuationToken`, plus any `extraQuery` (e.g. includeTargetingInfo) so that following next_link keeps the view.
 */
export function pageOf<T>(items: readonly T[], query: URLSearchParams, defaultPageSize: number, listUrl: string, extraQuery: Record<string, string> = {}): Page<T> {
  const pageSize = readPageSize(query.get('pageSize'), defaultPageSize);
  const skip = readToken(query.get('continuationToken'));
  const value = items.slice(skip, skip + pageSize);
  const href = (token?: string): string => {
    const params = new URLSearchParams({ ...extraQuery, pageSize: String(pageSize) });
    if (token !== undefined) params.set('continuationToken', token);
    return `${listUrl}?${params}`;
  };
  const links: Link[] = [{ href: href(query.get('continuationToken') ?? undefined), rel: 'self', method: 'GET' }];
  if (skip + pageSize < items.length) {
    links.push({ href: href(writeToken({ skip: skip + pageSize })), rel: 'next_link', method: 'GET' });
  }
  return { value, links };
}

function readPageSize(raw: string | null, defaultPageSize: number): number {
  if (raw === null) return defaultPageSize;
  const size = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw invalidInput('The page size is invalid.', [{ target: 'pageSize', message: `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}.` }]);
  }
  return size;
}

function writeToken(payload: TokenPayload): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function readToken(raw: string | null): number {
  if (raw === null) return 0;
  let skip: unknown;
  try {
    skip = (JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<TokenPayload>).skip;
  } catch {
    skip = undefined;
  }
  if (typeof skip !== 'number' || !Number.isSafeInteger(skip) || skip < 0) {
    throw invalidInput('The continuation token is invalid.', [
      { target: 'continuationToken', message: 'Use the continuationToken from a next_link exactly as the service returned it.' },
    ]);
  }
  return skip;
}
