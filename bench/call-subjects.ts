/**
 * The three ways of reading one submission that the call-overhead benchmarks compare: the hwdash client with its
 * whole pipeline, bare openapi-fetch, and raw fetch with JSON.parse. Each is checked to return the submission
 * before it is timed, so a broken subject cannot look fast.
 */
import { readFileSync } from 'node:fs';
import createClient from 'openapi-fetch';
import type { paths } from '../generated/hdc.js';
import { createHdcClient } from '../src/client/client.js';

export const SUBMISSION_BODY = readFileSync(new URL('../spec/examples/getSubmission.response.json', import.meta.url), 'utf8');
const PRODUCT_ID = '13635057453741329';
const SUBMISSION_ID = '1152921504621441930';
const SUBMISSION_PATH = '/products/{productId}/submissions/{submissionId}';
const PARAMS = { params: { path: { productId: PRODUCT_ID, submissionId: SUBMISSION_ID } } };
const TOKEN = 'bench-token';

export type GetSubmission = () => Promise<unknown>;

export function callSubjects(baseUrl: string, fetchImpl?: typeof fetch): Record<'hwdash' | 'openapi-fetch' | 'fetch + JSON.parse', GetSubmission> {
  const hwdash = createHdcClient({ baseUrl, token: TOKEN, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const bare = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${TOKEN}` }, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const doFetch = fetchImpl ?? fetch;
  const url = `${baseUrl}/products/${PRODUCT_ID}/submissions/${SUBMISSION_ID}`;
  return {
    hwdash: async () => (await hwdash.GET(SUBMISSION_PATH, PARAMS)).data,
    'openapi-fetch': async () => (await bare.GET(SUBMISSION_PATH, PARAMS)).data,
    'fetch + JSON.parse': async () => {
      const response = await doFetch(url, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } });
      return JSON.parse(await response.text()) as unknown;
    },
  };
}

/** Throws unless every subject returns the submission (hwdash with its exact ID, the others with the rounded one). */
export async function checkSubjects(subjects: Record<string, GetSubmission>): Promise<void> {
  for (const [name, get] of Object.entries(subjects)) {
    const data = (await get()) as { id?: unknown; name?: unknown } | undefined;
    const expectedId = name === 'hwdash' ? SUBMISSION_ID : Number(SUBMISSION_ID);
    if (data?.id !== expectedId || data.name !== 'Contoso Touch Controller 10.0.1.2') {
      throw new Error(`${name} did not return the submission: ${JSON.stringify(data)?.slice(0, 200)}`);
    }
  }
}
