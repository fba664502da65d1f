/**
 * The spec's advisories (`x-hwdash-warn`): likely mistakes in a request body that the service accepts, such as an
 * empty `selectedProductTypes` or an OS code the docs do not list. The CLI reports them as warnings and still sends
 * the body. They are a vendor extension, so every other validator (the sandbox's included) ignores them; here an Ajv
 * keyword collects them while the strict schema is checked, at the instance path where each applies.
 *
 * Each entry is `{ message, unless?, unlessListed?, field? }`: warn when the value does not match the JSON Schema
 * `unless`, or is not (in any case) one of the `enum` values of the component schema named by `unlessListed`;
 * `field` names the property an object-level entry is about.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import type { OpenApiDocument } from '../client/spec-document.js';

// ajv-formats is CommonJS with `exports.default`; depending on the loader the default import is the plugin or its module.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

export const WARN_KEYWORD = 'x-hwdash-warn';

interface Advisory {
  message: string;
  unless?: object;
  unlessListed?: string;
  field?: string;
}

/** A warning: the dotted path of the field it is about and what looks wrong. */
export interface SpecWarning {
  field: string;
  message: string;
}

/** Collects advisories while a validation runs: validation is synchronous, so one collector at a time is enough. */
export class SpecAdvisor {
  readonly #document: OpenApiDocument;
  readonly #ajv = addFormats(new Ajv2020({ strict: false, allErrors: false, validateSchema: false }));
  readonly #compiled = new Map<string, ValidateFunction>();
  #warnings: SpecWarning[] | undefined;

  constructor(document: OpenApiDocument) {
    this.#document = document;
  }

  /** Teaches `ajv` the advisory keyword; call it before any schema is compiled. */
  register(ajv: Ajv2020): void {
    ajv.addKeyword({
      keyword: WARN_KEYWORD,
      schemaType: 'array',
      errors: false,
      validate: (advisories: Advisory[], data: unknown, _parent: unknown, context?: { instancePath?: string }) => {
        this.#collect(advisories, data, context?.instancePath ?? '');
        return true;
      },
    });
  }

  /** Runs `validate` and returns the warnings raised during it, each reported once. */
  during(validate: () => void): SpecWarning[] {
    this.#warnings = [];
    try {
      validate();
      const seen = new Set<string>();
      return this.#warnings.filter((warning) => {
        const key = `${warning.field}\u0000${warning.message}`;
        return seen.has(key) ? false : (seen.add(key), true);
      });
    } finally {
      this.#warnings = undefined;
    }
  }

  #collect(advisories: Advisory[], data: unknown, instancePath: string): void {
    // A `null` member reaches the schema of its non-null branch too (`anyOf: [{$ref}, {type: 'null'}]`); nothing to advise.
    if (!this.#warnings || data === null || data === undefined) return;
    const path = instancePath
      .split('/')
      .slice(1)
      .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
    for (const advisory of advisories) {
      if (this.#holds(advisory, data)) continue;
      const field = [...path, ...(advisory.field ? [advisory.field] : [])].join('.') || '(the whole document)';
      // Values are quoted so that a warning about a map key (an OS family code) says which key.
      const shown = typeof data === 'string' && !advisory.field ? `${JSON.stringify(data)} ` : '';
      this.#warnings.push({ field, message: `${shown}${advisory.message}` });
    }
  }

  #holds(advisory: Advisory, data: unknown): boolean {
    if (advisory.unlessListed !== undefined) {
      const listed = (this.#document.components?.schemas?.[advisory.unlessListed] as { enum?: unknown[] } | undefined)?.enum ?? [];
      const wanted = String(data).toLowerCase();
      if (!listed.some((value) => String(value).toLowerCase() === wanted)) return false;
    }
    if (advisory.unless !== undefined) {
      const key = JSON.stringify(advisory.unless);
      let validate = this.#compiled.get(key);
      if (!validate) {
        validate = this.#ajv.compile(advisory.unless);
        this.#compiled.set(key, validate);
      }
      if (!validate(data)) return false;
    }
    return true;
  }
}
