/** Argument parsers and help-text helpers shared by the command definitions. Light: no client code here. */
import { InvalidArgumentError } from 'commander';

/** An int64 ID argument: digits only, kept as the exact string (never a Number, which would round it). */
export function parseId(value: string): string {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('IDs are decimal digits only, e.g. 1152921504621465124.');
  return value;
}

/** An opaque ID (preprod package or asset): one plain path segment. */
export function parseSegment(value: string): string {
  if (value === '' || /[/\\?#\u0000-\u001f]/.test(value) || value === '.' || value === '..') throw new InvalidArgumentError('expected a single ID, without "/", "?" or "#".');
  return value;
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}

/** A count that may be zero (`--max-retries 0`). */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number (0 or more).');
  return n;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number between 0 and 65535.');
  return n;
}

/** Collects a repeatable option (`--os-code A --os-code B`, or `--os-code A,B`) into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((item) => item.trim()).filter(Boolean)];
}

/** The "Examples:" block appended to a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
