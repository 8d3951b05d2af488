// The catalog: where the service keeps its state. One interface; the embedded default is SQLite
// (sqlite.ts), and a PostgreSQL implementation can satisfy the same contract for scale-out
// (test/catalog/conformance.ts). Queued work lives apart, in the task queue (src/queue/).
// Every method is async so that a networked implementation fits without changing callers.
import type { AuditEntry, AuditQuery } from '../domain/audit.ts';
import type { OperationRecord } from '../domain/operation.ts';

/** An ARM resource as the API shows it, plus the bookkeeping the catalog needs. */
export interface StoredResource<B = Record<string, unknown>> {
  /** The id as first written (its casing is what the API returns). */
  id: string;
  /** The resource type, e.g. `Microsoft.DataProtection/backupVaults`. */
  type: string;
  /** The id of the resource this one belongs to (a vault's group, a policy's vault), if any. */
  parentId: string | null;
  body: B;
  createdAt?: string;
  updatedAt?: string;
}

export interface ListQuery {
  /** Only resources of this type; all types when absent. */
  type?: string;
  /** Only children of this resource. */
  parentId?: string;
  /** Only resources whose id starts with this prefix (compared case-insensitively). */
  idPrefix?: string;
  /** Page size; all when absent. */
  limit?: number;
  /** Continuation token from a previous page. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when more items follow; pass it back as `after`. */
  next?: string;
}

export type { AuditEntry, AuditQuery, OperationRecord };

/** An audit entry as stored: its place in the log (ascending) and the entry. */
export interface StoredAuditEntry {
  seq: number;
  entry: AuditEntry;
}

export interface Catalog {
  getResource<B = Record<string, unknown>>(id: string): Promise<StoredResource<B> | undefined>;
  /** Inserts or replaces. */
  putResource(r: StoredResource): Promise<void>;
  deleteResource(id: string): Promise<boolean>;
  listResources<B = Record<string, unknown>>(q: ListQuery): Promise<Page<StoredResource<B>>>;
  countResources(q: Omit<ListQuery, 'limit' | 'after'>): Promise<number>;

  getOperation(id: string): Promise<OperationRecord | undefined>;
  putOperation(op: OperationRecord): Promise<void>;
  /** Operations in one status (start-up recovery looks for those left Inprogress). */
  listOperations(status: OperationRecord['status']): Promise<OperationRecord[]>;

  /** Appends one entry to the audit log; entries are never changed. */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Audit entries matching `q`, newest first. */
  queryAudit(q: AuditQuery): Promise<StoredAuditEntry[]>;
  /** Removes the entries older than `before` (retention; nothing else removes entries); returns how many. */
  pruneAudit(before: string): Promise<number>;

  /** Settings of the installation (default subscription, tenant, ...). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  /** The settings whose key starts with `prefix`, by key. */
  listSettings(prefix: string): Promise<{ key: string; value: string }[]>;

  /**
   * Leases: a named right held by one holder at a time until a time (ISO 8601, compared as text),
   * so that one process of many runs a periodic sweep. Acquire takes a free or expired lease, or
   * extends the caller's own, atomically; it answers whether `holder` holds it now.
   */
  acquireLease(name: string, holder: string, now: string, until: string): Promise<boolean>;
  /** Extends the lease while `holder` still holds it (it was not taken over); answers whether it did. */
  renewLease(name: string, holder: string, until: string): Promise<boolean>;
  /** Gives the lease up if `holder` holds it (another holder's lease is left alone). */
  releaseLease(name: string, holder: string): Promise<void>;
  /** The lease's holder and end, if anyone took it and did not release it (an expired one too). */
  getLease(name: string): Promise<{ holder: string; leaseUntil: string } | undefined>;

  /** Runs fn with the catalog's writes applied atomically; a transaction opened inside fn joins this one. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
