/**
 * The run as a CI log shows it: no bars and no carriage returns, one line per change (a step started, finished or
 * was skipped; the service's workflow moved on; a transfer finished), each finished step with its time. It also keeps
 * the steps for the job summary.
 */
import { redactText } from '../client/redact.js';
import type { SignDriverProgressEvent, SignDriverStep } from '../workflow/progress.js';

export interface StepRecord {
  step: SignDriverStep;
  status: 'running' | 'completed' | 'skipped' | 'failed';
  /** Seconds from start to end; undefined while running or when skipped. */
  seconds?: number;
  detail?: string;
}

const MiB = 1024 * 1024;

export class StepLog {
  readonly steps: StepRecord[] = [];
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #started = new Map<SignDriverStep, number>();
  #lastWorkflow = '';
  /** Transfers report "done" more than once (the last block, then the block list): one line each. */
  readonly #transfersDone = new Set<string>();

  constructor(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`), now: () => number = Date.now) {
    this.#write = (line) => write(redactText(line));
    this.#now = now;
  }

  readonly onProgress = (event: SignDriverProgressEvent): void => {
    switch (event.kind) {
      case 'step':
        return this.#step(event);
      case 'notice':
        return this.#write(`  ${event.message}`);
      case 'workflow': {
        const line = `  ${event.subject} ${event.step}: ${event.state}${event.messages?.length ? ` (${event.messages.join('; ')})` : ''}`;
        if (line !== this.#lastWorkflow) this.#write(line);
        this.#lastWorkflow = line;
        return;
      }
      case 'upload':
      case 'download': {
        const key = `${event.kind}:${event.file ?? ''}`;
        if (event.loadedBytes < event.totalBytes || this.#transfersDone.has(key)) return;
        this.#transfersDone.add(key);
        const size = event.totalBytes >= MiB ? `${(event.totalBytes / MiB).toFixed(1)} MiB` : `${Math.max(1, Math.round(event.totalBytes / 1024))} KiB`;
        return this.#write(`  ${event.kind}ed ${event.file ?? ''} (${size})`);
      }
    }
  };

  #step(event: Extract<SignDriverProgressEvent, { kind: 'step' }>): void {
    if (event.status === 'started') {
      this.#started.set(event.step, this.#now());
      this.#record({ step: event.step, status: 'running' });
      return this.#write(`▶ ${event.step}`);
    }
    if (event.status === 'skipped') {
      this.#record({ step: event.step, status: 'skipped', ...(event.detail ? { detail: event.detail } : {}) });
      return this.#write(`↷ ${event.step} skipped${event.detail ? `: ${event.detail}` : ''}`);
    }
    const started = this.#started.get(event.step);
    const seconds = started === undefined ? undefined : Math.round((this.#now() - started) / 100) / 10;
    this.#record({ step: event.step, status: 'completed', ...(seconds === undefined ? {} : { seconds }), ...(event.detail ? { detail: event.detail } : {}) });
    this.#write(`✓ ${event.step}${seconds === undefined ? '' : ` in ${seconds} s`}${event.detail ? `: ${event.detail}` : ''}`);
  }

  /** Marks the step that was running when the run failed. */
  failed(message: string): void {
    const running = this.steps.find((record) => record.status === 'running');
    if (!running) return;
    const started = this.#started.get(running.step);
    running.status = 'failed';
    running.detail = message;
    if (started !== undefined) running.seconds = Math.round((this.#now() - started) / 100) / 10;
  }

  #record(record: StepRecord): void {
    const index = this.steps.findIndex((existing) => existing.step === record.step);
    if (index >= 0) this.steps[index] = record;
    else this.steps.push(record);
  }
}
