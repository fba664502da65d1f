/**
 * Request validation against the bundled OpenAPI document (`generated/openapi.json`): the sandbox refuses exactly
 * what the spec's strict request schemas refuse, and says which field is wrong.
 */
import { readFile } from 'node:fs/promises';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import type { ValidationError } from './errors.js';

// ajv-formats is CommonJS with `exports.default`; depending on the loader the default import is the plugin or its module.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** The slice of an OpenAPI 3.1 document the sandbox reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
}

export interface OpenApiOperation {
  operationId: string;
  path: string;
  method: string;
  /** JSON pointer (without `#`) to the operation object. */
  pointer: string;
  definition: {
    requestBody?: unknown;
    responses?: Record<string, unknown>;
  };
}

export interface RequestValidator {
  /** Validation errors for a request body as it came over the wire (parsed with JSON.parse), empty when valid. */
  validateRequestBody(operationId: string, body: unknown): ValidationError[];
}

/** Where the bundled spec lives, relative to this module in the sources (src/) and in the build (dist/src/). */
const SPEC_CANDIDATES = ['../../../generated/openapi.json', '../../../../generated/openapi.json'];

export class SpecMissingError extends Error {
  override name = 'SpecMissingError';
}

export async function loadOpenApiDocument(): Promise<OpenApiDocument> {
  for (const candidate of SPEC_CANDIDATES) {
    const url = new URL(candidate, import.meta.url);
    let text: string;
    try {
      text = await readFile(url, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    return JSON.parse(text) as OpenApiDocument;
  }
  throw new SpecMissingError('generated/openapi.json was not found next to the hwdash sources; run `npm run generate` to bundle the spec.');
}

export const SPEC_SCHEMA_ID = 'hdc-openapi';

/** An Ajv for the document's schemas: JSON Schema 2020-12 (OpenAPI 3.1's dialect), OpenAPI keywords tolerated. */
export function createSpecAjv(document: OpenApiDocument): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document as object, SPEC_SCHEMA_ID);
  return ajv;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

export function operationsOf(document: OpenApiDocument): Map<string, OpenApiOperation> {
  const operations = new Map<string, OpenApiOperation>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const definition = item[method] as (OpenApiOperation['definition'] & { operationId?: string }) | undefined;
      if (!definition?.operationId) continue;
      const pointer = `/paths/${escapePointer(path)}/${method}`;
      operations.set(definition.operationId, { operationId: definition.operationId, path, method, pointer, definition });
    }
  }
  return operations;
}

/** Follows a local `$ref` (requestBodies, responses) to its target, returning the target's JSON pointer too. */
export function resolveRef(document: OpenApiDocument, pointer: string, value: unknown): { pointer: string; value: unknown } {
  let current = { pointer, value };
  for (let hops = 0; hops < 10; hops += 1) {
    const ref = (current.value as { $ref?: unknown } | undefined)?.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return current;
    const target = ref.slice(1);
    current = { pointer: target, value: readPointer(document, target) };
  }
  throw new Error(`$ref chain too long at ${pointer}`);
}

function readPointer(document: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node as Record<string, unknown> | undefined)?.[token], document);
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The compiled validator for `content[mediaType].schema` under the object at `pointer`, if there is one. */
export function contentSchemaValidator(ajv: Ajv2020, document: OpenApiDocument, pointer: string, mediaType: string): ValidateFunction | undefined {
  const resolved = resolveRef(document, pointer, readPointer(document, pointer));
  const content = (resolved.value as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
  if (!content?.[mediaType]?.schema) return undefined;
  return ajv.getSchema(`${SPEC_SCHEMA_ID}#${resolved.pointer}/content/${escapePointer(mediaType)}/schema`);
}

export function createRequestValidator(document: OpenApiDocument): RequestValidator {
  const ajv = createSpecAjv(document);
  const operations = operationsOf(document);
  const validators = new Map<string, ValidateFunction | undefined>();
  return {
    validateRequestBody(operationId, body) {
      if (!validators.has(operationId)) {
        const operation = operations.get(operationId);
        if (!operation) throw new Error(`The spec has no operation ${operationId}; the sandbox and the spec disagree.`);
        validators.set(operationId, contentSchemaValidator(ajv, document, `${operation.pointer}/requestBody`, 'application/json'));
      }
      const validate = validators.get(operationId);
      if (!validate || validate(body)) return [];
      return (validate.errors ?? []).map(toValidationError);
    },
  };
}

/** `/publishingSpecifications/manualAcquisition` + "must be boolean" → target `publishingSpecifications.manualAcquisition`. */
export function toValidationError(error: ErrorObject): ValidationError {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  if (params.missingProperty) path.push(params.missingProperty);
  if (params.additionalProperty) path.push(params.additionalProperty);
  const target = path.join('.') || 'body';
  let message = `${target} ${error.message ?? 'is invalid'}`;
  if (params.additionalProperty) message = `${target} is not a known property here`;
  if (params.missingProperty) message = `${target} is required`;
  if (params.allowedValues) message += `: ${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
  return { target, message };
}
