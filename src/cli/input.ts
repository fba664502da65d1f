import { readFile } from 'node:fs/promises';
import { parseJson } from '../client/json/lossless.js';
import { canonicalNames, checkAgainstSpec } from './spec-validation.js';
import { InputFileError } from './input-file-error.js';

/** Where input warnings go: `Output.warn`, or anything with the same shape. */
export interface WarningSink {
  warn(message: string): void;
}

/**
 * Reads a JSON input file (a product, a shipping label...) and validates it against the spec's request schema
 * `schema` before anything is sent. The value is parsed losslessly, so IDs in it (`visibleToAccounts`) stay exact;
 * validation looks at a plain parse, which is fine for checking shapes and types. Likely mistakes that the service
 * accepts are reported to `warnings` and do not stop the command.
 */
export async function readJsonInput<T>(file: string, schema: string, warnings?: WarningSink): Promise<T> {
  return validateInput<T>(await readInputText(file), file, schema, warnings);
}

/**
 * Parses and validates JSON text that came from `source` (a file name, used in messages). Property names are
 * returned as the spec spells them, since the service matches them in any case.
 */
export async function validateInput<T>(text: string, source: string, schema: string, warnings?: WarningSink): Promise<T> {
  let value: T;
  try {
    value = parseJson(text) as T;
  } catch (error) {
    throw new InputFileError(`${source} is not valid JSON: ${(error as Error).message}`, source);
  }
  const check = await checkAgainstSpec(JSON.parse(text) as unknown, schema);
  if (check.problems.length > 0) {
    const lines = check.problems.map((p) => `  ${p.field}: ${p.message}`).join('\n');
    throw new InputFileError(`${source} is not a valid ${schema} request:\n${lines}`, source, check.problems);
  }
  for (const warning of check.warnings) warnings?.warn(`${source}: ${warning.field} ${warning.message}`);
  return canonicalNames(value);
}

export async function readInputText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputFileError(code === 'ENOENT' ? `input file not found: ${file}` : `cannot read input file ${file}: ${(error as Error).message}`, file);
  }
}
