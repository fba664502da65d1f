/**
 * How the sandbox reads request values the way the service binds them: enums in any case (ASP.NET parses enum names
 * case-insensitively; Microsoft's P4VFS client sends `Internal` and `Initial`), a missing enum as the enum's default,
 * and numbers that Microsoft's client library writes as digit strings (SVVP sizes, co-engineering build numbers) as
 * the numbers the service answers with.
 */
import { normalise } from '../../client/vocabulary.js';

export const DEVICE_TYPES = ['internal', 'external', 'internalExternal', 'notSet'] as const;
export const SUBMISSION_TYPES = ['initial', 'derived'] as const;
export const DESTINATIONS = ['windowsUpdate', 'anotherPartner', 'notSet'] as const;
export const TEST_HARNESSES = ['attestation', 'hlk', 'hck', 'notset'] as const;
export const ACTIONS = ['add', 'remove'] as const;

/**
 * The documented spelling of an enum value sent in any case; `fallback` for a missing or null one, which a .NET enum
 * property leaves at its first member.
 */
export function enumValue<Known extends string>(value: unknown, known: readonly Known[], fallback: Known): Known {
  if (typeof value !== 'string' || value.trim() === '') return fallback;
  return normalise(value, known) as Known;
}

/** A count or build number sent as a JSON number or as a string of digits, as the number it is. */
export function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  return undefined;
}

/** `additionalAttributes` as stored: `null` members dropped, SVVP sizes as numbers. */
export function additionalAttributesValue(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object') return {};
  const attributes = Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, member]) => member !== null && member !== undefined));
  const svvp = attributes.svvp as Record<string, unknown> | undefined;
  if (svvp) {
    attributes.svvp = {
      ...svvp,
      ...(svvp.maxProcessors == null ? {} : { maxProcessors: numberValue(svvp.maxProcessors) }),
      ...(svvp.maxMemory == null ? {} : { maxMemory: numberValue(svvp.maxMemory) }),
    };
  }
  return attributes;
}

/** `coEngDriverPublishInfo` as stored: build numbers as numbers; a null or empty one is no range at all. */
export function coEngValue(value: { flooringBuildNumber?: unknown; ceilingBuildNumber?: unknown } | null | undefined): { flooringBuildNumber: number; ceilingBuildNumber: number } | undefined {
  if (!value) return undefined;
  const flooringBuildNumber = numberValue(value.flooringBuildNumber);
  const ceilingBuildNumber = numberValue(value.ceilingBuildNumber);
  return flooringBuildNumber === undefined || ceilingBuildNumber === undefined ? undefined : { flooringBuildNumber, ceilingBuildNumber };
}

/** An object member as stored: its `null` members dropped (Microsoft's library sends every unset member as null). */
export function withoutNulls<T extends object>(value: T | null | undefined): T | undefined {
  if (!value) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== null)) as T;
}
