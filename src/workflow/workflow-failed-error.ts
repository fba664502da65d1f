import { HdcError } from '../client/errors/hdc-error.js';
import { redactText, redactUrl } from '../client/redact.js';

/** The workflows hwdash waits for: a submission's ingestion, a shipping label's publishing or sharing, preprod signing. */
export type WorkflowSubject = 'submission' | 'shippingLabel' | 'preprodPackage';

export interface WorkflowFailedErrorOptions {
  subject: WorkflowSubject;
  /** What failed, for people: e.g. `submission 1152921504621441930 of product 13635057453741329`. */
  resource: string;
  /** The workflow step that failed (`signing`, `publishJobValidation`, ...), as hwdash normalised it. */
  step: string;
  /** The state reported with it; `failed` for the service's own failures. */
  state: string;
  /** The service's messages about the failure (`workflowStatus.messages`, a preprod package's `error.message`). */
  messages: readonly string[];
  /** `workflowStatus.errorReport`: free text, or the SAS URL of an error report. */
  errorReport?: string;
}

/**
 * A workflow the caller waited for stopped in `failed`. The message quotes the service's own messages, which are
 * what a release engineer needs to fix the package or the label; `messages` has them as a list.
 */
export class WorkflowFailedError extends HdcError {
  override readonly kind: string = 'workflow-failed';
  readonly subject: WorkflowSubject;
  readonly step: string;
  readonly state: string;
  readonly messages: string[];
  /**
   * The SAS URL of the service's error report, when `errorReport` was one. Non-enumerable, as its signature is a
   * secret: download it, never log it.
   */
  declare readonly errorReportUrl: string | undefined;

  constructor(options: WorkflowFailedErrorOptions) {
    const reportUrl = options.errorReport && /^https?:\/\//i.test(options.errorReport.trim()) ? options.errorReport.trim() : undefined;
    const reportText = options.errorReport?.trim() && !reportUrl ? [options.errorReport.trim()] : [];
    const messages = [...options.messages, ...reportText].filter((message) => message.trim() !== '').map((message) => redactText(message));
    const said = messages.length > 0 ? `: ${messages.map((message) => JSON.stringify(message)).join('; ')}` : ' (the service gave no message)';
    const report = reportUrl ? ` An error report is available at ${redactUrl(reportUrl)} (error.errorReportUrl holds the full URL).` : '';
    super(`The ${options.resource} failed in step ${options.step} (${options.state})${said}.${report}`, { code: 'WorkflowFailed' });
    this.subject = options.subject;
    this.step = options.step;
    this.state = options.state;
    this.messages = messages;
    Object.defineProperty(this, 'errorReportUrl', { value: reportUrl, enumerable: false, writable: false });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), subject: this.subject, step: this.step, state: this.state, messages: this.messages };
  }
}
