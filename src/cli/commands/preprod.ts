import type { Command } from 'commander';
import { examples, parseSegment } from '../arguments.js';
import { describePreprodPackage } from '../render.js';
import { action } from '../run.js';
import { addWaitOptions, waitSettings, type WaitFlags } from '../wait-options.js';

export function registerPreprodCommands(program: Command): void {
  const preprod = program
    .command('preprod')
    .description('preproduction signing (v2.0): submit a package, follow its signing, download the signed files')
    .addHelpText('after', examples('hwdash preprod submit driver.cab --json', 'hwdash preprod wait <packageId>', 'hwdash preprod download <packageId> --out signed/'));

  preprod
    .command('submit')
    .description('check a CAB locally, then send it for preproduction signing; prints the package ID')
    .argument('<package>', 'EV-signed .cab')
    .addHelpText('after', examples('hwdash preprod submit driver.cab', 'hwdash preprod submit driver.cab --json | jq -r .id'))
    .action(
      action(async (context, file: string) => {
        const client = await context.client();
        const { submitPreprodPackage } = await import('../../workflow/preprod.js');
        context.output.info(`sending ${file} for preproduction signing…`);
        const submitted = await submitPreprodPackage(client, file, { signal: context.signal });
        context.output.result(submitted, () => `submitted preprod package ${submitted.id} (${submitted.signingStatus ?? 'status unknown'})`);
      }),
    );

  preprod
    .command('status')
    .description('show a preproduction package: signing status and assets')
    .argument('<packageId>', 'preprod package ID', parseSegment)
    .addHelpText('after', examples('hwdash preprod status 7e2a0d3c-5b1e-4c36-9f0e-3c1d2b7f9a10'))
    .action(
      action(async (context, packageId: string) => {
        const client = await context.client();
        const found = await client.preprod.get(packageId, { signal: context.signal });
        const assets = found.assets ?? (await client.preprod.assets(packageId, { signal: context.signal }));
        context.output.result({ ...found, assets }, () => describePreprodPackage(found, assets));
      }),
    );

  addWaitOptions(
    preprod
      .command('wait')
      .description('wait until preproduction signing has succeeded (exit code 7 when it fails)')
      .argument('<packageId>', 'preprod package ID', parseSegment),
  )
    .addHelpText('after', examples('hwdash preprod wait 7e2a0d3c-5b1e-4c36-9f0e-3c1d2b7f9a10 --interval 10'))
    .action(
      action(async (context, packageId: string, flags: WaitFlags) => {
        const client = await context.client();
        const { waitForPreprodPackage } = await import('../../workflow/wait.js');
        await context.progress.prepare();
        context.resumable = true;
        const signed = await waitForPreprodPackage(client, packageId, { ...waitSettings(context, flags), signal: context.signal, onEvent: context.progress.onProgress });
        context.progress.stop();
        context.output.result(signed, () => describePreprodPackage(signed));
      }),
    );

  preprod
    .command('download')
    .description('download the signed files of a preproduction package (checked against their content hash)')
    .argument('<packageId>', 'preprod package ID', parseSegment)
    .option('--out <dir>', 'folder to write to (created if needed)', '.')
    .addHelpText('after', examples('hwdash preprod download 7e2a0d3c-5b1e-4c36-9f0e-3c1d2b7f9a10 --out signed/'))
    .action(
      action(async (context, packageId: string, flags: { out: string }) => {
        const client = await context.client();
        const { downloadPreprodAssets } = await import('../../workflow/preprod.js');
        await context.progress.prepare();
        const files = await downloadPreprodAssets(client, packageId, { outDir: flags.out, signal: context.signal, onProgress: context.progress.onProgress });
        context.progress.stop();
        context.output.result(files, () => (files.length === 0 ? '(the package has no signed files yet)' : files.map((f) => `${f.path} (${f.size} bytes, sha256 ${f.sha256})`).join('\n')));
      }),
    );
}
