import { HdcError } from '../client/errors/hdc-error.js';
import { ExitCode } from './exit-codes.js';
import { toJsonText, type Output } from './output.js';

/** What to do next, for the failures where the message alone leaves a user guessing. */
function hintFor(error: unknown, code: ExitCode): string | undefined {
  const kind = error instanceof HdcError ? error.kind : undefined;
  if (kind === 'permission') {
    return 'The token was accepted but the account refused the call: the Entra ID app is probably not associated with the Partner Center account, or lacks the Manager role and the hardware roles (Driver Submitter, Shipping Label owner). Run `hwdash doctor` for a check.';
  }
  if (kind === 'authentication') return 'Check AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret or certificate (or HWDASH_TOKEN), or run `hwdash doctor`.';
  if (kind === 'network') return 'The API could not be reached: check the network, a proxy, or --base-url.';
  if (code === ExitCode.rateLimited) return 'Partner Center throttles per account and minute; wait a little and run the command again.';
  return undefined;
}

/** Failures after which the same command, run again, picks up where this one stopped. */
const RESUMABLE_KINDS = new Set(['network', 'timeout', 'rate-limit', 'server', 'upload', 'download', 'blob-transfer', 'workflow-timeout']);
export const RESUME_HINT = 'run the same command again to continue.';

/**
 * Failures that a second try of the same run, a little later, is likely to get past: throttling beyond the retry
 * budget, the network, the service's own errors, a broken transfer. (Not a wait that timed out: that took hours.)
 */
export function isTransientFailure(error: unknown, code: ExitCode): boolean {
  return code === ExitCode.rateLimited || (error instanceof HdcError && RESUMABLE_KINDS.has(error.kind) && error.kind !== 'workflow-timeout');
}

function resumes(error: unknown, code: ExitCode): boolean {
  return code === ExitCode.cancelled || code === ExitCode.rateLimited || code === ExitCode.timedOut || (error instanceof HdcError && RESUMABLE_KINDS.has(error.kind));
}

/**
 * Prints a failure on stderr (never stdout, so `--json` output stays parseable): the message, the service's
 * per-field validation errors, its code and request ID (to quote to Microsoft support), and a hint. Under
 * `--json` the same facts are one JSON object. Everything passes the output's redaction.
 */
export function reportError(output: Output, error: unknown, code: ExitCode, options: { resumable?: boolean } = {}): void {
  const resume = options.resumable === true && resumes(error, code);
  const hint = [hintFor(error, code), resume ? capitalise(RESUME_HINT) : undefined].filter(Boolean).join(' ') || undefined;
  if (output.json) {
    const body = error instanceof HdcError ? error.toJSON() : { name: (error as Error)?.name, message: (error as Error)?.message ?? String(error) };
    const problems = (error as { problems?: unknown }).problems;
    output.error(toJsonText({ error: { ...body, ...(problems ? { problems } : {}), exitCode: code, ...(hint ? { hint } : {}) } }));
    return;
  }
  if (code === ExitCode.cancelled) {
    output.error(resume ? `cancelled. ${capitalise(RESUME_HINT)}` : 'cancelled.');
    return;
  }
  const lines = [`error: ${error instanceof Error ? error.message : String(error)}`];
  if (error instanceof HdcError) {
    for (const item of error.validationErrors.filter((v) => v.message !== error.message)) lines.push(`  ${item.target ? `${item.target}: ` : ''}${item.message}`);
    const facts = [
      error.status === undefined ? undefined : `HTTP ${error.status}`,
      error.code,
      error.request ? `${error.request.method} ${error.request.url}` : undefined,
      error.requestId ? `request id ${error.requestId}` : undefined,
    ].filter(Boolean);
    if (facts.length > 0) lines.push(`  (${facts.join(', ')})`);
  }
  if (hint) lines.push(`hint: ${hint}`);
  if (output.verbose && error instanceof Error && error.stack) lines.push(error.stack);
  output.error(lines.join('\n'));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
