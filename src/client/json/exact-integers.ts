/**
 * The fast path of {@link parseJson}: it finds the integers that must stay exact without tokenising the text.
 *
 * A full tokeniser in JavaScript costs two to three `JSON.parse`s on a large page, because it must step through every
 * string. Native searches cost a fraction of one: `indexOf` finds each key that ends like an int64 key
 * (`Id"`, `id"`...), and one regular expression finds the integers of 16 digits or more that no such key names.
 * What makes this exact without knowing where strings start and end:
 * - inside a string every quote is escaped, so `productId"` followed by a colon, with an unescaped quote before
 *   `productId`, is a key in any valid document (the other reading, a string ending just before the letters, is not
 *   JSON at all);
 * - quoting only ever turns a number token into a string token in a value position, so valid text stays valid and
 *   invalid text stays invalid, and `JSON.parse` still judges the text.
 *
 * Whatever the fast path cannot settle (a key written with `\u` escapes, an ID array holding more than integers, an
 * unsafe integer under another key, a bare top-level number) it hands back to the full scan (`exact-scan.ts`).
 */
import { isUnsafeMagnitude } from './exact-scan.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/**
 * A key set, prepared for the search: each name with the needle `indexOf` looks for. `indexOf` runs at memory speed
 * from a rare first character and far slower from a common one (or with a needle of 7 characters or more), so a
 * name's needle starts at its last capital letter where it has one (`Id"` for `productId`, `Accoun` for
 * `visibleToAccounts`), and is its last two letters and the closing quote otherwise (`id"`).
 */
export interface KeyIndex {
  readonly groups: readonly NeedleGroup[];
  /** False when a name has a character that a key could also spell with an escape other than `\u`: always scan fully. */
  readonly searchable: boolean;
}

interface NeedleGroup {
  readonly needle: string;
  /** The names this needle finds, with where the needle starts in each. */
  readonly names: ReadonlyArray<{ readonly name: string; readonly at: number }>;
}

const MAX_NEEDLE = 6;
const indexes = new WeakMap<ReadonlySet<string>, KeyIndex>();

/**
 * What the search reads: the JSON text itself, or its UTF-8 bytes through `ByteText` (byte-text.ts), which has its
 * ASCII characters at their byte offsets. Only the string methods the search uses.
 */
export interface SearchText {
  readonly length: number;
  indexOf(needle: string, from?: number): number;
  charCodeAt(index: number): number;
  startsWith(search: string, position?: number): boolean;
}

export function keyIndex(keys: ReadonlySet<string>): KeyIndex {
  let index = indexes.get(keys);
  if (!index) {
    const groups = new Map<string, Array<{ name: string; at: number }>>();
    for (const name of keys) {
      if (name === '') continue;
      const capital = Math.max(...[...name].map((char, k) => (char >= 'A' && char <= 'Z' ? k : -1)));
      const at = capital >= 0 ? capital : Math.max(0, name.length - 2);
      const needle = `${name}"`.slice(at, at + MAX_NEEDLE);
      groups.set(needle, [...(groups.get(needle) ?? []), { name, at }]);
    }
    index = {
      groups: [...groups].map(([needle, names]) => ({ needle, names })),
      searchable: [...keys].every((name) => /^[A-Za-z0-9_$]+$/.test(name)),
    };
    indexes.set(keys, index);
  }
  return index;
}

/**
 * Where the integer literals to quote start in `view`, ascending: the integer values of the keys in `index`, and the
 * integer elements of arrays that are such a key's value. Undefined when only the full scan can tell.
 */
export function findIdIntegers(view: SearchText, index: KeyIndex): number[] | undefined {
  if (!index.searchable || startsWithNumber(view) || hasEscapedKey(view)) return undefined;
  let found: number[] = [];
  for (const { needle, names } of index.groups) {
    const starts: number[] = [];
    for (let at = view.indexOf(needle); at !== -1; at = view.indexOf(needle, at + 1)) {
      const close = keyEnd(view, at, names);
      if (close !== -1 && !collectValue(view, close + 1, starts)) return undefined;
    }
    // Each needle's hits come in order; merging keeps the whole list in order without sorting it.
    found = found.length === 0 ? starts : starts.length === 0 ? found : merge(found, starts);
  }
  return found;
}

/**
 * The offset of the closing quote of the key that the needle found at `at` belongs to, if it is one of `names`
 * written without escapes; -1 otherwise. The quote before the name must not be escaped: then it opens the key, in
 * any valid document.
 */
function keyEnd(view: SearchText, at: number, names: NeedleGroup['names']): number {
  for (const { name, at: offset } of names) {
    const open = at - offset - 1;
    const close = open + name.length + 1;
    if (open >= 0 && view.charCodeAt(open) === QUOTE && view.charCodeAt(close) === QUOTE && view.charCodeAt(open - 1) !== BACKSLASH && view.startsWith(name, open + 1)) {
      return close;
    }
  }
  return -1;
}

function merge(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! < b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/**
 * Records the integer value, or the integer elements of the array value, of the member whose key closes just before
 * `from`. False when the array holds something the full scan must judge.
 */
function collectValue(view: SearchText, from: number, starts: number[]): boolean {
  let i = skipSpace(view, from);
  if (view.charCodeAt(i) !== COLON) return true; // a string value that reads like a key name
  i = skipSpace(view, i + 1);
  if (view.charCodeAt(i) !== OPEN_BRACKET) {
    if (integerEnd(view, i) !== -1) starts.push(i);
    return true;
  }
  i = skipSpace(view, i + 1);
  if (view.charCodeAt(i) === CLOSE_BRACKET) return true;
  for (;;) {
    const end = integerEnd(view, i);
    if (end === -1) return false;
    starts.push(i);
    i = skipSpace(view, end);
    const c = view.charCodeAt(i);
    if (c === CLOSE_BRACKET) return true;
    if (c !== COMMA) return false;
    i = skipSpace(view, i + 1);
  }
}

/**
 * The end of the JSON integer literal at `from` (`-?(0|[1-9][0-9]*)`, not followed by a fraction or an exponent), or
 * -1 if none starts there.
 */
export function integerEnd(view: SearchText, from: number): number {
  let i = from;
  let c = view.charCodeAt(i);
  if (c === MINUS) c = view.charCodeAt(++i);
  if (c === DIGIT_0) {
    c = view.charCodeAt(++i);
  } else if (c > DIGIT_0 && c <= DIGIT_9) {
    do c = view.charCodeAt(++i);
    while (c >= DIGIT_0 && c <= DIGIT_9);
  } else {
    return -1;
  }
  return (c >= DIGIT_0 && c <= DIGIT_9) || c === DOT || c === LOWER_E || c === UPPER_E ? -1 : i;
}

function skipSpace(view: SearchText, from: number): number {
  let i = from;
  for (let c = view.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = view.charCodeAt(++i));
  return i;
}

/** A bare number as the whole document: rare, tiny, and left to the full scan. */
function startsWithNumber(view: SearchText): boolean {
  const c = view.charCodeAt(skipSpace(view, 0));
  return c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9);
}

/**
 * Whether a key may spell a name with `\u` escapes (`"\u0069d"`), which the search for the plain name would miss:
 * some `\u` escape continues with name characters and escapes only, up to a quote followed by a colon. Escapes in
 * values (`it\u0027s`) are followed by other characters and cost one `indexOf`.
 */
function hasEscapedKey(view: SearchText): boolean {
  for (let at = view.indexOf('\\u'); at !== -1; at = view.indexOf('\\u', at + 2)) {
    let i = at;
    for (;;) {
      const c = view.charCodeAt(i);
      if (c === BACKSLASH && view.charCodeAt(i + 1) === 0x75) i += 6;
      else if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24) i++;
      else break;
    }
    if (view.charCodeAt(i) === QUOTE && view.charCodeAt(skipSpace(view, i + 1)) === COLON) return true;
  }
  return false;
}

/**
 * An integer of 16 digits or more right after a colon, an opening bracket or a comma (and spaces). Once the IDs are
 * quoted, the only such integers outside strings are unsafe values under other keys, which the full scan must
 * judge. The same characters also occur inside strings (`failed: {\"id\": 1152921504621441930}`); a colon after an
 * escaped quote is one of those and is skipped.
 */
const LONG_INTEGER = /[:,[][\t\n\r ]*-?(?=[1-9][0-9]{15})/g;

/** Whether `text` (with its IDs already quoted) may hold an unsafe integer outside strings. */
export function mayHoldUnsafeInteger(text: string): boolean {
  LONG_INTEGER.lastIndex = 0;
  for (let match = LONG_INTEGER.exec(text); match; match = LONG_INTEGER.exec(text)) {
    const digits = match.index + match[0].length;
    const end = integerEnd(text, digits);
    if (end === -1 || !isUnsafeMagnitude(text, digits, end)) continue;
    if (text.charCodeAt(match.index) !== COLON || isRealQuoteBefore(text, match.index)) return true;
  }
  return false;
}

/** Whether the colon at `colon` follows (after spaces) a quote that is not escaped, as a key's closing quote does. */
function isRealQuoteBefore(text: string, colon: number): boolean {
  let i = colon - 1;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(--i));
  if (text.charCodeAt(i) !== QUOTE) return false;
  let backslashes = 0;
  while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 0;
}

/** `text` with quotes around the integers starting at `starts` (ascending). */
export function quoteAt(text: string, starts: readonly number[]): string {
  let out = '';
  let copied = 0;
  for (const start of starts) {
    const end = integerEnd(text, start);
    out += `${text.slice(copied, start)}"${text.slice(start, end)}"`;
    copied = end;
  }
  return out + text.slice(copied);
}
