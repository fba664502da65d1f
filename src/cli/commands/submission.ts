import { InvalidArgumentError, Option, type Command } from 'commander';
import type { NewSubmission, Submission, SubmissionUpdate } from '../../client/resources/submissions.js';
import { collect, examples, parseId, parsePositiveNumber } from '../arguments.js';
import type { CliContext } from '../context.js';
import { downloadItem } from '../../client/vocabulary.js';
import { action } from '../run.js';

/** The `downloads.items` types `submission download` can fetch (the certification report is a dashboard page). */
const ARTIFACT_TYPES = ['signedPackage', 'driverMetadata', 'derivedPackage', 'certificationReport'] as const;
type ArtifactType = (typeof ARTIFACT_TYPES)[number];

export interface WaitFlags {
  interval?: number;
  maxWait?: number;
}

/** `--interval` and `--max-wait`, shared by every command that waits on a workflow. */
export function addWaitOptions(command: Command): Command {
  return command
    .option('--interval <seconds>', 'seconds between status polls (default 5; 0.25 with --sandbox)', parsePositiveNumber)
    .option('--max-wait <minutes>', 'give up (exit code 7) after this many minutes', parsePositiveNumber, 120);
}

/** Poll settings from the wait flags: a sandbox signs in seconds, so it is polled more often than the service. */
export function waitSettings(context: CliContext, flags: WaitFlags): { pollIntervalMs: number; timeoutMs: number } {
  const defaultSeconds = context.options.sandbox ? 0.25 : 5;
  return { pollIntervalMs: Math.round((flags.interval ?? defaultSeconds) * 1000), timeoutMs: Math.round((flags.maxWait ?? 120) * 60_000) };
}

export function registerSubmissionCommands(program: Command): void {
  const submission = program
    .command('submission')
    .description('driver submissions of a product: create, upload the package, commit, wait, download the signed files')
    .addHelpText(
      'after',
      examples(
        'hwdash submission create 14631253285588838 --name "Contoso driver 1.2"',
        'hwdash submission upload 14631253285588838 1152921504621465124 driver.cab',
        'hwdash submission commit 14631253285588838 1152921504621465124',
        'hwdash submission wait 14631253285588838 1152921504621465124 --metadata',
        'hwdash submission download 14631253285588838 1152921504621465124 --out signed/',
      ),
    );

  submission
    .command('list')
    .description('list the submissions of a product')
    .argument('<productId>', 'product ID', parseId)
    .addHelpText('after', examples('hwdash submission list 14631253285588838', 'hwdash submission list 14631253285588838 --json'))
    .action(
      action(async (context, productId: string) => {
        const client = await context.client();
        const submissions = await Array.fromAsync(client.submissions.list(productId, { signal: context.signal }));
        const { submissionTable } = await import('../render.js');
        context.output.result(submissions, () => submissionTable(submissions));
      }),
    );

  submission
    .command('get')
    .description('show a submission: commit status, workflow step and state, downloads')
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .addHelpText('after', examples('hwdash submission get 14631253285588838 1152921504621465124 --json'))
    .action(
      action(async (context, productId: string, submissionId: string) => {
        const client = await context.client();
        const found = await client.submissions.get(productId, submissionId, { signal: context.signal });
        const { describeSubmission } = await import('../render.js');
        context.output.result(found, () => describeSubmission(found));
      }),
    );

  submission
    .command('create')
    .description('create a submission; its initialPackage URL is where `submission upload` sends the package')
    .argument('<productId>', 'product ID', parseId)
    .option('--name <name>', 'submission name')
    .addOption(new Option('--type <type>', 'initial (the first of a product) or derived').choices(['initial', 'derived']).default('initial'))
    .option('--file <file>', 'a NewSubmission JSON file instead of --name/--type')
    .addHelpText(
      'after',
      examples('hwdash submission create 14631253285588838 --name "Contoso driver 1.2"', 'hwdash submission create 14631253285588838 --file submission.json --json'),
    )
    .action(
      action(async (context, productId: string, flags: { name?: string; type: 'initial' | 'derived'; file?: string }) => {
        const { readJsonInput, validateInput } = await import('../input.js');
        const { UsageError } = await import('../usage-error.js');
        let body: NewSubmission;
        if (flags.file) {
          if (flags.name) throw new UsageError('pass either --file or --name, not both.');
          body = await readJsonInput<NewSubmission>(flags.file, 'NewSubmission', context.output);
        } else {
          if (!flags.name) throw new UsageError('a submission needs a name: pass --name "<name>" (or --file submission.json).');
          body = await validateInput<NewSubmission>(JSON.stringify({ name: flags.name, type: flags.type }), 'the options', 'NewSubmission', context.output);
        }
        const client = await context.client();
        const created = await client.submissions.create(productId, body, { signal: context.signal });
        context.output.result(created, () => `created submission ${created.id} (${created.name ?? ''}) of product ${productId}`);
      }),
    );

  submission
    .command('update')
    .description('rename a submission (the name is the only field that can change)')
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .option('--name <name>', 'new name')
    .option('--file <file>', 'a SubmissionUpdate JSON file instead of --name')
    .addHelpText('after', examples('hwdash submission update 14631253285588838 1152921504621465124 --name "Contoso driver 1.2.1"'))
    .action(
      action(async (context, productId: string, submissionId: string, flags: { name?: string; file?: string }) => {
        const { readJsonInput, validateInput } = await import('../input.js');
        const { UsageError } = await import('../usage-error.js');
        if (Boolean(flags.file) === Boolean(flags.name)) throw new UsageError('pass exactly one of --name and --file.');
        const changes = flags.file
          ? await readJsonInput<SubmissionUpdate>(flags.file, 'SubmissionUpdate', context.output)
          : await validateInput<SubmissionUpdate>(JSON.stringify({ name: flags.name }), 'the options', 'SubmissionUpdate', context.output);
        const client = await context.client();
        await client.submissions.update(productId, submissionId, changes, { signal: context.signal });
        const updated = await client.submissions.get(productId, submissionId, { signal: context.signal });
        context.output.result(updated, () => `renamed submission ${submissionId} to "${updated.name ?? changes.name}"`);
      }),
    );

  submission
    .command('upload')
    .description("upload a driver package (.cab, .hlkx, .hckx) to the submission's initialPackage URL, after local preflight checks")
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .argument('<package>', 'package file')
    .option('--no-preflight', 'skip the local package checks')
    .addHelpText('after', examples('hwdash submission upload 14631253285588838 1152921504621465124 driver.cab'))
    .action(
      action(async (context, productId: string, submissionId: string, file: string, flags: { preflight: boolean }) => {
        const { basename } = await import('node:path');
        if (flags.preflight) {
          const { assertPreflight } = await import('../../package/preflight.js');
          await assertPreflight(file);
        }
        const client = await context.client();
        const signal = context.signal;
        const current = await client.submissions.get(productId, submissionId, { signal });
        const sasUrl = uploadUrl(current);
        if (!sasUrl) {
          const { InvalidStateError } = await import('../../client/errors/invalid-state-error.js');
          throw new InvalidStateError(`submission ${submissionId} has no initialPackage upload URL (commit status ${current.commitStatus ?? 'unknown'}): only a new, uncommitted submission takes a package.`, {
            code: 'NoUploadUrl',
          });
        }
        const { uploadPackage } = await import('../../workflow/upload.js');
        await context.progress.prepare();
        const name = basename(file);
        const result = await uploadPackage({
          file,
          sasUrl,
          signal,
          refreshSasUrl: async (refreshSignal) => uploadUrl(await client.submissions.get(productId, submissionId, { signal: refreshSignal })) ?? sasUrl,
          onProgress: ({ loadedBytes, totalBytes }) => context.progress.onProgress({ kind: 'upload', loadedBytes, totalBytes, file: name }),
        });
        context.progress.stop();
        context.output.result({ productId, submissionId, file, size: result.size, sha256: result.sha256 }, () => `uploaded ${name} (${result.size} bytes, sha256 ${result.sha256}) to submission ${submissionId}`);
      }),
    );

  submission
    .command('commit')
    .description('commit a submission: the service starts validating and signing the uploaded package')
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .addHelpText('after', examples('hwdash submission commit 14631253285588838 1152921504621465124', 'hwdash submission commit 14631253285588838 1152921504621465124 && hwdash submission wait 14631253285588838 1152921504621465124'))
    .action(
      action(async (context, productId: string, submissionId: string) => {
        const client = await context.client();
        // The client treats "Only pending submissions can be committed" as a possibly successful earlier attempt and
        // settles it by reading commitStatus; a user committing a submission twice should hear that it already was.
        const before = await client.submissions.get(productId, submissionId, { signal: context.signal });
        if (before.commitStatus && before.commitStatus.toLowerCase() !== 'commitpending') {
          const { InvalidStateError } = await import('../../client/errors/invalid-state-error.js');
          throw new InvalidStateError(`submission ${submissionId} is already committed (commitStatus ${before.commitStatus}); only pending submissions can be committed.`, {
            code: 'RequestInvalidForCurrentState',
          });
        }
        const outcome = await client.submissions.commit(productId, submissionId, { signal: context.signal });
        context.output.result({ productId, submissionId, ...outcome }, () => `committed submission ${submissionId}${outcome.verified ? ` (confirmed by its commitStatus ${outcome.commitStatus})` : ''}`);
      }),
    );

  addWaitOptions(
    submission
      .command('wait')
      .description('wait until the submission is signed (exit code 7 when a workflow step fails or --max-wait runs out)')
      .argument('<productId>', 'product ID', parseId)
      .argument('<submissionId>', 'submission ID', parseId)
      .option('--metadata', 'also wait for the driver metadata file (needed for shipping labels)'),
  )
    .addHelpText('after', examples('hwdash submission wait 14631253285588838 1152921504621465124 --metadata', 'hwdash submission wait 14631253285588838 1152921504621465124 --interval 30 --max-wait 600'))
    .action(
      action(async (context, productId: string, submissionId: string, flags: WaitFlags & { metadata?: boolean }) => {
        const client = await context.client();
        const { waitForSubmission } = await import('../../workflow/wait.js');
        await context.progress.prepare();
        const signed = await waitForSubmission(client, productId, submissionId, {
          ...waitSettings(context, flags),
          signal: context.signal,
          until: flags.metadata ? 'driverMetadata' : 'completed',
          onEvent: context.progress.onProgress,
        });
        context.progress.stop();
        const { describeSubmission } = await import('../render.js');
        context.output.result(signed, () => describeSubmission(signed));
      }),
    );

  submission
    .command('download')
    .description('download the signed package and driver metadata (or other --type items) into a folder')
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .option('--out <dir>', 'folder to write to (created if needed)', '.')
    .option('--type <type>', `item to download, repeatable: ${ARTIFACT_TYPES.join(', ')} (default signedPackage and driverMetadata)`, parseArtifactType)
    .addHelpText(
      'after',
      examples('hwdash submission download 14631253285588838 1152921504621465124 --out signed/', 'hwdash submission download 14631253285588838 1152921504621465124 --type signedPackage'),
    )
    .action(
      action(async (context, productId: string, submissionId: string, flags: { out: string; type?: ArtifactType[] }) => {
        const results = await downloadArtifacts(context, productId, submissionId, flags.out, flags.type);
        context.output.result(results, () =>
          results.map((r) => (r.status === 'downloaded' ? `${r.type}: ${r.path} (${r.size} bytes, sha256 ${r.sha256})` : `${r.type}: ${r.message}`)).join('\n'),
        );
      }),
    );

  submission
    .command('metadata')
    .description('download the driver metadata file (hardware IDs per INF and OS, the input of shipping labels)')
    .argument('<productId>', 'product ID', parseId)
    .argument('<submissionId>', 'submission ID', parseId)
    .option('--out <dir>', 'folder to write driver-metadata-<submissionId>.json to', '.')
    .option('--print', 'print the metadata on stdout instead of writing a file')
    .option('--request', 'ask the service to create publisher metadata for a submission shared with you (it takes hours)')
    .addHelpText(
      'after',
      examples(
        'hwdash submission metadata 14631253285588838 1152921504621465124 --out signed/',
        'hwdash submission metadata 14631253285588838 1152921504621465124 --print | jq .BundleInfoMap',
        'hwdash submission metadata 14631253285588838 1152921504621465124 --request',
      ),
    )
    .action(
      action(async (context, productId: string, submissionId: string, flags: { out: string; print?: boolean; request?: boolean }) => {
        if (flags.request) {
          const client = await context.client();
          await client.submissions.createPublisherMetadata(productId, submissionId, { signal: context.signal });
          context.output.result({ productId, submissionId, requested: true }, () => `asked for publisher metadata of submission ${submissionId}; it can take hours to appear`);
          return;
        }
        if (!flags.print) {
          const [result] = await downloadArtifacts(context, productId, submissionId, flags.out, ['driverMetadata']);
          context.output.result(result, () => (result?.status === 'downloaded' ? result.path : ''));
          return;
        }
        const { mkdtemp, readFile, rm } = await import('node:fs/promises');
        const { tmpdir } = await import('node:os');
        const { join } = await import('node:path');
        const dir = await mkdtemp(join(tmpdir(), 'hwdash-metadata-'));
        try {
          const [result] = await downloadArtifacts(context, productId, submissionId, dir, ['driverMetadata']);
          if (result?.status === 'downloaded') context.output.raw(await readFile(result.path, 'utf8'));
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
    );
}

function uploadUrl(submission: Submission): string | undefined {
  return downloadItem(submission.downloads, 'initialPackage')?.url;
}

function parseArtifactType(value: string, previous: ArtifactType[] | undefined): ArtifactType[] {
  const items = collect(value, previous);
  const unknown = items.find((item) => !(ARTIFACT_TYPES as readonly string[]).includes(item));
  if (unknown !== undefined) throw new InvalidArgumentError(`"${unknown}" is not a download item; use ${ARTIFACT_TYPES.join(', ')}.`);
  return items as ArtifactType[];
}

async function downloadArtifacts(context: CliContext, productId: string, submissionId: string, outDir: string, items?: ArtifactType[]) {
  const client = await context.client();
  const { downloadSubmissionArtifacts } = await import('../../workflow/artifacts.js');
  const current = await client.submissions.get(productId, submissionId, { signal: context.signal });
  await context.progress.prepare();
  const results = await downloadSubmissionArtifacts(client, current, {
    outDir,
    signal: context.signal,
    ...(items ? { items } : {}),
    onProgress: context.progress.onProgress,
  });
  context.progress.stop();
  return results;
}
