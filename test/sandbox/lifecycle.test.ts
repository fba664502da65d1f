/** Starting and stopping: options are checked up front, and stop() leaves no server, socket or Azurite behind. */
import { describe, expect, it } from '@jest/globals';
import { FaultSpecError, startSandbox } from '../../src/mock/sandbox/index.js';
import { isProcessRunning } from '../../src/workflow/process-alive.js';
import { call } from './support.js';

describe('sandbox lifecycle', () => {
  it('refuses bad options before starting anything', async () => {
    await expect(startSandbox({ speed: 0 })).rejects.toThrow('Sandbox speed must be a positive number, got 0.');
    await expect(startSandbox({ pageSize: 0 })).rejects.toThrow('pageSize must be a positive integer, got 0.');
    await expect(startSandbox({ faults: 'boom:1' })).rejects.toThrow(FaultSpecError);
  });

  it('stops the server, open connections and its embedded Azurite; stop() is idempotent', async () => {
    const sandbox = await startSandbox();
    const pid = (sandbox.azurite as { pid: number }).pid;
    expect(isProcessRunning(pid)).toBe(true);
    expect((await call(sandbox.baseUrl, 'GET', '/audiences')).status).toBe(200);
    expect(sandbox.requests).toBe(1);
    await Promise.all([sandbox.stop(), sandbox.stop()]);
    await sandbox.stop();
    expect(isProcessRunning(pid)).toBe(false);
    await expect(fetch(`${sandbox.baseUrl}/audiences`)).rejects.toThrow('fetch failed');
  });

  it('leaves an Azurite it was given running', async () => {
    const owner = await startSandbox();
    const guest = await startSandbox({ azurite: owner.azurite });
    await guest.stop();
    expect(isProcessRunning((owner.azurite as { pid: number }).pid)).toBe(true);
    expect((await call(owner.baseUrl, 'GET', '/audiences')).status).toBe(200);
    await owner.stop();
  });
});
