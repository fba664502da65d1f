import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setupServer } from 'msw/node';
import { createHdcClient } from '../../src/client/index.js';
import { handlers } from '../../src/mock/handlers.js';

const server = setupServer(...handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('the seed endpoint: create a new submission for a product', () => {
  it('returns the submission with its exact 64-bit id', async () => {
    const client = createHdcClient({ token: 'test-token' });
    const { data, error, response } = await client.POST('/products/{productId}/submissions', {
      params: { path: { productId: '14631253285588838' } },
      body: { name: 'Contoso driver 1.2', type: 'initial' },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data?.id).toBe('1152921504621465124');
    expect(data?.downloads?.items?.[0]?.type).toBe('initialPackage');
  });
});
