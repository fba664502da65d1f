import { Output } from '../output.js';

/**
 * The output of one package in a batch: its lines carry the package's name, and never draw bars or live lines (the
 * flows run side by side, so one terminal line cannot show them). Scrubbing uses the batch's own output, which knows
 * the secrets.
 */
export class PackageOutput extends Output {
  readonly #parent: Output;
  readonly #prefix: string;

  constructor(parent: Output, name: string) {
    super({ json: false, verbose: parent.verbose, quiet: parent.quiet, stdout: parent.stdout, stderr: parent.stderr });
    this.#parent = parent;
    this.#prefix = `[${name}] `;
  }

  override get interactive(): boolean {
    return false;
  }

  override scrub(text: string): string {
    return this.#parent.scrub(text);
  }

  override info(message: string): void {
    super.info(this.#prefixed(message));
  }

  override debug(message: string): void {
    super.debug(this.#prefixed(message));
  }

  override error(message: string): void {
    super.error(this.#prefixed(message));
  }

  #prefixed(message: string): string {
    return message
      .split('\n')
      .map((line) => `${this.#prefix}${line}`)
      .join('\n');
  }
}
