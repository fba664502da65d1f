/** stringifyJson: ID strings and bigints go on the wire as bare numbers, everything else as JSON.stringify writes it. */
import { describe, expect, it } from '@jest/globals';
import { stringifyJson } from '../../src/client/json/lossless.js';

const SUBMISSION_ID = '1152921504621441930';
const PRODUCT_ID = '13635057453741329';

describe('stringifyJson: int64 IDs', () => {
  it('writes digit strings under int64 keys as bare numbers', () => {
    const body = { id: SUBMISSION_ID, productId: PRODUCT_ID, submissionId: '-5', sourceProductId: '0', name: 'driver' };
    expect(stringifyJson(body)).toBe(
      `{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID},"submissionId":-5,"sourceProductId":0,"name":"driver"}`,
    );
  });

  it('keeps strings that are not plain integers quoted, such as an audience GUID id', () => {
    const audience = { id: '0b7bb8a4-8e1f-4d7e-8e51-3c7d8f4e6a11', productId: '007', submissionId: '1.5', shippingLabelId: '', sharedProductId: ' 1' };
    expect(stringifyJson(audience)).toBe(JSON.stringify(audience));
  });

  it('writes the digit strings of visibleToAccounts as bare numbers, and only its direct elements', () => {
    const spec = { visibleToAccounts: ['27691110', '27691111', 'seller', ['1'], 5] };
    expect(stringifyJson(spec)).toBe('{"visibleToAccounts":[27691110,27691111,"seller",["1"],5]}');
  });

  it('does not unquote the same array where it appears under another key', () => {
    const accounts = ['27691110'];
    expect(stringifyJson({ visibleToAccounts: accounts, names: accounts })).toBe('{"visibleToAccounts":[27691110],"names":["27691110"]}');
    expect(accounts).toEqual(['27691110']);
  });

  it('leaves digit strings under other keys quoted', () => {
    expect(stringifyJson({ receiverPublisherId: '29963920', list: [SUBMISSION_ID] })).toBe(`{"receiverPublisherId":"29963920","list":["${SUBMISSION_ID}"]}`);
  });

  it('finds IDs at any depth: shipping labels inside lists, links beside them', () => {
    const list = {
      value: [
        {
          id: '1152921504606978422',
          productId: '14461751976964157',
          submissionId: '1152921504621467613',
          publishingSpecifications: { visibleToAccounts: ['27691110'], goLiveDate: '2024-05-01T00:00:00Z' },
          links: [{ href: `https://x/products/14461751976964157`, rel: 'self', method: 'GET' }],
        },
      ],
    };
    expect(stringifyJson(list)).toBe(
      '{"value":[{"id":1152921504606978422,"productId":14461751976964157,"submissionId":1152921504621467613,' +
        '"publishingSpecifications":{"visibleToAccounts":[27691110],"goLiveDate":"2024-05-01T00:00:00Z"},' +
        '"links":[{"href":"https://x/products/14461751976964157","rel":"self","method":"GET"}]}]}',
    );
  });

  it('uses the given key set instead of the default', () => {
    expect(stringifyJson({ sellerId: '29963920', id: '5' }, new Set(['sellerId']))).toBe('{"sellerId":29963920,"id":"5"}');
  });
});

describe('stringifyJson: bigint', () => {
  it('writes a bigint anywhere as a bare integer', () => {
    expect(stringifyJson({ id: 1152921504621441930n, other: -12345678901234567890n, list: [0n, 1n] })).toBe(
      '{"id":1152921504621441930,"other":-12345678901234567890,"list":[0,1]}',
    );
    expect(stringifyJson(2n ** 64n)).toBe('18446744073709551616');
  });
});

describe('stringifyJson: JSON.stringify semantics', () => {
  it('calls toJSON first, then applies the ID rule to what it returns', () => {
    class SubmissionRef {
      constructor(private readonly value: string) {}
      toJSON(): string {
        return this.value;
      }
    }
    const body = { id: new SubmissionRef(SUBMISSION_ID), goLiveDate: new Date(Date.UTC(2024, 4, 1)), note: new SubmissionRef('12') };
    expect(stringifyJson(body)).toBe(`{"id":${SUBMISSION_ID},"goLiveDate":"2024-05-01T00:00:00.000Z","note":"12"}`);
  });

  it('skips undefined, functions and symbols in objects and writes null for them in arrays', () => {
    const value = { a: undefined, b: () => 1, c: Symbol('c'), id: undefined, list: [undefined, () => 1, Symbol('x')], d: 1 };
    expect(stringifyJson(value)).toBe('{"list":[null,null,null],"d":1}');
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });

  it('writes what JSON.stringify writes for values without IDs or bigints', () => {
    const values: unknown[] = [
      null,
      true,
      'plain "text" with \\ and \u2028',
      [1.5, -0, NaN, Infinity, 1e21],
      { nested: { deep: [{}, []] }, s: new String('boxed'), n: new Number(3) },
      { value: [], links: [{ href: 'https://x/y?pageSize=50', rel: 'next_link', method: 'GET' }] },
      new Map([['a', 1]]),
    ];
    for (const value of values) expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });

  it('indents like JSON.stringify when given space, IDs still bare', () => {
    const value = { id: SUBMISSION_ID, links: [{ rel: 'self' }] };
    expect(stringifyJson(value, undefined, 2)).toBe(`{\n  "id": ${SUBMISSION_ID},\n  "links": [\n    {\n      "rel": "self"\n    }\n  ]\n}`);
    expect(stringifyJson({ a: 1 }, undefined, '\t')).toBe('{\n\t"a": 1\n}');
  });

  it('throws a TypeError where JSON.stringify would return undefined or throw', () => {
    expect(() => stringifyJson(undefined)).toThrow(new TypeError('stringifyJson: a value of type undefined has no JSON representation'));
    expect(() => stringifyJson(() => 1)).toThrow(TypeError);
    expect(() => stringifyJson(Symbol('s'))).toThrow(TypeError);
    const circular: Record<string, unknown> = { id: '1' };
    circular['self'] = circular;
    expect(() => stringifyJson(circular)).toThrow(TypeError);
  });
});
