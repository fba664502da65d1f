/**
 * The bridge from commander to a command's work. It is deliberately light: the context (client, credentials,
 * sandbox) and the error renderer are imported only once a command actually runs, so `--help` and `--version`
 * never load them.
 */
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from './context.js';

/**
 * Aborted by the first Ctrl-C. Every command passes this signal down, so requests, uploads, downloads and
 * waits stop at once and clean up after themselves.
 */
export const cancellation = new AbortController();

/**
 * Wraps a command handler for `.action()`: builds the context from the global options, runs the handler with
 * the command's arguments and options, maps any failure to its exit code, and always closes the context (which
 * stops an embedded sandbox and its Azurite). A handler that reports a problem itself returns its exit code.
 */
export function action<Args extends unknown[]>(handler: (context: CliContext, ...args: Args) => Promise<number | void>): (...raw: unknown[]) => Promise<void> {
  return async (...raw) => {
    const command = raw[raw.length - 1] as Command;
    const [{ CliContext }, { ExitCode, exitCodeFor }] = await Promise.all([import('./context.js'), import('./exit-codes.js')]);
    const context = new CliContext(command.optsWithGlobals<GlobalOptions>(), cancellation.signal);
    try {
      const code = await handler(context, ...(raw.slice(0, -1) as Args));
      process.exitCode = code ?? (cancellation.signal.aborted ? ExitCode.cancelled : ExitCode.ok);
    } catch (error) {
      const code = cancellation.signal.aborted ? ExitCode.cancelled : exitCodeFor(error);
      process.exitCode = code;
      const { reportError } = await import('./report-error.js');
      reportError(context.output, cancellation.signal.aborted ? cancellation.signal.reason : error, code, { resumable: context.resumable });
    } finally {
      await context.close();
    }
  };
}
