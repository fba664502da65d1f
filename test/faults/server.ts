/**
 * A scripted HTTP server on 127.0.0.1 for fault injection. Each route holds a queue of steps that answer
 * one request each (the last step repeats), and every request is recorded as it arrives: method, path,
 * headers, body and arrival time. Steps can answer normally or break the exchange the way real networks
 * and gateways do: reset the socket before the headers or mid-body, trickle a body too slowly, hang.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** The API root every scenario serves under, as the real service does. */
export const API_PATH = '/v2.0/my/hardware';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v2.0/my/hardware/products?continuationToken=2`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `Date.now()` when the request's body had arrived (a faked Date shows here too). */
  at: number;
}

/** One scripted answer. */
export type Step =
  /** A whole answer; `chunked` sends it without Content-Length (chunked transfer encoding). */
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body?: string; chunked?: boolean }
  /** Sends nothing and resets the connection (TCP RST) once the request has arrived. */
  | { kind: 'reset-before-headers' }
  /** Sends the headers (announcing the full length) and `sendBytes` of the body, then resets the connection. */
  | { kind: 'reset-mid-body'; status: number; headers?: Record<string, string>; body: string; sendBytes: number }
  /** Sends the headers, then the body `chunkBytes` at a time every `intervalMs`. A `content-length` header overrides the real one. */
  | { kind: 'trickle'; status: number; headers?: Record<string, string>; body: string; chunkBytes: number; intervalMs: number }
  /** Never answers; the client has to give up (abort or timeout). */
  | { kind: 'hang' }
  /** Decides from the request (and how many this route has seen). */
  | { kind: 'dynamic'; answer: (request: RecordedRequest, index: number) => Step };

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** A JSON answer. Pass a string to keep exact int64 digits that a JS object would round. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Step {
  return { kind: 'respond', status, headers: { ...JSON_TYPE, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

export function text(status: number, body: string, headers: Record<string, string> = {}): Step {
  return { kind: 'respond', status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

/** An HTML error page, as a proxy or a login wall would send it. */
export function html(status: number, body: string): Step {
  return { kind: 'respond', status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

/** No body at all (Content-Length: 0). */
export function empty(status: number, headers: Record<string, string> = {}): Step {
  return { kind: 'respond', status, headers, body: '' };
}

export const resetBeforeHeaders = (): Step => ({ kind: 'reset-before-headers' });
export const hang = (): Step => ({ kind: 'hang' });

export function resetMidBody(status: number, body: string, sendBytes: number): Step {
  return { kind: 'reset-mid-body', status, headers: JSON_TYPE, body, sendBytes };
}

export function trickle(status: number, body: string, options: { chunkBytes: number; intervalMs: number }): Step {
  return { kind: 'trickle', status, headers: JSON_TYPE, body, ...options };
}

export function dynamic(answer: (request: RecordedRequest, index: number) => Step): Step {
  return { kind: 'dynamic', answer };
}

interface Route {
  method: string;
  path: string | RegExp;
  steps: Step[];
  served: number;
}

export interface ScenarioServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** `http://127.0.0.1:PORT/v2.0/my/hardware`: what a client's `baseUrl` is set to. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every request, in arrival order, including unscripted ones (answered 599). */
  readonly requests: RecordedRequest[];
  /**
   * Scripts a route. `path` is matched against the path without the query (a string below {@link API_PATH},
   * or a RegExp on the full path and query). The steps answer successive requests; the last one repeats.
   */
  route(method: string, path: string | RegExp, ...steps: Step[]): void;
  /** Requests that match a method and path (same matching as `route`). */
  count(method: string, path: string | RegExp): number;
  /** Forgets routes and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a scenario server on 127.0.0.1 (`port` 0 picks a free one). */
export async function startScenarioServer(port = 0): Promise<ScenarioServer> {
  const routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const matches = (method: string, path: string | RegExp, recorded: RecordedRequest): boolean => {
    if (method.toUpperCase() !== recorded.method) return false;
    if (path instanceof RegExp) return path.test(recorded.path);
    return recorded.path.split('?', 1)[0] === `${API_PATH}${path}`;
  };

  const play = (step: Step, recorded: RecordedRequest, index: number, req: IncomingMessage, res: ServerResponse): void => {
    switch (step.kind) {
      case 'dynamic':
        return play(step.answer(recorded, index), recorded, index, req, res);
      case 'respond': {
        const body = Buffer.from(step.body ?? '');
        if (!step.chunked) {
          res.writeHead(step.status, { ...step.headers, 'content-length': String(body.byteLength) });
          res.end(body);
          return;
        }
        res.writeHead(step.status, step.headers);
        for (let offset = 0; offset < body.byteLength; offset += 16 * 1024) res.write(body.subarray(offset, offset + 16 * 1024));
        res.end();
        return;
      }
      case 'reset-before-headers':
        req.socket.resetAndDestroy();
        return;
      case 'reset-mid-body': {
        const body = Buffer.from(step.body);
        res.writeHead(step.status, { ...step.headers, 'content-length': String(body.byteLength) });
        res.flushHeaders();
        // Reset only once the partial body has left, so the client really sees headers and then a broken body.
        res.write(body.subarray(0, step.sendBytes), () => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            req.socket.resetAndDestroy();
          }, 20);
          timers.add(timer);
        });
        return;
      }
      case 'trickle': {
        const body = Buffer.from(step.body);
        res.writeHead(step.status, { 'content-length': String(body.byteLength), ...step.headers });
        res.flushHeaders();
        let offset = 0;
        const next = (): void => {
          if (res.destroyed || offset >= body.byteLength) return void res.end();
          res.write(body.subarray(offset, offset + step.chunkBytes));
          offset += step.chunkBytes;
          const timer = setTimeout(() => {
            timers.delete(timer);
            next();
          }, step.intervalMs);
          timers.add(timer);
        };
        next();
        return;
      }
      case 'hang':
        return;
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(recorded);
      const route = routes.find((candidate) => matches(candidate.method, candidate.path, recorded));
      if (!route) {
        res.writeHead(599, { 'content-type': 'text/plain' });
        res.end(`no scripted route for ${recorded.method} ${recorded.path}`);
        return;
      }
      const index = route.served++;
      play(route.steps[Math.min(index, route.steps.length - 1)]!, recorded, index, req, res);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${actualPort}`;

  return {
    origin,
    baseUrl: `${origin}${API_PATH}`,
    port: actualPort,
    requests,
    route: (method, path, ...steps) => {
      if (steps.length === 0) throw new Error('a route needs at least one step');
      routes.push({ method: method.toUpperCase(), path, steps, served: 0 });
    },
    count: (method, path) => requests.filter((recorded) => matches(method, path, recorded)).length,
    reset: () => {
      routes.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening on it (connections are refused). */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
