/**
 * The service binds JSON property names without regard to case, as ASP.NET does: Microsoft's own P4VFS signing
 * client creates products with `{"ProductName": ..., "DeviceType": "Internal", ...}` and submissions with
 * `{"Name": ..., "Type": "Initial"}`. The spec lists each property as the docs spell it, so a body is brought to
 * those spellings before it is checked against a schema: by the sandbox, which plays the service, and by the CLI,
 * which warns about each one it respells.
 */
import type { OpenApiDocument } from './spec-document.js';

/** Lowercased property name → the spelling the spec declares, for every property of every component schema. */
export type PropertyNameIndex = ReadonlyMap<string, string>;

export function propertyNameIndex(document: OpenApiDocument): PropertyNameIndex {
  const spellings = new Map<string, Set<string>>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.properties && typeof record.properties === 'object' && !Array.isArray(record.properties)) {
      for (const name of Object.keys(record.properties)) {
        const key = name.toLowerCase();
        spellings.set(key, (spellings.get(key) ?? new Set()).add(name));
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(document.components?.schemas);
  // A name the spec spells two ways (none today) has no single canonical spelling: leave it as sent.
  return new Map([...spellings].filter(([, names]) => names.size === 1).map(([key, names]) => [key, [...names][0]!]));
}

/** A property the body spelt otherwise than the spec: where, as sent, and as the spec spells it. */
export interface Respelling {
  path: string;
  from: string;
  to: string;
}

/**
 * A copy of `value` whose object keys are spelt as the spec declares them, and the keys that changed. A key is left
 * alone when it is not a known property name in any case (map keys such as OS family codes), or when the object
 * also has the key in the spec's spelling (there is nothing to bind it to then).
 */
export function canonicalPropertyNames<T>(value: T, index: PropertyNameIndex): { value: T; respelled: Respelling[] } {
  const respelled: Respelling[] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (Array.isArray(node)) return node.map((child, i) => walk(child, `${path}[${i}]`));
    if (!node || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(record)) {
      const canonical = index.get(key.toLowerCase());
      const name = canonical !== undefined && canonical !== key && !Object.hasOwn(record, canonical) ? canonical : key;
      if (name !== key) respelled.push({ path: path ? `${path}.${key}` : key, from: key, to: name });
      result[name] = walk(child, path ? `${path}.${name}` : name);
    }
    return result;
  };
  return { value: walk(value, '') as T, respelled };
}
