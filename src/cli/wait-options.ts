/** `--interval` and `--max-wait`, shared by every command that waits on a workflow (and by `submit`). */
import type { Command } from 'commander';
import { parsePositiveNumber } from './arguments.js';
import type { CliContext } from './context.js';

export interface WaitFlags {
  interval?: number;
  maxWait?: number;
}

export function addWaitOptions(command: Command): Command {
  return command
    .option('--interval <seconds>', 'seconds between status polls (default 5; 0.25 with --sandbox)', parsePositiveNumber)
    .option('--max-wait <minutes>', 'give up (exit code 10; the workflow goes on) after this many minutes, outages included', parsePositiveNumber, 120);
}

/** Poll settings from the wait flags: a sandbox signs in seconds, so it is polled more often than the service. */
export function waitSettings(context: CliContext, flags: WaitFlags): { pollIntervalMs: number; timeoutMs: number; onNotice: (message: string) => void } {
  const defaultSeconds = context.options.sandbox ? 0.25 : 5;
  return {
    pollIntervalMs: Math.round((flags.interval ?? defaultSeconds) * 1000),
    timeoutMs: Math.round((flags.maxWait ?? 120) * 60_000),
    onNotice: (message) => context.output.info(`  ${message}`),
  };
}
