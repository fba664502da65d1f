/**
 * Lossless JSON for the Hardware Dev Center API.
 *
 * The service sends product, submission and shipping-label IDs as bare JSON numbers of up to 2^63, but
 * `JSON.parse` rounds anything above 2^53 to the nearest double: 1152921504621441930 becomes
 * 1152921504621442048, and a client that sends that back signs or publishes the wrong submission.
 * So IDs live in memory as decimal-digit strings and go back on the wire as bare numbers.
 *
 * Parsing is native: quotes go around the integer literals that must stay exact, and `JSON.parse` (the only judge
 * of validity) builds the value with those as strings. Native searches find them on the pages the service sends
 * (exact-integers.ts); a full scan settles the rest (exact-scan.ts). Writing digit strings over the rounded numbers
 * after parsing was slower: it needs a path per literal, and V8 migrates every object whose number field becomes a
 * string.
 */
import { int64Keys, int64PathParams } from '../../../generated/int64-keys.js';
import { bufferWithSpare, ByteText, quoteBytes, unquoteBytes } from './byte-text.js';
import { findIdIntegers, keyIndex, mayHoldUnsafeInteger, quoteAt } from './exact-integers.js';
import { quoteExactIntegers } from './exact-scan.js';
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
  // A large text is searched and quoted as bytes (see parseJsonBytes); one with lone surrogates would not survive UTF-8.
  if (text.length >= QUOTE_AS_BYTES_FROM && (text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    const size = Buffer.byteLength(text);
    const bytes = bufferWithSpare(size);
    bytes.write(text);
    return parseJsonBytes(bytes.subarray(0, size), { int64Keys, spare: true, text });
  }
  const starts = findIdIntegers(text, keyIndex(int64Keys));
  const quoted = starts === undefined ? undefined : starts.length === 0 ? text : quoteAt(text, starts);
  return quoted === undefined || mayHoldUnsafeInteger(quoted) ? parseFullyScanned(text, int64Keys) : parseQuoted(text, quoted);
}

/**
 * {@link parseJson} for a UTF-8 body as it was read. With `spare`, the caller hands over the memory of `bytes.buffer`
 * after the bytes (see `bufferWithSpare`), and the bytes themselves: they may be changed. `text`, when the caller has
 * it, is their decoding.
 *
 * A large body is searched and quoted as bytes and decoded once, which keeps it to the fresh memory that
 * `JSON.parse(await response.text())` needs (byte-text.ts); a small one is decoded first and handled as text.
 */
export function parseJsonBytes(bytes: Buffer, options: { int64Keys?: ReadonlySet<string>; spare?: boolean; text?: string } = {}): unknown {
  const { int64Keys = INT64_KEYS, spare = false } = options;
  const decoded = () => options.text ?? bytes.toString('utf8');
  if (bytes.length < QUOTE_AS_BYTES_FROM) return parseJson(decoded(), int64Keys);
  const starts = findIdIntegers(new ByteText(bytes), keyIndex(int64Keys));
  if (starts === undefined) return parseFullyScanned(decoded(), int64Keys);
  if (starts.length === 0) {
    const text = decoded();
    return mayHoldUnsafeInteger(text) ? parseFullyScanned(text, int64Keys) : parseQuoted(text, text);
  }
  const quotedBytes = quoteBytes(bytes, starts, spare);
  const quoted = quotedBytes.toString('utf8');
  const original = () => options.text ?? unquoteBytes(quotedBytes, starts).toString('utf8');
  if (mayHoldUnsafeInteger(quoted)) return parseFullyScanned(original(), int64Keys);
  try {
    return JSON.parse(quoted);
  } catch {
    return parseQuoted(original(), quoted);
  }
}

/** The full scan: for documents the search gives up on. */
function parseFullyScanned(text: string, int64Keys: ReadonlySet<string>): unknown {
  return parseQuoted(text, quoteExactIntegers(text, int64Keys));
}

/**
 * Texts from this size on are searched and quoted as bytes. V8 keeps smaller strings in its regular heap, where
 * concatenating is cheap; a larger one goes to its large-object space, and flattening one there costs more than
 * parsing it.
 */
const QUOTE_AS_BYTES_FROM = 64 * 1024;

/** `JSON.parse(quoted)`, failing with the message and position that `JSON.parse` gives for the original text. */
function parseQuoted(text: string, quoted: string): unknown {
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

/** `JSON.parse`'s error, with the position it reports (or the end of the text, for truncated input) as a field. */
function toJsonSyntaxError(text: string, error: unknown): unknown {
  if (!(error instanceof SyntaxError)) return error;
  const at = /at position (\d+)/.exec(error.message);
  const position = at ? Number(at[1]) : /end of JSON input/.test(error.message) ? text.length : undefined;
  return new JsonSyntaxError(error.message, { position, cause: error });
}
