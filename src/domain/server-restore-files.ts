// The names a whole-server recovery point is restored as files under, in the layout Azure's
// restore of a flexible server writes (reference flexible-server-ltr.md §2, the names a
// third-party script observed): `<prefix>_database_<db>.sql` per database (a pg_dump custom-format
// archive despite the `.sql`, as Azure's are: replay it with pg_restore), `<prefix>_roles.sql`
// and `<prefix>_tablespace.sql` (plain SQL for psql), and dpvault's `<prefix>_manifest.json`
// naming them all. Azure's `_schema.sql` (every database's schema, which Azure says not to run)
// is not written: each database file holds its schema. Pure.
import { join } from 'node:path';

export interface ServerFileNames {
  databases: { name: string; file: string }[];
  roles: string;
  tablespaces: string;
  manifest: string;
}

/** A database name as a file name part: letters, digits, `.`, `_` and `-` kept, every other byte as %XX. */
export function fileSafeName(name: string): string {
  return [...Buffer.from(name, 'utf8')]
    .map((b) => (/[A-Za-z0-9._-]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

export function serverFileNames(dir: string, prefix: string, databases: readonly string[]): ServerFileNames {
  return {
    databases: databases.map((name) => ({ name, file: join(dir, `${prefix}_database_${fileSafeName(name)}.sql`) })),
    roles: join(dir, `${prefix}_roles.sql`),
    tablespaces: join(dir, `${prefix}_tablespace.sql`),
    manifest: join(dir, `${prefix}_manifest.json`),
  };
}

/** Every file of the layout, the manifest last (it is written last). */
export const allServerFiles = (n: ServerFileNames): string[] => [n.roles, n.tablespaces, ...n.databases.map((d) => d.file), n.manifest];
