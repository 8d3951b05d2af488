// In-process coordination between garbage collection and running backups and restores.
// Each holds a lease. A lease can enumerate the chunk ids its holder references (a backup reads
// back its own chunk list) and names the packs the holder uploaded; while a gc session runs,
// every id a holder starts to reference is also noted to the session at once. So gc protects
// every chunk referenced at its start or during its run, and never touches a pack a running
// backup wrote. Before deleting, gc marks chunks doomed: a writer never deduplicates against a
// doomed chunk, it stores the chunk again instead.
import { errors } from '../domain/errors.ts';

export class Lease {
  readonly #guard: ChunkGuard;
  readonly referenced: () => AsyncIterable<string>;
  readonly packs = new Set<string>();
  /** The manifest a backup will write; gc leaves its chunk-list parts alone. */
  manifestId: string | null = null;

  constructor(guard: ChunkGuard, referenced: () => AsyncIterable<string>) {
    this.#guard = guard;
    this.referenced = referenced;
  }

  /** Records that the holder now references chunk `id`. */
  noteChunk(id: string): void {
    this.#guard.noteChunk(id);
  }

  /** Records a pack the holder uploaded: gc leaves it alone while the lease is held. */
  addPack(packId: string): void {
    this.packs.add(packId);
  }

  release(): void {
    this.#guard.drop(this);
  }
}

export class GcSession {
  /** Chunk ids that running backups and restores reference. */
  readonly protectedIds = new Set<string>();
  /** Ids first referenced after gc decided what to delete (see `decided`). */
  readonly lateIds = new Set<string>();
  /** Chunks gc is about to delete: not to be deduplicated against. */
  readonly doomed = new Set<string>();
  #decided = false;

  get decided(): boolean {
    return this.#decided;
  }

  /** Marks the moment gc has chosen what to delete and doomed those chunks. */
  decide(doomed: Iterable<string>): void {
    for (const id of doomed) this.doomed.add(id);
    this.#decided = true;
  }
}

export class ChunkGuard {
  readonly #leases = new Set<Lease>();
  #session: GcSession | null = null;
  /** Settles when the current session ends (for `startGc({ wait })`). */
  #ended: Promise<void> = Promise.resolve();
  #end: () => void = () => undefined;

  /** A lease whose holder can list the ids it references with `referenced`. */
  lease(referenced: () => AsyncIterable<string>): Lease {
    const lease = new Lease(this, referenced);
    this.#leases.add(lease);
    return lease;
  }

  /**
   * Starts the one gc session this process may run at a time, and collects the ids every
   * current lease references. Ids referenced from the moment this is called on are noted too.
   */
  async startGc(opts: { wait?: boolean } = {}): Promise<GcSession> {
    while (opts.wait && this.#session) await this.#ended;
    if (this.#session) throw errors.repositoryGcRunning();
    const session = new GcSession();
    this.#session = session;
    this.#ended = new Promise((resolve) => (this.#end = resolve));
    try {
      for (const lease of [...this.#leases]) for await (const id of lease.referenced()) session.protectedIds.add(id);
    } catch (e) {
      this.endGc(session);
      throw e;
    }
    return session;
  }

  endGc(session: GcSession): void {
    if (this.#session !== session) return;
    this.#session = null;
    this.#end();
  }

  /** Whether a gc session runs in this process now. */
  get gcRunning(): boolean {
    return this.#session !== null;
  }

  isDoomed(id: string): boolean {
    return this.#session?.doomed.has(id) ?? false;
  }

  /** Packs uploaded by holders of current leases. */
  activePacks(): Set<string> {
    const out = new Set<string>();
    for (const lease of this.#leases) for (const p of lease.packs) out.add(p);
    return out;
  }

  /** Manifests running backups will write. */
  activeManifests(): Set<string> {
    const out = new Set<string>();
    for (const lease of this.#leases) if (lease.manifestId) out.add(lease.manifestId);
    return out;
  }

  noteChunk(id: string): void {
    const session = this.#session;
    if (!session) return;
    session.protectedIds.add(id);
    if (session.decided) session.lateIds.add(id);
  }

  drop(lease: Lease): void {
    this.#leases.delete(lease);
  }
}
