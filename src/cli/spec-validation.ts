/**
 * Checks a CLI input file against a request schema of the bundled spec (`generated/openapi.json`) before anything
 * is sent, so that a typo fails at once and names the field, instead of as a 400 after an upload.
 */
import type { Ajv2020, ErrorObject } from 'ajv/dist/2020.js';

/** Ajv and the spec load on the first check: `--help` and commands without input files never pay for them. */
let loaded: Promise<{ spec: typeof import('../client/spec-document.js'); ajv: Ajv2020 }> | undefined;

/** A schema violation: the dotted path of the field (`publishingSpecifications.goLiveDate`) and what is wrong. */
export interface SpecProblem {
  field: string;
  message: string;
}

/** Lists how `value` breaks the spec's `components.schemas[schema]`; empty when it is valid. */
export async function validateAgainstSpec(value: unknown, schema: string): Promise<SpecProblem[]> {
  loaded ??= import('../client/spec-document.js').then(async (spec) => ({ spec, ajv: spec.createSpecAjv(await spec.loadOpenApiDocument()) }));
  const { spec, ajv } = await loaded;
  const validate = ajv.getSchema(`${spec.SPEC_SCHEMA_ID}#/components/schemas/${schema}`);
  if (!validate) throw new Error(`the spec has no schema named ${schema}`);
  if (validate(value)) return [];
  const problems = (validate.errors ?? []).filter((error) => error.keyword !== 'if').map((error) => toProblem(error, spec.violatedField(error), spec.allowedValuesOf(error)));
  return problems.filter((problem, index) => problems.findIndex((p) => p.field === problem.field && p.message === problem.message) === index);
}

function toProblem(error: ErrorObject, field: string, allowed: string): SpecProblem {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty) return { field, message: 'is required' };
  if (params.additionalProperty) return { field, message: 'is not a field of this request' };
  return { field: field || '(the whole document)', message: `${error.message ?? 'is invalid'}${allowed}` };
}
