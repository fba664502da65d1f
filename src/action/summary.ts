/**
 * The job summary (`GITHUB_STEP_SUMMARY`): what was signed, a table of the steps with their times, the IDs, where to
 * find the submission in Partner Center, and the shipping label's state. Markdown, every cell escaped.
 */
import { redactText } from '../client/redact.js';
import { DEFAULT_BASE_URL } from '../client/options.js';
import type { SignDriverResult } from '../workflow/sign-driver.js';
import type { StepRecord } from './step-log.js';

export interface SummaryFacts {
  package: string;
  baseUrl: string;
  steps: readonly StepRecord[];
  result?: SignDriverResult;
  /** The shipping label's workflow as last read: `microsoftApproval started`. */
  shippingLabelState?: string;
  error?: { message: string; resumable: boolean };
}

const ICONS: Record<StepRecord['status'], string> = { completed: '✅', skipped: '↷', failed: '❌', running: '…' };

/**
 * The product's page in the hardware dashboard, from which its submissions and shipping labels open (the path of
 * Microsoft's own SDCM scripts, on the Partner Center host the dashboard docs link to).
 */
export function partnerCenterProductUrl(productId: string): string {
  return `https://partner.microsoft.com/dashboard/hardware/driver/${productId}`;
}

function cell(text: string): string {
  return redactText(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function summaryMarkdown(facts: SummaryFacts): string {
  const { result } = facts;
  const heading = facts.error ? `## ❌ Driver signing failed: \`${cell(facts.package)}\`` : `## ✅ Driver signed: \`${cell(facts.package)}\``;
  const lines = [heading, ''];
  if (result?.resumed) lines.push('Resumed from the state file of an earlier run.', '');
  lines.push('| Step | Result | Time | Details |', '|---|---|---|---|');
  for (const step of facts.steps) {
    lines.push(`| ${step.step} | ${ICONS[step.status]} ${step.status} | ${step.seconds === undefined ? '' : `${step.seconds} s`} | ${cell(step.detail ?? '')} |`);
  }
  lines.push('');
  if (result) {
    const onService = facts.baseUrl.replace(/\/+$/, '') === DEFAULT_BASE_URL;
    lines.push('| | |', '|---|---|');
    lines.push(`| Product | \`${result.productId}\`${onService ? ` ([Partner Center](${partnerCenterProductUrl(result.productId)}))` : ''} |`);
    lines.push(`| Submission | \`${result.submissionId}\`${onService ? ` ([open from the product page](${partnerCenterProductUrl(result.productId)}))` : ''} |`);
    if (result.shippingLabelId) lines.push(`| Shipping label | \`${result.shippingLabelId}\`${facts.shippingLabelState ? `: ${cell(facts.shippingLabelState)}` : ''} |`);
    lines.push(`| Signed package | \`${cell(result.signedPackagePath)}\` |`, `| Driver metadata | \`${cell(result.driverMetadataPath)}\` |`);
    if (!onService) lines.push(`| API | ${cell(facts.baseUrl)} (not Partner Center: no dashboard links) |`);
    lines.push('');
  }
  if (facts.error) {
    lines.push(`**Error:** ${cell(facts.error.message)}`, '');
    if (facts.error.resumable) lines.push('Re-run the job: it continues from the state file in `out-dir` (keep that folder between runs, e.g. with `actions/cache`).', '');
  }
  return `${lines.join('\n')}\n`;
}
