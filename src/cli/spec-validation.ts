/**
 * Checks a CLI input file against a request schema of the bundled spec (`generated/openapi.json`) before anything
 * is sent, so that a typo fails at once and names the field, instead of as a 400 after an upload. The schemas refuse
 * only what the service is known to refuse; what is merely unusual comes back as warnings (see spec-warnings.ts).
 */
import type { Ajv2020, ErrorObject } from 'ajv/dist/2020.js';
import { canonicalPropertyNames, propertyNameIndex, type PropertyNameIndex } from '../client/property-names.js';
import { allowedValuesOf, createSpecAjv, loadOpenApiDocument, SPEC_SCHEMA_ID, summarizeErrors, violatedField } from '../client/spec-document.js';
import { SpecAdvisor, type SpecWarning } from './spec-warnings.js';

export type { SpecWarning } from './spec-warnings.js';

interface Checker {
  ajv: Ajv2020;
  advisor: SpecAdvisor;
  names: PropertyNameIndex;
}

let checker: Promise<Checker> | undefined;

/** A schema violation: the dotted path of the field (`publishingSpecifications.goLiveDate`) and what is wrong. */
export interface SpecProblem {
  field: string;
  message: string;
}

export interface SpecCheck<T> {
  /** The value with its property names spelt as the spec spells them (the service binds them in any case). */
  value: T;
  /** Why the service would refuse it; empty when it is valid. */
  problems: SpecProblem[];
  /** Likely mistakes in a body the service accepts, respelt property names included. */
  warnings: SpecWarning[];
}

/** Checks `value` against the spec's `components.schemas[schema]`. */
export async function checkAgainstSpec<T>(value: T, schema: string): Promise<SpecCheck<T>> {
  const { ajv, advisor, names } = await (checker ??= createChecker());
  const validate = ajv.getSchema(`${SPEC_SCHEMA_ID}#/components/schemas/${schema}`);
  if (!validate) throw new Error(`the spec has no schema named ${schema}`);
  const canonical = canonicalPropertyNames(value, names);
  let valid = false;
  const advice = advisor.during(() => {
    valid = validate(canonical.value) as boolean;
  });
  // One warning for all respellings: a body written in PascalCase would otherwise warn once per property.
  const respelt: SpecWarning[] = canonical.respelled.length === 0 ? [] : [{
    field: '(property names)',
    message: `${canonical.respelled.map(({ path, to }) => `${path} → ${to}`).join(', ')}: spelt as in the docs; the service matches property names in any case`,
  }];
  const problems = valid ? [] : summarizeErrors(validate.errors ?? []).filter((error) => error.keyword !== 'if').map(toProblem);
  return {
    value: canonical.value,
    problems: problems.filter((problem, index) => problems.findIndex((p) => p.field === problem.field && p.message === problem.message) === index),
    warnings: [...respelt, ...advice],
  };
}

/** Lists how `value` breaks the spec's `components.schemas[schema]`; empty when it is valid. */
export async function validateAgainstSpec(value: unknown, schema: string): Promise<SpecProblem[]> {
  return (await checkAgainstSpec(value, schema)).problems;
}

/** `value` with its property names spelt as the spec spells them (for the lossless twin of a checked value). */
export async function canonicalNames<T>(value: T): Promise<T> {
  const { names } = await (checker ??= createChecker());
  return canonicalPropertyNames(value, names).value;
}

async function createChecker(): Promise<Checker> {
  const document = await loadOpenApiDocument();
  const ajv = createSpecAjv(document);
  const advisor = new SpecAdvisor(document);
  advisor.register(ajv);
  return { ajv, advisor, names: propertyNameIndex(document) };
}

function toProblem(error: ErrorObject): SpecProblem {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const field = violatedField(error);
  if (params.missingProperty) return { field, message: 'is required' };
  if (params.additionalProperty) return { field, message: 'is not a field of this request' };
  return { field: field || '(the whole document)', message: `${error.message ?? 'is invalid'}${allowedValuesOf(error)}` };
}
