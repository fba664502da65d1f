import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
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

/** No request body of this API comes near this; a larger input file is a wrong file, and is not read at all. */
export const MAX_REQUEST_FILE_BYTES = 1024 * 1024;
/** Driver metadata lists every hardware ID of every INF and OS: far larger than a request, still bounded. */
export const MAX_METADATA_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a UTF-8 input file, after checking (before reading a byte) that it is a regular file of at most `maxBytes`:
 * a device such as /dev/zero or a FIFO would otherwise be read forever. A byte-order mark, which PowerShell 5.1
 * writes by default, is dropped.
 */
export async function readInputText(file: string, maxBytes = MAX_REQUEST_FILE_BYTES): Promise<string> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before the checks below can refuse it.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputFileError(code === 'ENOENT' ? `input file not found: ${file}` : `cannot read input file ${file}: ${(error as Error).message}`, file);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new InputFileError(`${file} is not a regular file (a folder, a device or a pipe); give a JSON file.`, file);
    if (info.size > maxBytes) {
      throw new InputFileError(`${file} has ${info.size} bytes, more than the ${maxBytes} an input file of this kind can have; is it the right file?`, file);
    }
    const text = await handle.readFile('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    await handle.close();
  }
}
