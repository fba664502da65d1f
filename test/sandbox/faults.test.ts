/** Fault injection: the right bodies and headers, reproducible with a seed, and nothing injected when it is off. */
import { describe, expect, it } from '@jest/globals';
import { FaultSpecError, startSandbox } from '../../src/mock/sandbox/index.js';
import { DEFAULT_LATE_MS, parseFaults } from '../../src/mock/sandbox/faults.js';
import { createHdcClient } from '../../src/client/client.js';
import { NetworkError } from '../../src/client/errors/network-error.js';
import { TimeoutError } from '../../src/client/errors/timeout-error.js';
import { useAzurite } from './fixture.js';
import { call, newProductBody, waitFor } from './support.js';

describe('sandbox fault injection', () => {
  const sandbox = useAzurite().startSandbox;

  it('parses fault specs and rejects malformed ones with a message saying what to write', () => {
    expect(parseFaults('429:0.1, 500:0.05,reset:0.02,slow:0.01')).toEqual([
      { kind: '429', probability: 0.1 },
      { kind: '500', probability: 0.05 },
      { kind: 'reset', probability: 0.02 },
      { kind: 'slow', probability: 0.01 },
    ]);
    expect(parseFaults('')).toEqual([]);
    expect(() => parseFaults('404:0.1')).toThrow(new FaultSpecError('Unknown fault kind "404". Use one of: 429, 500, 502, 503, reset, slow, late, lost.'));
    expect(() => parseFaults('429')).toThrow(/not of the form kind:probability/);
    expect(() => parseFaults('429:abc')).toThrow(/probability NaN/);
    expect(() => parseFaults('429:0.7,500:0.5')).toThrow(/must not exceed 1/);
    expect(() => parseFaults([{ kind: 'slow', probability: 0.5, delayMs: -1 }])).toThrow(/delayMs -1/);
  });

  it('throttles with the gateway body and a Retry-After scaled to the clock', async () => {
    const throttled = await sandbox({ faults: '429:1', speed: 10 });
    const response = await call(throttled.baseUrl, 'GET', '/products');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.body).toEqual({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 2 seconds.' });
    // Faults come before authentication, as a gateway's throttling does.
    expect((await call(throttled.baseUrl, 'GET', '/products', { token: null })).status).toBe(429);
    expect(throttled.requests).toBe(2);
  });

  it('answers 500, 502 and 503 with the service error body', async () => {
    for (const [kind, code] of [
      ['500', 'internalServerError'],
      ['502', 'badGateway'],
      ['503', 'serviceUnavailable'],
    ] as const) {
      const failing = await sandbox({ faults: `${kind}:1` });
      const response = await call(failing.baseUrl, 'GET', '/audiences');
      expect(response.status).toBe(Number(kind));
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toMatch(/Try again later\.$/);
      expect(response.headers.get('retry-after')).toBe(kind === '503' ? '20' : null);
    }
  });

  it('drops the connection before any header on reset', async () => {
    const resetting = await sandbox({ faults: 'reset:1' });
    const failure = await fetch(`${resetting.baseUrl}/audiences`, { headers: { Authorization: 'Bearer t' } }).then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: { code?: string } },
    );
    expect(failure?.message).toBe('fetch failed');
    expect(failure?.cause?.code).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/);
    expect(resetting.requests).toBe(1);
  });

  it('trickles a slow body out over the delay, intact', async () => {
    const slow = await sandbox({ faults: [{ kind: 'slow', probability: 1, delayMs: 300 }] });
    const started = Date.now();
    const response = await call(slow.baseUrl, 'GET', '/audiences');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(response.status).toBe(200);
    expect(response.body.value).toHaveLength(4);
  });

  it('injects the same faults for the same seed and request sequence, and other faults for another seed', async () => {
    const statuses = async (seed: number): Promise<number[]> => {
      const faulty = await sandbox({ faults: '429:0.3,500:0.2', seed });
      const seen: number[] = [];
      for (let index = 0; index < 30; index += 1) seen.push((await call(faulty.baseUrl, 'GET', '/audiences')).status);
      return seen;
    };
    const first = await statuses(42);
    expect(await statuses(42)).toEqual(first);
    expect(await statuses(7)).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500]));
  });

  it('injects nothing when faults are off', async () => {
    const calm = await sandbox({});
    for (let index = 0; index < 50; index += 1) expect((await call(calm.baseUrl, 'GET', '/audiences')).status).toBe(200);
  });
});

/**
 * Faults after the service has acted (issue 18): `late` holds the answer back, `lost` drops it. The resource must
 * exist whatever the client saw, which is what a crash-safe client has to cope with.
 */
describe('sandbox faults after the service acted', () => {
  const sandbox = useAzurite().startSandbox;
  const productNames = async (base: string): Promise<string[]> =>
    (await call(base, 'GET', '/products')).body.value.map((product: { productName: string }) => product.productName);

  it('parses targets, methods and delays, and checks the probabilities per operation', () => {
    const operations = new Map([
      ['createProduct', 'POST'],
      ['listProducts', 'GET'],
    ]);
    expect(parseFaults('lost@createProduct:0.5, late@post:0.25:8000,late:0.25', operations)).toEqual([
      { kind: 'lost', probability: 0.5, target: 'createProduct' },
      { kind: 'late', probability: 0.25, target: 'POST', delayMs: 8000 },
      { kind: 'late', probability: 0.25 },
    ]);
    expect(() => parseFaults('lost@createProdcut:1', operations)).toThrow(/"lost@createProdcut" names no known operation or HTTP method/);
    expect(() => parseFaults('429:0.5:100')).toThrow('Fault "429" takes no delay; only slow and late do.');
    expect(() => parseFaults('lost@:1')).toThrow(/names its target badly/);
    // Global and targeted faults that meet on one request must not add up to more than 1; apart they may.
    expect(() => parseFaults('late:0.6,lost@createProduct:0.5', operations)).toThrow('Fault probabilities for createProduct add up to 1.1; together they must not exceed 1.');
    expect(() => parseFaults('late@POST:0.6,lost@createProduct:0.5', operations)).toThrow(/for createProduct add up to 1\.1/);
    expect(parseFaults('late@GET:0.6,lost@createProduct:0.5', operations)).toHaveLength(2);
  });

  it('refuses an unknown operation before starting anything', async () => {
    await expect(startSandbox({ faults: 'lost@createProdcut:1' })).rejects.toThrow(FaultSpecError);
  });

  it('lost: the product is created, the client sees a reset before any byte, and other operations are untouched', async () => {
    const lossy = await sandbox({ faults: 'lost@createProduct:1' });
    const failure = await call(lossy.baseUrl, 'POST', '/products', { body: newProductBody({ productName: 'lost answer' }) }).then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: { code?: string } },
    );
    expect(failure?.message).toBe('fetch failed');
    expect(failure?.cause?.code).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/);
    expect(await productNames(lossy.baseUrl)).toEqual(['lost answer']);

    // hwdash's client must not send a blind second POST after a reset that came after sending.
    const client = createHdcClient({ baseUrl: lossy.baseUrl, token: 'any', retry: { maxRetries: 3 } });
    await expect(client.products.create(newProductBody({ productName: 'lost again' }) as never)).rejects.toBeInstanceOf(NetworkError);
    expect(await productNames(lossy.baseUrl)).toEqual(['lost answer', 'lost again']);
  });

  it('lost@POST spoils every POST and no GET', async () => {
    const lossy = await sandbox({ faults: 'lost@POST:1' });
    await expect(call(lossy.baseUrl, 'POST', '/products', { body: newProductBody() })).rejects.toThrow('fetch failed');
    for (let index = 0; index < 5; index += 1) expect((await call(lossy.baseUrl, 'GET', '/audiences')).status).toBe(200);
    expect(await productNames(lossy.baseUrl)).toHaveLength(1);
  });

  it('late: the product exists while its answer is held back, and the answer arrives after the delay', async () => {
    const delayMs = DEFAULT_LATE_MS;
    const slow = await sandbox({ faults: 'late@createProduct:1' });
    const started = Date.now();
    const answer = call(slow.baseUrl, 'POST', '/products', { body: newProductBody({ productName: 'late answer' }) });
    // The service acts first: the product is listed before its create answer has arrived.
    const settled = { done: false };
    void answer.finally(() => (settled.done = true));
    await waitFor(() => productNames(slow.baseUrl), (names) => names.includes('late answer'));
    expect(settled.done).toBe(false);
    const created = await answer;
    expect(Date.now() - started).toBeGreaterThanOrEqual(delayMs - 50);
    expect(created.status).toBe(201);
    expect(created.body.productName).toBe('late answer');
  });

  it('late: a client timeout shorter than the delay fails the call, and the product exists all the same', async () => {
    const slow = await sandbox({ faults: [{ kind: 'late', probability: 1, delayMs: 4000, target: 'createProduct' }] });
    const client = createHdcClient({ baseUrl: slow.baseUrl, token: 'any', timeoutMs: 500 });
    await expect(client.products.create(newProductBody({ productName: 'timed out' }) as never)).rejects.toBeInstanceOf(TimeoutError);
    expect(await productNames(slow.baseUrl)).toEqual(['timed out']);
  });
});
