/**
 * Checks a CLI input file against a request schema of the bundled spec (`generated/openapi.json`) before anything
 * is sent, so that a typo fails at once and names the field, instead of as a 400 after an upload. The CLI keeps
 * its own loader rather than borrowing the sandbox's: the CLI must not depend on the mock layer.
 */
import { readFile } from 'node:fs/promises';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; depending on the loader the default import is the plugin or its module.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** Where the bundled spec lives relative to this module: in the sources (src/cli) and in the build (dist/src/cli). */
const SPEC_CANDIDATES = ['../../generated/openapi.json', '../../../generated/openapi.json'];
const SPEC_ID = 'hdc-openapi';

let ajv: Promise<Ajv2020> | undefined;

async function specAjv(): Promise<Ajv2020> {
  ajv ??= (async () => {
    for (const candidate of SPEC_CANDIDATES) {
      let text: string;
      try {
        text = await readFile(new URL(candidate, import.meta.url), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const instance = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
      addFormats(instance);
      instance.addSchema(JSON.parse(text) as object, SPEC_ID);
      return instance;
    }
    throw new Error('generated/openapi.json was not found next to the hwdash sources; run `npm run generate` to bundle the spec.');
  })();
  return ajv;
}

/** A schema violation: the dotted path of the field (`publishingSpecifications.goLiveDate`) and what is wrong. */
export interface SpecProblem {
  field: string;
  message: string;
}

/** Lists how `value` breaks the spec's `components.schemas[schema]`; empty when it is valid. */
export async function validateAgainstSpec(value: unknown, schema: string): Promise<SpecProblem[]> {
  const validate = (await specAjv()).getSchema(`${SPEC_ID}#/components/schemas/${schema}`);
  if (!validate) throw new Error(`the spec has no schema named ${schema}`);
  if (validate(value)) return [];
  const problems = (validate.errors ?? []).filter((error) => error.keyword !== 'if').map(toProblem);
  return problems.filter((problem, index) => problems.findIndex((p) => p.field === problem.field && p.message === problem.message) === index);
}

function toProblem(error: ErrorObject): SpecProblem {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  if (params.missingProperty) return { field: [...path, params.missingProperty].join('.'), message: 'is required' };
  if (params.additionalProperty) return { field: [...path, params.additionalProperty].join('.'), message: 'is not a field of this request' };
  const allowed = params.allowedValues ? `: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { field: path.join('.') || '(the whole document)', message: `${error.message ?? 'is invalid'}${allowed}` };
}
