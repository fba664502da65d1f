/**
 * The lossless parser's ID keys come from the spec, not from a hand-kept list: this walks the bundled document
 * (`generated/openapi.json`) on its own, every schema of every path and component, and compares what it finds with
 * `INT64_KEYS`. A new int64 field in the spec that the parser would round fails here.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { INT64_KEYS } from '../../src/client/json/lossless.js';

const document = JSON.parse(await readFile(new URL('../../generated/openapi.json', import.meta.url), 'utf8')) as unknown;

/** Names of properties (anywhere) whose schema, or whose array items' schema, has `format: int64`; and int64 path parameters. */
function int64Names(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const child of node) int64Names(child, found);
    return found;
  }
  if (node === null || typeof node !== 'object') return found;
  const record = node as Record<string, unknown>;
  const isInt64 = (schema: unknown): boolean => {
    const s = schema as { format?: unknown; items?: { format?: unknown }; anyOf?: unknown[]; oneOf?: unknown[] } | undefined;
    if (!s || typeof s !== 'object') return false;
    if (s.format === 'int64' || s.items?.format === 'int64') return true;
    return [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(isInt64);
  };
  if (record.properties && typeof record.properties === 'object') {
    for (const [name, schema] of Object.entries(record.properties as Record<string, unknown>)) if (isInt64(schema)) found.add(name);
  }
  if (record.in === 'path' && typeof record.name === 'string' && isInt64(record.schema)) found.add(record.name);
  for (const child of Object.values(record)) int64Names(child, found);
  return found;
}

describe('INT64_KEYS', () => {
  it('is exactly the int64 properties and path parameters of the bundled spec', () => {
    expect([...INT64_KEYS].sort()).toEqual([...int64Names(document)].sort());
  });

  it('holds the IDs the docs print above 2^53', () => {
    for (const key of ['id', 'productId', 'submissionId', 'shippingLabelId', 'sharedProductId']) expect(INT64_KEYS.has(key)).toBe(true);
  });
});
