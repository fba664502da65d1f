import { HdcError } from '../client/errors/hdc-error.js';

/**
 * hwdash's exit codes. They are part of the CLI's contract (documented in the README): scripts branch on
 * them, so a code never changes meaning.
 */
export const ExitCode = {
  ok: 0,
  usage: 1,
  auth: 2,
  api: 3,
  notFound: 4,
  invalidState: 5,
  rateLimited: 6,
  workflowFailed: 7,
  io: 8,
  cancelled: 9,
  /** A wait ran out of time; the workflow goes on at the service, and a rerun keeps waiting on the same IDs. */
  timedOut: 10,
  /** Another run holds the state file (`hwdash submit` on the same output folder). */
  busy: 11,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Error classes are matched by name so that this table does not import every layer's error modules. */
const BY_NAME: Record<string, ExitCode> = {
  UsageError: ExitCode.usage,
  InputFileError: ExitCode.usage,
  FaultSpecError: ExitCode.usage,
  ShippingLabelRuleError: ExitCode.usage,
  AuthenticationError: ExitCode.auth,
  PermissionError: ExitCode.auth,
  NotFoundError: ExitCode.notFound,
  InvalidStateError: ExitCode.invalidState,
  RateLimitError: ExitCode.rateLimited,
  WorkflowFailedError: ExitCode.workflowFailed,
  WorkflowTimeoutError: ExitCode.timedOut,
  PreflightError: ExitCode.workflowFailed,
  BlobTransferError: ExitCode.io,
  UploadError: ExitCode.io,
  DownloadError: ExitCode.io,
  StateFileError: ExitCode.io,
  StateLockedError: ExitCode.busy,
  DirectoryError: ExitCode.io,
  AzuriteStartError: ExitCode.io,
  AbortError: ExitCode.cancelled,
  CancelledError: ExitCode.cancelled,
};

/** Node's file-system error codes: these are local I/O problems, not API ones. */
const IO_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EROFS', 'EMFILE', 'EBUSY']);

/** Preflight rules that fail on the local file itself rather than on its contents. */
const IO_PREFLIGHT_RULES = new Set(['file-exists', 'file-readable']);

export function exitCodeFor(error: unknown): ExitCode {
  if (!(error instanceof Error)) return ExitCode.api;
  // A package that is missing, unreadable or not a file is a local I/O problem (8), whatever else preflight found.
  const problems = (error as { result?: { problems?: Array<{ rule?: string }> } }).result?.problems;
  if (error.name === 'PreflightError' && problems?.some((problem) => IO_PREFLIGHT_RULES.has(problem.rule ?? ''))) {
    return ExitCode.io;
  }
  for (let proto: object | null = error; proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    const byName = BY_NAME[(proto as { constructor: { name: string } }).constructor.name];
    if (byName !== undefined) return byName;
  }
  if (error.name === 'AbortError') return ExitCode.cancelled;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && IO_CODES.has(code) && !(error instanceof HdcError)) return ExitCode.io;
  return ExitCode.api;
}
