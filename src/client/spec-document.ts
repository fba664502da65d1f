/**
 * The bundled OpenAPI document (`generated/openapi.json`, also published as `hwdash/spec`) and a JSON Schema
 * validator over it. The CLI checks input files with it before sending them, and the sandbox checks every request
 * body it receives, so both refuse exactly what the spec's request schemas refuse (what the service is known to refuse).
 */
import { readFile } from 'node:fs/promises';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { SpecMissingError } from './spec-missing-error.js';

// ajv-formats is CommonJS with `exports.default`; depending on the loader the default import is the plugin or its module.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** The slice of an OpenAPI 3.1 document that hwdash reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
}

/** The id the document is registered under in {@link createSpecAjv}'s Ajv: `hdc-openapi#/components/schemas/...`. */
export const SPEC_SCHEMA_ID = 'hdc-openapi';

/** Where the bundled spec lives relative to this module: in the sources (src/client) and in the build (dist/src/client). */
const SPEC_CANDIDATES = ['../../generated/openapi.json', '../../../generated/openapi.json'];

export async function loadOpenApiDocument(): Promise<OpenApiDocument> {
  for (const candidate of SPEC_CANDIDATES) {
    let text: string;
    try {
      text = await readFile(new URL(candidate, import.meta.url), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    return JSON.parse(text) as OpenApiDocument;
  }
  throw new SpecMissingError('generated/openapi.json was not found next to the hwdash sources; run `npm run generate` to bundle the spec.');
}

/** An Ajv for the document's schemas: JSON Schema 2020-12 (OpenAPI 3.1's dialect), OpenAPI keywords tolerated. */
export function createSpecAjv(document: OpenApiDocument): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document as object, SPEC_SCHEMA_ID);
  return ajv;
}

/**
 * The field a schema violation is about, as a dotted path (`publishingSpecifications.goLiveDate`), with the missing or
 * unknown property it names, if any. Empty for the document as a whole.
 */
export function violatedField(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty) path.push(params.missingProperty);
  if (params.additionalProperty) path.push(params.additionalProperty);
  return path.join('.');
}

/** `: "a", "b"` for an enum violation, else empty. */
export function allowedValuesOf(error: ErrorObject): string {
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  return allowed ? `: ${allowed.map((value) => JSON.stringify(value)).join(', ')}` : '';
}

/**
 * One error per failed alternative: a value that fails an `anyOf` (an open or case-insensitive enum, a nullable
 * member) makes Ajv report every branch as well as the `anyOf` itself. They are summed up as the branch that lists
 * the documented values, if there is one, or else the `anyOf` error alone.
 */
export function summarizeErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((error) => error.keyword === 'anyOf');
  const inBranch = (error: ErrorObject, anyOf: ErrorObject) => error.instancePath === anyOf.instancePath && error.schemaPath.startsWith(`${anyOf.schemaPath}/`);
  const result: ErrorObject[] = [];
  for (const error of errors) {
    const owner = alternatives.find((anyOf) => anyOf !== error && inBranch(error, anyOf));
    if (owner) {
      const firstEnum = errors.find((candidate) => candidate.keyword === 'enum' && inBranch(candidate, owner));
      if (error === firstEnum) result.push(error);
      continue;
    }
    if (error.keyword === 'anyOf' && errors.some((candidate) => candidate.keyword === 'enum' && inBranch(candidate, error))) continue;
    result.push(error);
  }
  return result;
}
