/**
 * A loopback proxy in front of the sandbox's API that plays a slow service: each request reaches the sandbox (which
 * acts on it at once), and its answer is held back before it is passed on. A test can also drop an answer (the
 * connection is destroyed after the service acted), or be told when the answer of a given operation is being held,
 * to kill the client in exactly that window.
 */
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** The creates and the commit: the requests whose lost answer leaves an outcome unknown. */
export type ApiOperation = 'createProduct' | 'createSubmission' | 'createShippingLabel' | 'commitSubmission' | 'other';

export function operationOf(method: string, path: string): ApiOperation {
  if (method !== 'POST') return 'other';
  if (/\/products\/?$/i.test(path)) return 'createProduct';
  if (/\/submissions\/?$/i.test(path)) return 'createSubmission';
  if (/\/shippingLabels\/?$/i.test(path)) return 'createShippingLabel';
  if (/\/commit\/?$/i.test(path)) return 'commitSubmission';
  return 'other';
}

/** What to do with an answer the service has given. */
export type AnswerPolicy = { deliverAfterMs: number } | { drop: true } | { hold: true };

export interface AnswerProxy {
  /** The sandbox's base URL, through the proxy. */
  readonly baseUrl: string;
  /** Decides each answer's fate; the default passes everything on at once. */
  policy: (operation: ApiOperation) => AnswerPolicy;
  /** Called when an answer is held ({ hold: true }) or about to be delivered late: the window a kill lands in. */
  onAnswer: ((operation: ApiOperation) => void) | undefined;
  close(): Promise<void>;
}

export async function startAnswerProxy(sandboxBaseUrl: string): Promise<AnswerProxy> {
  const upstream = new URL(sandboxBaseUrl);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const proxy = {
    baseUrl: '',
    policy: (_operation: ApiOperation): AnswerPolicy => ({ deliverAfterMs: 0 }),
    onAnswer: undefined as AnswerProxy['onAnswer'],
  };

  const deliver = (response: ServerResponse, answer: IncomingMessage, body: Buffer): void => {
    if (response.destroyed) return;
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    response.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
    response.end(body);
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const operation = operationOf(request.method ?? 'GET', new URL(request.url ?? '/', 'http://x').pathname);
    const outgoing = forward(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const policy = proxy.policy(operation);
          proxy.onAnswer?.(operation);
          if ('drop' in policy) response.socket?.destroy();
          else if ('deliverAfterMs' in policy) {
            const timer = setTimeout(() => {
              timers.delete(timer);
              deliver(response, answer, body);
            }, policy.deliverAfterMs);
            timers.add(timer);
          }
          // { hold: true }: never answered; the client is killed or gives up.
        });
      },
    );
    outgoing.on('error', () => response.socket?.destroy());
    request.pipe(outgoing);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  proxy.baseUrl = `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}`;

  return Object.assign(proxy, {
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
