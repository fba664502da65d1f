/**
 * `hwdash submission …`: the signing flow one step at a time. Each step command calls the workflow's step function
 * (the same one `submit` runs) and only formats its outcome.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { NewSubmission, SubmissionUpdate } from '../../client/resources/submissions.js';
import type { SubmissionArtifact } from '../../workflow/artifacts.js';
import { collect, examples, parseId } from '../arguments.js';
import type { CliContext } from '../context.js';
import { readJsonInput, validateInput } from '../input.js';
import { describeSubmission, submissionTable } from '../render.js';
import { action } from '../run.js';
import { UsageError } from '../usage-error.js';
import { addWaitOptions, waitSettings, type WaitFlags } from '../wait-options.js';

/** The `downloads.items` types `submission download` can fetch (the certification report is a dashboard page). */
const ARTIFACT_TYPES: readonly SubmissionArtifact[] = ['signedPackage', 'driverMetadata', 'derivedPackage', 'certificationReport'];
const IDS = '14631253285588838 1152921504621465124';

export function registerSubmissionCommands(program: Command): void {
  const submission = program
    .command('submission')
    .description('driver submissions of a product: create, upload the package, commit, wait, download the signed files')
    .addHelpText(
      'after',
      examples(
        'hwdash submission create 14631253285588838 --name "Contoso driver 1.2"',
        `hwdash submission upload ${IDS} driver.cab`,
        `hwdash submission commit ${IDS}`,
        `hwdash submission wait ${IDS} --metadata`,
        `hwdash submission download ${IDS} --out signed/`,
      ),
    );
  for (const register of [registerList, registerGet, registerCreate, registerUpdate, registerUpload, registerCommit, registerWait, registerDownload, registerMetadata]) {
    register(submission);
  }
}

function withIds(command: Command): Command {
  return command.argument('<productId>', 'product ID', parseId).argument('<submissionId>', 'submission ID', parseId);
}

function registerList(submission: Command): void {
  submission
    .command('list')
    .description('list the submissions of a product')
    .argument('<productId>', 'product ID', parseId)
    .addHelpText('after', examples('hwdash submission list 14631253285588838', 'hwdash submission list 14631253285588838 --json'))
    .action(
      action(async (context, productId: string) => {
        const client = await context.client();
        const submissions = await Array.fromAsync(client.submissions.list(productId, { signal: context.signal }));
        context.output.result(submissions, () => submissionTable(submissions));
      }),
    );
}

function registerGet(submission: Command): void {
  withIds(submission.command('get').description('show a submission: commit status, workflow step and state, downloads'))
    .addHelpText('after', examples(`hwdash submission get ${IDS} --json`))
    .action(
      action(async (context, productId: string, submissionId: string) => {
        const client = await context.client();
        const found = await client.submissions.get(productId, submissionId, { signal: context.signal });
        context.output.result(found, () => describeSubmission(found));
      }),
    );
}

function registerCreate(submission: Command): void {
  submission
    .command('create')
    .description('create a submission; its initialPackage URL is where `submission upload` sends the package')
    .argument('<productId>', 'product ID', parseId)
    .option('--name <name>', 'submission name')
    .addOption(new Option('--type <type>', 'initial (the first of a product) or derived').choices(['initial', 'derived']).default('initial'))
    .option('--file <file>', 'a NewSubmission JSON file instead of --name/--type')
    .addHelpText('after', examples('hwdash submission create 14631253285588838 --name "Contoso driver 1.2"', 'hwdash submission create 14631253285588838 --file submission.json --json'))
    .action(
      action(async (context, productId: string, flags: { name?: string; type: 'initial' | 'derived'; file?: string }) => {
        let body: NewSubmission;
        if (flags.file) {
          if (flags.name) throw new UsageError('pass either --file or --name, not both.');
          body = await readJsonInput<NewSubmission>(flags.file, 'NewSubmission', context.output);
        } else {
          if (!flags.name) throw new UsageError('a submission needs a name: pass --name "<name>" (or --file submission.json).');
          body = await validateInput<NewSubmission>(JSON.stringify({ name: flags.name, type: flags.type }), 'the options', 'NewSubmission', context.output);
        }
        const client = await context.client();
        const { createSubmission } = await import('../../workflow/steps/submission.js');
        const created = await createSubmission(client, productId, body, context.createOptions());
        context.output.result(created, () => `created submission ${created.id} (${created.name ?? ''}) of product ${productId}`);
      }),
    );
}

function registerUpdate(submission: Command): void {
  withIds(submission.command('update').description('rename a submission (the name is the only field that can change)'))
    .option('--name <name>', 'new name')
    .option('--file <file>', 'a SubmissionUpdate JSON file instead of --name')
    .addHelpText('after', examples(`hwdash submission update ${IDS} --name "Contoso driver 1.2.1"`))
    .action(
      action(async (context, productId: string, submissionId: string, flags: { name?: string; file?: string }) => {
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
}

function registerUpload(submission: Command): void {
  withIds(submission.command('upload').description("upload a driver package (.cab, .hlkx, .hckx) to the submission's initialPackage URL, after local preflight checks"))
    .argument('<package>', 'package file')
    .option('--no-preflight', 'skip the local package checks')
    .addHelpText('after', `${examples(`hwdash submission upload ${IDS} driver.cab`)}A committed submission takes no package: the upload then exits 5 before sending anything.\n`)
    .action(
      action(async (context, productId: string, submissionId: string, file: string, flags: { preflight: boolean }) => {
        if (flags.preflight) {
          const { assertPreflight } = await import('../../package/preflight.js');
          await assertPreflight(file);
        }
        const client = await context.client();
        const { uploadSubmissionPackage } = await import('../../workflow/steps/upload.js');
        await context.progress.prepare();
        const name = basename(file);
        const result = await uploadSubmissionPackage(client, productId, submissionId, file, {
          signal: context.signal,
          onProgress: ({ loadedBytes, totalBytes }) => context.progress.onProgress({ kind: 'upload', loadedBytes, totalBytes, file: name }),
        });
        context.progress.stop();
        context.output.result({ productId, submissionId, file, size: result.size, sha256: result.sha256 }, () => `uploaded ${name} (${result.size} bytes, sha256 ${result.sha256}) to submission ${submissionId}`);
      }),
    );
}

function registerCommit(submission: Command): void {
  withIds(submission.command('commit').description('commit a submission: the service starts validating and signing the uploaded package'))
    .option('--force', 'commit even when no package can be found at the upload URL')
    .addHelpText(
      'after',
      `${examples(`hwdash submission commit ${IDS}`, `hwdash submission commit ${IDS} && hwdash submission wait ${IDS}`)}` +
        'The commit is refused (exit 5) when the submission is already committed, or when nothing was uploaded to it:\n' +
        "a commit without a package fails the submission, and a product has only one initial submission.\n",
    )
    .action(
      action(async (context, productId: string, submissionId: string, flags: { force?: boolean }) => {
        const client = await context.client();
        const { commitSubmissionPackage } = await import('../../workflow/steps/commit.js');
        const outcome = await commitSubmissionPackage(client, productId, submissionId, { signal: context.signal, force: Boolean(flags.force) });
        context.output.result({ productId, submissionId, ...outcome }, () => `committed submission ${submissionId}${outcome.verified ? ` (confirmed by its commitStatus ${outcome.commitStatus})` : ''}`);
      }),
    );
}

function registerWait(submission: Command): void {
  addWaitOptions(
    withIds(submission.command('wait').description('wait until the submission is signed (exit 7 when a step fails, 10 when --max-wait runs out, 5 if it is not committed)')).option(
      '--metadata',
      'also wait for the driver metadata file (needed for shipping labels)',
    ),
  )
    .addHelpText('after', examples(`hwdash submission wait ${IDS} --metadata`, `hwdash submission wait ${IDS} --interval 30 --max-wait 600`))
    .action(
      action(async (context, productId: string, submissionId: string, flags: WaitFlags & { metadata?: boolean }) => {
        context.resumable = true;
        const client = await context.client();
        const { waitForSubmission } = await import('../../workflow/wait.js');
        await context.progress.prepare();
        const signed = await waitForSubmission(client, productId, submissionId, {
          ...waitSettings(context, flags),
          signal: context.signal,
          until: flags.metadata ? 'driverMetadata' : 'completed',
          requireCommitted: true,
          onEvent: context.progress.onProgress,
        });
        context.progress.stop();
        context.output.result(signed, () => describeSubmission(signed));
      }),
    );
}

function registerDownload(submission: Command): void {
  withIds(submission.command('download').description('download the signed package and driver metadata (or other --type items) into a folder'))
    .option('--out <dir>', 'folder to write to (created if needed)', '.')
    .option('--type <type>', `item to download, repeatable: ${ARTIFACT_TYPES.join(', ')} (default signedPackage and driverMetadata)`, parseArtifactType)
    .addHelpText('after', examples(`hwdash submission download ${IDS} --out signed/`, `hwdash submission download ${IDS} --type signedPackage`))
    .action(
      action(async (context, productId: string, submissionId: string, flags: { out: string; type?: SubmissionArtifact[] }) => {
        context.resumable = true;
        const results = await downloadArtifacts(context, productId, submissionId, flags.out, flags.type);
        context.output.result(results, () =>
          results.map((r) => (r.status === 'downloaded' ? `${r.type}: ${r.path} (${r.size} bytes, sha256 ${r.sha256})` : `${r.type}: ${r.message}`)).join('\n'),
        );
      }),
    );
}

function registerMetadata(submission: Command): void {
  withIds(submission.command('metadata').description('download the driver metadata file (hardware IDs per INF and OS, the input of shipping labels)'))
    .option('--out <dir>', 'folder to write driver-metadata-<submissionId>.json to', '.')
    .option('--print', 'print the metadata on stdout instead of writing a file')
    .option('--request', 'ask the service to create publisher metadata for a submission shared with you (it takes hours)')
    .addHelpText(
      'after',
      examples(`hwdash submission metadata ${IDS} --out signed/`, `hwdash submission metadata ${IDS} --print | jq .BundleInfoMap`, `hwdash submission metadata ${IDS} --request`),
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

function parseArtifactType(value: string, previous: SubmissionArtifact[] | undefined): SubmissionArtifact[] {
  const items = collect(value, previous);
  const unknown = items.find((item) => !(ARTIFACT_TYPES as readonly string[]).includes(item));
  if (unknown !== undefined) throw new InvalidArgumentError(`"${unknown}" is not a download item; use ${ARTIFACT_TYPES.join(', ')}.`);
  return items as SubmissionArtifact[];
}

async function downloadArtifacts(context: CliContext, productId: string, submissionId: string, outDir: string, items?: SubmissionArtifact[]) {
  const client = await context.client();
  const { downloadSubmission } = await import('../../workflow/steps/download.js');
  await context.progress.prepare();
  const results = await downloadSubmission(client, productId, submissionId, {
    outDir,
    signal: context.signal,
    ...(items ? { items } : {}),
    onProgress: context.progress.onProgress,
  });
  context.progress.stop();
  return results;
}
