import { readFile } from 'node:fs/promises';
import { parseJson } from '../client/json/lossless.js';
import { UsageError } from './usage-error.js';

/**
 * Reads a JSON input file (a product, a shipping label...) and validates it against the spec's request
 * schema before anything is sent, so a typo fails here, pointing at the field, instead of as a 400 later.
 * The value returned is parsed losslessly (IDs stay exact); validation uses a plain parse, which is fine
 * for checking types.
 */
export async function readJsonInput<T>(file: string, schema: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `input file not found: ${file}` : `cannot read input file ${file}: ${(error as Error).message}`);
  }
  let value: T;
  try {
    value = parseJson(text) as T;
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const problems = await validateAgainstSpec(JSON.parse(text), schema);
  if (problems.length) {
    throw new UsageError(`${file} does not match the API's ${schema} schema:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return value;
}

/** Lists the schema violations of `value`, each as `<field path>: <message>`. */
export async function validateAgainstSpec(value: unknown, schema: string): Promise<string[]> {
  const { loadOpenApiDocument, createSpecAjv, SPEC_SCHEMA_ID } = await import('../mock/sandbox/validation.js');
  const ajv = createSpecAjv(await loadOpenApiDocument());
  const validate = ajv.getSchema(`${SPEC_SCHEMA_ID}#/components/schemas/${schema}`);
  if (!validate) throw new Error(`the spec has no schema named ${schema}`);
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const field = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
      const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
      return `${field}: ${e.message}${extra}`;
    })
    .filter((line, index, all) => all.indexOf(line) === index);
}
