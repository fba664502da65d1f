/**
 * Seeded random JSON documents for the lossless-parse tests, written as text with the awkward spellings a serialiser
 * would never produce, and the reference result built on lossless-json's exact number literals.
 */
import { isInteger, isLosslessNumber, parse as losslessParse } from 'lossless-json';
import { INT64_KEYS } from '../../src/client/json/lossless.js';
import { seededRandom } from '../../src/mock/sandbox/faults.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** What parseJson must return, computed from lossless-json's exact number literals. */
export function reference(text: string): unknown {
  return convert(losslessParse(text), false);
}

function convert(node: unknown, isIdPosition: boolean): unknown {
  if (isLosslessNumber(node)) {
    const literal = node.value;
    if (!isInteger(literal)) return Number(literal);
    const magnitude = BigInt(literal) < 0n ? -BigInt(literal) : BigInt(literal);
    return isIdPosition || magnitude > MAX_SAFE ? literal : Number(literal);
  }
  if (Array.isArray(node)) return node.map((element) => convert(element, false));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(node)) {
      const isIdKey = INT64_KEYS.has(key);
      out[key] = isIdKey && Array.isArray(member) ? member.map((element) => convert(element, true)) : convert(member, isIdKey);
    }
    return out;
  }
  return node;
}


/** Writes random JSON text directly, with the awkward spellings a serialiser would never produce. */
class DocumentWriter {
  constructor(private readonly random: () => number) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private space(): string {
    if (this.chance(0.6)) return '';
    let out = '';
    const count = 1 + Math.floor(this.random() * 4);
    for (let k = 0; k < count; k++) out += this.pick([' ', '\n', '\r\n', '\t']);
    return out;
  }

  private digits(count: number): string {
    let out = String(1 + Math.floor(this.random() * 9));
    for (let k = 1; k < count; k++) out += String(Math.floor(this.random() * 10));
    return out;
  }

  integer(): string {
    const sign = this.chance(0.15) ? '-' : '';
    return (
      sign +
      this.pick([
        () => '0',
        () => String(Math.floor(this.random() * 100000)),
        () => (2n ** 60n + BigInt(Math.floor(this.random() * 1e9))).toString(), // submission, label, shared product IDs
        () => (2n ** 53n + BigInt(Math.floor(this.random() * 1e9))).toString(), // private product IDs
        () => this.pick(['9007199254740991', '9007199254740992', '9007199254740993', '1152921504621441930', '13635057453741329']),
        () => this.digits(1 + Math.floor(this.random() * 30)),
      ])()
    );
  }

  float(): string {
    const whole = this.pick(['0', this.digits(1 + Math.floor(this.random() * 22))]);
    const fraction = this.chance(0.7) ? `.${String(Math.floor(this.random() * 1000)).padStart(3, '0')}` : '';
    const exponent = fraction === '' || this.chance(0.3) ? `${this.pick(['e', 'E'])}${this.pick(['', '+', '-'])}${Math.floor(this.random() * 30)}` : '';
    return (this.chance(0.2) ? '-' : '') + whole + fraction + exponent;
  }

  /** A string literal, sometimes with characters escaped that need not be. */
  string(content: string): string {
    let out = '"';
    for (const char of content) {
      if (char === '"' || char === '\\' || char < ' ' || this.chance(0.1)) {
        const escapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '/': '\\/' };
        const code = char.codePointAt(0)!;
        if (code > 0xffff) out += JSON.stringify(char).slice(1, -1);
        else out += escapes[char] && this.chance(0.5) ? escapes[char] : `\\u${code.toString(16).padStart(4, '0')}`;
      } else {
        out += char;
      }
    }
    return out + '"';
  }

  text(): string {
    const pieces = ['id', '"id": 123', '{', '}', '[', ']', ':', ',', '\\', '"', '\\"', '1152921504621441930', ' ', 'é', '😀', '\n', 'visibleToAccounts', '-7'];
    let out = '';
    const count = Math.floor(this.random() * 6);
    for (let k = 0; k < count; k++) out += this.pick(pieces);
    return out;
  }

  key(): string {
    return this.pick([...INT64_KEYS, ...INT64_KEYS, 'name', 'links', 'href', 'value', 'count', 'build', 'é', 'i"d', 'id ', 'Id', 'a\\b', '']);
  }

  value(depth: number): string {
    const kind = Math.floor(this.random() * (depth >= 4 ? 6 : 9));
    switch (kind) {
      case 0:
      case 1:
      case 5:
        return this.integer();
      case 2:
        return this.float();
      case 3:
        return this.string(this.chance(0.3) ? this.integer() : this.text());
      case 4:
        return this.pick(['true', 'false', 'null']);
      case 6:
      case 7:
        return this.object(depth);
      default:
        return this.array(depth);
    }
  }

  object(depth: number): string {
    const keys = [...new Set(Array.from({ length: Math.floor(this.random() * 6) }, () => this.key()))];
    const members = keys.map((key) => {
      const value = INT64_KEYS.has(key) && this.chance(0.6) ? this.idValue(key, depth) : this.value(depth + 1);
      return `${this.space()}${this.string(key)}${this.space()}:${this.space()}${value}${this.space()}`;
    });
    return `{${members.join(',') || this.space()}}`;
  }

  array(depth: number): string {
    const elements = Array.from({ length: Math.floor(this.random() * 5) }, () => `${this.space()}${this.value(depth + 1)}${this.space()}`);
    return `[${elements.join(',') || this.space()}]`;
  }

  private idValue(key: string, depth: number): string {
    if (key === 'visibleToAccounts' || this.chance(0.2)) {
      const elements = Array.from({ length: Math.floor(this.random() * 4) }, () =>
        this.chance(0.7) ? this.integer() : this.value(depth + 1),
      );
      return `[${elements.map((element) => this.space() + element + this.space()).join(',')}]`;
    }
    return this.chance(0.8) ? this.integer() : this.value(depth + 1);
  }

  document(): string {
    const top = this.chance(0.1) ? this.value(0) : this.chance(0.7) ? this.object(0) : this.array(0);
    return this.space() + top + this.space();
  }
}

export function documents(seed: number, count: number): string[] {
  const writer = new DocumentWriter(seededRandom(seed));
  return Array.from({ length: count }, () => writer.document());
}
