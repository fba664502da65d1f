import { ValidationError } from './errors/validation-error.js';

/** An int64 ID as hwdash passes it around: a decimal digit string, exact at any magnitude. */
export type Int64Id = string;

/** What a caller may pass where an int64 ID goes: a digit string, a bigint, or a number that is still exact. */
export type IdInput = string | bigint | number;

const DIGITS = /^[0-9]+$/;
/** Path segments that could step out of the intended path once decoded: separators, dot segments, encodings of them. */
const ESCAPING = /[/\\?#]|%(2f|5c|2e|3f|23|00)|^\.{1,2}$|[\u0000-\u001f]/i;

/**
 * Normalises an int64 ID to its digit string, refusing anything that is not one before a request is sent.
 * A number above 2^53 is refused even when it looks fine: it has already lost digits, and the wrong ID
 * would sign or publish the wrong submission.
 */
export function toId(name: string, value: unknown): Int64Id {
  if (typeof value === 'bigint' && value >= 0n) return value.toString();
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    throw invalid(name, value, 'it is a JavaScript number that cannot hold this ID exactly; pass IDs as digit strings such as "1152921504621465124"');
  }
  if (typeof value === 'string' && DIGITS.test(value)) return value;
  throw invalid(name, value, 'IDs are decimal digits only, e.g. "1152921504621465124"');
}

/** Opaque string IDs (preprod package and asset IDs) must still be one plain path segment. */
export function toSegment(name: string, value: unknown): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= 256 && !ESCAPING.test(value)) return value;
  throw invalid(name, value, 'it must be a single path segment (no "/", "\\", "..", percent-encoded separators or control characters)');
}

function invalid(name: string, value: unknown, why: string): ValidationError {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : String(value);
  return new ValidationError(`invalid ${name} ${shown}: ${why}`, {
    code: 'InvalidPathParameter',
    validationErrors: [{ target: name, message: why }],
  });
}

/**
 * openapi-fetch path serializer that checks every path parameter first, so that a malformed ID fails with a
 * clear error before any request is sent instead of becoming a 404 (or a request for another resource).
 *
 * The API's paths use only the simple `{name}` style, whose value is its one URL-encoded segment. Each template is
 * split once and kept: matching it with a regex on every call cost more than the rest of building the request.
 */
export function createPathSerializer(int64Params: ReadonlySet<string>) {
  const templates = new Map<string, PathTemplate>();
  return (pathname: string, params: Record<string, unknown>): string => {
    let template = templates.get(pathname);
    if (!template) {
      template = splitTemplate(pathname);
      // The typed calls use the spec's few paths; a caller looping over ad-hoc paths must not grow this forever.
      if (templates.size < MAX_TEMPLATES) templates.set(pathname, template);
    }
    const checked: Record<string, string> = {};
    for (const name in params) {
      const value = params[name];
      checked[name] = int64Params.has(name) ? toId(name, value) : toSegment(name, value);
    }
    let url = template.literals[0]!;
    for (let k = 0; k < template.names.length; k++) {
      const name = template.names[k]!;
      const value = checked[name];
      if (value === undefined) throw invalid(name, undefined, 'this path parameter is required');
      url += encodeURIComponent(value) + template.literals[k + 1]!;
    }
    return url;
  };
}

const MAX_TEMPLATES = 256;

/** A path template as its literal stretches and the parameter names between them. */
interface PathTemplate {
  literals: string[];
  names: string[];
}

function splitTemplate(pathname: string): PathTemplate {
  const parts = pathname.split(/\{([^}]+)\}/);
  return { literals: parts.filter((_, k) => k % 2 === 0), names: parts.filter((_, k) => k % 2 === 1) };
}
