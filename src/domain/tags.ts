// Resource tags as the API takes them: an object whose values are strings. Anything else is a
// 400 with the caller's error code (each resource provider has its own), never stored.
import { invalid } from './errors.ts';

/** Checks `value` (undefined and null pass: absent, or cleared) and returns it typed. */
export function checkTags(value: unknown, code: string, path = 'tags'): Record<string, string> | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw invalid(code, `${path} must be an object of string values.`, path);
  }
  return value as Record<string, string>;
}

/** Tags as postgres servers and key vaults keep them: a copy, with null meaning none. */
export function readTags(value: unknown, code: string, path = 'tags'): Record<string, string> | undefined {
  const tags = checkTags(value, code, path);
  return tags === undefined ? undefined : { ...tags };
}
