/**
 * Checks a CLI input file against a request schema of the bundled spec (`generated/openapi.json`) before anything
 * is sent, so that a typo fails at once and names the field, instead of as a 400 after an upload. The schemas refuse
 * only what the service is known to refuse; what is merely unusual comes back as warnings (see spec-warnings.ts).
 */
import type { Ajv2020, ErrorObject } from 'ajv/dist/2020.js';
import type { PropertyNameIndex } from '../client/property-names.js';
import type { SpecAdvisor, SpecWarning } from './spec-warnings.js';

export type { SpecWarning } from './spec-warnings.js';

interface Checker {
  spec: typeof import('../client/spec-document.js');
  names: typeof import('../client/property-names.js');
  ajv: Ajv2020;
  advisor: SpecAdvisor;
  index: PropertyNameIndex;
}

/** Ajv and the spec load on the first check: `--help` and commands without input files never pay for them. */
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
  const { spec, names, ajv, advisor, index } = await (checker ??= createChecker());
  const validate = ajv.getSchema(`${spec.SPEC_SCHEMA_ID}#/components/schemas/${schema}`);
  if (!validate) throw new Error(`the spec has no schema named ${schema}`);
  const canonical = names.canonicalPropertyNames(value, index);
  let valid = false;
  const advice = advisor.during(() => {
    valid = validate(canonical.value) as boolean;
  });
  // One warning for all respellings: a body written in PascalCase would otherwise warn once per property.
  const respelt: SpecWarning[] =
    canonical.respelled.length === 0
      ? []
      : [
          {
            field: '(property names)',
            message: `${canonical.respelled.map(({ path, to }) => `${path} → ${to}`).join(', ')}: spelt as in the docs; the service matches property names in any case`,
          },
        ];
  const problems = valid
    ? []
    : spec
        .summarizeErrors(validate.errors ?? [])
        .filter((error) => error.keyword !== 'if')
        .map((error) => toProblem(error, spec.violatedField(error), spec.allowedValuesOf(error)));
  return {
    value: canonical.value,
    problems: problems.filter((problem, i) => problems.findIndex((p) => p.field === problem.field && p.message === problem.message) === i),
    warnings: [...respelt, ...advice],
  };
}

/** `value` with its property names spelt as the spec spells them (for the lossless twin of a checked value). */
export async function canonicalNames<T>(value: T): Promise<T> {
  const { names, index } = await (checker ??= createChecker());
  return names.canonicalPropertyNames(value, index).value;
}

async function createChecker(): Promise<Checker> {
  const [spec, names, warnings] = await Promise.all([import('../client/spec-document.js'), import('../client/property-names.js'), import('./spec-warnings.js')]);
  const document = await spec.loadOpenApiDocument();
  const ajv = spec.createSpecAjv(document);
  const advisor = new warnings.SpecAdvisor(document);
  advisor.register(ajv);
  return { spec, names, ajv, advisor, index: names.propertyNameIndex(document) };
}

function toProblem(error: ErrorObject, field: string, allowed: string): SpecProblem {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty) return { field, message: 'is required' };
  if (params.additionalProperty) return { field, message: 'is not a field of this request' };
  return { field: field || '(the whole document)', message: `${error.message ?? 'is invalid'}${allowed}` };
}
