// Resource tags as the API takes them: an object whose values are strings. Anything else is a
// 400 with the caller's error (each resource provider has its own code), never stored.
import type { DpError } from './errors.ts';

/** The catalog constructor of the resource provider's "invalid parameter" error. */
export type TagsError = (message: string, target: string) => DpError;

/** Checks `value` (undefined and null pass: absent, or cleared) and returns it typed. */
export function checkTags(value: unknown, onInvalid: TagsError, path = 'tags'): Record<string, string> | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw onInvalid(`${path} must be an object of string values.`, path);
  }
  return value as Record<string, string>;
}

/** Tags as postgres servers and key vaults keep them: a copy, with null meaning none. */
export function readTags(value: unknown, onInvalid: TagsError, path = 'tags'): Record<string, string> | undefined {
  const tags = checkTags(value, onInvalid, path);
  return tags === undefined ? undefined : { ...tags };
}
