/** Step 7: download the signed package and the driver metadata into the output folder. */
import { stat } from 'node:fs/promises';
import type { HdcClient } from '../../client/client.js';
import type { Int64Id } from '../../client/ids.js';
import type { Submission } from '../../client/resources/submissions.js';
import { downloadSubmissionArtifacts, type DownloadSubmissionArtifactsOptions, type SubmissionArtifactResult } from '../artifacts.js';
import type { SigningRun } from '../signing-run.js';

/** The run's download of the signed package and the driver metadata; skipped when recorded and both files are there. */
export async function downloadStep(run: SigningRun, signed: Submission | undefined): Promise<void> {
  const { state } = run;
  if (state.downloaded && (await filesExist(state.downloaded.signedPackage, state.downloaded.driverMetadata))) {
    run.skipped('download', `${state.downloaded.signedPackage} and ${state.downloaded.driverMetadata} (from the state file)`);
    return;
  }
  run.started('download');
  // Download URLs are SAS URLs that expire: a submission read in an earlier run has stale ones.
  const submission = signed ?? (await run.client.submissions.get(state.productId!, state.submissionId!, { signal: run.signal }));
  const results = await downloadSubmissionArtifacts(run.client, submission, {
    outDir: run.outDir,
    items: ['signedPackage', 'driverMetadata'],
    ...(run.signal ? { signal: run.signal } : {}),
    onProgress: (event) => run.emit(event),
  });
  const pathOf = (type: string): string => {
    const result = results.find((candidate) => candidate.type === type);
    if (result?.status !== 'downloaded') throw new Error(`${type} was not downloaded`);
    return result.path;
  };
  const downloaded = { signedPackage: pathOf('signedPackage'), driverMetadata: pathOf('driverMetadata') };
  await run.record({ downloaded });
  run.completed('download', `${downloaded.signedPackage}, ${downloaded.driverMetadata}`);
}

async function filesExist(...paths: string[]): Promise<boolean> {
  const found = await Promise.all(paths.map((path) => stat(path).then((info) => info.isFile(), () => false)));
  return found.every(Boolean);
}

/**
 * Reads the submission (for fresh SAS URLs) and downloads what it offers into `outDir` (see
 * `downloadSubmissionArtifacts`): the CLI's `submission download` and `submission metadata`.
 */
export async function downloadSubmission(
  client: HdcClient,
  productId: Int64Id,
  submissionId: Int64Id,
  options: DownloadSubmissionArtifactsOptions,
): Promise<SubmissionArtifactResult[]> {
  const submission = await client.submissions.get(productId, submissionId, { signal: options.signal });
  return downloadSubmissionArtifacts(client, submission, options);
}
