/**
 * Property tests over seeded random documents: parseJson agrees with an independent reference built on lossless-json,
 * stringifyJson(parseJson(text)) keeps every ID digit-exact and bare, and broken documents fail exactly as JSON.parse
 * fails. Seeded, so every run checks the same documents.
 */
import { describe, expect, it } from '@jest/globals';
import { isLosslessNumber, parse as losslessParse } from 'lossless-json';
import { INT64_KEYS, parseJson, stringifyJson } from '../../src/client/json/lossless.js';
import { JsonSyntaxError } from '../../src/client/json/json-syntax-error.js';
import { documents, reference } from '../support/json-documents.js';
import { seededRandom } from '../../src/mock/sandbox/faults.js';

const CASES = 300;

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
    const random = seededRandom(7);
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
