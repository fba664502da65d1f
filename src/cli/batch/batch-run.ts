/**
 * Batch signing: many packages, each through its own flow (own output folder, own state file, so each resumes on its
 * own), at most `concurrency` at a time, all on the context's one client: one token cache, and one rate-limit budget
 * (a 429 holds every flow; see the client's rate-limit gate). A package that fails does not stop the others, and one
 * that fails on something transient (throttling beyond the retry budget, the network, a 5xx) is resumed from its state
 * file, as a person would rerun it.
 */
import { createHash } from 'node:crypto';
import { basename, extname, join, resolve } from 'node:path';
import { HdcError } from '../../client/errors/hdc-error.js';
import { RateLimitError } from '../../client/errors/rate-limit-error.js';
import { sleep } from '../../client/pipeline/pipeline.js';
import type { CliContext } from '../context.js';
import { ExitCode, exitCodeFor } from '../exit-codes.js';
import { ProgressReporter } from '../progress.js';
import { isTransientFailure, reportError } from '../report-error.js';
import { submitPackage, type PackageSpec, type SubmitFlowFlags, type SubmitOutput } from '../submit-flow.js';
import { UsageError } from '../usage-error.js';
import { PackageOutput } from './package-output.js';

/** How often a package whose run failed on something transient is resumed from its state file before it counts as failed. */
const AUTOMATIC_RESUMES = 2;
/** The pause before such a resume, unless the service named one. */
const RESUME_PAUSE_MS = 2000;

/** A package of the batch and the short name its lines, its output subfolder and its summary row go by. */
export interface BatchPackage {
  name: string;
  spec: PackageSpec;
}

export type BatchOutcome =
  | { name: string; package: string; status: 'signed'; result: SubmitOutput }
  | { name: string; package: string; status: 'failed'; exitCode: number; error: unknown }
  | { name: string; package: string; status: 'not-started' };

/**
 * Short names for the packages: the file name without its extension, or, where two packages share one, that name and
 * a hash of the full path (the same on every run, so a rerun finds the same output folders).
 */
export function packageNames(paths: readonly string[]): string[] {
  const stems = paths.map((path) => basename(path, extname(path)));
  const seen = new Map<string, number>();
  for (const stem of stems) seen.set(stem, (seen.get(stem) ?? 0) + 1);
  const absolute = paths.map((path) => resolve(path));
  const duplicate = absolute.find((path, index) => absolute.indexOf(path) !== index);
  if (duplicate) throw new UsageError(`${duplicate} is listed twice: each package is signed once per batch.`);
  return stems.map((stem, index) => (seen.get(stem)! > 1 ? `${stem}-${createHash('sha256').update(absolute[index]!).digest('hex').slice(0, 8)}` : stem));
}

/** Each package's output folder when none is given: `<out>/<name>`. */
export function batchOutDir(out: string, name: string): string {
  return join(out, name);
}

export async function runBatch(context: CliContext, packages: readonly BatchPackage[], flags: SubmitFlowFlags, concurrency: number): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = packages.map(({ name, spec }) => ({ name, package: spec.package, status: 'not-started' }));
  // Signing in first, once, so that a missing credential is one error rather than one per package.
  await context.client();
  context.output.info(`signing ${packages.length} packages, at most ${concurrency} at a time`);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < packages.length && !context.signal.aborted) {
      const index = next++;
      outcomes[index] = await signOne(context, packages[index]!, flags);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, packages.length) }, worker));
  return outcomes;
}

async function signOne(context: CliContext, { name, spec }: BatchPackage, flags: SubmitFlowFlags): Promise<BatchOutcome> {
  const output = new PackageOutput(context.output, name);
  const progress = new ProgressReporter(output);
  output.info(`signing ${spec.package}`);
  try {
    for (let resumes = 0; ; resumes++) {
      try {
        const result = await submitPackage(context, spec, flags, progress.onProgress);
        output.info(`signed in ${result.seconds} s: product ${result.productId}, submission ${result.submissionId}${result.shippingLabelId ? `, shipping label ${result.shippingLabelId}` : ''}`);
        return { name, package: spec.package, status: 'signed', result };
      } catch (error) {
        const exitCode = context.signal.aborted ? ExitCode.cancelled : exitCodeFor(error);
        // What a person would do after a throttled or dropped run: run it again, and it continues from the state
        // file. Only with a state file: without one, a second run would create everything again.
        if (!context.signal.aborted && spec.stateFile !== false && resumes < AUTOMATIC_RESUMES && isTransientFailure(error, exitCode)) {
          output.info(`${firstLine(error)}; resuming from the state file (${resumes + 1} of ${AUTOMATIC_RESUMES})`);
          await sleep(error instanceof RateLimitError && error.retryAfterMs !== undefined ? error.retryAfterMs : RESUME_PAUSE_MS, context.signal).catch(() => undefined);
          if (!context.signal.aborted) continue;
        }
        reportError(output, context.signal.aborted ? context.signal.reason : error, exitCode, { resumable: true });
        return { name, package: spec.package, status: 'failed', exitCode, error };
      }
    }
  } finally {
    progress.stop();
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** The batch's exit code: 0 when every package was signed, else the first failed package's code. */
export function batchExitCode(outcomes: readonly BatchOutcome[], signal: AbortSignal): number {
  if (signal.aborted) return ExitCode.cancelled;
  const failed = outcomes.find((outcome) => outcome.status !== 'signed');
  if (!failed) return ExitCode.ok;
  return failed.status === 'failed' ? failed.exitCode : ExitCode.cancelled;
}

/** What `--json` prints for a failed package: the error as HdcError renders it (secrets redacted), and its exit code. */
export function errorJson(error: unknown, exitCode: number): Record<string, unknown> {
  const body = error instanceof HdcError ? error.toJSON() : { name: (error as Error)?.name, message: (error as Error)?.message ?? String(error) };
  return { ...body, exitCode };
}
