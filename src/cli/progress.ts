import type { SignDriverProgressEvent as ProgressEvent } from '../workflow/progress.js';
import type { Output } from './output.js';

type Bar = import('cli-progress').SingleBar;

const MiB = 1024 * 1024;
const formatBytes = (bytes: number): string => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes === 0 ? 0 : Math.max(1, Math.round(bytes / 1024))} KiB`);

/**
 * Renders progress on stderr. On a terminal: a cli-progress bar per transfer and one live line for the current
 * step or workflow state. Elsewhere (CI logs, pipes): no bars and no carriage returns, one quiet line per finished
 * step, finished transfer and workflow change. cli-progress is imported only when a bar can be drawn.
 */
export class ProgressReporter {
  readonly #output: Output;
  #bars: typeof import('cli-progress') | undefined;
  #bar: Bar | undefined;
  /** `upload:file` of the transfer the bar (or, on a pipe, the last "done" line) is about. */
  #transfer: string | undefined;
  #lastWorkflow = '';
  #liveLine = false;
  #waitStarted = Date.now();

  constructor(output: Output) {
    this.#output = output;
  }

  get #interactive(): boolean {
    return this.#output.interactive && !this.#output.quiet;
  }

  /** Loads the bar library when bars will be drawn; call before the first event. */
  async prepare(): Promise<void> {
    if (this.#interactive) this.#bars ??= (await import('cli-progress')).default;
  }

  readonly onProgress = (event: ProgressEvent): void => {
    if (this.#output.quiet) return;
    switch (event.kind) {
      case 'step':
        return this.#step(event);
      case 'upload':
      case 'download':
        return this.#transferred(event);
      case 'workflow':
        return this.#workflow(event);
      case 'notice':
        this.#endLive();
        return this.#output.info(`  ${event.message}`);
    }
  };

  #step(event: Extract<ProgressEvent, { kind: 'step' }>): void {
    const detail = event.detail ? `: ${event.detail}` : '';
    if (event.status === 'started') {
      if (event.step === 'wait') this.#waitStarted = Date.now();
      if (this.#interactive) this.#live(`… ${event.step}${detail}`);
      return;
    }
    this.#endLive();
    this.#output.info(event.status === 'skipped' ? `↷ ${event.step} (skipped${detail})` : `✓ ${event.step}${detail}`);
  }

  #transferred(event: Extract<ProgressEvent, { kind: 'upload' | 'download' }>): void {
    const key = `${event.kind}:${event.file ?? ''}`;
    const done = event.loadedBytes >= event.totalBytes;
    if (!this.#interactive || !this.#bars) {
      // Transfers report "done" more than once (the last block, then the commit of the block list).
      if (done && this.#transfer !== key) this.#output.info(`  ${event.kind}ed ${event.file ?? ''} (${formatBytes(event.totalBytes)})`);
      if (done) this.#transfer = key;
      return;
    }
    if (!this.#bar || this.#transfer !== key) {
      if (done && this.#transfer === key) return;
      this.#endLive();
      this.#bar?.stop();
      this.#bar = new this.#bars.SingleBar(
        { stream: this.#output.stderr, format: `  ${event.kind.padEnd(8)} [{bar}] {percentage}% | {done} of {all} {file}`, hideCursor: true, clearOnComplete: false, fps: 10 },
        this.#bars.Presets.shades_classic,
      );
      this.#bar.start(event.totalBytes, 0, { done: formatBytes(0), all: formatBytes(event.totalBytes), file: event.file ?? '' });
      this.#transfer = key;
    }
    this.#bar.update(event.loadedBytes, { done: formatBytes(event.loadedBytes), all: formatBytes(event.totalBytes), file: event.file ?? '' });
    if (done) {
      this.#bar.stop();
      this.#bar = undefined;
    }
  }

  #workflow(event: Extract<ProgressEvent, { kind: 'workflow' }>): void {
    const line = `  ${event.step} ${event.state}${event.messages?.length ? `: ${event.messages.join('; ')}` : ''}`;
    if (line === this.#lastWorkflow) return;
    this.#lastWorkflow = line;
    if (this.#interactive) this.#live(`${line} (${Math.round((Date.now() - this.#waitStarted) / 1000)} s)`);
    else this.#output.info(line);
  }

  /** Rewrites the current terminal line in place. */
  #live(text: string): void {
    this.#bar?.stop();
    this.#bar = undefined;
    this.#output.stderr.write(`\r\x1b[2K${this.#output.scrub(text)}`);
    this.#liveLine = true;
  }

  #endLive(): void {
    if (!this.#liveLine) return;
    this.#output.stderr.write('\r\x1b[2K');
    this.#liveLine = false;
  }

  /** Finishes any open bar or live line (also on errors and Ctrl-C). */
  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
    if (this.#liveLine) {
      this.#output.stderr.write('\n');
      this.#liveLine = false;
    }
  }
}
