// Which databases of a whole-server recovery point a restore as a server creates, and under
// which names: every user database (not `postgres`, `template0` or `template1`, which every
// server has), as PREFIX<name>. Pure.
import { errors } from './errors.ts';

export const SYSTEM_DATABASES: readonly string[] = ['postgres', 'template0', 'template1'];

export interface RestoredDatabase {
  /** Its name in the recovery point. */
  source: string;
  /** The name it is created under on the target. */
  target: string;
}

/** The point's user databases with their target names; a target name past PostgreSQL's 63 bytes is refused. */
export function restoredDatabases(databases: readonly string[], prefix: string): RestoredDatabase[] {
  const out = databases.filter((d) => !SYSTEM_DATABASES.includes(d)).map((source) => ({ source, target: `${prefix}${source}` }));
  const long = out.filter((d) => Buffer.byteLength(d.target) > 63);
  if (long.length) {
    throw errors.requestParameterInvalid(
      `With the prefix '${prefix}', ${long.map((d) => `'${d.target}'`).join(', ')} would be longer than PostgreSQL's 63 bytes: choose a shorter prefix.`,
      'restoreTargetInfo.databaseNamePrefix',
    );
  }
  return out;
}
