/**
 * The full scan behind {@link parseJson}: a tokeniser that finds every integer literal that must stay exact, in any
 * document. The fast path (exact-integers.ts) handles the documents the service really sends; this one handles the
 * rest (keys written with escapes, arrays of mixed values under an ID key, unsafe integers under other keys), so
 * that the result never depends on which path ran.
 */
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
export function quoteExactIntegers(text: string, int64Keys: ReadonlySet<string>): string {
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
export function isUnsafeMagnitude(text: string, from: number, to: number): boolean {
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

