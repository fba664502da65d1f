/**
 * One rate-limit budget per client: a 429 on one call holds the client's other calls until the named wait has passed,
 * so they do not each collect a 429 of their own. The waits go through a sleep the test releases by hand, so "held"
 * is observed (nothing sent while the sleep is pending), never timed.
 */
import { describe, expect, it } from '@jest/globals';
import { createHdcClient, RateLimitError } from '../../src/client/index.js';
import { json } from './server.js';
import { caught, PRODUCT_ID, TOKEN, useScenarioServer } from './support.js';

const OTHER_PRODUCT_ID = '14631253285588839';
const productBody = (id: string): string => `{"id":${id},"productName":"Contoso widget"}`;

const scenario = useScenarioServer();

/** A sleep that waits until the test releases it, recording what was asked. */
function heldSleep(): { sleeps: { ms: number; release: () => void }[]; sleep: (ms: number, signal?: AbortSignal) => Promise<void>; releaseAll: () => void } {
  const sleeps: { ms: number; release: () => void }[] = [];
  const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      sleeps.push({ ms, release: resolve });
    });
  return { sleeps, sleep, releaseAll: () => sleeps.forEach((entry) => entry.release()) };
}

/** Polls (without a fixed wait) until `condition` holds; fails after a generous bound. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 2000; round++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

function clientWith(sleep: (ms: number, signal?: AbortSignal) => Promise<void>) {
  return createHdcClient({ baseUrl: scenario.server.baseUrl, token: TOKEN, timeoutMs: 10_000, retry: { sleep } });
}

describe('a 429 holds every call of the client', () => {
  it('a second call made while the first waits out its 429 is not sent until that wait is over', async () => {
    scenario.server.route('GET', `/products/${PRODUCT_ID}`, json(429, { statusCode: 429, message: 'Rate limit is exceeded.' }, { 'retry-after': '3' }), json(200, productBody(PRODUCT_ID)));
    scenario.server.route('GET', `/products/${OTHER_PRODUCT_ID}`, json(200, productBody(OTHER_PRODUCT_ID)));
    const clock = heldSleep();
    const client = clientWith(clock.sleep);

    const first = client.products.get(PRODUCT_ID);
    await until(() => clock.sleeps.length === 1, 'the throttled call waits');
    expect(clock.sleeps[0]!.ms).toBe(3000);

    const second = client.products.get(OTHER_PRODUCT_ID);
    await until(() => clock.sleeps.length === 2, 'the second call is held');
    // Held for what is left of the 3 s, and not sent meanwhile.
    expect(clock.sleeps[1]!.ms).toBeGreaterThan(0);
    expect(clock.sleeps[1]!.ms).toBeLessThanOrEqual(3000);
    expect(scenario.server.count('GET', `/products/${OTHER_PRODUCT_ID}`)).toBe(0);

    clock.releaseAll();
    await expect(first).resolves.toMatchObject({ id: PRODUCT_ID });
    await expect(second).resolves.toMatchObject({ id: OTHER_PRODUCT_ID });
    // The held call went out once, after the wait, and got no 429 of its own.
    expect(scenario.server.count('GET', `/products/${OTHER_PRODUCT_ID}`)).toBe(1);
    expect(scenario.server.count('GET', `/products/${PRODUCT_ID}`)).toBe(2);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('the throttled call itself waits once (its retry wait), not a second time at the gate', async () => {
    scenario.server.route('GET', `/products/${PRODUCT_ID}`, json(429, { statusCode: 429, message: 'Try again in 2 seconds.' }), json(200, productBody(PRODUCT_ID)));
    const clock = heldSleep();
    const client = clientWith(clock.sleep);

    const call = client.products.get(PRODUCT_ID);
    await until(() => clock.sleeps.length === 1, 'the throttled call waits');
    clock.releaseAll();
    await expect(call).resolves.toMatchObject({ id: PRODUCT_ID });
    expect(clock.sleeps.map((entry) => entry.ms)).toEqual([2000]);
    // And the gate is open again: the next call goes straight out.
    scenario.server.route('GET', `/products/${OTHER_PRODUCT_ID}`, json(200, productBody(OTHER_PRODUCT_ID)));
    await client.products.get(OTHER_PRODUCT_ID);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('another client has its own budget and is not held', async () => {
    scenario.server.route('GET', `/products/${PRODUCT_ID}`, json(429, { statusCode: 429, message: 'Rate limit is exceeded.' }, { 'retry-after': '3' }), json(200, productBody(PRODUCT_ID)));
    scenario.server.route('GET', `/products/${OTHER_PRODUCT_ID}`, json(200, productBody(OTHER_PRODUCT_ID)));
    const clock = heldSleep();
    const throttled = clientWith(clock.sleep).products.get(PRODUCT_ID);
    await until(() => clock.sleeps.length === 1, 'the throttled call waits');

    const other = heldSleep();
    await expect(clientWith(other.sleep).products.get(OTHER_PRODUCT_ID)).resolves.toMatchObject({ id: OTHER_PRODUCT_ID });
    expect(other.sleeps).toHaveLength(0);
    clock.releaseAll();
    await throttled;
  });

  it('a wait longer than maxRetryAfterMs fails that call at once and holds nobody', async () => {
    scenario.server.route('GET', `/products/${PRODUCT_ID}`, json(429, { statusCode: 429, message: 'Rate limit is exceeded.' }, { 'retry-after': '600' }));
    scenario.server.route('GET', `/products/${OTHER_PRODUCT_ID}`, json(200, productBody(OTHER_PRODUCT_ID)));
    const clock = heldSleep();
    const client = clientWith(clock.sleep);

    const error = await caught(() => client.products.get(PRODUCT_ID));
    expect(error).toBeInstanceOf(RateLimitError);
    await expect(client.products.get(OTHER_PRODUCT_ID)).resolves.toMatchObject({ id: OTHER_PRODUCT_ID });
    expect(clock.sleeps).toHaveLength(0);
  });

  it('a held call that is aborted rejects with the abort reason and is never sent', async () => {
    scenario.server.route('GET', `/products/${PRODUCT_ID}`, json(429, { statusCode: 429, message: 'Rate limit is exceeded.' }, { 'retry-after': '3' }), json(200, productBody(PRODUCT_ID)));
    scenario.server.route('GET', `/products/${OTHER_PRODUCT_ID}`, json(200, productBody(OTHER_PRODUCT_ID)));
    const clock = heldSleep();
    const client = clientWith(clock.sleep);
    const first = client.products.get(PRODUCT_ID);
    await until(() => clock.sleeps.length === 1, 'the throttled call waits');

    const controller = new AbortController();
    const held = client.products.get(OTHER_PRODUCT_ID, { signal: controller.signal });
    await until(() => clock.sleeps.length === 2, 'the second call is held');
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(held).rejects.toBe(reason);
    clock.releaseAll();
    await first;
    expect(scenario.server.count('GET', `/products/${OTHER_PRODUCT_ID}`)).toBe(0);
  });

  it('a client without retries (maxRetries: 0) hands every 429 back and holds nothing: its caller paces itself', async () => {
    scenario.server.route('GET', `/products/${PRODUCT_ID}`, json(429, { statusCode: 429, message: 'Rate limit is exceeded.' }, { 'retry-after': '3' }));
    scenario.server.route('GET', `/products/${OTHER_PRODUCT_ID}`, json(200, productBody(OTHER_PRODUCT_ID)));
    const clock = heldSleep();
    const client = createHdcClient({ baseUrl: scenario.server.baseUrl, token: TOKEN, retry: { maxRetries: 0, sleep: clock.sleep } });

    expect(await caught(() => client.products.get(PRODUCT_ID))).toBeInstanceOf(RateLimitError);
    await expect(client.products.get(OTHER_PRODUCT_ID)).resolves.toMatchObject({ id: OTHER_PRODUCT_ID });
    expect(clock.sleeps).toHaveLength(0);
  });
});
