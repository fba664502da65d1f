import { parseJson, stringifyJson, JsonSyntaxError } from '../src/client/json/lossless.js';
const t = '{"id":1152921504621441930,"productId":13635057453741329,"msg":"x \\"id\\": 123 {[:,","visibleToAccounts":[27691110, 9007199267351835],"f":1.5e300,"big":-12345678901234567890,"n":[[1152921504621465124]], "\\u0069d": 9007199267351835, "a":{"b":[{"id":5}]}}';
const v = parseJson(t);
console.log(v);
console.log(stringifyJson(v));
console.log(stringifyJson({ id: 'abc-guid', x: 10n, visibleToAccounts: ['1', 'x'], d: new Date(0), u: undefined, f() {} }, undefined, 2));
console.log(parseJson('12345678901234567890'), parseJson('[12345678901234567890]'));
for (const bad of ['', '<html>', '{"a":1,}', '{"id": 1152921504621441930']) try { parseJson(bad) } catch (e) { console.log(e instanceof JsonSyntaxError, e instanceof SyntaxError, (e as JsonSyntaxError).position, (e as Error).message) }
