/**
 * Shared pieces of the client tests: the msw server over the spec-derived handlers, a log of every request that
 * reached it (method, URL, headers and the raw body text, as sent on the wire), and the spec's examples parsed
 * the way the client parses answers (int64 IDs as exact digit strings).
 */
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { setupServer, type SetupServer } from 'msw/node';
import { parseJson } from '../../src/client/json/lossless.js';
import { DEFAULT_BASE_URL } from '../../src/client/options.js';
import { handlers } from '../../src/mock/handlers.js';
import { operations, type OperationRecord } from '../../generated/operations.js';

export const API = DEFAULT_BASE_URL;

/** IDs from the docs that a double cannot hold (section 6 of the reference). */
export const SUBMISSION_ID = '1152921504621441930';
export const PRODUCT_ID = '13635057453741329';
export const OTHER_PRODUCT_ID = '9007199267351835';

export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
  /** The body exactly as it went over the wire, decoded as UTF-8. */
  text: string;
  bytes: Uint8Array;
}

export interface MockServer {
  server: SetupServer;
  /** Every request msw saw in this test, in order, with its body read (msw reports them before bodies are read). */
  requests(): Promise<SeenRequest[]>;
}

/**
 * Starts msw for this test file with `onUnhandledRequest: 'error'` and records every request it sees.
 * Overrides added with `server.use` are reset after each test, and so is the log.
 */
export function useMockServer(): MockServer {
  const server = setupServer(...handlers);
  let seen: Promise<SeenRequest>[] = [];
  server.events.on('request:start', ({ request }) => {
    const copy = request.clone();
    seen.push(
      copy.arrayBuffer().then((buffer) => {
        const bytes = new Uint8Array(buffer);
        return { method: request.method, url: new URL(request.url), headers: new Headers(request.headers), text: new TextDecoder().decode(bytes), bytes };
      }),
    );
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    seen = [];
  });
  afterAll(() => server.close());
  return { server, requests: () => Promise.all(seen) };
}

export function operation(operationId: string): OperationRecord {
  const found = operations.find((op) => op.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId} in generated/operations.ts`);
  return found;
}

/** The documented success body of an operation, parsed losslessly (IDs as digit strings). */
export function responseExample(operationId: string): unknown {
  const text = operation(operationId).responseExample;
  if (text === null) throw new Error(`${operationId} has no response example`);
  return parseJson(text);
}

/** The documented request body of an operation (typed loosely: it is passed as whichever typed body it belongs to). */
export function requestExample(operationId: string): any {
  const text = operation(operationId).requestExample;
  if (text === null) throw new Error(`${operationId} has no request example`);
  return parseJson(text);
}
