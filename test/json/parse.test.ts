/** parseJson: IDs come out as exact digit strings, everything else exactly as JSON.parse gives it. */
import { describe, expect, it } from '@jest/globals';
import { INT64_KEYS, parseJson } from '../../src/client/json/lossless.js';
import { JsonSyntaxError } from '../../src/client/json/json-syntax-error.js';

const SUBMISSION_ID = '1152921504621441930'; // JSON.parse: 1152921504621442048
const PRODUCT_ID = '13635057453741329'; // JSON.parse: 13635057453741328
const ODD_PRODUCT_ID = '9007199267351835'; // JSON.parse: 9007199267351836
const CREATED_SUBMISSION_ID = '1152921504621465124'; // JSON.parse: 1152921504621465088

const API = 'https://manage.devcenter.microsoft.com/v2.0/my/hardware';

describe('parseJson: int64 IDs', () => {
  it('keeps every digit of the IDs of a submission, its links and its downloads', () => {
    const text = `{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID},"links":[{"href":"${API}/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}","rel":"self","method":"GET"}],"downloads":{"items":[{"type":"certificationReport","url":"https://partner.microsoft.com/dashboard/hardware/Driver/DownloadCertificationReport/29963920/${PRODUCT_ID}/${SUBMISSION_ID}"}],"messages":[]},"commitStatus":"commitComplete","isUniversal":true,"name":"x","type":"initial"}`;
    expect(parseJson(text)).toEqual({
      id: SUBMISSION_ID,
      productId: PRODUCT_ID,
      links: [{ href: `${API}/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`, rel: 'self', method: 'GET' }],
      downloads: {
        items: [
          {
            type: 'certificationReport',
            url: `https://partner.microsoft.com/dashboard/hardware/Driver/DownloadCertificationReport/29963920/${PRODUCT_ID}/${SUBMISSION_ID}`,
          },
        ],
        messages: [],
      },
      commitStatus: 'commitComplete',
      isUniversal: true,
      name: 'x',
      type: 'initial',
    });
    // The reason this module exists: the native parser loses these digits.
    expect(String(JSON.parse(text).id)).not.toBe(SUBMISSION_ID);
  });

  it('turns every int64 key into a string, even small values such as sourceProductId 0', () => {
    const text =
      `{"id":${ODD_PRODUCT_ID},"sharedProductId":1152921504606971255,"sourceProductId":0,"sourcePublisherId":0,` +
      `"productId":${PRODUCT_ID},"submissionId":${CREATED_SUBMISSION_ID},"shippingLabelId":1152921504606978422}`;
    expect(parseJson(text)).toEqual({
      id: ODD_PRODUCT_ID,
      sharedProductId: '1152921504606971255',
      sourceProductId: '0',
      sourcePublisherId: '0',
      productId: PRODUCT_ID,
      submissionId: CREATED_SUBMISSION_ID,
      shippingLabelId: '1152921504606978422',
    });
  });

  it('finds IDs deep in collection wrappers and nested arrays', () => {
    const text = `{"value":[{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID}},{"id":${CREATED_SUBMISSION_ID},"productId":${ODD_PRODUCT_ID},"nested":[[{"id":1}],[[{"submissionId":${SUBMISSION_ID}}]]]}],"links":[]}`;
    expect(parseJson(text)).toEqual({
      value: [
        { id: SUBMISSION_ID, productId: PRODUCT_ID },
        {
          id: CREATED_SUBMISSION_ID,
          productId: ODD_PRODUCT_ID,
          nested: [[{ id: '1' }], [[{ submissionId: SUBMISSION_ID }]]],
        },
      ],
      links: [],
    });
  });

  it('handles a top-level array of objects and a bare top-level ID', () => {
    expect(parseJson(`[{"id":${SUBMISSION_ID}},{"id":${PRODUCT_ID}}]`)).toEqual([{ id: SUBMISSION_ID }, { id: PRODUCT_ID }]);
    expect(parseJson(SUBMISSION_ID)).toBe(SUBMISSION_ID);
    expect(parseJson(` \n${CREATED_SUBMISSION_ID}\n `)).toBe(CREATED_SUBMISSION_ID);
    expect(parseJson('42')).toBe(42);
  });

  it('keeps the sign of negative IDs', () => {
    expect(parseJson(`{"id":-${SUBMISSION_ID},"productId":-1,"x":-${PRODUCT_ID}}`)).toEqual({
      id: `-${SUBMISSION_ID}`,
      productId: '-1',
      x: `-${PRODUCT_ID}`,
    });
    expect(parseJson('{"id":-0}')).toEqual({ id: '-0' });
  });

  it('makes each direct element of visibleToAccounts a string, but not deeper arrays or sibling keys', () => {
    const text = '{"visibleToAccounts":[27691110, 27691111,0],"other":[27691110],"visibleToAccounts2":[1]}';
    expect(parseJson(text)).toEqual({ visibleToAccounts: ['27691110', '27691111', '0'], other: [27691110], visibleToAccounts2: [1] });
    expect(parseJson('{"visibleToAccounts":[[1],{"a":2},3,"4",null]}')).toEqual({
      visibleToAccounts: [[1], { a: 2 }, '3', '4', null],
    });
    expect(parseJson('{"visibleToAccounts":[]}')).toEqual({ visibleToAccounts: [] });
  });

  it('counts array positions correctly around strings that contain commas and brackets', () => {
    const text = `{"visibleToAccounts":[1,2],"links":["a,b]", {"id":${SUBMISSION_ID}}, "[,", 7, {"id":${PRODUCT_ID}}]}`;
    expect(parseJson(text)).toEqual({ visibleToAccounts: ['1', '2'], links: ['a,b]', { id: SUBMISSION_ID }, '[,', 7, { id: PRODUCT_ID }] });
  });

  it('leaves string IDs as they are', () => {
    expect(parseJson(`{"id":"${SUBMISSION_ID}","productId":"abc","visibleToAccounts":["1"]}`)).toEqual({
      id: SUBMISSION_ID,
      productId: 'abc',
      visibleToAccounts: ['1'],
    });
  });

  it('leaves fractions and exponents as numbers, even under int64 keys', () => {
    expect(parseJson('{"id":1.5,"productId":1e3,"submissionId":-2.5E-3,"x":12345678901234567890.5,"y":1E+400}')).toEqual({
      id: 1.5,
      productId: 1000,
      submissionId: -0.0025,
      x: 12345678901234567890.5,
      y: Infinity,
    });
    expect(parseJson('[0.1, 1e21, -0.0]')).toEqual([0.1, 1e21, -0]);
  });

  it('uses the given key set instead of the default', () => {
    const keys = new Set(['sellerId']);
    expect(parseJson(`{"sellerId":29963920,"id":${PRODUCT_ID},"n":1}`, keys)).toEqual({ sellerId: '29963920', id: PRODUCT_ID, n: 1 });
    expect(parseJson('{"id":5}', new Set())).toEqual({ id: 5 });
    expect(INT64_KEYS).toEqual(
      // publisherId: the int64 path parameter of the partner-submission lookup.
      new Set(['id', 'productId', 'submissionId', 'shippingLabelId', 'publisherId', 'sharedProductId', 'sourceProductId', 'sourcePublisherId', 'visibleToAccounts']),
    );
  });
});

describe('parseJson: integers outside the safe range', () => {
  it('turns unsafe integers under any key into digit strings, and keeps safe ones as numbers', () => {
    const text =
      '{"seller":29963920,"max":9007199254740991,"min":-9007199254740991,"over":9007199254740992,"under":-9007199254740992,' +
      '"huge":123456789012345678901234567890,"list":[1,18446744073709551615]}';
    expect(parseJson(text)).toEqual({
      seller: 29963920,
      max: 9007199254740991,
      min: -9007199254740991,
      over: '9007199254740992',
      under: '-9007199254740992',
      huge: '123456789012345678901234567890',
      list: [1, '18446744073709551615'],
    });
  });

  it('compares 16-digit integers with 2^53 - 1 digit by digit', () => {
    expect(parseJson('[9007199254740990,9007199254740993,8999999999999999,9100000000000000,1000000000000000]')).toEqual([
      9007199254740990,
      '9007199254740993',
      8999999999999999,
      '9100000000000000',
      1000000000000000,
    ]);
  });
});

describe('parseJson: text inside strings is never touched', () => {
  it('ignores numbers, keys and structure written inside string values', () => {
    const message = 'Test "DF - Reinstall" failed: {"id": 1152921504621441930, "productId": [1, 2]} : , ] }';
    const text = `{"messages":[${JSON.stringify(message)}],"id":${SUBMISSION_ID},"name":"\\\\","productId":${PRODUCT_ID}}`;
    expect(parseJson(text)).toEqual({ messages: [message], id: SUBMISSION_ID, name: '\\', productId: PRODUCT_ID });
  });

  it('ends strings at the right quote whatever the run of backslashes before it', () => {
    const values = ['a\\', 'a\\"', '\\\\', '"', '\\"id\\":1', 'x\\\\\\"y'];
    for (const v of values) {
      const text = `{"s":${JSON.stringify(v)},"id":${SUBMISSION_ID},"t":${JSON.stringify(v)},"productId":${PRODUCT_ID}}`;
      expect(parseJson(text)).toEqual({ s: v, id: SUBMISSION_ID, t: v, productId: PRODUCT_ID });
    }
  });

  it('does not mistake a string value for the key of a later number', () => {
    expect(parseJson(`["id",${SUBMISSION_ID},{"a":"id","b":1}]`)).toEqual(['id', SUBMISSION_ID, { a: 'id', b: 1 }]);
    expect(parseJson('{"a":"id","b":7,"c":{"id":"visibleToAccounts","d":[8]}}')).toEqual({ a: 'id', b: 7, c: { id: 'visibleToAccounts', d: [8] } });
  });

  it('matches keys by their decoded name, escapes included', () => {
    expect(parseJson(`{"\\u0069d":${SUBMISSION_ID},"product\\u0049d":7,"\\"id\\"":8,"visibleTo\\u0041ccounts":[9]}`)).toEqual({
      id: SUBMISSION_ID,
      productId: '7',
      '"id"': 8,
      visibleToAccounts: ['9'],
    });
    expect(parseJson('{"\u00e9t\u00e9":{"id":1},"\ud83d\ude00":[2]}')).toEqual({ été: { id: '1' }, '😀': [2] });
  });
});

describe('parseJson: layout', () => {
  it('gives the same result for compact, pretty-printed and CRLF/tab-indented text', () => {
    const value = { value: [{ id: SUBMISSION_ID, productId: PRODUCT_ID, visibleToAccounts: ['27691110'], ok: true, no: null, f: false }] };
    const compact = `{"value":[{"id":${SUBMISSION_ID},"productId":${PRODUCT_ID},"visibleToAccounts":[27691110],"ok":true,"no":null,"f":false}]}`;
    const pretty = `{\n  "value" : [\n    {\n      "id" :\n ${SUBMISSION_ID} ,\n      "productId":${PRODUCT_ID}\n,"visibleToAccounts" : [ 27691110 ] , "ok" : true , "no" : null , "f" : false\n    }\n  ]\n}\n`;
    const crlf = pretty.replace(/\n/g, '\r\n').replace(/ {2}/g, '\t');
    for (const text of [compact, pretty, crlf]) expect(parseJson(text)).toEqual(value);
  });

  it('returns exactly what JSON.parse returns when there is nothing to keep exact', () => {
    const text = '{"a":[1,2.5,-3,"x",true,false,null,{}],"b":{"c":"d"},"__proto__":{"e":1},"0":"zero"}';
    const parsed = parseJson(text) as Record<string, unknown>;
    expect(parsed).toEqual(JSON.parse(text));
    expect(Object.keys(parsed)).toEqual(Object.keys(JSON.parse(text)));
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
  });

  it('keeps the last of duplicate keys, as JSON.parse does', () => {
    expect(parseJson(`{"id":${SUBMISSION_ID},"id":${PRODUCT_ID}}`)).toEqual({ id: PRODUCT_ID });
    expect(parseJson(`{"id":${SUBMISSION_ID},"id":"x"}`)).toEqual({ id: 'x' });
    expect(parseJson(`{"a":{"big":12345678901234567890},"a":{"big":1}}`)).toEqual({ a: { big: 1 } });
    expect(parseJson(`{"a":[{"id":5}],"a":7}`)).toEqual({ a: 7 });
    expect(parseJson(`{"a":{"id":5},"a":null}`)).toEqual({ a: null });
  });
});

describe('parseJson: malformed input', () => {
  const cases: Array<[string, string, number | undefined]> = [
    ['empty body', '', 0],
    ['whitespace only', ' \n', 2],
    ['truncated body', `{"id":${SUBMISSION_ID},"productId":136350`, 44],
    ['truncated string', '{"name":"abc', 12],
    ['HTML error page', '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', undefined],
    ['trailing comma', `{"id":${SUBMISSION_ID},}`, 26],
    ['trailing comma in an array', '{"visibleToAccounts":[1,2,]}', undefined],
    ['leading zero', '{"id":0123}', 7],
    ['plus sign', '{"id":+1}', undefined],
    ['two values', '{"id":1} {"id":2}', 9],
    ['bare word', 'undefined', undefined],
    ['single quotes', "{'id':1}", 1],
    ['unescaped control character in a string', '{"a":"\u0001"}', 6],
    ['NaN', '{"id":NaN}', undefined],
    // IDs are quoted before JSON.parse reads the text; none of these may be turned into valid JSON by that.
    ['an ID with a leading zero', `{"id":0${SUBMISSION_ID}}`, 7],
    ['a negative ID with a leading zero', '{"id":-012}', 8],
    ['a minus sign alone', '{"id":-}', 7],
    ['an unsafe integer where a key belongs', `{"a":1,${SUBMISSION_ID}:2}`, 7],
    ['an ID after a key with no colon', `{"id" ${SUBMISSION_ID}}`, 6],
    ['two IDs with no comma', `[${SUBMISSION_ID} ${SUBMISSION_ID}]`, 21],
    ['an ID run into letters', `{"id":${SUBMISSION_ID}abc}`, 25],
    ['an unterminated string ending in an escaped quote', `{"id":${SUBMISSION_ID},"name":"abc\\"`, 39],
    ['a malformed escape in a key', `{"\\u00zz":${SUBMISSION_ID}}`, 6],
  ];

  it.each(cases)('throws a JsonSyntaxError for %s, with JSON.parse’s message', (_name, text, position) => {
    let nativeMessage = '';
    try {
      JSON.parse(text);
    } catch (error) {
      nativeMessage = (error as Error).message;
    }
    expect(nativeMessage).not.toBe('');
    let thrown: unknown;
    try {
      parseJson(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JsonSyntaxError);
    expect(thrown).toBeInstanceOf(SyntaxError);
    const error = thrown as JsonSyntaxError;
    expect(error.name).toBe('JsonSyntaxError');
    expect(error.message).toBe(nativeMessage);
    expect(error.position).toBe(position);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});
