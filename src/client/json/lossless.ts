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
  const quoted = quoteIntegerLiterals(text, int64Keys);
  try {
    return JSON.parse(quoted);
  } catch (error) {
    throw syntaxErrorFor(text, quoted, error);
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
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

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER); // 16 digits

/**
 * Returns `text` with quotes around every integer literal that {@link parseJson} turns into a string, or `text`
 * itself when there is none.
 *
 * It tokenises only as much as it must: strings are skipped with the native `indexOf`, and only the short stretches
 * between strings are read char by char. Only well-formed integer tokens are quoted, and a string is a value
 * wherever a number is, so the result is valid JSON exactly when `text` is: `JSON.parse` stays the only judge of
 * validity, and malformed input cannot be "repaired" into something that parses.
 */
function quoteIntegerLiterals(text: string, int64Keys: ReadonlySet<string>): string {
  const keyNames = [...int64Keys];
  const length = text.length;
  let output = '';
  let copiedUpTo = 0;
  // Contents of the last string seen: after a colon, that is the key of the value that follows.
  let stringStart = 0;
  let stringEnd = 0;
  // Set by a colon and cleared by the value's first token; `true`/`false`/`null` do not clear it, but in valid JSON
  // a string or a bracket always comes before the next number.
  let afterColon = false;
  let inIdArray = false;
  const enclosingIdArray: boolean[] = [];

  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let close = text.indexOf('"', i + 1);
      while (close !== -1 && isEscaped(text, close)) close = text.indexOf('"', close + 1);
      if (close === -1) break; // unterminated string: JSON.parse reports it
      stringStart = i + 1;
      stringEnd = close;
      afterColon = false;
      i = close + 1;
    } else if (c === COLON) {
      afterColon = true;
      i++;
    } else if ((c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS) {
      const start = i;
      if (c === MINUS) i++;
      const digitsStart = i;
      i = skipDigits(text, i);
      const next = text.charCodeAt(i);
      if (next === DOT || next === LOWER_E || next === UPPER_E) {
        i = skipFractionAndExponent(text, i);
      } else if (
        i > digitsStart &&
        (i - digitsStart === 1 || text.charCodeAt(digitsStart) !== DIGIT_0) &&
        ((afterColon ? isInt64Key(text, stringStart, stringEnd, keyNames, int64Keys) : inIdArray) ||
          isUnsafeMagnitude(text, digitsStart, i))
      ) {
        output += text.slice(copiedUpTo, start) + '"' + text.slice(start, i) + '"';
        copiedUpTo = i;
      }
      afterColon = false;
    } else if (c === OPEN_BRACKET) {
      enclosingIdArray.push(inIdArray);
      inIdArray = afterColon && isInt64Key(text, stringStart, stringEnd, keyNames, int64Keys);
      afterColon = false;
      i++;
    } else if (c === OPEN_BRACE) {
      enclosingIdArray.push(inIdArray);
      inIdArray = false;
      afterColon = false;
      i++;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      inIdArray = enclosingIdArray.pop() === true;
      afterColon = false;
      i++;
    } else {
      i++; // whitespace, commas, true/false/null, and whatever JSON.parse will reject
    }
  }
  return copiedUpTo === 0 ? text : output + text.slice(copiedUpTo);
}

/** Whether the quote at `index` is escaped, i.e. preceded by an odd number of backslashes. */
function isEscaped(text: string, index: number): boolean {
  let before = index - 1;
  while (text.charCodeAt(before) === BACKSLASH) before--;
  return (index - before) % 2 === 0;
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

/** Whether the string contents `text[start, end)` name a key in `int64Keys`, compared without allocating. */
function isInt64Key(
  text: string,
  start: number,
  end: number,
  keyNames: readonly string[],
  int64Keys: ReadonlySet<string>,
): boolean {
  for (let k = start; k < end; k++) {
    if (text.charCodeAt(k) === BACKSLASH) return int64Keys.has(decodeKey(text.slice(start - 1, end + 1)));
  }
  const length = end - start;
  for (const name of keyNames) {
    if (name.length === length && text.startsWith(name, start)) return true;
  }
  return false;
}

/** The name of a key written with escapes; a malformed one matches nothing and is left for JSON.parse to report. */
function decodeKey(quotedKey: string): string {
  try {
    return JSON.parse(quotedKey) as string;
  } catch {
    return '';
  }
}

/**
 * The error `JSON.parse` gives for the caller's text, so positions and excerpts refer to what the caller passed
 * rather than to the quoted copy (both are invalid together, see {@link quoteIntegerLiterals}).
 */
function syntaxErrorFor(text: string, parsed: string, error: unknown): unknown {
  let original = error;
  if (parsed !== text) {
    try {
      JSON.parse(text);
    } catch (textError) {
      original = textError;
    }
  }
  if (!(original instanceof SyntaxError)) return original;
  const at = /at position (\d+)/.exec(original.message);
  const position = at ? Number(at[1]) : /end of JSON input/.test(original.message) ? text.length : undefined;
  return new JsonSyntaxError(original.message, { position, cause: original });
}
