// Reading a policy body the way the service does: property names matched case-insensitively and
// with or without underscores (so az's snake_case `days_of_the_week` reads as `daysOfTheWeek`),
// enum values matched case-insensitively and returned in their canonical casing, and every problem
// reported with the JSON path of the offending value.
import { type DpError, errors, POLICY_CODES, type PolicyCode } from '../../domain/errors.ts';

export type JsonObject = Record<string, unknown>;

/** The generic code for a policy that is malformed in a way Azure has no specific code for. */
export const INVALID_POLICY = POLICY_CODES.invalid;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const fail = (code: PolicyCode, message: string, target: string): DpError => errors.policyRejected(code, message, target);

const keyOf = (k: string): string => k.replace(/_/g, '').toLowerCase();

/**
 * The value of property `name` of `obj`, matching `name`, `Name` or `na_me`. When several keys match,
 * the last one wins, as in the service's JSON reader: a policy from az's `tag set` on an existing tag
 * carries both `criteria` and a later `Criteria`.
 */
export function prop(obj: JsonObject, name: string): unknown {
  const want = keyOf(name);
  let found: unknown;
  for (const [k, v] of Object.entries(obj)) if (keyOf(k) === want) found = v;
  return found;
}

export const isAbsent = (v: unknown): boolean => v === undefined || v === null;

export function object(v: unknown, path: string, what: string): JsonObject {
  if (!isObject(v)) throw fail(INVALID_POLICY, `${path} must be an object (${what}).`, path);
  return v;
}

export function array(v: unknown, path: string, what: string): unknown[] {
  if (!Array.isArray(v)) throw fail(INVALID_POLICY, `${path} must be a list (${what}).`, path);
  return v;
}

export function string(v: unknown, path: string, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw fail(INVALID_POLICY, `${path} must be a non-empty string (${what}).`, path);
  return v;
}

/** `v` in the casing of the matching choice; `code` and the message name the allowed values otherwise. */
export function choice(v: unknown, choices: readonly string[], path: string, code: PolicyCode = INVALID_POLICY): string {
  const found = typeof v === 'string' ? choices.find((c) => c.toLowerCase() === v.trim().toLowerCase()) : undefined;
  if (found === undefined) {
    const shown = v === undefined ? 'missing' : typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
    throw fail(code, `${path} is ${shown}; allowed values: ${choices.join(', ')}.`, path);
  }
  return found;
}

/** A discriminator (`objectType`) that must be exactly one known value, any casing. */
export function objectType(obj: JsonObject, expected: string, path: string): typeof expected {
  return choice(prop(obj, 'objectType'), [expected], `${path}.objectType`);
}
