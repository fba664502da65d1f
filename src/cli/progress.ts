import type { Output } from './output.js';

/** What the workflow reports while it runs (see `signDriver`'s `onProgress`). */
export type ProgressEvent =
  | { kind: 'step'; step: string; status: 'started' | 'completed' | 'skipped'; detail?: string }
  | { kind: 'upload' | 'download'; loadedBytes: number; totalBytes: number; file?: string }
  | { kind: 'workflow'; step: string; state: string; messages?: string[] };

type Bar = { update(value: number, payload?: object): void; stop(): void; setTotal(total: number): void };

const MiB = 1024 * 1024;
const formatBytes = (bytes: number): string => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`);

/**
 * Renders progress on stderr. On a terminal: a cli-progress bar per transfer and one live line for the
 * workflow step. Elsewhere (CI logs, pipes): no bars, just one quiet line per step or state change.
 * cli-progress is imported only when a bar is actually drawn.
 */
export class ProgressReporter {
  readonly #output: Output;
  #bar: Bar | undefined;
  #barKind: string | undefined;
  #lastWorkflow = '';
  #liveLine = false;
  #started = Date.now();

  constructor(output: Output) {
    this.#output = output;
  }

  /** Bars need cli-progress loaded; call once before the first event on a terminal. */
  async prepare(): Promise<void> {
    if (this.#output.interactive && !this.#output.quiet) this.#barModule = (await import('cli-progress')).default;
  }

  #barModule: typeof import('cli-progress') | undefined;

  readonly onProgress = (event: ProgressEvent): void => {
    if (this.#output.quiet) return;
    switch (event.kind) {
      case 'step': {
        this.#endLive();
        const mark = event.status === 'started' ? '…' : event.status === 'skipped' ? '↷' : '✓';
        this.#output.info(`${mark} ${event.step}${event.status === 'skipped' ? ' (already done)' : ''}${event.detail ? `: ${event.detail}` : ''}`);
        return;
      }
      case 'upload':
      case 'download':
        return this.#transfer(event);
      case 'workflow':
        return this.#workflow(event);
    }
  };

  #transfer(event: Extract<ProgressEvent, { kind: 'upload' | 'download' }>): void {
    const done = event.loadedBytes >= event.totalBytes;
    if (!this.#output.interactive || !this.#barModule) {
      if (done) this.#output.info(`  ${event.kind}ed ${formatBytes(event.totalBytes)}${event.file ? ` (${event.file})` : ''}`);
      return;
    }
    if (!this.#bar || this.#barKind !== event.kind) {
      this.#endLive();
      this.#bar?.stop();
      this.#bar = new this.#barModule.SingleBar(
        { stream: this.#output.stderr, format: `  ${event.kind.padEnd(8)} [{bar}] {percentage}% | {done} of {all}`, hideCursor: true, clearOnComplete: false },
        this.#barModule.Presets.shades_classic,
      ) as unknown as Bar;
      (this.#bar as unknown as { start(total: number, value: number, payload: object): void }).start(event.totalBytes, 0, { done: '0', all: formatBytes(event.totalBytes) });
      this.#barKind = event.kind;
    }
    this.#bar.update(event.loadedBytes, { done: formatBytes(event.loadedBytes), all: formatBytes(event.totalBytes) });
    if (done) {
      this.#bar.stop();
      this.#bar = undefined;
      this.#barKind = undefined;
    }
  }

  #workflow(event: Extract<ProgressEvent, { kind: 'workflow' }>): void {
    const line = `  ${event.step} ${event.state}${event.messages?.length ? `: ${event.messages.join('; ')}` : ''}`;
    if (line === this.#lastWorkflow) return;
    this.#lastWorkflow = line;
    if (this.#output.interactive) {
      const elapsed = `${Math.round((Date.now() - this.#started) / 1000)} s`;
      this.#output.stderr.write(`\r\x1b[2K${this.#output.scrub(line)} (${elapsed})`);
      this.#liveLine = true;
    } else {
      this.#output.info(line);
    }
  }

  #endLive(): void {
    if (this.#liveLine) {
      this.#output.stderr.write('\n');
      this.#liveLine = false;
    }
  }

  /** Finishes any open bar or live line (also on errors and Ctrl-C). */
  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
    this.#endLive();
  }
}
