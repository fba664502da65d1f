/**
 * Route table and matching. Paths are matched below `/v1.0/my/hardware` and `/v2.0/my/hardware`, literal segments
 * case-insensitively (the service is an ASP.NET API), with trailing slashes tolerated (several doc pages print them).
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { invalidInput } from './errors.js';

export type ApiVersion = 'v1.0' | 'v2.0';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT';

/**
 * How a route takes its request body: `json` (Content-Type must be JSON, body validated against the operation's request
 * schema), `binary` (raw bytes, read by the handler from `request`), or `none` (any body is ignored, as for commit).
 */
export type BodyKind = 'json' | 'binary' | 'none';

export interface RequestContext {
  version: ApiVersion;
  /** `http://127.0.0.1:PORT/v2.0/my/hardware`, for the links in responses. */
  apiBase: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body parsed losslessly (IDs as digit strings), for `json` routes. */
  body: unknown;
  request: IncomingMessage;
}

export type Reply =
  | { status: number; json?: unknown; headers?: Record<string, string> }
  | { status: number; stream: Readable; contentType: string; headers?: Record<string, string> };

export interface Route {
  method: HttpMethod;
  /** Below the API base, with `{param}` segments: `/products/{productId}/submissions`. */
  path: string;
  operationId: string;
  body: BodyKind;
  /** Versions that serve the route. @default both */
  versions?: readonly ApiVersion[];
  handle(context: RequestContext): Promise<Reply> | Reply;
}

/** int64 IDs in paths: digits only, so that a client which turned an ID into a double (1.15e18) is told so. */
const INT64_PARAMS = new Set(['productId', 'submissionId', 'shippingLabelId']);

const API_PREFIX = /^\/(v1\.0|v2\.0)\/my\/hardware(?=\/|$)/i;

export type Match =
  | { kind: 'route'; route: Route; version: ApiVersion; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allow: HttpMethod[] }
  | { kind: 'notFound' };

export class Router {
  readonly #routes: { route: Route; segments: string[] }[];

  constructor(routes: Route[]) {
    this.#routes = routes.map((route) => ({ route, segments: splitPath(route.path) }));
  }

  match(method: string, pathname: string): Match {
    const prefix = API_PREFIX.exec(pathname);
    if (!prefix) return { kind: 'notFound' };
    const version = prefix[1]!.toLowerCase() as ApiVersion;
    const segments = splitPath(pathname.slice(prefix[0].length));
    const allow: HttpMethod[] = [];
    for (const { route, segments: pattern } of this.#routes) {
      if (route.versions && !route.versions.includes(version)) continue;
      const params = matchSegments(pattern, segments);
      if (!params) continue;
      if (route.method === method) return { kind: 'route', route, version, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: 'methodNotAllowed', allow } : { kind: 'notFound' };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, expected] of pattern.entries()) {
    const actual = segments[index]!;
    if (expected.startsWith('{')) {
      params[expected.slice(1, -1)] = safeDecode(actual);
    } else if (expected.toLowerCase() !== actual.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Rejects int64 path parameters that are not plain digit strings. */
export function checkPathParams(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    if (INT64_PARAMS.has(name) && !/^[0-9]+$/.test(value)) {
      throw invalidInput(`The ${name} in the path is not a valid ID.`, [
        { target: name, message: `${name} must be the exact decimal ID (digits only), got "${value}".` },
      ]);
    }
  }
}
