/**
 * The fast path of parseJson (native searches for the ID keys, then one check for unsafe integers elsewhere) and its
 * byte form for large bodies (searched as bytes, quoted in the spare room after them): each must give exactly what
 * the full scan gives, on the pages the service sends, on adversarial random documents, and on broken ones.
 */
import { describe, expect, it } from '@jest/globals';
import { bufferWithSpare } from '../../src/client/json/byte-text.js';
import { findIdIntegers, keyIndex, mayHoldUnsafeInteger, quoteAt } from '../../src/client/json/exact-integers.js';
import { quoteExactIntegers } from '../../src/client/json/exact-scan.js';
import { JsonSyntaxError } from '../../src/client/json/json-syntax-error.js';
import { INT64_KEYS, parseJson, parseJsonBytes } from '../../src/client/json/lossless.js';
import { documents, reference } from '../support/json-documents.js';
import { seededRandom } from '../../src/mock/sandbox/faults.js';
import { productsPage, submissionsPage } from '../support/json-pages.js';

/** What the full scan alone gives: the behaviour every path must match. */
const fullScan = (text: string): unknown => JSON.parse(quoteExactIntegers(text, INT64_KEYS));

/** The text as the body reader hands it over: bytes with spare room after them, which parsing may write into. */
function withSpare(text: string): Buffer {
  const size = Buffer.byteLength(text);
  const bytes = bufferWithSpare(size);
  bytes.write(text);
  return bytes.subarray(0, size);
}

function nativeError(text: string): Error {
  try {
    JSON.parse(text);
  } catch (error) {
    return error as Error;
  }
  throw new Error('the text is valid JSON');
}

describe('realistic pages take the fast path', () => {
  for (const [name, generate] of [
    ['submissions (ID-sparse)', submissionsPage],
    ['products (ID-dense)', productsPage],
  ] as const) {
    it(`${name}: found by the search, no unsafe integer elsewhere, same value on every path`, () => {
      const text = generate(300 * 1024);
      const starts = findIdIntegers(text, keyIndex(INT64_KEYS));
      expect(starts?.length).toBeGreaterThan(300);
      expect(mayHoldUnsafeInteger(quoteAt(text, starts!))).toBe(false);
      const expected = fullScan(text);
      expect(parseJson(text)).toEqual(expected);
      expect(parseJsonBytes(Buffer.from(text))).toEqual(expected);
      expect(parseJsonBytes(withSpare(text), { spare: true })).toEqual(expected);
      expect((expected as { value: Array<{ id: unknown }> }).value[0]!.id).toMatch(/^\d{16,19}$/);
    });
  }
});

describe('the search on random documents', () => {
  const texts = documents(88172645, 400);

  it('agrees with the reference wherever it does not hand over to the full scan, and it often does not', () => {
    let fast = 0;
    for (const text of texts) {
      const starts = findIdIntegers(text, keyIndex(INT64_KEYS));
      if (starts === undefined) continue;
      const quoted = quoteAt(text, starts);
      if (mayHoldUnsafeInteger(quoted)) continue;
      fast++;
      expect({ text, value: JSON.parse(quoted) as unknown }).toEqual({ text, value: reference(text) });
    }
    expect(fast).toBeGreaterThan(texts.length / 5);
  });

  it('keeps broken documents broken, with JSON.parse’s message for the original text', () => {
    const random = seededRandom(99);
    for (const text of texts) {
      const at = Math.floor(random() * (text.length + 1));
      const broken = text.slice(0, at) + '{}[]",:0-e.tn'[Math.floor(random() * 13)] + text.slice(at);
      let valid = true;
      try {
        JSON.parse(broken);
      } catch {
        valid = false;
      }
      if (valid) expect(parseJson(broken)).toEqual(reference(broken));
      else expect(() => parseJson(broken)).toThrow(nativeError(broken).message);
    }
  });
});

describe('large bodies, searched and quoted as bytes', () => {
  // Random documents side by side in one array: well over the size from which the bytes path is taken.
  const big = `[${documents(5489, 700).join(',')}]`;

  it('gives the reference value, whether the bytes are quoted in place or copied', () => {
    expect(big.length).toBeGreaterThan(64 * 1024);
    const expected = reference(big);
    expect(parseJson(big)).toEqual(expected);
    expect(parseJsonBytes(Buffer.from(big))).toEqual(expected);
    expect(parseJsonBytes(withSpare(big), { spare: true })).toEqual(expected);
  });

  it('falls back to a copy when the spare room is too small (an ID array of one-digit accounts)', () => {
    const text = `{"value":[${Array.from({ length: 6_000 }, (_, k) => `{"visibleToAccounts":[${k % 10},${(k + 3) % 10}],"id":${k}}`).join(',')}]}`;
    const expected = fullScan(text);
    expect(parseJsonBytes(withSpare(text), { spare: true })).toEqual(expected);
    expect((expected as { value: Array<{ visibleToAccounts: unknown }> }).value[1]!.visibleToAccounts).toEqual(['1', '4']);
  });

  it('hands over to the full scan for an unsafe integer under another key, and finds it', () => {
    const text = submissionsPage(100 * 1024).replace('"isUniversal":', '"build":12345678901234567890,"isUniversal":');
    const value = parseJsonBytes(withSpare(text), { spare: true }) as { value: Array<Record<string, unknown>> };
    expect(value.value.find((item) => 'build' in item)!.build).toBe('12345678901234567890');
    expect(value).toEqual(fullScan(text));
  });

  it('reports a broken large body with JSON.parse’s message and position for the text as sent, even after quoting in place', () => {
    const page = productsPage(200 * 1024);
    const late = page.indexOf('"isCommitted"', 150_000);
    for (const broken of [page.slice(0, -1), page.replace('"isCommitted":', '"isCommitted"'), `${page.slice(0, late)},${page.slice(late)}`]) {
      const native = nativeError(broken);
      for (const parse of [() => parseJson(broken), () => parseJsonBytes(withSpare(broken), { spare: true })]) {
        let thrown: unknown;
        try {
          parse();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(JsonSyntaxError);
        expect((thrown as Error).message).toBe(native.message);
      }
    }
  });

  it('keeps strings that are not well-formed UTF-16 exactly as JSON.parse does', () => {
    const text = `{"id":${'1152921504621441930'},"name":"\ud800 lone","pad":"${'x'.repeat(70 * 1024)}"}`;
    expect(parseJson(text)).toEqual({ id: '1152921504621441930', name: '\ud800 lone', pad: 'x'.repeat(70 * 1024) });
  });
});
