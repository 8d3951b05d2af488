// Owners and grants of a dump, fitted to the roles of the server it is restored to. Pure: the
// archive's TOC in, the TOC pg_restore is given out, with a report of what was changed. An
// object whose owner is missing on the target (or is a role the restoring user may not give
// objects to) gets an empty owner, so pg_restore leaves it owned by the restoring user (it
// writes ALTER ... OWNER only for a non-empty owner); the GRANT/REVOKE statements of an ACL or
// DEFAULT ACL entry that name a missing role, or act as a role the restoring user may not
// become, are left out, the others kept.
import type { ArchiveHead, TocEntry } from './archive-toc.ts';

export interface TargetRoles {
  /** The restoring user. */
  user: string;
  /** Every role on the target server. */
  existing: ReadonlySet<string>;
  /** The roles the restoring user may make owners (all of them for a superuser; else those it is a member of). */
  assignable: ReadonlySet<string>;
}

export interface RoleReport {
  /** Roles the archive names that the target server does not have, sorted. */
  missingRoles: string[];
  /** Roles that exist but that the restoring user may not give objects to or act as, sorted. */
  unassignableRoles: string[];
  /** Objects left owned by the restoring user because their owner is missing or unassignable. */
  ownersReplaced: number;
  /** GRANT/REVOKE statements left out because they name a missing role or act as an unassignable one. */
  grantsSkipped: number;
}

/** Entries that carry GRANT/REVOKE statements. */
const ACL_DESCS = new Set(['ACL', 'DEFAULT ACL']);

/**
 * Roles a statement names: as grantee or grantor (after TO, FROM, GRANTED BY) and as the role it
 * acts as (after FOR ROLE, SESSION AUTHORIZATION), quoted or as a plain lower-case name.
 */
const ROLE_REF = /\b(TO|FROM|GRANTED BY|FOR ROLE|SESSION AUTHORIZATION)\s+("(?:[^"]|"")*"|[a-z_][a-z0-9_$]*)/g;

function rolesIn(statement: string): { named: string[]; actingAs: string[] } {
  const named: string[] = [];
  const actingAs: string[] = [];
  for (const m of statement.matchAll(ROLE_REF)) {
    const ref = m[2]!;
    if (ref === 'public') continue;
    const role = ref.startsWith('"') ? ref.slice(1, -1).replace(/""/g, '"') : ref;
    named.push(role);
    if (m[1] === 'FOR ROLE' || m[1] === 'SESSION AUTHORIZATION') actingAs.push(role);
  }
  return { named, actingAs };
}

/**
 * An ACL entry's statements without those that name a missing role or act as a role the
 * restoring user may not become (ALTER DEFAULT PRIVILEGES FOR ROLE, SET SESSION AUTHORIZATION).
 * A `SET SESSION AUTHORIZATION` left out takes the statements up to its `RESET SESSION
 * AUTHORIZATION` with it: they were grants made by that role.
 */
function filterAcl(defn: string, missing: (role: string) => boolean, mayActAs: (role: string) => boolean): { defn: string; skipped: number } {
  const statements = defn.split(/(?<=;\n)/);
  const kept: string[] = [];
  let skipped = 0;
  let skippingBlock = false;
  for (const s of statements) {
    if (skippingBlock) {
      if (/^\s*RESET SESSION AUTHORIZATION/i.test(s)) skippingBlock = false;
      else if (s.trim()) skipped++;
      continue;
    }
    const { named, actingAs } = rolesIn(s);
    const gone = named.filter(missing).length > 0;
    if (gone || actingAs.filter((r) => !mayActAs(r)).length > 0) {
      if (/^\s*SET SESSION AUTHORIZATION/i.test(s)) skippingBlock = true;
      else skipped++;
      continue;
    }
    kept.push(s);
  }
  return { defn: kept.join(''), skipped };
}

/**
 * The TOC fitted to the target's roles. With `keepOwners` false no owner is looked at (the
 * restore runs with --no-owner); grants are still fitted.
 */
export function fitArchiveToRoles(head: ArchiveHead, target: TargetRoles, keepOwners: boolean): { head: ArchiveHead; report: RoleReport } {
  const missing = new Set<string>();
  const unassignable = new Set<string>();
  let ownersReplaced = 0;
  let grantsSkipped = 0;
  const isMissing = (role: string): boolean => {
    if (target.existing.has(role)) return false;
    missing.add(role);
    return true;
  };
  const mayActAs = (role: string): boolean => {
    if (target.assignable.has(role)) return true;
    if (!isMissing(role)) unassignable.add(role);
    return false;
  };
  const entries = head.entries.map((e): TocEntry => {
    let out = e;
    if (keepOwners && e.owner && !target.assignable.has(e.owner)) {
      if (!isMissing(e.owner)) unassignable.add(e.owner);
      // Only entries with a DROP statement are objects of their own that pg_restore gives an owner.
      if (e.dropStmt) ownersReplaced++;
      out = { ...out, owner: '', raw: undefined };
    }
    if (e.desc && ACL_DESCS.has(e.desc) && e.defn) {
      const fitted = filterAcl(e.defn, isMissing, mayActAs);
      if (fitted.skipped > 0) {
        grantsSkipped += fitted.skipped;
        out = { ...out, defn: fitted.defn, raw: undefined };
      }
    }
    return out;
  });
  return {
    head: { header: head.header, entries },
    report: { missingRoles: [...missing].sort(), unassignableRoles: [...unassignable].sort(), ownersReplaced, grantsSkipped },
  };
}

/** The report as a job's additional details (empty when nothing had to change). */
export function roleReportDetails(report: RoleReport, target: TargetRoles, keepOwners: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (!keepOwners) out.Ownership = `Not restored (noOwner): every object is owned by '${target.user}'.`;
  if (report.missingRoles.length) out.MissingRoles = report.missingRoles.join(', ');
  if (report.unassignableRoles.length) out.RolesNotAssignable = `${report.unassignableRoles.join(', ')} (the restoring user '${target.user}' is not a member)`;
  if (report.ownersReplaced) out.OwnersReplaced = `${report.ownersReplaced} object(s) whose owner is missing or not assignable are owned by '${target.user}'.`;
  if (report.grantsSkipped) out.GrantsSkipped = `${report.grantsSkipped} GRANT/REVOKE statement(s) naming missing or unassignable roles were not restored.`;
  return out;
}
