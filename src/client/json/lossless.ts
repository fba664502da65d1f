/**
 * Lossless JSON for the Hardware Dev Center API.
 *
 * The service sends product, submission and shipping-label IDs as bare JSON numbers of up to 2^63, but
 * `JSON.parse` rounds anything above 2^53 to the nearest double: 1152921504621441930 becomes
 * 1152921504621442048, and a client that sends that back signs or publishes the wrong submission.
 * So IDs live in memory as decimal-digit strings and go back on the wire as bare numbers.
 *
 * Parsing is native: one pass over the text puts quotes around the integer literals that must stay exact, and
 * `JSON.parse` (the only judge of validity) builds the value with those as strings. This costs well under one
 * `JSON.parse` on large responses (bench/json.ts). Writing digit strings over the rounded numbers after parsing
 * was slower: it needs a path per literal, and V8 migrates every object whose number field becomes a string.
 */
import { int64Keys, int64PathParams } from '../../../generated/int64-keys.js';
import { JsonSyntaxError } from './json-syntax-error.js';

/**
 * Property names whose numeric values are int64 IDs: every property the spec declares `format: int64` (generated), and
 * the names of the int64 path parameters (`shippingLabelId`), which the docs type as long and which a body that echoes
 * them would carry as a bare number too.
 */
export const INT64_KEYS: ReadonlySet<string> = new Set([...int64Keys, ...int64PathParams]);

/**
 * `JSON.parse`, except that no integer loses digits:
 * - an integer literal that is the value of a key in `int64Keys`, or a direct element of an array that is such a
 *   key's value (`"visibleToAccounts": [27691110]`), becomes a string of exactly the digits written;
 * - any other integer literal outside the safe range (|n| > 2^53 - 1), under any key or at top level, also becomes
 *   a digit string, so nothing is ever silently rounded.
 *
 * Numbers with a fraction or an exponent stay numbers even under ID keys (IDs never have them), and everything
 * else is exactly what `JSON.parse` returns. Keys written with escapes (`"\u0069d"`) are matched by their decoded
 * name, as `JSON.parse` would name the property.
 *
 * @throws {JsonSyntaxError} when `text` is not valid JSON, with `JSON.parse`'s message for `text`.
 */
export function parseJson(text: string, int64Keys: ReadonlySet<string> = INT64_KEYS): unknown {
  const quoted = quoteExactIntegers(text, int64Keys);
  try {
    return JSON.parse(quoted);
  } catch (error) {
    // Quoting keeps valid text valid and invalid text invalid; the message and position are the original's.
    if (quoted === text) throw toJsonSyntaxError(text, error);
    try {
      JSON.parse(text);
    } catch (original) {
      throw toJsonSyntaxError(text, original);
    }
    throw toJsonSyntaxError(text, error);
  }
}

/**
 * `JSON.stringify`, except that IDs go back on the wire as bare numbers:
 * - a string of decimal digits (`/^-?(0|[1-9][0-9]*)$/`) under a key in `int64Keys`, or as a direct element of an
 *   array under such a key, is written without quotes. Other strings there (an audience GUID `id`) stay strings;
 * - a `bigint` anywhere is written as a bare integer.
 *
 * `toJSON`, skipped `undefined`/function/symbol members and `space` behave as in `JSON.stringify`.
 *
 * @throws {TypeError} when `value` itself has no JSON form (`undefined`, a function, a symbol), where
 * `JSON.stringify` would return `undefined`, and for circular structures.
 */
export function stringifyJson(
  value: unknown,
  int64Keys: ReadonlySet<string> = INT64_KEYS,
  space?: string | number,
): string {
  // A fresh copy of each ID array marks its elements: the replacer only sees an element's array, not that array's
  // key, and marking the caller's own array would also unquote it wherever else it is referenced.
  const idArrays = new WeakSet<unknown[]>();
  const replacer = function (this: unknown, key: string, member: unknown): unknown {
    if (typeof member === 'bigint') return rawJSON(member.toString());
    if (Array.isArray(this)) {
      return idArrays.has(this) && typeof member === 'string' && INTEGER.test(member) ? rawJSON(member) : member;
    }
    if (!int64Keys.has(key)) return member;
    if (typeof member === 'string') return INTEGER.test(member) ? rawJSON(member) : member;
    if (Array.isArray(member)) {
      const elements = member.slice();
      idArrays.add(elements);
      return elements;
    }
    return member;
  };
  const json: string | undefined = JSON.stringify(value, replacer, space);
  if (json === undefined) {
    throw new TypeError(`stringifyJson: a value of type ${typeof value} has no JSON representation`);
  }
  return json;
}

/** The integer literals of the JSON grammar: no sign, no leading zeros, no fraction, no exponent. */
const INTEGER = /^-?(0|[1-9][0-9]*)$/;

// Not yet in TypeScript's lib; Node >= 21 has it. It makes JSON.stringify write the given text verbatim.
const { rawJSON } = JSON as JSON & { rawJSON(text: string): unknown };

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_T = 0x74;

/** Kinds of nesting level seen by {@link quoteExactIntegers}. */
const OBJECT = 0;
const ARRAY = 1;
/** An array that is the value of an int64 key (`visibleToAccounts`): its direct elements are IDs. */
const ID_ARRAY = 2;

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER); // 16 digits

/**
 * `text` with quotes around the integer literals that {@link parseJson} keeps as digit strings, so that `JSON.parse`
 * makes strings of them itself. The alternative, writing digit strings over the rounded numbers after parsing, costs
 * more than the copy made here: it needs a path per literal, and turning a number property into a string makes V8
 * migrate every object of that shape.
 *
 * Only a well-formed integer literal in a value position is quoted (never one with a leading zero, a fraction or an
 * exponent, and never where an object key belongs), so quoting turns a number token into a string token where both
 * are allowed: valid text stays valid and invalid text stays invalid.
 *
 * It tokenises only as much as it must: strings are skipped with the native `indexOf`, and only the short stretches
 * between strings are read char by char.
 */
function quoteExactIntegers(text: string, int64Keys: ReadonlySet<string>): string {
  const keyNames = [...int64Keys];
  let quoted = '';
  let copied = 0;
  // The innermost open object or array, whether a value may start here (in an object: after a colon), and the bounds
  // of the current member's key. The top-level value is read like an array's element.
  let kind = ARRAY;
  let valuePosition = true;
  let keyStart = 0;
  let keyEnd = 0;
  const kinds: number[] = [];
  // Contents of the last string seen: at a colon, that is the member's key.
  let stringStart = 0;
  let stringEnd = 0;

  const length = text.length;
  // Backslashes occur only in strings, and rarely: a string that ends before the next one cannot hold an escaped
  // quote, so most strings end at the first quote found.
  let nextBackslash = indexOrLength(text, '\\', 0);
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c <= SPACE) {
      i++; // whitespace (indented answers have more of it than of anything else between strings)
    } else if (c === QUOTE) {
      let close = text.indexOf('"', i + 1);
      if (close > nextBackslash) {
        close = closingQuote(text, i + 1);
        if (close !== -1) nextBackslash = indexOrLength(text, '\\', close);
      }
      if (close === -1) break; // unterminated: JSON.parse will say so
      stringStart = i + 1;
      stringEnd = close;
      valuePosition = false;
      i = close + 1;
    } else if (c === COLON) {
      keyStart = stringStart;
      keyEnd = stringEnd;
      valuePosition = true;
      i++;
    } else if (c === COMMA) {
      valuePosition = kind !== OBJECT;
      i++;
    } else if ((c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS) {
      const start = i;
      const digitsStart = c === MINUS ? i + 1 : i;
      i = skipDigits(text, digitsStart);
      const next = text.charCodeAt(i);
      if (next === DOT || next === LOWER_E || next === UPPER_E) {
        i = skipFractionAndExponent(text, i);
      } else if (valuePosition && isWellFormedInteger(text, digitsStart, i)) {
        const exact = kind === OBJECT ? int64KeyAt(text, keyStart, keyEnd, keyNames, int64Keys) !== undefined : kind === ID_ARRAY;
        if (exact || isUnsafeMagnitude(text, digitsStart, i)) {
          quoted += `${text.slice(copied, start)}"${text.slice(start, i)}"`;
          copied = i;
        }
      }
      valuePosition = false;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      kinds.push(kind);
      if (c === OPEN_BRACE) kind = OBJECT;
      else kind = valuePosition && kind === OBJECT && int64KeyAt(text, keyStart, keyEnd, keyNames, int64Keys) !== undefined ? ID_ARRAY : ARRAY;
      valuePosition = kind !== OBJECT;
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      kind = kinds.pop() ?? ARRAY;
      valuePosition = false;
      i++;
    } else {
      // true, null, false; or a stray character, which JSON.parse will refuse.
      valuePosition = false;
      i += c === LOWER_T || c === LOWER_N ? 4 : c === LOWER_F ? 5 : 1;
    }
  }
  return copied === 0 ? text : quoted + text.slice(copied);
}

/** Whether `text[from, to)` is the digits of a JSON integer: at least one, and no leading zero. */
function isWellFormedInteger(text: string, from: number, to: number): boolean {
  return to > from && (to - from === 1 || text.charCodeAt(from) !== DIGIT_0);
}

/** The quote that ends the string whose contents start at `from`, stepping over escapes; -1 if none does. */
function closingQuote(text: string, from: number): number {
  const length = text.length;
  let i = from;
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

function indexOrLength(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}

function skipDigits(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c >= DIGIT_0 && c <= DIGIT_9; c = text.charCodeAt(++i));
  return i;
}

function skipFractionAndExponent(text: string, from: number): number {
  let i = from;
  if (text.charCodeAt(i) === DOT) i = skipDigits(text, i + 1);
  const e = text.charCodeAt(i);
  if (e === LOWER_E || e === UPPER_E) {
    const sign = text.charCodeAt(++i);
    if (sign === PLUS || sign === MINUS) i++;
    i = skipDigits(text, i);
  }
  return i;
}

/** Whether the digits in `text[from, to)` (no sign, no leading zero) exceed Number.MAX_SAFE_INTEGER. */
function isUnsafeMagnitude(text: string, from: number, to: number): boolean {
  const count = to - from;
  if (count !== MAX_SAFE_DIGITS.length) return count > MAX_SAFE_DIGITS.length;
  for (let k = 0; k < count; k++) {
    const difference = text.charCodeAt(from + k) - MAX_SAFE_DIGITS.charCodeAt(k);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

/**
 * The name in `int64Keys` that the key whose contents are `text[start, end)` spells, if any. Compared in place, so
 * that the many keys that are not IDs cost no allocation.
 */
function int64KeyAt(
  text: string,
  start: number,
  end: number,
  keyNames: readonly string[],
  int64Keys: ReadonlySet<string>,
): string | undefined {
  for (let k = start; k < end; k++) {
    if (text.charCodeAt(k) === BACKSLASH) {
      const key = decodedKey(text.slice(start, end));
      return key !== undefined && int64Keys.has(key) ? key : undefined;
    }
  }
  const length = end - start;
  for (const name of keyNames) {
    if (name.length === length && text.startsWith(name, start)) return name;
  }
  return undefined;
}

/** The property name `JSON.parse` makes of a key written with escapes, or undefined for a malformed escape. */
function decodedKey(raw: string): string | undefined {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined; // the text is not JSON, and JSON.parse will say so
  }
}

/** `JSON.parse`'s error, with the position it reports (or the end of the text, for truncated input) as a field. */
function toJsonSyntaxError(text: string, error: unknown): unknown {
  if (!(error instanceof SyntaxError)) return error;
  const at = /at position (\d+)/.exec(error.message);
  const position = at ? Number(at[1]) : /end of JSON input/.test(error.message) ? text.length : undefined;
  return new JsonSyntaxError(error.message, { position, cause: error });
}
