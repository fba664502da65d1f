import { redactText } from '../client/redact.js';

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  quiet: boolean;
  /** Print SAS URLs in results with their signatures, for tools such as azcopy (`--show-sas-urls`). */
  showSasUrls?: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Literal secrets (tokens) to scrub from anything printed, on top of the pattern-based redaction. */
  secrets?: string[];
}

/**
 * Where the CLI's words go. Results go to stdout (JSON with exact digit-string IDs under --json); progress,
 * status and errors go to stderr, so `hwdash ... --json | jq` always gets clean JSON. Everything printed is
 * redacted first.
 */
export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly showSasUrls: boolean;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly #secrets: string[];

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.verbose = options.verbose;
    this.quiet = options.quiet;
    this.showSasUrls = options.showSasUrls ?? false;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.#secrets = options.secrets ?? [];
  }

  /** Bars and live step lines only on a terminal; CI logs and pipes get plain lines. */
  get interactive(): boolean {
    return Boolean(this.stderr.isTTY) && !process.env.CI;
  }

  addSecret(secret: string): void {
    this.#secrets.push(secret);
  }

  scrub(text: string): string {
    return redactText(text, this.#secrets);
  }

  /**
   * The command's result: JSON on stdout under --json, else the human rendering. IDs are digit strings in
   * memory and stay JSON strings here, so `jq` and friends, which may read numbers as doubles, cannot round them.
   */
  result(value: unknown, human: () => string): void {
    const text = this.json ? toJsonText(value) : human();
    if (text) this.stdout.write(`${redactText(text, this.#secrets, { keepSasSignatures: this.showSasUrls })}\n`);
  }

  /** A status line on stderr (suppressed by --quiet). */
  info(message: string): void {
    if (!this.quiet) this.stderr.write(`${this.scrub(message)}\n`);
  }

  /** A likely mistake that does not stop the command, on stderr (suppressed by --quiet). */
  warn(message: string): void {
    if (!this.quiet) this.stderr.write(`${this.scrub(`warning: ${message}`)}\n`);
  }

  /** A --verbose line on stderr. */
  debug(message: string): void {
    if (this.verbose) this.stderr.write(`${this.scrub(message)}\n`);
  }

  /** Ready-made text (a file's content) on stdout. */
  raw(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** An error on stderr: never suppressed. */
  error(message: string): void {
    this.stderr.write(`${this.scrub(message)}\n`);
  }
}

/** Pretty JSON; a bigint, should one appear, is written as its digit string like every other ID. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => (typeof member === 'bigint' ? member.toString() : member), 2);
}
