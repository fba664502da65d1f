import { submissionsList } from './json.js';
const text = submissionsList(5 * 1024 * 1024);
function t(name: string, f: () => unknown) { for (let k = 0; k < 5; k++) f(); const xs: number[] = []; for (let k = 0; k < 30; k++) { const s = performance.now(); f(); xs.push(performance.now() - s); } xs.sort((a,b)=>a-b); console.log(name, xs[15]!.toFixed(2)); }
t('JSON.parse text', () => JSON.parse(text));
t('parse+patch', () => { const r = JSON.parse(text) as { value: Array<{ id: unknown; productId: unknown }> }; for (const s of r.value) { s.id = '1152921504621441930'; s.productId = '1152921504621441930'; } return r; });
t('parse+patch by path', () => { const r = JSON.parse(text) as any; const v = r['value']; for (let i = 0; i < v.length; i++) { const s = r['value'][i]; if (s['id'] === 5) continue; s['id'] = 'x' + i; s['productId'] = 'y'; } return r; });
