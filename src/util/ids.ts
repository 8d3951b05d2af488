// Identifier generators.
import { randomUUID, createHash } from 'node:crypto';

export const newGuid = (): string => randomUUID();

/** 32 lower-case hex characters, the recovery point id form. */
export const newHexId = (): string => randomUUID().replaceAll('-', '');

/** A GUID derived from a seed, so the same seed always yields the same id. */
export function stableGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An operation id in the service's form: base64 of two GUIDs joined by ';'. */
export const newOperationId = (): string => Buffer.from(`${randomUUID()};${randomUUID()}`).toString('base64');
