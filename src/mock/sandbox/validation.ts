/**
 * Request validation against the bundled OpenAPI document (`generated/openapi.json`): the sandbox refuses exactly
 * what the spec's request schemas refuse (what the service is known to refuse), and says which field is wrong.
 */
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { canonicalPropertyNames, propertyNameIndex } from '../../client/property-names.js';
import { allowedValuesOf, createSpecAjv, SPEC_SCHEMA_ID, summarizeErrors, violatedField, type OpenApiDocument } from '../../client/spec-document.js';
import type { ValidationError } from './service-error.js';

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
  /**
   * The body with its property names spelt as the spec spells them: the service binds names in any case
   * (`{"Name": ..., "Type": "Initial"}` creates a submission), so the sandbox does too, before validating.
   */
  canonicalBody<T>(body: T): T;
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
  const names = propertyNameIndex(document);
  return {
    canonicalBody: (body) => canonicalPropertyNames(body, names).value,
    validateRequestBody(operationId, body) {
      if (!validators.has(operationId)) {
        const operation = operations.get(operationId);
        if (!operation) throw new Error(`The spec has no operation ${operationId}; the sandbox and the spec disagree.`);
        validators.set(operationId, contentSchemaValidator(ajv, document, `${operation.pointer}/requestBody`, 'application/json'));
      }
      const validate = validators.get(operationId);
      if (!validate || validate(body)) return [];
      return summarizeErrors(validate.errors ?? []).map(toValidationError);
    },
  };
}

/** `/publishingSpecifications/manualAcquisition` + "must be boolean" → target `publishingSpecifications.manualAcquisition`. */
export function toValidationError(error: ErrorObject): ValidationError {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const target = violatedField(error) || 'body';
  let message = `${target} ${error.message ?? 'is invalid'}`;
  if (params.additionalProperty) message = `${target} is not a known property here`;
  if (params.missingProperty) message = `${target} is required`;
  return { target, message: message + allowedValuesOf(error) };
}
