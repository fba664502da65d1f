/**
 * A loopback HTTP proxy in front of Azurite that records every storage request (operation, block ID, status,
 * storage error code) and can slow requests down. SAS signatures do not cover the host, so a SAS URL pointed
 * at the proxy stays valid.
 */
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';

export interface ProxiedRequest {
  method: string;
  /** The `comp` query parameter: `block`, `blocklist`, or undefined for plain blob GET/PUT. */
  comp: string | undefined;
  /** The `blockid` parameter, decoded from the query string (still base64). */
  blockId: string | undefined;
  /** The blob path, e.g. `/devstoreaccount1/ingestion/pkg`. */
  path: string;
  /** Undefined when the client gave up before the answer. */
  status?: number;
  /** The `Range` or `x-ms-range` the client asked for. */
  range?: string;
  /** The `If-Match` condition the client sent. */
  ifMatch?: string;
  /** The proxy cut the response short. */
  cut?: boolean;
  errorCode?: string;
}

export interface BlobProxy {
  /** The same SAS URL, through the proxy. */
  via(sasUrl: string): string;
  readonly log: ProxiedRequest[];
  /** Milliseconds each request waits before it is forwarded. */
  delayMs: number;
  /** The next this many requests are answered 503 ServerBusy by the proxy itself (the SDK retries those). */
  failNext: number;
  /** The next GET response is cut (its connection destroyed) after this many body bytes. */
  cutNextResponseAfter: number | undefined;
  /** When set, each request waits for what this returns before it is forwarded (and is logged first). */
  hold: ((entry: ProxiedRequest) => Promise<void> | undefined) | undefined;
  /**
   * Response bodies are passed on in pieces of this many bytes, each after `delayMs`: a slow body, so that a test
   * can act while a download is under way, whatever the machine's speed.
   */
  pace: { bytes: number; delayMs: number } | undefined;
  /**
   * The next GET response passes on this many body bytes and then nothing more, until the client goes away: a download
   * that can only end if the client gives up on it.
   */
  stallNextResponseAfter: number | undefined;
  /** Most requests open at the same time since the last `reset()`. */
  readonly maxConcurrent: number;
  /** Clears the log, the concurrency high-water mark, `hold` and `pace`. */
  reset(): void;
  close(): Promise<void>;
}

export async function startBlobProxy(blobEndpoint: string): Promise<BlobProxy> {
  const target = new URL(blobEndpoint);
  const log: ProxiedRequest[] = [];
  let open = 0;
  let maxConcurrent = 0;
  const proxy: BlobProxy = {
    log,
    delayMs: 0,
    failNext: 0,
    cutNextResponseAfter: undefined,
    stallNextResponseAfter: undefined,
    hold: undefined,
    pace: undefined,
    get maxConcurrent() {
      return maxConcurrent;
    },
    reset: () => {
      log.length = 0;
      maxConcurrent = open;
      proxy.hold = undefined;
      proxy.pace = undefined;
    },
    via: (sasUrl) => {
      const url = new URL(sasUrl);
      url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      return url.toString();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url!, 'http://proxy');
    const entry: ProxiedRequest = {
      method: req.method!,
      comp: url.searchParams.get('comp') ?? undefined,
      blockId: url.searchParams.get('blockid') ?? undefined,
      path: url.pathname,
    };
    const range = req.headers['x-ms-range'] ?? req.headers.range;
    if (typeof range === 'string') entry.range = range;
    if (typeof req.headers['if-match'] === 'string') entry.ifMatch = req.headers['if-match'];
    log.push(entry);
    maxConcurrent = Math.max(maxConcurrent, ++open);
    let gone = false;
    res.on('close', () => {
      gone = true;
      open--;
    });
    const send = (): void => {
      if (gone) return;
      if (proxy.failNext > 0) {
        proxy.failNext--;
        entry.status = 503;
        entry.errorCode = 'ServerBusy';
        req.resume();
        res.writeHead(503, { 'x-ms-error-code': 'ServerBusy', connection: 'close' }).end();
        return;
      }
      const cutAfter = req.method === 'GET' ? proxy.cutNextResponseAfter : undefined;
      if (cutAfter !== undefined) proxy.cutNextResponseAfter = undefined;
      const stallAfter = req.method === 'GET' ? proxy.stallNextResponseAfter : undefined;
      if (stallAfter !== undefined) proxy.stallNextResponseAfter = undefined;
      const upstream = forward(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          entry.status = answer.statusCode;
          const code = answer.headers['x-ms-error-code'];
          if (typeof code === 'string') entry.errorCode = code;
          res.writeHead(answer.statusCode!, answer.headers);
          if (stallAfter !== undefined) {
            void stalled(answer, res, stallAfter);
            return;
          }
          const pace = proxy.pace;
          if (cutAfter === undefined && pace) {
            void paced(answer, res, pace);
            return;
          }
          if (cutAfter === undefined) {
            answer.pipe(res);
            return;
          }
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            if (sent >= cutAfter) return;
            const part = chunk.subarray(0, cutAfter - sent);
            sent += part.length;
            if (sent < cutAfter) {
              res.write(part);
              return;
            }
            entry.cut = true;
            res.write(part, () => {
              upstream.destroy();
              res.destroy();
            });
          });
        },
      );
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    };
    const held = proxy.hold?.(entry);
    const afterHold = (): void => {
      if (proxy.delayMs > 0) setTimeout(send, proxy.delayMs);
      else send();
    };
    if (held) void held.then(afterHold, afterHold);
    else afterHold();
  };

  /** Passes `answer` on in `pace.bytes` pieces, one every `pace.delayMs`, until the client goes away. */
  async function paced(answer: IncomingMessage, res: ServerResponse, pace: { bytes: number; delayMs: number }): Promise<void> {
    try {
      for await (const chunk of answer as AsyncIterable<Buffer>) {
        for (let offset = 0; offset < chunk.length; offset += pace.bytes) {
          await new Promise((resolve) => setTimeout(resolve, pace.delayMs));
          if (res.destroyed) {
            answer.destroy();
            return;
          }
          if (!res.write(chunk.subarray(offset, offset + pace.bytes))) await once(res, 'drain');
        }
      }
      res.end();
    } catch {
      res.destroy();
    }
  }

  /** Passes on the first `bytes` of `answer`, then holds the rest back until the client goes away. */
  async function stalled(answer: IncomingMessage, res: ServerResponse, bytes: number): Promise<void> {
    let sent = 0;
    try {
      for await (const chunk of answer as AsyncIterable<Buffer>) {
        if (sent >= bytes || res.destroyed) break;
        const part = chunk.subarray(0, bytes - sent);
        sent += part.length;
        res.write(part);
      }
      if (!res.destroyed) await once(res, 'close');
    } catch {
      // The client went away first, and `res.on('close')` destroyed the upstream answer: the point of the stall.
    }
    answer.destroy();
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return proxy;
}
