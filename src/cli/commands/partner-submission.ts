/**
 * `hwdash partner-submission get|translate`: a submission another partner shared with you, looked up by the
 * partner's IDs, as Microsoft's SDCM does with `-list partnersubmission` and `-translate`. `get` shows the whole
 * submission as your account sees it; `translate` answers only the question SDCM's option is for: which product and
 * submission IDs does this account use for the partner's submission.
 */
import type { Command } from 'commander';
import { examples, parseId } from '../arguments.js';
import { action } from '../run.js';
import { describeSubmission } from '../render.js';

const IDS_HELP = `
The three IDs are the partner's: its seller (publisher) ID, the product ID and the submission ID of the submission it
shared with you through a shipping label. The lookup uses an endpoint Microsoft's own tools call but the docs do not
describe. Exit code 4 when nothing with these IDs was shared with you.`;

export function registerPartnerSubmissionCommands(program: Command): void {
  const partner = program
    .command('partner-submission')
    .description('submissions other partners shared with you: look them up by the partner\'s IDs')
    .addHelpText('after', examples('hwdash partner-submission translate 29963920 14631253285588838 1152921504621465124', 'hwdash partner-submission get 29963920 14631253285588838 1152921504621465124 --json'));

  partner
    .command('get')
    .description('show a shared submission as your account sees it (as SDCM\'s -list partnersubmission)')
    .argument('<publisherId>', 'the partner\'s seller ID', parseId)
    .argument('<productId>', 'the partner\'s product ID', parseId)
    .argument('<submissionId>', 'the partner\'s submission ID', parseId)
    .addHelpText('after', `${examples('hwdash partner-submission get 29963920 14631253285588838 1152921504621465124')}${IDS_HELP}`)
    .action(
      action(async (context, publisherId: string, productId: string, submissionId: string) => {
        const client = await context.client();
        const found = await client.partnerSubmissions.get(publisherId, productId, submissionId, { signal: context.signal });
        context.output.result(found, () => describeSubmission(found));
      }),
    );

  partner
    .command('translate')
    .description('the product and submission IDs your account uses for a partner\'s shared submission (as SDCM\'s -translate)')
    .argument('<publisherId>', 'the partner\'s seller ID', parseId)
    .argument('<productId>', 'the partner\'s product ID', parseId)
    .argument('<submissionId>', 'the partner\'s submission ID', parseId)
    .addHelpText(
      'after',
      `${examples(
        'hwdash partner-submission translate 29963920 14631253285588838 1152921504621465124',
        'hwdash partner-submission translate 29963920 14631253285588838 1152921504621465124 --json | jq -r .submissionId',
      )}${IDS_HELP}`,
    )
    .action(
      action(async (context, publisherId: string, productId: string, submissionId: string) => {
        const client = await context.client();
        const found = await client.partnerSubmissions.get(publisherId, productId, submissionId, { signal: context.signal });
        const translation: PartnerSubmissionTranslation = {
          partner: { publisherId, productId, submissionId },
          productId: found.productId ?? '',
          submissionId: found.id,
        };
        context.output.result(
          translation,
          () => `partner ${publisherId}'s product ${productId} submission ${submissionId} is product ${translation.productId} submission ${translation.submissionId} in your account`,
        );
      }),
    );
}

/** The `--json` result of `partner-submission translate`: the partner's IDs and this account's IDs for the same submission. */
export interface PartnerSubmissionTranslation {
  partner: { publisherId: string; productId: string; submissionId: string };
  productId: string;
  submissionId: string;
}
