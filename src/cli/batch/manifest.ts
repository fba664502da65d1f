/**
 * The batch manifest: the packages of a release in one JSON file, for `hwdash submit --manifest release.json`.
 *
 * ```json
 * { "packages": [
 *     "drivers/touch.cab",
 *     { "package": "drivers/audio.cab", "productName": "Contoso audio", "label": "Contoso audio to WU" },
 *     { "package": "drivers/camera.cab", "product": "14631253285588838", "out": "signed/camera" }
 * ] }
 * ```
 *
 * A bare array works too. Paths are relative to the manifest's folder. Product IDs are strings: a JSON number above
 * 2^53 has already lost digits by the time anyone reads it.
 */
import { dirname, resolve } from 'node:path';
import { InputFileError } from '../input-file-error.js';
import { readInputText } from '../input.js';

/** One package as the manifest gives it, paths resolved against the manifest's folder. */
export interface ManifestEntry {
  package: string;
  out?: string;
  product?: string;
  productName?: string;
  signatures?: string[];
  name?: string;
  label?: string | boolean;
}

const STRING_FIELDS = ['package', 'out', 'product', 'productName', 'name'] as const;
const KNOWN_FIELDS = new Set<string>([...STRING_FIELDS, 'signatures', 'label']);

export async function readManifest(file: string): Promise<ManifestEntry[]> {
  const text = await readInputText(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputFileError(`${file} is not valid JSON: ${(error as Error).message}`, file);
  }
  const list = Array.isArray(value) ? value : (value as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InputFileError(`${file} lists no packages: give { "packages": [ "a.cab", { "package": "b.cab", ... } ] }.`, file);
  }
  const base = dirname(resolve(file));
  return list.map((item, index) => entryOf(item, `${file}: packages[${index}]`, base));
}

function entryOf(item: unknown, where: string, base: string): ManifestEntry {
  if (typeof item === 'string') return { package: resolve(base, item) };
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new InputFileError(`${where} must be a path or an object with "package".`, where);
  }
  const record = item as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) throw new InputFileError(`${where} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${[...KNOWN_FIELDS].join(', ')}.`, where);
  for (const key of STRING_FIELDS) {
    if (record[key] !== undefined && (typeof record[key] !== 'string' || record[key] === '')) {
      throw new InputFileError(`${where}.${key} must be a non-empty string${key === 'product' ? ' of digits (a number would lose digits)' : ''}.`, where);
    }
  }
  if (typeof record.package !== 'string') throw new InputFileError(`${where} has no "package".`, where);
  if (record.product !== undefined && !/^[0-9]+$/.test(record.product as string)) throw new InputFileError(`${where}.product must be decimal digits, e.g. "14631253285588838".`, where);
  if (record.product !== undefined && (record.productName !== undefined || record.signatures !== undefined)) {
    throw new InputFileError(`${where}: "product" uses an existing product; "productName" and "signatures" are for creating one.`, where);
  }
  const signatures = record.signatures;
  if (signatures !== undefined && (!Array.isArray(signatures) || signatures.length === 0 || !signatures.every((code) => typeof code === 'string' && code !== ''))) {
    throw new InputFileError(`${where}.signatures must be a list of OS codes.`, where);
  }
  if (record.label !== undefined && typeof record.label !== 'boolean' && (typeof record.label !== 'string' || record.label === '')) {
    throw new InputFileError(`${where}.label must be true, false or the label's name.`, where);
  }
  return {
    package: resolve(base, record.package),
    ...(record.out === undefined ? {} : { out: resolve(base, record.out as string) }),
    ...(record.product === undefined ? {} : { product: record.product as string }),
    ...(record.productName === undefined ? {} : { productName: record.productName as string }),
    ...(signatures === undefined ? {} : { signatures: signatures as string[] }),
    ...(record.name === undefined ? {} : { name: record.name as string }),
    ...(record.label === undefined ? {} : { label: record.label as string | boolean }),
  };
}
