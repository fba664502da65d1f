/**
 * Property tests over seeded random documents: parseJson agrees with an independent reference built on lossless-json,
 * stringifyJson(parseJson(text)) keeps every ID digit-exact and bare, and broken documents fail exactly as JSON.parse
 * fails. Seeded, so every run checks the same documents.
 */
import { describe, expect, it } from '@jest/globals';
import { isInteger, isLosslessNumber, parse as losslessParse } from 'lossless-json';
import { INT64_KEYS, parseJson, stringifyJson } from '../../src/client/json/lossless.js';
import { JsonSyntaxError } from '../../src/client/json/json-syntax-error.js';

const CASES = 300;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** What parseJson must return, computed from lossless-json's exact number literals. */
function reference(text: string): unknown {
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

/** Every value in an ID position of a lossless-json tree, as [written as a number?, literal or string]. */
function idsOnTheWire(node: unknown, isIdPosition = false, out: Array<[boolean, string]> = []): Array<[boolean, string]> {
  if (isIdPosition && (isLosslessNumber(node) || typeof node === 'string')) {
    out.push(isLosslessNumber(node) ? [true, node.value] : [false, node]);
  } else if (Array.isArray(node)) {
    for (const element of node) idsOnTheWire(element, false, out);
  } else if (node !== null && typeof node === 'object' && !isLosslessNumber(node)) {
    for (const [key, member] of Object.entries(node)) {
      if (INT64_KEYS.has(key) && Array.isArray(member)) for (const element of member) idsOnTheWire(element, true, out);
      else idsOnTheWire(member, INT64_KEYS.has(key), out);
    }
  }
  return out;
}

/** Same walk over a parsed value: what stringifyJson must write in each ID position, digit strings as bare numbers. */
function idsInMemory(node: unknown, isIdPosition = false, out: Array<[boolean, string]> = []): Array<[boolean, string]> {
  if (isIdPosition && typeof node === 'string') {
    out.push([/^-?(0|[1-9][0-9]*)$/.test(node), node]);
  } else if (isIdPosition && typeof node === 'number') {
    if (Number.isFinite(node)) out.push([true, String(node)]); // a fraction or exponent under an ID key
  } else if (Array.isArray(node)) {
    for (const element of node) idsInMemory(element, false, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, member] of Object.entries(node)) {
      if (INT64_KEYS.has(key) && Array.isArray(member)) for (const element of member) idsInMemory(element, true, out);
      else idsInMemory(member, INT64_KEYS.has(key), out);
    }
  }
  return out;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

function documents(seed: number, count: number): string[] {
  const writer = new DocumentWriter(mulberry32(seed));
  return Array.from({ length: count }, () => writer.document());
}

describe('parseJson and stringifyJson on random documents', () => {
  const texts = documents(20240501, CASES);

  it('generates varied documents (guards the generator itself)', () => {
    expect(new Set(texts).size).toBeGreaterThan(CASES * 0.9);
    const withIds = texts.filter((text) => idsOnTheWire(losslessParse(text)).length > 0).length;
    const withUnsafe = texts.filter((text) => /[0-9]{17}/.test(text)).length;
    expect(withIds).toBeGreaterThan(CASES / 3);
    expect(withUnsafe).toBeGreaterThan(CASES / 3);
  });

  it('parses every document to exactly what the lossless-json reference gives', () => {
    for (const text of texts) expect(parseJson(text)).toEqual(reference(text));
  });

  it('round-trips: stringifyJson(parseJson(text)) parses back to the same value, IDs as bare numbers', () => {
    for (const text of texts) {
      const value = parseJson(text);
      const written = stringifyJson(value);
      // The value must come back as if written by JSON.stringify (IDs quoted) and read losslessly: that loses only
      // what JSON.stringify itself changes (-0 becomes 0; 1e3 becomes 1000, so under an ID key it reads back as "1000").
      const expected = reference(JSON.stringify(value));
      expect(reference(written)).toEqual(expected);
      expect(parseJson(written)).toEqual(expected);
      expect(idsOnTheWire(losslessParse(written))).toEqual(idsInMemory(value));
    }
  });

  it('rejects every broken document exactly as JSON.parse does, and accepts every one it accepts', () => {
    const random = mulberry32(7);
    let rejected = 0;
    for (const text of texts) {
      const at = Math.floor(random() * (text.length + 1));
      const broken = [
        text.slice(0, at),
        text.slice(0, at) + text.slice(at + 1),
        text.slice(0, at) + '{}[]",:0-e.tn'[Math.floor(random() * 13)] + text.slice(at),
      ];
      for (const candidate of broken) {
        let nativeError: unknown;
        try {
          JSON.parse(candidate);
        } catch (error) {
          nativeError = error;
        }
        if (nativeError === undefined) {
          expect(parseJson(candidate)).toEqual(reference(candidate));
        } else {
          rejected++;
          expect(() => parseJson(candidate)).toThrow(JsonSyntaxError);
          expect(() => parseJson(candidate)).toThrow((nativeError as Error).message);
        }
      }
    }
    expect(rejected).toBeGreaterThan(CASES);
  });
});
