/**
 * Lossless JSON for the Hardware Dev Center API.
 *
 * The service sends product, submission and shipping-label IDs as bare JSON numbers of up to 2^63, but
 * `JSON.parse` rounds anything above 2^53 to the nearest double: 1152921504621441930 becomes
 * 1152921504621442048, and a client that sends that back signs or publishes the wrong submission.
 * So IDs live in memory as decimal-digit strings and go back on the wire as bare numbers.
 *
 * Parsing is native: `JSON.parse` builds the value (and is the only judge of validity), then one pass over the text
 * finds the integer literals that must stay exact and writes their digits over the rounded numbers. Building a
 * quoted copy of the text for `JSON.parse` instead would cost more than the parse itself on large responses, since
 * a fresh multi-megabyte string is slow to allocate.
 */

/** Property names whose numeric values are int64 IDs in the Hardware Dev Center API. */
export const INT64_KEYS: ReadonlySet<string> = new Set([
  'id',
  'productId',
  'submissionId',
  'shippingLabelId',
  'sharedProductId',
  'sourceProductId',
  'sourcePublisherId',
  'visibleToAccounts',
]);

/**
 * Thrown by {@link parseJson} for text that is not JSON (truncated bodies, HTML error pages, empty bodies...).
 * The message is the one `JSON.parse` gives for the original text; `cause` is that native error.
 */
export class JsonSyntaxError extends SyntaxError {
  /** Offset in the text where parsing failed, when the engine reports one. */
  readonly position?: number;

  constructor(message: string, options: { position?: number; cause: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'JsonSyntaxError';
    if (options.position !== undefined) this.position = options.position;
  }
}

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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw toJsonSyntaxError(text, error);
  }
  const exact = findExactIntegers(text, int64Keys);
  return exact.length === 0 ? value : restoreDigits(value, exact);
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
const LOWER_N = 0x6e;
const LOWER_T = 0x74;

/** Kinds of nesting level seen by {@link findExactIntegers}. */
const OBJECT = 0;
const ARRAY = 1;
/** An array that is the value of an int64 key (`visibleToAccounts`): its direct elements are IDs. */
const ID_ARRAY = 2;

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER); // 16 digits

/**
 * Finds, in text that `JSON.parse` has accepted, the integer literals that {@link parseJson} keeps as digit strings.
 * Each is returned as its path (property names and array indexes from the top-level value down) followed by the
 * literal itself. One small array per literal, not one flat list: a flat list of many thousands of entries is
 * slower to grow than the whole scan.
 *
 * It tokenises only as much as it must: strings are skipped with the native `indexOf`, and only the short stretches
 * between strings are read char by char.
 */
function findExactIntegers(text: string, int64Keys: ReadonlySet<string>): Array<Array<string | number>> {
  const keyNames = [...int64Keys];
  const found: Array<Array<string | number>> = [];
  // Where the parser is in the innermost open object or array: its kind, the index of the current element (counted
  // in objects too, where it means nothing, to keep commas branch-free) and the bounds of the current member's key.
  // The top-level value is level 0, read like a one-element array.
  let kind = ARRAY;
  let index = 0;
  let keyStart = 0;
  let keyEnd = 0;
  // The same for each enclosing level, saved when a nested object or array opens, with the key as a string once a
  // literal inside needed it (reused by the next literals there, so that their paths share the same key strings).
  const kinds: number[] = [];
  const indexes: number[] = [];
  const keyStarts: number[] = [];
  const keyEnds: number[] = [];
  const keys: Array<string | undefined> = [];
  let depth = 0;
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
        nextBackslash = indexOrLength(text, '\\', close);
      }
      stringStart = i + 1;
      stringEnd = close;
      i = close + 1;
    } else if (c === COLON) {
      keyStart = stringStart;
      keyEnd = stringEnd;
      i++;
    } else if (c === COMMA) {
      index++;
      i++;
    } else if ((c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS) {
      const start = i;
      const digitsStart = c === MINUS ? i + 1 : i;
      i = skipDigits(text, digitsStart);
      const next = text.charCodeAt(i);
      if (next === DOT || next === LOWER_E || next === UPPER_E) {
        i = skipFractionAndExponent(text, i);
        continue;
      }
      const int64Key = kind === OBJECT ? int64KeyAt(text, keyStart, keyEnd, keyNames, int64Keys) : undefined;
      if (int64Key !== undefined || kind === ID_ARRAY || isUnsafeMagnitude(text, digitsStart, i)) {
        const hit: Array<string | number> = [];
        for (let level = 1; level < depth; level++) {
          hit.push(kinds[level] === OBJECT ? (keys[level] ??= keyAt(text, keyStarts[level]!, keyEnds[level]!)) : indexes[level]!);
        }
        if (depth > 0) hit.push(kind === OBJECT ? (int64Key ?? keyAt(text, keyStart, keyEnd)) : index);
        hit.push(text.slice(start, i));
        found.push(hit);
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      kinds[depth] = kind;
      indexes[depth] = index;
      keyStarts[depth] = keyStart;
      keyEnds[depth] = keyEnd;
      keys[depth] = undefined;
      depth++;
      if (c === OPEN_BRACE) kind = OBJECT;
      else kind = kind === OBJECT && int64KeyAt(text, keyStart, keyEnd, keyNames, int64Keys) ? ID_ARRAY : ARRAY;
      index = 0;
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      kind = kinds[depth]!;
      index = indexes[depth]!;
      keyStart = keyStarts[depth]!;
      keyEnd = keyEnds[depth]!;
      i++;
    } else if (c === LOWER_T || c === LOWER_N) {
      i += 4; // true, null: JSON.parse has checked the spelling
    } else {
      i += 5; // false: JSON.parse has accepted the text, so nothing else can start here
    }
  }
  return found;
}

/**
 * Writes each literal found by {@link findExactIntegers} over the number `JSON.parse` made of it. The number check
 * matters only when a key repeats in one object: `JSON.parse` keeps the last member, so an earlier one's literal
 * must not land on it.
 */
function restoreDigits(value: unknown, found: Array<Array<string | number>>): unknown {
  let result = value;
  for (const hit of found) {
    const last = hit.length - 1;
    const literal = hit[last] as string;
    if (last === 0) {
      if (result === Number(literal)) result = literal;
      continue;
    }
    let holder = result;
    for (let level = 0; level < last - 1 && isContainer(holder); level++) holder = holder[hit[level]!];
    const key = hit[last - 1]!;
    if (isContainer(holder) && holder[key] === Number(literal)) holder[key] = literal;
  }
  return result;
}

function isContainer(value: unknown): value is Record<string | number, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The quote that ends the string whose contents start at `from`, stepping over escapes. */
function closingQuote(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c !== QUOTE; c = text.charCodeAt(++i)) {
    if (c === BACKSLASH) i++;
  }
  return i;
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
      const key = keyAt(text, start, end);
      return int64Keys.has(key) ? key : undefined;
    }
  }
  const length = end - start;
  for (const name of keyNames) {
    if (name.length === length && text.startsWith(name, start)) return name;
  }
  return undefined;
}

/** The property name `JSON.parse` made of the key whose contents are `text[start, end)`, escapes decoded. */
function keyAt(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

/** `JSON.parse`'s error, with the position it reports (or the end of the text, for truncated input) as a field. */
function toJsonSyntaxError(text: string, error: unknown): unknown {
  if (!(error instanceof SyntaxError)) return error;
  const at = /at position (\d+)/.exec(error.message);
  const position = at ? Number(at[1]) : /end of JSON input/.test(error.message) ? text.length : undefined;
  return new JsonSyntaxError(error.message, { position, cause: error });
}
